import type { Hono } from 'hono';
import type { Services } from '../../server/services.js';

export interface LoggedIn {
  username: string;
  password: string;
  cookie: string;
  csrfToken: string;
  /** headers for a request of this session; state-changing ones carry the CSRF token */
  headers(extra?: Record<string, string>): Record<string, string>;
}

type RequestApp = Pick<Hono, 'request'>;

/** The `name=value` of the session cookie in a response's Set-Cookie header. */
export function sessionCookieOf(res: Response): string {
  const header = res.headers.get('set-cookie') ?? '';
  const match = /minping_session=([^;]*)/.exec(header);
  if (!match) throw new Error(`no session cookie in response (status ${res.status})`);
  return `minping_session=${match[1]}`;
}

/**
 * Create a user (unless it exists) and log in through the API.
 * `loginAs(app, services, 'admin')`, `loginAs(app, services, 'liaison', { departmentCode: 'D001' })`.
 */
export async function loginAs(
  app: RequestApp,
  services: Services,
  role: 'admin' | 'analyst' | 'liaison' = 'admin',
  options: { username?: string; departmentCode?: string; password?: string } = {},
): Promise<LoggedIn> {
  const username = options.username ?? `${role}-${options.departmentCode ?? 'user'}`.toLowerCase();
  const password = options.password ?? 'correct horse battery staple';
  const existing = (await services.accounts.listUsers()).find((u) => u.username === username);
  if (!existing)
    await services.accounts.addUser({ username, role, departmentCode: options.departmentCode, password }, 'test');
  const res = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login as ${username} failed: ${res.status} ${await res.text()}`);
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const cookie = sessionCookieOf(res);
  return {
    username,
    password,
    cookie,
    csrfToken,
    headers: (extra = {}) => ({ cookie, 'X-CSRF-Token': csrfToken, ...extra }),
  };
}
