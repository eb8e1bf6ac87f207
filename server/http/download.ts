export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const CSV_TYPE = 'text/csv; charset=utf-8';

/** RFC 5987 filename for a download with Chinese in its name. */
export function attachment(name: string): string {
  const ascii = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** A file to save, never cached (exports hold figures or free text of one moment). */
export function download(body: string | Uint8Array, type: string, name: string): Response {
  return new Response(typeof body === 'string' ? body : new Uint8Array(body), {
    headers: { 'content-type': type, 'content-disposition': attachment(name), 'cache-control': 'private, no-store' },
  });
}
