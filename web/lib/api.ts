/**
 * The one API client of the browser scripts. Bodies go as JSON (FormData as multipart); a
 * state-changing request carries the session's X-CSRF-Token when the client has one; an
 * Idempotency-Key is passed through. Every failure arrives as an ApiError: the server's error
 * envelope `{ error: { code, message, details? } }`, a response without one, or no response.
 */
import type { ErrorBody, ErrorCode, ErrorDetail } from '../../server/contracts.js';

export class ApiError extends Error {
  constructor(
    /** the HTTP status; 0 when no response arrived */
    readonly status: number,
    readonly code: ErrorCode | 'NETWORK_ERROR' | 'HTTP_ERROR',
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** Whether the same request may succeed later: the network or the server failed, not the request. */
  get retryable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}

export interface RequestOptions {
  /** GET without a body, POST with one, unless named */
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  idempotencyKey?: string;
  cache?: RequestCache;
  /** the request outlives the page (sent while leaving it) */
  keepalive?: boolean;
}

export interface ApiClientOptions {
  /** the session's token, sent on every request that is not a GET */
  csrfToken?: string;
  /** called when the server answers 401 (the session ended), before the ApiError is thrown */
  onUnauthorized?: () => void;
}

export interface ApiClient {
  /** The response of a request that succeeded (for downloads and headers). */
  request(path: string, options?: RequestOptions): Promise<Response>;
  /** The JSON body of a request that succeeded. */
  json<T>(path: string, options?: RequestOptions): Promise<T>;
}

export function apiClient(client: ApiClientOptions = {}): ApiClient {
  async function request(path: string, options: RequestOptions = {}): Promise<Response> {
    const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
    const headers = new Headers({ accept: 'application/json' });
    let body: BodyInit | undefined;
    if (options.body instanceof FormData) body = options.body;
    else if (options.body !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(options.body);
    }
    if (method !== 'GET' && client.csrfToken) headers.set('X-CSRF-Token', client.csrfToken);
    if (options.idempotencyKey) headers.set('Idempotency-Key', options.idempotencyKey);
    let res: Response;
    try {
      res = await fetch(path, {
        method,
        headers,
        body,
        credentials: 'same-origin',
        cache: options.cache,
        keepalive: options.keepalive,
      });
    } catch {
      throw new ApiError(0, 'NETWORK_ERROR', '网络连接中断，请检查网络后重试');
    }
    if (res.ok) return res;
    if (res.status === 401) client.onUnauthorized?.();
    throw await errorOf(res);
  }
  return {
    request,
    json: async <T>(path: string, options?: RequestOptions) => (await (await request(path, options)).json()) as T,
  };
}

/** The ApiError of a failed response: its envelope, or its status when a proxy or crash sent something else. */
async function errorOf(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => null)) as Partial<ErrorBody> | null;
  const error = body?.error;
  if (error && typeof error.message === 'string')
    return new ApiError(res.status, error.code, error.message, error.details ?? []);
  return new ApiError(res.status, 'HTTP_ERROR', `请求失败（${res.status}）`);
}
