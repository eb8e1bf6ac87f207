import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { shownText, textProblem } from '../../surveys/text.js';
import { AppError } from '../errors.js';
import { parseJson } from '../shared/json.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Sent text, which must be UTF-8: decoded leniently, the bytes of another encoding (GBK) or a
 * damaged body would be stored as U+FFFD in place of each character, and nobody would be told.
 */
export function utf8Text(bytes: ArrayBuffer | Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new AppError(
      'BAD_REQUEST',
      `${what}不是 UTF-8 编码的文本（可能是 GBK 等其他编码，或传输中损坏）：请以 UTF-8 编码保存后重新提交`,
    );
  }
}

/** A request body as text (UTF-8 only, see utf8Text). */
export const readTextBody = async (c: Context, what: string): Promise<string> =>
  utf8Text(await c.req.arrayBuffer(), what);

/** An uploaded file's text (UTF-8 only, see utf8Text). */
export const fileText = async (file: File, what: string): Promise<string> => utf8Text(await file.arrayBuffer(), what);

/**
 * A posted form (urlencoded or multipart), its text fields UTF-8 like every sent text: reading it
 * as FormData would put U+FFFD in place of other bytes without a word. `unreadable` is the 400's
 * message for a body that isn't the form it says it is.
 */
export async function readFormBody(c: Context, unreadable: string, options: { all?: boolean } = {}) {
  const type = c.req.header('content-type') ?? '';
  const media = type.split(';')[0].trim().toLowerCase();
  if (media === 'application/x-www-form-urlencoded' || media === 'multipart/form-data') {
    const body = Buffer.from(await c.req.arrayBuffer());
    const fields = media === 'multipart/form-data' ? multipartTextFields(body, type) : urlencodedFields(body);
    for (const [name, value] of fields) {
      const field = shownText(lenient.decode(name));
      utf8Text(name, `表单字段名 ${field} `);
      utf8Text(value, `表单字段 ${field} `);
    }
  }
  return c.req.parseBody(options).catch(() => {
    throw new AppError('BAD_REQUEST', unreadable);
  });
}

const lenient = new TextDecoder('utf-8');

/** `+` a space, `%XX` its byte, any other character its own (latin1) byte. */
function unescapeForm(text: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '%' ? text.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(Number.parseInt(hex, 16));
      i += 2;
    } else out.push(text[i] === '+' ? 0x20 : text.charCodeAt(i) & 0xff);
  }
  return Uint8Array.from(out);
}

/** Each name and value of a urlencoded body, as the bytes they stand for. */
function urlencodedFields(body: Buffer): [Uint8Array, Uint8Array][] {
  return body
    .toString('latin1')
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return at < 0
        ? [unescapeForm(pair), new Uint8Array()]
        : [unescapeForm(pair.slice(0, at)), unescapeForm(pair.slice(at + 1))];
    });
}

/** The name and bytes of each part of a multipart body that is no file (a file's reader checks its text). */
function multipartTextFields(body: Buffer, type: string): [Uint8Array, Uint8Array][] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!boundary) return [];
  const delimiter = Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`, 'latin1');
  const fields: [Uint8Array, Uint8Array][] = [];
  // the first delimiter may open the body, without the line break before it
  let at = body.subarray(0, delimiter.length - 2).equals(delimiter.subarray(2)) ? -2 : body.indexOf(delimiter);
  while (at !== -1) {
    const start = at + delimiter.length;
    const next = body.indexOf(delimiter, start);
    if (next < 0) break;
    const part = body.subarray(start, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const disposition =
        /content-disposition:[^\r\n]*/i.exec(part.subarray(0, headerEnd).toString('latin1'))?.[0] ?? '';
      const name = /;\s*name="([^"]*)"/i.exec(disposition);
      if (name && !/;\s*filename\*?=/i.test(disposition))
        fields.push([Buffer.from(name[1], 'latin1'), part.subarray(headerEnd + 4)]);
    }
    at = next;
  }
  return fields;
}

/** A JSON request body, read the one way every JSON input is (UTF-8; depth, NUL and lone surrogates refused). */
export async function readJsonBody(c: Context, what: string): Promise<unknown> {
  return parseJson(await readTextBody(c, what), what);
}

/**
 * hono's bodyLimit, except that a body whose declared Content-Length is within the limit passes
 * without the web Request being built to look at it: that Request (and its stream) cost a tenth
 * of a submission's CPU, where the body read directly costs nothing more. Node reads no more than
 * the declared length; a body without one (chunked) or over the limit goes through bodyLimit.
 */
export function declaredBodyLimit(options: Parameters<typeof bodyLimit>[0]): MiddlewareHandler {
  const limit = bodyLimit(options);
  return (c, next) => {
    const declared = Number(c.req.header('content-length') ?? Number.NaN);
    const withinDeclared =
      c.req.header('transfer-encoding') === undefined && Number.isInteger(declared) && declared <= options.maxSize;
    return withinDeclared ? next() : limit(c, next);
  };
}

function decoded(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Path segments and query values reach lookups (a campaign slug, a search term): one with a NUL
 * (`%00`) would make PostgreSQL fail the query, so it is a 400 naming the parameter before any route.
 */
export const refuseBadUrlText: MiddlewareHandler = async (c, next) => {
  const url = new URL(c.req.url);
  const pathProblem = textProblem(decoded(url.pathname));
  if (pathProblem) throw new AppError('BAD_REQUEST', `地址${pathProblem}`, [{ field: 'path', message: pathProblem }]);
  for (const [name, value] of url.searchParams) {
    const problem = textProblem(name) ?? textProblem(value);
    if (problem) {
      const field = `query.${shownText(name)}`;
      throw new AppError('BAD_REQUEST', `查询参数 ${shownText(name)}：${problem}`, [{ field, message: problem }]);
    }
  }
  await next();
};

/**
 * `/login/`, `/admin/`, `/s/…/` answer like the address without the slash: a GET or HEAD that
 * found nothing is sent there (301), query kept. The Location is relative (hono's
 * trimTrailingSlash writes the absolute URL, whose scheme behind a TLS-ending proxy is http).
 */
export const trimTrailingSlash: MiddlewareHandler = async (c, next) => {
  await next();
  const { method, path } = c.req;
  if (c.res.status !== 404 || (method !== 'GET' && method !== 'HEAD') || path === '/' || !path.endsWith('/')) return;
  const url = new URL(c.req.url);
  // one leading slash: `//evil.example/` must not become a link off the site
  const target = `/${url.pathname.replace(/^\/+|\/+$/g, '')}`;
  c.res = c.redirect(`${target}${url.search}`, 301);
};
