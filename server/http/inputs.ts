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
