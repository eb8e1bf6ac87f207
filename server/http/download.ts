import { withoutControls } from '../../surveys/text.js';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const CSV_TYPE = 'text/csv; charset=utf-8';

/**
 * A name without the characters file systems refuse (`/` `\\` `:` `*` `?` `"` `<` `>` `|`, control
 * characters) and without the bidi controls that would show another extension (a file in a zip too).
 */
export const fileNameSafe = (name: string): string =>
  withoutControls(name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]/g, '_')).trim();

/**
 * The Content-Disposition of a download with Chinese in its name: RFC 6266 `filename*` in RFC 5987's
 * encoding (percent-encoded UTF-8, `'()*` escaped too), after a plain-ASCII `filename` for clients
 * that read only that (`fallback`, else the name with every other character as `_`). Control and
 * bidi characters are left out of it (a reversed 名单.xlsx.exe).
 */
export function attachment(name: string, fallback?: string): string {
  const ascii = (fallback ?? name).replace(/[^A-Za-z0-9._-]/g, '_');
  // the names come from stored text: a department's as imported, a campaign's from before names were checked
  const encoded = encodeURIComponent(withoutControls(name)).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/** A file to save, never cached (exports hold figures or free text of one moment). */
export function download(body: string | Uint8Array, type: string, name: string): Response {
  return new Response(typeof body === 'string' ? body : new Uint8Array(body), {
    headers: { 'content-type': type, 'content-disposition': attachment(name), 'cache-control': 'private, no-store' },
  });
}
