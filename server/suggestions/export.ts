/**
 * Suggestions as a spreadsheet: the redacted text (what may be forwarded) always, the original
 * only when the office asks for it. Every cell passes the CSV formula guard.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { safeCell, spreadsheetSafe } from '../../web/lib/csv-guard.js';
import type { SuggestionView } from '../contracts.js';

interface Column {
  header: string;
  width: number;
  value(s: SuggestionView): string;
}

function columns(original: boolean): Column[] {
  const cols: Column[] = [
    { header: '范围', width: 10, value: (s) => (s.scope === 'overall' ? '总体建议' : '对部门的建议') },
    { header: '部门代码', width: 10, value: (s) => s.department?.code ?? '' },
    { header: '部门名称', width: 24, value: (s) => s.department?.name ?? '' },
    { header: '建议（已脱敏，可转交）', width: 80, value: (s) => s.redacted },
  ];
  if (original) cols.push({ header: '原文（仅评议办内部使用）', width: 80, value: (s) => s.text });
  return cols;
}

export function suggestionsCsv(items: SuggestionView[], original: boolean): string {
  const cols = columns(original);
  const rows = items.map((s) => cols.map((c) => safeCell(c.value(s))));
  return `\ufeff${stringify([cols.map((c) => spreadsheetSafe(c.header)), ...rows])}`;
}

export async function suggestionsXlsx(items: SuggestionView[], original: boolean, title: string): Promise<Buffer> {
  const cols = columns(original);
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('意见建议');
  sheet.columns = cols.map((c) => ({ header: c.header, width: c.width }));
  for (const s of items) sheet.addRow(cols.map((c) => safeCell(c.value(s))));
  sheet.getRow(1).font = { bold: true };
  sheet.getColumn(4).alignment = { wrapText: true, vertical: 'top' };
  book.title = title;
  return Buffer.from(await book.xlsx.writeBuffer());
}
