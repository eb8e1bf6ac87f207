import { createInflateRaw } from 'node:zlib';
import { AppError } from '../errors.js';
import { zipEntries, ZipFormatError, type ZipEntry } from '../shared/zip.js';

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
  let entries: ZipEntry[];
  try {
    entries = zipEntries(bytes, limits.maxEntries);
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    // zip64 is never needed for an upload this size
    throw error.tooLarge
      ? tooLarge()
      : unreadable(error.reason === '不是有效的 zip 文件' ? '不是有效的 .xlsx（zip）文件' : error.reason);
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let budget = limits.maxUncompressedBytes;
  for (const entry of entries) {
    if (entry.declaredSize > budget) throw tooLarge();
    let size: number;
    if (entry.method === 0) size = entry.compressedSize;
    else if (entry.method === 8) {
      size = await inflatedSize(buf.subarray(entry.dataStart, entry.dataStart + entry.compressedSize), budget);
    } else throw unreadable(`不支持的压缩方式 ${entry.method}`);
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
