import type { Context } from 'hono';
import { ErrorPage } from './components/message.js';
import type { ErrorCode, ErrorDetail } from '../contracts.js';
import { ERROR_STATUS, AppError, errorBody, TooManyRequests } from '../errors.js';
import { databaseFailure, FAILURE_MESSAGES } from '../db/health.js';

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

/** API clients get the JSON envelope; people on a page get a readable page with the same message. */
function wantsJson(c: Context): boolean {
  const path = c.req.path;
  return path.startsWith('/api/') || path === '/healthz' || !(c.req.header('accept') ?? '').includes('text/html');
}

/** The readable page of an error, whatever the client accepts: for page routes. */
export function errorPage(c: Context, code: ErrorCode, message: string, title?: string) {
  const status = ERROR_STATUS[code];
  return c.html(<ErrorPage title={title ?? PAGE_TITLES[status] ?? '出错了'} message={message} />, status);
}

export function renderError(c: Context, code: ErrorCode, message: string, details?: ErrorDetail[]) {
  if (wantsJson(c)) return c.json(errorBody(code, message, details), ERROR_STATUS[code]);
  return errorPage(c, code, message);
}

export function respondError(c: Context, err: unknown) {
  if (err instanceof TooManyRequests) c.header('Retry-After', String(err.retryAfter));
  if (err instanceof AppError) return renderError(c, err.code, err.message, err.details);
  // hono's own HTTPExceptions (e.g. body limit) carry a status below 500: they are the client's fault.
  const status = (err as { status?: number })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code: ErrorCode = status === 413 ? 'PAYLOAD_TOO_LARGE' : status === 401 ? 'UNAUTHORIZED' : 'BAD_REQUEST';
    return renderError(c, code, (err as Error).message || code);
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
