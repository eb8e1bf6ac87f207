import { createInflateRaw } from 'node:zlib';
import { AppError } from '../errors.js';

/** What an uploaded .xlsx may expand to: far above 200,000 roster rows, far below the server's memory. */
export const XLSX_LIMITS = { maxEntries: 2_000, maxUncompressedBytes: 300 * 1024 * 1024 } as const;

const tooLarge = () =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `Excel 文件解压后超过 ${XLSX_LIMITS.maxUncompressedBytes / 1024 / 1024} MB 或包含过多部件，无法导入（请删除多余的工作表或另存为 .csv）`,
  );
const unreadable = (why: string) => new AppError('VALIDATION_FAILED', `无法读取 Excel 文件：${why}`);

/**
 * Refuse a zip bomb before exceljs inflates the whole archive in memory: walk the central
 * directory and inflate every entry, counting and discarding the output (declared sizes can
 * lie), so the total never exceeds XLSX_LIMITS.maxUncompressedBytes. Throws 413 PAYLOAD_TOO_LARGE, or 422
 * for an archive that isn't a readable zip.
 */
export async function assertXlsxWithinLimits(
  bytes: Uint8Array,
  limits: { maxEntries: number; maxUncompressedBytes: number } = XLSX_LIMITS,
): Promise<void> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // end of central directory: 22 bytes + a comment of up to 65,535 bytes, at the end
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw unreadable('不是有效的 .xlsx（zip）文件');
  const entries = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || cdOffset === 0xffffffff) throw tooLarge(); // zip64: never needed for an upload this size
  if (entries > limits.maxEntries) throw tooLarge();
  if (cdOffset + cdSize > buf.length) throw unreadable('文件不完整');
  let budget = limits.maxUncompressedBytes;
  let p = cdOffset;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) throw unreadable('目录损坏');
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const declared = buf.readUInt32LE(p + 24);
    const nameLength = buf.readUInt16LE(p + 28);
    const extraLength = buf.readUInt16LE(p + 30);
    const commentLength = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    p += 46 + nameLength + extraLength + commentLength;
    if (declared > budget) throw tooLarge();
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) throw unreadable('部件损坏');
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) throw unreadable('文件不完整');
    let size: number;
    if (method === 0) size = compressed;
    else if (method === 8) {
      size = await inflatedSize(buf.subarray(start, start + compressed), budget);
    } else throw unreadable(`不支持的压缩方式 ${method}`);
    budget -= size;
    if (budget < 0) throw tooLarge();
  }
}

/** How many bytes a raw deflate stream inflates to, stopping (413) as soon as it passes `cap`. Memory stays flat. */
function inflatedSize(data: Buffer, cap: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const inflate = createInflateRaw();
    let size = 0;
    let done = false;
    const fail = (error: AppError) => {
      if (done) return;
      done = true;
      inflate.destroy();
      reject(error);
    };
    inflate.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > cap) fail(tooLarge());
    });
    inflate.on('error', () => fail(unreadable('压缩数据损坏')));
    inflate.on('end', () => {
      if (!done) resolve(size);
      done = true;
    });
    inflate.end(data);
  });
}
