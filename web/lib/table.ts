/**
 * CSV downloads of tables (opened in Excel: BOM, CRLF, no formulas). Apart from dom.ts's table()
 * so that a page without downloads (the evaluator's) does not load them.
 */
import { spreadsheetSafe } from './csv-guard.js';
import { type Child, el } from './dom.js';

type CsvCell = string | number | null | undefined;

/**
 * CSV text: a BOM so Excel reads UTF-8, CRLF rows, quotes where needed. Text cells go through the
 * formula guard: a department named "=HYPERLINK(…)" must not run when the file is opened.
 */
export function csvText(headers: string[], rows: CsvCell[][]): string {
  const field = (v: CsvCell) => {
    const text = v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : spreadsheetSafe(v);
    return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `\ufeff${[headers, ...rows].map((r) => r.map(field).join(',')).join('\r\n')}\r\n`;
}

/** A "下载 CSV" link to the rows as a file `name.csv` (element cells by their text). */
export function csvLink(name: string, headers: string[], rows: Child[][]): HTMLAnchorElement {
  const text = csvText(
    headers,
    rows.map((r) => r.map((c) => (c instanceof Node ? (c.textContent ?? '') : c))),
  );
  const href = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  return el('a', { href, download: `${name}.csv` }, '下载 CSV');
}
