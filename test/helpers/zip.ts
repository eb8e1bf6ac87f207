import { inflateRawSync } from 'node:zlib';
import { zipEntries } from '../../server/shared/zip.js';

/** One file of a zip archive (a .docx, an .xlsx) as text, or undefined when it isn't there. */
export function zipText(archive: Uint8Array, name: string): string | undefined {
  const entry = zipEntries(archive).find((e) => e.name === name);
  if (!entry) return undefined;
  const data = Buffer.from(archive).subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
  return (entry.method === 8 ? inflateRawSync(data) : data).toString('utf8');
}

/** The paragraphs of a .docx's word/document.xml as plain text, one string per paragraph. */
export function docxParagraphs(archive: Uint8Array): string[] {
  const xml = zipText(archive, 'word/document.xml') ?? '';
  return [...xml.matchAll(/<w:p[ >][\s\S]*?<\/w:p>/g)].map((p) =>
    [...p[0].matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)]
      .map((t) => t[1])
      .join('')
      .replace(/&amp;/g, '&')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"'),
  );
}

/** Zip archives built byte by byte: what no spreadsheet program would write, for the .xlsx guards. */
export interface ZipEntryInput {
  name: string;
  /** raw deflate data, or stored bytes */
  data: Buffer;
  method: 0 | 8;
  /** what the central directory claims (may lie) */
  declaredSize: number;
}

/** A minimal zip archive (no CRCs: the guard must refuse before anything checks them). */
export function zip(entries: ZipEntryInput[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.declaredSize, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(e.method, 10);
    cd.writeUInt32LE(e.data.length, 20);
    cd.writeUInt32LE(e.declaredSize, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, e.data);
    central.push(cd, name);
    offset += local.length + name.length + e.data.length;
  }
  const cdBuf = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cdBuf.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, eocd]);
}
