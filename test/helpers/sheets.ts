import ExcelJS from 'exceljs';
import { unzipSync } from 'fflate';
import { canonicalToken } from '../../server/shared/link-token.js';

/** The links printed on invitation letters: the address, then the token on its own line. */
export const lettersLinks = (html: string) =>
  [...html.matchAll(/<p class="link">([^<]+)<br\s*\/?>\s*<span class="code">([^<]+)<\/span>/g)].map(
    (m) => `${m[1].trim()}${m[2]}`,
  );

/** The token of a link as the server stores its hash: the printed groups read back. */
export const tokenOfLink = (link: string) => canonicalToken(link.split('/s/')[1]);

/** An .xlsx file with these rows on its first sheet (built in the test: no binary fixtures). */
export async function xlsxOf(rows: unknown[][], sheetName = 'Sheet1'): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) sheet.addRow(row);
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** Rows of the first sheet of an .xlsx file, as cell texts. */
export async function xlsxRows(bytes: Uint8Array | ArrayBuffer): Promise<string[][]> {
  return (await xlsxSheets(bytes))[0].rows;
}

/** Every sheet of an .xlsx file with its rows as cell texts. */
export async function xlsxSheets(bytes: Uint8Array | ArrayBuffer): Promise<{ name: string; rows: string[][] }[]> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as ArrayBuffer);
  return workbook.worksheets.map((sheet) => {
    const rows: string[][] = [];
    sheet.eachRow((row) => {
      const cells: string[] = [];
      row.eachCell({ includeEmpty: true }, (cell, col) => {
        const v = cell.value as unknown;
        cells[col - 1] =
          v && typeof v === 'object' && 'text' in (v as object)
            ? String((v as { text: unknown }).text)
            : v == null
              ? ''
              : String(v);
      });
      rows.push(cells);
    });
    return { name: sheet.name, rows };
  });
}

/** A CSV text from rows (no quoting needed for the test data). */
export const csvOf = (rows: (string | number)[][]) => `${rows.map((r) => r.join(',')).join('\n')}\n`;

/** A multipart upload body with one file field. */
export function uploadForm(bytes: Uint8Array | string, filename: string, field = 'file'): FormData {
  const form = new FormData();
  form.append(field, new Blob([typeof bytes === 'string' ? bytes : (bytes as Uint8Array<ArrayBuffer>)]), filename);
  return form;
}

/**
 * The names a download's Content-Disposition gives: `name` from RFC 5987 `filename*` (UTF-8,
 * percent-encoded, nothing outside RFC 5987's attr-chars left bare), `ascii` from the plain `filename`.
 */
export function downloadNames(res: Response): { name: string; ascii: string } {
  const header = res.headers.get('content-disposition') ?? '';
  const match = /^attachment; filename="([A-Za-z0-9._-]+)"; filename\*=UTF-8''([A-Za-z0-9!#$&+.^_`|~%-]+)$/.exec(
    header,
  );
  if (!match) throw new Error(`not an attachment with an ASCII filename and an RFC 5987 filename*: ${header}`);
  return { ascii: match[1], name: decodeURIComponent(match[2]) };
}

/** The three files of an invitations bundle (.zip) and the links each holds, in file order. */
export async function bundleOf(bytes: Uint8Array | ArrayBuffer) {
  const files = unzipSync(new Uint8Array(bytes));
  const named = (suffix: string) => {
    const name = Object.keys(files).find((n) => n.replace(/-\d{8}-\d{4}(?=\.[a-z]+$)/, '').endsWith(suffix));
    if (!name) throw new Error(`no ${suffix} in the bundle: ${Object.keys(files).join(', ')}`);
    return files[name];
  };
  const letters = new TextDecoder().decode(named('-邀请函.html'));
  const csv = new TextDecoder().decode(named('.csv'));
  const rows = await xlsxRows(named('.xlsx'));
  return {
    names: Object.keys(files).sort(),
    letters,
    csv,
    rows,
    links: {
      letters: lettersLinks(letters),
      xlsx: rows.slice(1).map((r) => r[5]),
      csv: [...csv.matchAll(/(https?:\/\/[^,\r\n]+\/s\/[A-Za-z0-9_-]+)/g)].map((m) => m[1]),
    },
  };
}
