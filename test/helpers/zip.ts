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
