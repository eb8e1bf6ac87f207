import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import type { ErrorDetail } from '../contracts.js';
import { AppError } from '../errors.js';
import { SHEET_LIMITS, tooManyRows } from './sheet-scan.js';
import { assertXlsxWithinLimits, notAnExcelFile } from './zip-guard.js';

/** One data row of an uploaded sheet: its row number as a spreadsheet shows it, cells by header. */
export interface SheetRow {
  line: number;
  cells: string[];
}

export interface Sheet {
  rows: SheetRow[];
  kind: 'xlsx' | 'csv';
}

export type SheetKind = 'xlsx' | 'csv';

/** xlsx or csv, from the file name (or the bytes: an xlsx file is a zip, starting with "PK"). */
export function sheetKind(filename: string | undefined, bytes: Uint8Array): SheetKind {
  const ext = filename?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  if (ext === 'xlsx') return 'xlsx';
  if (ext === 'csv' || ext === 'txt') return 'csv';
  if (ext === 'xls')
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', '不支持旧版 Excel（.xls）文件，请另存为 .xlsx 或 .csv 后再导入');
  if (ext) throw new AppError('UNSUPPORTED_MEDIA_TYPE', `不支持 .${ext} 文件，请上传 .xlsx 或 .csv 文件`);
  return bytes[0] === 0x50 && bytes[1] === 0x4b ? 'xlsx' : 'csv';
}

/**
 * Text of a CSV file: UTF-8 (with or without BOM), else GB18030 (GBK) as saved by Chinese Excel.
 * Anything else (UTF-16 “Unicode 文本”, a damaged or binary file) is refused: decoded leniently it
 * would be imported with its names turned into replacement characters.
 */
export function decodeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    try {
      return new TextDecoder('gb18030', { fatal: true }).decode(bytes);
    } catch {
      const message =
        '文件既不是 UTF-8 也不是 GBK 编码的 CSV，无法读取：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 .xlsx 后再导入';
      throw new AppError('VALIDATION_FAILED', message, [{ field: 'file', message: '不是 UTF-8 或 GBK 编码的文本' }]);
    }
  }
}

function readCsv(bytes: Uint8Array): SheetRow[] {
  const text = decodeText(bytes);
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const delimiter =
    (firstLine.match(/\t/g)?.length ?? 0) > (firstLine.match(/,/g)?.length ?? 0)
      ? '\t'
      : firstLine.includes(',')
        ? ','
        : firstLine.includes(';')
          ? ';'
          : ',';
  let records: string[][];
  try {
    records = parse(text, {
      delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: false,
    }) as string[][];
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new AppError('VALIDATION_FAILED', `CSV 文件格式错误：${(error as Error).message}`, [
      { ...(line ? { line } : {}), message: `CSV 格式错误：${(error as Error).message}` },
    ]);
  }
  // the row number a spreadsheet shows: one per record, blank lines included
  return records.map((cells, i) => ({ line: i + 1, cells: cells.map((c) => c ?? '') }));
}

/** The text of an exceljs cell value (plain, rich text, hyperlink, formula result, date). */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  // a date-formatted number beyond any calendar is an Invalid Date: readXlsx reports its cell
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((t) => t.text).join('');
    if ('text' in v) return cellText(v.text);
    // a formula's cached result; a formula saved without one (written by a script) has no text
    if ('result' in v || 'formula' in v || 'sharedFormula' in v) return cellText(v.result);
    if ('error' in v) return '';
  }
  return String(value);
}

async function readXlsx(bytes: Uint8Array): Promise<SheetRow[]> {
  await assertXlsxWithinLimits(bytes);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ExcelJS.Buffer);
  } catch {
    throw notAnExcelFile();
  }
  // every workbook Excel, WPS or LibreOffice saves has a sheet: a zip without one is another file
  const sheet = workbook.worksheets.find((ws) => ws.actualRowCount > 0) ?? workbook.worksheets[0];
  if (!sheet) throw notAnExcelFile();
  const rows: SheetRow[] = [];
  const errors: ErrorDetail[] = [];
  sheet.eachRow({ includeEmpty: false }, (row) => {
    const cells: string[] = [];
    // only the cells there are: empty ones would be built as objects, one per column up to the last
    row.eachCell({ includeEmpty: false }, (cell, col) => {
      if (cell.value instanceof Date && Number.isNaN(cell.value.getTime())) {
        errors.push({
          line: row.number,
          field: cell.address,
          message: `单元格 ${cell.address} 是日期格式，但数值超出日期范围，无法读取`,
        });
      }
      cells[col - 1] = cellText(cell.value);
    });
    rows.push({ line: row.number, cells: Array.from(cells, (c) => c ?? '') });
  });
  if (errors.length) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Excel 文件有 ${errors.length} 个无法读取的单元格，没有导入任何数据。第 ${errors[0].line} 行 ${errors[0].message}`,
      errors,
    );
  }
  return rows;
}

/** Read an uploaded sheet. Blank rows are dropped; row numbers stay those the user sees. */
export async function readSheet(bytes: Uint8Array, filename?: string): Promise<Sheet> {
  const kind = sheetKind(filename, bytes);
  const rows = (kind === 'xlsx' ? await readXlsx(bytes) : readCsv(bytes)).filter((r) =>
    r.cells.some((c) => c.trim() !== ''),
  );
  if (rows.length > SHEET_LIMITS.maxRows) throw tooManyRows();
  return { rows, kind };
}
