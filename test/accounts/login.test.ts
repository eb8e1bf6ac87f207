import type { ErrorBody } from '../../server/contracts.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig, type AppConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { sha256 } from '../../server/shared/ids.js';
import { sessionCookieOf } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';

let db: Db;
let clock: ReturnType<typeof fixedClock>;
let app: ReturnType<typeof createApp>;
let services: ReturnType<typeof createServices>;

async function setup(config: Partial<AppConfig> = {}) {
  db = await sqliteDb();
  clock = fixedClock('2026-11-23T08:00:00Z');
  const deps = { db, config: defaultConfig(config), clock };
  app = createApp(deps);
  services = createServices(deps);
  await services.accounts.addUser({ username: 'office', role: 'admin', password: 'office-password-1' }, 'test');
}

const login = (username: string, password: string, headers: Record<string, string> = {}) =>
  app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ username, password }),
  });

const errorCode = async (res: Response) => ((await res.json()) as ErrorBody).error.code;

describe('logging in', () => {
  beforeEach(() => setup());
  afterEach(() => db.close());

  it('opens a session with an HttpOnly, SameSite=Lax cookie and returns the user and a CSRF token', async () => {
    const res = await login('office', 'office-password-1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      user: { username: string; role: string };
      csrfToken: string;
      expiresAt: string;
    };
    expect(body.user).toMatchObject({ username: 'office', role: 'admin' });
    expect(body.csrfToken.length).toBeGreaterThanOrEqual(32);
    expect(body.expiresAt).toBe('2026-11-23T20:00:00.000Z');
    const setCookie = res.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).not.toMatch(/Secure/i);

    const session = await app.request('/api/auth/session', { headers: { cookie: sessionCookieOf(res) } });
    expect(session.status).toBe(200);
    expect(await session.json()).toMatchObject({ user: { username: 'office' }, csrfToken: body.csrfToken });
  });

  it('stores only the sha256 of the session cookie and a salted scrypt hash of the password', async () => {
    const res = await login('office', 'office-password-1');
    const value = sessionCookieOf(res).split('=')[1];
    const sessions = await db.kysely.selectFrom('sessions').selectAll().execute();
    expect(sessions).toHaveLength(1);
    expect(sessions[0].id).toBe(sha256(value));
    expect(sessions[0].id).not.toContain(value);
    const user = await db.kysely
      .selectFrom('users')
      .selectAll()
      .where('username', '=', 'office')
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[\w-]+\$[\w-]+$/);
    expect(user.password_hash).not.toContain('office-password-1');
    await services.accounts.addUser({ username: 'office2', role: 'admin', password: 'office-password-1' }, 'test');
    const other = await db.kysely
      .selectFrom('users')
      .select('password_hash')
      .where('username', '=', 'office2')
      .executeTakeFirstOrThrow();
    expect(other.password_hash).not.toBe(user.password_hash);
  });

  it('refuses a wrong password or an unknown user with 401 and the same message, and logs both', async () => {
    const wrong = await login('office', 'nope');
    const unknown = await login('nobody', 'nope');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const [a, b] = [await wrong.json(), await unknown.json()];
    expect(a).toEqual(b);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    const audit = await services.audit.list({ action: 'login_failed' });
    expect(audit.map((r) => r.actor).sort()).toEqual(['nobody', 'office']);
  });

  it('records a successful login in the audit log', async () => {
    await login('office', 'office-password-1');
    const audit = await services.audit.list({ action: 'login' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'office', at: '2026-11-23T08:00:00.000Z' });
  });

  it('rejects a login body that is not JSON with 400, and a NUL in the username with 422 naming it', async () => {
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"username":',
    });
    expect(res.status).toBe(400);
    expect(await errorCode(res)).toBe('BAD_REQUEST');
    const nul = await login('office\u0000', 'office-password-1');
    expect(nul.status).toBe(422);
    const { error } = (await nul.json()) as { error: { details: { path: string }[] } };
    expect(error.details[0].path).toBe('username');
  });

  it('refuses a login posted from another site', async () => {
    const res = await login('office', 'office-password-1', { origin: 'https://evil.example', host: 'localhost' });
    expect(res.status).toBe(403);
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
  });

  it('refuses a login with Origin: null (a sandboxed frame or data: page) and a cross-site one without Origin', async () => {
    const nullOrigin = await login('office', 'office-password-1', { origin: 'null', host: 'localhost' });
    expect(nullOrigin.status).toBe(403);
    const crossSite = await login('office', 'office-password-1', { 'sec-fetch-site': 'cross-site', host: 'localhost' });
    expect(crossSite.status).toBe(403);
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
    // a script without Origin, and the office's own page, still log in
    expect((await login('office', 'office-password-1')).status).toBe(200);
    expect((await login('office', 'office-password-1', { origin: 'http://localhost', host: 'localhost' })).status).toBe(
      200,
    );
  });

  it('trusts X-Forwarded-Host for the origin check only behind a trusted proxy', async () => {
    const forged = { origin: 'https://evil.example', host: 'localhost', 'x-forwarded-host': 'evil.example' };
    expect((await login('office', 'office-password-1', forged)).status).toBe(403);
    const viaProxy = {
      origin: 'https://minping.example',
      host: '10.0.0.5:3000',
      'x-forwarded-host': 'minping.example',
    };
    expect((await login('office', 'office-password-1', viaProxy)).status).toBe(403);
    await db.close();
    await setup({ trustProxy: true });
    expect((await login('office', 'office-password-1', viaProxy)).status).toBe(200);
  });

  it('ends the session when it expires by the injected clock', async () => {
    const cookie = sessionCookieOf(await login('office', 'office-password-1'));
    clock.advance(11 * 3_600_000);
    expect((await app.request('/api/auth/session', { headers: { cookie } })).status).toBe(200);
    clock.advance(1 * 3_600_000);
    const res = await app.request('/api/auth/session', { headers: { cookie } });
    expect(res.status).toBe(401);
    expect(await errorCode(res)).toBe('UNAUTHORIZED');
  });

  it('logs out: the session row is deleted and the cookie no longer works', async () => {
    const res = await login('office', 'office-password-1');
    const cookie = sessionCookieOf(res);
    const { csrfToken } = (await res.json()) as { csrfToken: string };
    const out = await app.request('/api/auth/logout', {
      method: 'POST',
      headers: { cookie, 'X-CSRF-Token': csrfToken },
    });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/minping_session=;/);
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
    expect((await app.request('/api/auth/session', { headers: { cookie } })).status).toBe(401);
  });

  it('answers the session endpoint with 401 without a cookie', async () => {
    const res = await app.request('/api/auth/session');
    expect(res.status).toBe(401);
  });

  it('does not let a disabled user log in or keep a session', async () => {
    const cookie = sessionCookieOf(await login('office', 'office-password-1'));
    await db.kysely.updateTable('users').set({ disabled: 1 }).where('username', '=', 'office').execute();
    expect((await app.request('/api/auth/session', { headers: { cookie } })).status).toBe(401);
    expect((await login('office', 'office-password-1')).status).toBe(403);
  });

  it('tells a disabled account with the right password that it is disabled, and a wrong password only that it is wrong', async () => {
    await services.accounts.addUser({ username: 'ana', role: 'analyst', password: 'analyst-password' }, 'test');
    await db.kysely.updateTable('users').set({ disabled: 1 }).where('username', '=', 'ana').execute();
    const right = await login('ana', 'analyst-password');
    expect(right.status).toBe(403);
    expect(((await right.json()) as ErrorBody).error.message).toBe('账号已停用，请联系评议办');
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
    // without the password a disabled account reads like an unknown one
    for (const username of ['ana', 'nobody']) {
      const wrong = await login(username, 'not-the-password');
      expect(wrong.status).toBe(401);
      expect(((await wrong.json()) as ErrorBody).error.message).toBe('用户名或密码不正确');
    }
    expect((await services.audit.list({ action: 'login_disabled' })).map((a) => a.actor)).toEqual(['ana']);
  });
});

describe('secure cookies', () => {
  beforeEach(() => setup({ secureCookies: true }));
  afterEach(() => db.close());

  it('marks the session cookie Secure when configured', async () => {
    const res = await login('office', 'office-password-1');
    expect(res.headers.get('set-cookie')).toMatch(/Secure/);
  });
});

describe('login throttling', () => {
  beforeEach(() => setup({ trustProxy: true }));
  afterEach(() => db.close());

  it('locks a username from one network after 5 failures in 15 minutes with 429 and Retry-After, even for the right password', async () => {
    const guesser = { 'x-forwarded-for': '10.0.0.1' };
    for (let i = 0; i < 5; i++) expect((await login('office', `wrong-${i}`, guesser)).status).toBe(401);
    const locked = await login('office', 'office-password-1', guesser);
    expect(locked.status).toBe(429);
    expect(await errorCode(locked)).toBe('TOO_MANY_REQUESTS');
    expect(Number(locked.headers.get('retry-after'))).toBe(900);
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);

    clock.advance(10 * 60_000);
    const stillLocked = await login('office', 'office-password-1', guesser);
    expect(stillLocked.status).toBe(429);
    expect(Number(stillLocked.headers.get('retry-after'))).toBe(300);

    clock.advance(5 * 60_000);
    expect((await login('office', 'office-password-1', guesser)).status).toBe(200);
  });

  it("lets the account's owner in from another network while one network is locked on it", async () => {
    for (let i = 0; i < 6; i++) await login('office', `wrong-${i}`, { 'x-forwarded-for': '10.0.0.1' });
    expect((await login('office', 'office-password-1', { 'x-forwarded-for': '10.0.0.2' })).status).toBe(200);
  });

  it('locks a username on every network after 20 failures from many networks', async () => {
    for (let i = 0; i < 20; i++)
      expect((await login('office', `wrong-${i}`, { 'x-forwarded-for': `10.0.${i}.1` })).status).toBe(401);
    const locked = await login('office', 'office-password-1', { 'x-forwarded-for': '10.9.9.9' });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBe(900);
  });

  it('does not lock the people behind one address out when someone there tries made-up usernames', async () => {
    // TRUST_PROXY=0 behind a proxy: every client has the proxy's address
    const shared = { 'x-forwarded-for': '192.0.2.7' };
    for (let i = 0; i < 6; i++) expect((await login(`nobody${i}`, 'x', shared)).status).toBe(401);
    expect((await login('office', 'office-password-1', shared)).status).toBe(200);
  });

  it('past 100 failures from one network gives each username one attempt from it, so real users still log in', async () => {
    await services.accounts.addUser({ username: 'typo', role: 'admin', password: 'typo-password-1' }, 'test');
    const shared = { 'x-forwarded-for': '192.0.2.7' };
    expect((await login('typo', 'mistyped', shared)).status).toBe(401);
    const spray = await Promise.all(Array.from({ length: 100 }, (_, i) => login(`sprayed${i}`, 'x', shared)));
    expect(spray.map((r) => r.status)).toEqual(Array(100).fill(401));
    // the network is past its ceiling: a username with a failure from it waits, one without is checked once
    const refused = await login('typo', 'typo-password-1', shared);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBe(900);
    expect((await login('sprayed0', 'x', shared)).status).toBe(429);
    expect((await login('office', 'office-password-1', shared)).status).toBe(200);
    expect((await login('typo', 'typo-password-1', { 'x-forwarded-for': '192.0.2.8' })).status).toBe(200);
    clock.advance(15 * 60_000);
    expect((await login('sprayed0', 'x', shared)).status).toBe(401);
  });

  it('starts counting again after the 15-minute window', async () => {
    for (let i = 0; i < 4; i++) await login('office', 'wrong', { 'x-forwarded-for': `10.0.1.${i}` });
    clock.advance(16 * 60_000);
    for (let i = 0; i < 4; i++) await login('office', 'wrong', { 'x-forwarded-for': `10.0.2.${i}` });
    expect((await login('office', 'office-password-1', { 'x-forwarded-for': '10.0.3.1' })).status).toBe(200);
  });

  it("forgets a username's failures after a successful login", async () => {
    for (let i = 0; i < 4; i++) await login('office', 'wrong', { 'x-forwarded-for': `10.0.1.${i}` });
    expect((await login('office', 'office-password-1', { 'x-forwarded-for': '10.0.4.1' })).status).toBe(200);
    for (let i = 0; i < 4; i++) await login('office', 'wrong', { 'x-forwarded-for': `10.0.5.${i}` });
    expect((await login('office', 'office-password-1', { 'x-forwarded-for': '10.0.6.1' })).status).toBe(200);
  });

  it('keeps the counts in the database, so a second server process sees them', async () => {
    for (let i = 0; i < 5; i++) await login('office', 'wrong', { 'x-forwarded-for': '10.0.7.1' });
    const other = createApp({ db, config: defaultConfig({ trustProxy: true }), clock });
    const res = await other.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.0.7.1' },
      body: JSON.stringify({ username: 'office', password: 'office-password-1' }),
    });
    expect(res.status).toBe(429);
  });

  it('stores network addresses only as salted hashes', async () => {
    await login('office', 'wrong', { 'x-forwarded-for': '203.0.113.5' });
    const keys = (await db.kysely.selectFrom('login_attempts').select('key').execute()).map((r) => r.key);
    expect(keys).toContain('user:office');
    expect(keys.some((k) => k.startsWith('pair:office|'))).toBe(true);
    expect(keys.join(' ')).not.toContain('203.0.113.5');
  });
});
