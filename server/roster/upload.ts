import type { Context } from 'hono';
import { textProblem } from '../../surveys/text.js';
import { AppError } from '../errors.js';
import type { ImportFile } from './service.js';
import { readFormBody } from '../http/inputs.js';

const MIME_EXT: Record<string, string> = {
  'text/csv': '.csv',
  'application/csv': '.csv',
  'text/plain': '.csv',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': '.xlsx',
};

/**
 * An uploaded file: multipart/form-data (field `file`), or the raw body with its name in
 * `?filename=` or an `X-Filename` header (else the content type decides: CSV or XLSX).
 */
export async function readUpload(c: Context, field = 'file'): Promise<ImportFile> {
  const type = c.req.header('content-type') ?? '';
  if (type.startsWith('multipart/form-data')) {
    const form = await readFormBody(c, '无法读取上传的表单');
    const file = form[field];
    if (!(file instanceof File))
      throw new AppError('VALIDATION_FAILED', '请选择要上传的文件', [{ field, message: '请选择要上传的文件' }]);
    return { bytes: new Uint8Array(await file.arrayBuffer()), filename: storableName(file.name, field) };
  }
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (!bytes.length)
    throw new AppError('VALIDATION_FAILED', '上传的文件是空的', [{ field, message: '上传的文件是空的' }]);
  const header = c.req.header('x-filename');
  let filename = c.req.query('filename') ?? (header ? safeDecode(header) : undefined);
  if (!filename) {
    const ext = MIME_EXT[type.split(';')[0].trim().toLowerCase()];
    if (ext) filename = `upload${ext}`;
  }
  return { bytes, filename: storableName(filename, field) };
}

/** The file's name is stored (import records, the audit log): refused if it can't be stored as text. */
function storableName(filename: string | undefined, field: string): string | undefined {
  const problem = filename === undefined ? null : textProblem(filename);
  if (problem) throw new AppError('VALIDATION_FAILED', `文件名${problem}`, [{ field, message: `文件名${problem}` }]);
  return filename;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
