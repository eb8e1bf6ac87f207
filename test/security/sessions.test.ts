/**
 * Sessions, CSRF and login as an attacker would try them: a planted cookie, a forged upload, a
 * rotating X-Forwarded-For, redirects off the site after login.
 */
import type { ErrorBody } from '../../server/contracts.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs, sessionCookieOf } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';

let db: Db;
const clock = fixedClock('2026-11-23T08:00:00Z');
let app: ReturnType<typeof createApp>;
let services: ReturnType<typeof createServices>;

beforeAll(async () => {
  db = await sqliteDb();
  const deps = { db, config: defaultConfig({ trustProxy: true }), clock };
  app = createApp(deps);
  services = createServices(deps);
  await createTestCampaign(db, services);
  await services.accounts.addUser({ username: 'office', role: 'admin', password: 'office-password-1' });
});
afterAll(() => db.close());

const loginJson = (username: string, password: string, headers: Record<string, string> = {}) =>
  app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });

describe('sessions', () => {
  it('issues a new random session on login and ignores a cookie planted before it (no fixation)', async () => {
    const planted = 'minping_session=attacker-chosen-value-0123456789';
    const res = await loginJson('office', 'office-password-1', { cookie: planted });
    expect(res.status).toBe(200);
    const cookie = sessionCookieOf(res);
    expect(cookie).not.toBe(planted);
    expect(cookie.split('=')[1]).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect((await app.request('/api/auth/session', { headers: { cookie: planted } })).status).toBe(401);
    expect((await app.request('/api/auth/session', { headers: { cookie } })).status).toBe(200);
    const again = sessionCookieOf(await loginJson('office', 'office-password-1', { cookie }));
    expect(again).not.toBe(cookie);
  });

  it('sets the cookie HttpOnly, SameSite=Lax, for the whole site, for the session lifetime only', async () => {
    const header = (await loginJson('office', 'office-password-1')).headers.get('set-cookie') ?? '';
    expect(header).toMatch(/HttpOnly/i);
    expect(header).toMatch(/SameSite=Lax/i);
    expect(header).toMatch(/Path=\//);
    expect(header).toMatch(/Max-Age=43200/);
  });

  it('ends the session on the server at logout and at expiry by the injected clock', async () => {
    const a = await loginAs(app, services, 'admin', { username: 'office', password: 'office-password-1' });
    expect((await app.request('/api/auth/logout', { method: 'POST', headers: a.headers() })).status).toBe(200);
    expect((await app.request('/api/users', { headers: a.headers() })).status).toBe(401);

    const b = await loginAs(app, services, 'admin', { username: 'office', password: 'office-password-1' });
    clock.advance(12 * 3_600_000 - 1000);
    expect((await app.request('/api/users', { headers: b.headers() })).status).toBe(200);
    clock.advance(2000);
    expect((await app.request('/api/users', { headers: b.headers() })).status).toBe(401);
  });

  it('refuses a multipart upload without the CSRF token (a cross-site form can send one): 403, nothing imported', async () => {
    const a = await loginAs(app, services, 'admin', { username: 'office', password: 'office-password-1' });
    const form = () => {
      const f = new FormData();
      f.append(
        'file',
        new File(['代码,名称,分组,简称\nD001,测试部门1,economic,伪造简称\n'], 'd.csv', { type: 'text/csv' }),
      );
      return f;
    };
    const forged = await app.request('/api/campaigns/test-2026/departments/import', {
      method: 'POST',
      headers: { cookie: a.cookie },
      body: form(),
    });
    expect(forged.status).toBe(403);
    expect(((await forged.json()) as ErrorBody).error.code).toBe('CSRF_FAILED');
    expect(
      (await db.kysely.selectFrom('departments').select('short_name').where('code', '=', 'D001').executeTakeFirst())
        ?.short_name,
    ).toBeNull();
    const real = await app.request('/api/campaigns/test-2026/departments/import', {
      method: 'POST',
      headers: a.headers(),
      body: form(),
    });
    expect(real.status).toBe(200);
  });

  it('refuses the HTML login form posted from another site', async () => {
    const res = await app.request('/login', {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        host: 'localhost',
      },
      body: 'username=office&password=office-password-1',
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('set-cookie')).toBeNull();
  });
});

describe('login throttling behind a proxy', () => {
  it('locks the network named by the proxy, however the client fakes the first X-Forwarded-For hop', async () => {
    // the lock is on a username from a network (0c71aea): faking the first hop doesn't change the network
    for (let i = 0; i < 5; i++) {
      const res = await loginJson('office', 'wrong-password', {
        'x-forwarded-for': `10.9.${i}.${i}, 198.51.100.200`,
      });
      expect(res.status).toBe(401);
    }
    const res = await loginJson('office', 'office-password-1', { 'x-forwarded-for': '10.9.99.99, 198.51.100.200' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    clock.advance(16 * 60_000);
    expect((await loginJson('office', 'office-password-1', { 'x-forwarded-for': '198.51.100.200' })).status).toBe(200);
  });
});

describe('the redirect after login stays on the site', () => {
  const hostile = [
    '//evil.example',
    '/\\evil.example',
    '\\\\evil.example',
    '/\\/evil.example',
    '///evil.example',
    '/\t/evil.example',
    '/\n/evil.example',
    ' /evil.example',
    'https://evil.example',
    'https:evil.example',
    'http:/evil.example',
    'javascript:alert(1)',
    'evil.example',
    '/%0d%0aSet-Cookie:x=1',
  ];

  const isLocal = (location: string) =>
    /^\/(?![/\\])/.test(location) && !/[\s\x00-\x1f]/.test(location) && !/^[a-z][a-z0-9+.-]*:/i.test(location);

  it('GET /login?next=… of a signed-in user and POST /login never send anyone off the site', async () => {
    const a = await loginAs(app, services, 'admin', { username: 'office', password: 'office-password-1' });
    const bad: string[] = [];
    for (const next of [...hostile, '/%2F%2Fevil.example', '/%5C%5Cevil.example']) {
      const res = await app.request(`/login?next=${encodeURIComponent(next)}`, {
        headers: { cookie: a.cookie, accept: 'text/html' },
      });
      const location = res.headers.get('location') ?? '';
      if (res.status !== 303 || !isLocal(location)) bad.push(`GET ${JSON.stringify(next)} → ${res.status} ${location}`);
      if (new URL(location, 'https://minping.example').host !== 'minping.example')
        bad.push(`GET ${JSON.stringify(next)} leaves: ${location}`);

      const posted = await app.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'office', password: 'office-password-1', next }).toString(),
      });
      const to = posted.headers.get('location') ?? '';
      if (posted.status !== 303 || !isLocal(to) || new URL(to, 'https://minping.example').host !== 'minping.example')
        bad.push(`POST ${JSON.stringify(next)} → ${posted.status} ${to}`);
    }
    expect(bad).toEqual([]);
  });

  it('keeps a local path with its query', async () => {
    const posted = await app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        username: 'office',
        password: 'office-password-1',
        next: '/dashboard?campaign=test-2026',
      }).toString(),
    });
    expect(posted.headers.get('location')).toBe('/dashboard?campaign=test-2026');
  });
});
