import { createInflateRaw } from 'node:zlib';
import { AppError } from '../errors.js';
import { zipEntries, ZipFormatError, type ZipEntry } from '../shared/zip.js';
import { SHEET_LIMITS, SheetScanner, type SheetLimits } from './sheet-scan.js';

/** What an uploaded .xlsx may expand to: far above 200,000 roster rows, far below the server's memory. */
export const XLSX_LIMITS = { maxEntries: 2_000, maxUncompressedBytes: 300 * 1024 * 1024 } as const;

const tooLarge = () =>
  new AppError(
    'PAYLOAD_TOO_LARGE',
    `Excel 文件解压后超过 ${XLSX_LIMITS.maxUncompressedBytes / 1024 / 1024} MB 或包含过多部件，无法导入（请删除多余的工作表或另存为 .csv）`,
  );
/**
 * A file that is no Excel workbook (damaged, or another file renamed .xlsx): the office's words,
 * with the reason only when it is ours (exceljs's own errors are English and name its internals).
 */
export const notAnExcelFile = (why?: string) => {
  const message = `此文件不是有效的 Excel 文件${why ? `（${why}）` : ''}：可能已损坏，或是改了扩展名的其他文件。请用 Excel 或 WPS 打开后另存为 .xlsx（或 .csv）再导入；没有导入任何数据`;
  return new AppError('VALIDATION_FAILED', message, [{ field: 'file', message: '不是有效的 Excel 文件' }]);
};

/** The entries exceljs loads as worksheets: its own pattern (unanchored, as it matches them). */
const WORKSHEET = /xl\/worksheets\/sheet(\d+)[.]xml/;

/**
 * Refuse a zip bomb, or a sheet too big or too sparse, before exceljs inflates the whole archive
 * in memory: walk the central directory and inflate every entry, counting and discarding the
 * output (declared sizes can lie), so the total never exceeds XLSX_LIMITS.maxUncompressedBytes;
 * every worksheet's XML is read as it inflates by a SheetScanner (used range, rows, columns,
 * cells within SHEET_LIMITS). Throws 413 PAYLOAD_TOO_LARGE naming the limit, or 422 for an
 * archive that isn't a readable zip.
 */
export async function assertXlsxWithinLimits(
  bytes: Uint8Array,
  limits: { maxEntries: number; maxUncompressedBytes: number } = XLSX_LIMITS,
  sheetLimits: SheetLimits = SHEET_LIMITS,
): Promise<void> {
  let entries: ZipEntry[];
  try {
    entries = zipEntries(bytes, limits.maxEntries);
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    // zip64 is never needed for an upload this size
    throw error.tooLarge
      ? tooLarge()
      : notAnExcelFile(error.reason === '不是有效的 zip 文件' ? undefined : error.reason);
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let budget = limits.maxUncompressedBytes;
  for (const entry of entries) {
    if (entry.declaredSize > budget) throw tooLarge();
    const data = buf.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    const sheet = WORKSHEET.exec(entry.name);
    const scanner = sheet ? new SheetScanner(`第 ${sheet[1]} 张工作表`, sheetLimits) : undefined;
    // tags and attributes are ASCII: latin1 reads them from any chunk boundary of UTF-8 text
    const scan = scanner && ((chunk: Buffer) => scanner.write(chunk.toString('latin1')));
    let size: number;
    if (entry.method === 0) {
      size = entry.compressedSize;
      scan?.(data);
    } else if (entry.method === 8) size = await inflatedSize(data, budget, scan);
    else throw notAnExcelFile(`不支持的压缩方式 ${entry.method}`);
    scanner?.end();
    budget -= size;
    if (budget < 0) throw tooLarge();
  }
}

/**
 * How many bytes a raw deflate stream inflates to, stopping (413) as soon as it passes `cap`, or
 * when `scan` (given each chunk) throws. Memory stays flat.
 */
function inflatedSize(data: Buffer, cap: number, scan?: (chunk: Buffer) => void): Promise<number> {
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
      if (size > cap) return fail(tooLarge());
      try {
        scan?.(chunk);
      } catch (error) {
        fail(error as AppError);
      }
    });
    inflate.on('error', () => fail(notAnExcelFile('压缩数据损坏')));
    inflate.on('end', () => {
      if (!done) resolve(size);
      done = true;
    });
    inflate.end(data);
  });
}
