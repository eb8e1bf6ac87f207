import type { Context } from 'hono';
import { ErrorPage } from './components/message.js';
import type { ErrorCode, ErrorDetail } from '../contracts.js';
import { ERROR_STATUS, AppError, errorBody, TooManyRequests } from '../errors.js';
import { databaseFailure, FAILURE_MESSAGES } from '../db/health.js';
import type { SessionUser } from '../contracts.js';
import type { Viewer } from './components/header.js';
import type { AppEnv } from './env.js';

const PAGE_TITLES: Partial<Record<number, string>> = {
  401: '请先登录',
  403: '没有权限',
  404: '页面不存在',
  409: '操作冲突',
  413: '内容太大',
  429: '请求太频繁',
  500: '服务器出错了',
  503: '暂时无法服务',
};

const HTTP_EXCEPTION_MESSAGES: Record<'PAYLOAD_TOO_LARGE' | 'UNAUTHORIZED' | 'BAD_REQUEST', string> = {
  PAYLOAD_TOO_LARGE: '提交的内容太大，没有处理',
  UNAUTHORIZED: '请先登录',
  BAD_REQUEST: '请求格式不对，没有处理',
};

/** API clients get the JSON envelope; people on a page get a readable page with the same message. */
export function wantsJson(c: Context): boolean {
  const path = c.req.path;
  return path.startsWith('/api/') || path === '/healthz' || !(c.req.header('accept') ?? '').includes('text/html');
}

/**
 * The signed-in person, for the error page's header: none without a session, and without the
 * department's name when even that can't be read (the database is why the page is an error).
 */
async function signedInViewer(c: Context<AppEnv>): Promise<Viewer | undefined> {
  const user = c.get('user') as SessionUser | undefined;
  if (!user) return undefined;
  const fallback = { user, departmentName: null, csrfToken: c.get('csrfToken'), path: c.req.path };
  return (
    (await c
      .get('viewer')?.()
      .catch(() => fallback)) ?? fallback
  );
}

/** The readable page of an error, whatever the client accepts: for page routes. */
export async function errorPage(c: Context<AppEnv>, code: ErrorCode, message: string, title?: string) {
  const status = ERROR_STATUS[code];
  const viewer = await signedInViewer(c);
  return c.html(
    <ErrorPage title={title ?? PAGE_TITLES[status] ?? '出错了'} message={message} viewer={viewer} />,
    status,
  );
}

export function renderError(c: Context<AppEnv>, code: ErrorCode, message: string, details?: ErrorDetail[]) {
  if (wantsJson(c)) return c.json(errorBody(code, message, details), ERROR_STATUS[code]);
  return errorPage(c, code, message);
}

export function respondError(c: Context<AppEnv>, err: unknown) {
  if (err instanceof TooManyRequests) c.header('Retry-After', String(err.retryAfter));
  if (err instanceof AppError) return renderError(c, err.code, err.message, err.details);
  // hono's own HTTPExceptions (e.g. body limit) carry a status below 500: they are the client's fault.
  const status = (err as { status?: number })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    // their messages are English ("Payload Too Large"): say it in Chinese
    const code: ErrorCode = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 401 ? 'UNAUTHORIZED' : 'BAD_REQUEST';
    return renderError(c, code, HTTP_EXCEPTION_MESSAGES[code]);
  }
  // the database's own failure (a full disk, a lost connection) was logged once by the driver
  const failure = databaseFailure(err);
  if (failure) {
    c.header('Retry-After', '5');
    return renderError(c, 'SERVICE_UNAVAILABLE', FAILURE_MESSAGES[failure.cause]);
  }
  console.error(err);
  return renderError(c, 'INTERNAL_SERVER_ERROR', '服务器内部错误，请稍后重试');
}
