import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { SessionUser } from '../contracts.js';
import type { AppEnv } from '../http/env.js';
import { AppError } from '../errors.js';
import { errorPage } from '../http/errors.js';
import { UPLOAD_MAX_BYTES } from '../http/limits.js';
import { safeEqual, type AccountsService, type Role } from './service.js';

export const SESSION_COOKIE = 'minping_session';
export const CSRF_HEADER = 'X-CSRF-Token';
/** The field that carries the token in a plain form (the header's sign-out works without a script). */
export const CSRF_FIELD = 'csrf';
/**
 * A plain form is a few fields (the longest, a liaison's rectification plan, some 20 KB of
 * percent-encoded Chinese); a form with files is an upload within the body limit. A larger body
 * is not read for its token, and fails the check.
 */
const FORM_TOKEN_MAX_BYTES = {
  'application/x-www-form-urlencoded': 64 * 1024,
  'multipart/form-data': UPLOAD_MAX_BYTES,
};

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Paths that never carry an office session: the token-authenticated evaluator side and static files. */
const SESSIONLESS = [/^\/api\/s\//, /^\/s\//, /^\/assets\//, /^\/healthz$/];
/**
 * State-changing requests allowed without the CSRF token: logging in (there is no session yet) and
 * the header's sign-out form, which a page left open past a new sign-in sends with a stale token:
 * it only ends the session, so a forged one does no more than sign someone out.
 */
const CSRF_EXEMPT = [/^\/api\/auth\/login$/, /^\/login$/, /^\/logout$/];

/** The token a request sends: the header of a script's request, or the `csrf` field of a plain form (with or without files). */
async function sentCsrfToken(c: Context<AppEnv>): Promise<string | undefined> {
  const header = c.req.header(CSRF_HEADER);
  if (header) return header;
  const type = (c.req.header('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const limit = FORM_TOKEN_MAX_BYTES[type as keyof typeof FORM_TOKEN_MAX_BYTES];
  if (!limit || !(Number(c.req.header('content-length')) <= limit)) return undefined;
  const field = (await c.req.parseBody().catch(() => ({}) as Record<string, unknown>))[CSRF_FIELD];
  return typeof field === 'string' ? field : undefined;
}

/**
 * Loads the session named by the cookie into `c.var.user` / `c.var.csrfToken`, and refuses every
 * state-changing request of a logged-in session that lacks the session's CSRF token, in the
 * X-CSRF-Token header or a plain form's `csrf` field (403 CSRF_FAILED). Requests without a
 * session pass on to `requireRole`, which answers 401.
 */
export function sessionMiddleware(accounts: AccountsService): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    if (SESSIONLESS.some((re) => re.test(path))) return next();
    const session = await accounts.authenticate(getCookie(c, SESSION_COOKIE));
    if (session) {
      c.set('user', session.user);
      c.set('csrfToken', session.csrfToken);
      c.set('sessionId', session.sessionId);
      if (session.user.role === 'liaison')
        c.set(
          'departmentIds',
          (await accounts.liaisonDepartments(session.user.id)).map((d) => d.id),
        );
      if (STATE_CHANGING.has(c.req.method) && !CSRF_EXEMPT.some((re) => re.test(path))) {
        const sent = await sentCsrfToken(c);
        if (!sent || !safeEqual(sent, session.csrfToken)) {
          throw new AppError('CSRF_FAILED', '请求缺少有效的 CSRF 令牌，请刷新页面后重试');
        }
      }
    }
    await next();
  };
}

/** The logged-in user, if any. */
export function currentUser(c: Context<AppEnv>): SessionUser | undefined {
  return c.get('user') as SessionUser | undefined;
}

/**
 * API guard: 401 UNAUTHORIZED without a session, 403 FORBIDDEN for another role.
 * With no roles given, any logged-in user passes.
 */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = currentUser(c);
    if (!user) throw new AppError('UNAUTHORIZED', '请先登录');
    if (roles.length && !roles.includes(user.role)) throw new AppError('FORBIDDEN', '您的账号没有执行此操作的权限');
    await next();
  };
}

/** Page guard: to the login page without a session (coming back afterwards), 403 page for another role. */
export function requirePageRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const user = currentUser(c);
    if (!user) {
      const url = new URL(c.req.url);
      return c.redirect(`/login?next=${encodeURIComponent(url.pathname + url.search)}`, 303);
    }
    if (roles.length && !roles.includes(user.role)) {
      return errorPage(c, 'FORBIDDEN', '您的账号没有访问此页面的权限。');
    }
    await next();
  };
}
