import type { Context, MiddlewareHandler } from 'hono';
import { shownText, textProblem } from '../../surveys/text.js';
import { AppError } from '../errors.js';
import { parseJson } from '../shared/json.js';

/** A JSON request body, read the one way every JSON input is (depth, NUL and lone surrogates refused). */
export async function readJsonBody(c: Context, what: string): Promise<unknown> {
  return parseJson(await c.req.text(), what);
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
