/** One entry of a zip archive's central directory, located in the archive's bytes. */
export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflate */
  method: number;
  compressedSize: number;
  /** as declared by the archive: an upper bound only a full inflate can confirm */
  declaredSize: number;
  /** offset of the entry's data in the archive */
  dataStart: number;
}

/** The archive can't be read as a zip; `reason` is for people (Chinese). */
export class ZipFormatError extends Error {
  constructor(
    readonly reason: string,
    /** zip64 or more entries than `maxEntries`: nothing an office upload needs */
    readonly tooLarge = false,
  ) {
    super(reason);
    this.name = 'ZipFormatError';
  }
}

/**
 * The entries of a zip archive, read from its central directory (the local headers are checked,
 * nothing is inflated). Throws ZipFormatError for anything that isn't a plain, complete zip.
 */
export function zipEntries(bytes: Uint8Array, maxEntries = 0xfffe): ZipEntry[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // end of central directory: 22 bytes + a comment of up to 65,535 bytes, at the end
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('不是有效的 zip 文件');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff || count > maxEntries) throw new ZipFormatError('部件过多', true);
  if (cdOffset + cdSize > buf.length) throw new ZipFormatError('文件不完整');
  const entries: ZipEntry[] = [];
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw new ZipFormatError('目录损坏');
    const nameLength = buf.readUInt16LE(p + 28);
    const local = buf.readUInt32LE(p + 42);
    const entry = {
      name: buf.toString('utf8', p + 46, p + 46 + nameLength),
      method: buf.readUInt16LE(p + 10),
      compressedSize: buf.readUInt32LE(p + 20),
      declaredSize: buf.readUInt32LE(p + 24),
      dataStart: 0,
    };
    p += 46 + nameLength + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw new ZipFormatError('部件损坏');
    entry.dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (entry.dataStart + entry.compressedSize > buf.length) throw new ZipFormatError('文件不完整');
    entries.push(entry);
  }
  return entries;
}
