import type { Context } from 'hono';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { readFormBody } from './inputs.js';

/**
 * The plain forms of the pages (they work without a script): each field is text as typed, files apart. A refusal shows the form again with what was
 * typed and the message, Chinese, of the first bad field or of the service.
 */

export type FormValues = Record<string, string>;

/** A file sent with a form, as its name and bytes. */
export interface UploadedFile {
  name: string;
  bytes: Uint8Array;
}

export interface PostedForm {
  values: FormValues;
  files: UploadedFile[];
}

/** The posted fields (a urlencoded or multipart form) as text, and the files sent as `files`. */
export async function readForm(c: Context): Promise<PostedForm> {
  const body = await readFormBody(c, '无法读取提交的表单，请返回重试', { all: true });
  const values: FormValues = {};
  const files: UploadedFile[] = [];
  for (const [name, value] of Object.entries(body)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (typeof one === 'string') values[name] ??= one;
      // a file input left empty still sends a part, without a name or bytes
      else if (name === 'files' && (one.name || one.size))
        files.push({ name: one.name, bytes: new Uint8Array(await one.arrayBuffer()) });
    }
  }
  return { values, files };
}

/** The form's data, or a VALIDATION_FAILED naming the first bad field in Chinese. */
export function checkForm<T extends z.ZodType>(schema: T, values: FormValues): z.output<T> {
  const result = schema.safeParse(values);
  if (!result.success) throw new AppError('VALIDATION_FAILED', result.error.issues[0]?.message ?? '表单填写有误');
  return result.data;
}

/**
 * Run a form's action. A refusal (the form's or the service's) is returned for the page to show
 * with what was typed; anything else is a fault and goes on to the error handler.
 */
export async function attempt(run: () => Promise<unknown>): Promise<AppError | null> {
  try {
    await run();
    return null;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
}
