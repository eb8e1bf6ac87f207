import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { sessionCookieOf } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';

const db = await sqliteDb();
const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
const app = createApp(deps);
const services = createServices(deps);
await services.accounts.addUser({ username: 'office', role: 'admin', password: 'office-password-1' }, 'test');
afterAll(() => db.close());

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('the login page', () => {
  it('shows a form that posts without any script', async () => {
    const res = await app.request('/login?next=/admin/campaigns/x');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('<form method="post" action="/login"');
    expect(body).toContain('name="password"');
    expect(body).toContain('value="/admin/campaigns/x"');
    expect(body).not.toMatch(/<script(?![^>]*src=)/);
  });

  it('logs in and goes back to the page asked for', async () => {
    const res = await app.request(
      '/login',
      form({ username: 'office', password: 'office-password-1', next: '/admin/campaigns/x' }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/campaigns/x');
    expect(sessionCookieOf(res)).toMatch(/^minping_session=.{20,}/);
  });

  it('never redirects off the site after login', async () => {
    const res = await app.request(
      '/login',
      form({ username: 'office', password: 'office-password-1', next: '//evil.example/' }),
    );
    expect(res.headers.get('location')).toBe('/admin');
  });

  it('answers a login form too large to read with the form again and a Chinese message (413)', async () => {
    const huge = form({ username: 'office', password: 'x'.repeat(40_000) });
    const res = await app.request('/login', {
      ...huge,
      headers: { ...huge.headers, 'content-length': String(huge.body.length) },
    });
    expect(res.status).toBe(413);
    const body = await res.text();
    expect(body).toContain('登录内容太长');
    expect(body).toContain('<form method="post" action="/login"');
    expect(body).not.toMatch(/Payload|Too Large/i);
  });

  it('shows the error on the page for a wrong password', async () => {
    const res = await app.request('/login', form({ username: 'office', password: 'wrong' }));
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('用户名或密码不正确');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('tells a disabled account that signs in with its password to ask the office', async () => {
    await services.accounts.addUser({ username: 'gone', role: 'analyst', password: 'gone-password-1' }, 'test');
    await services.accounts.setDisabled('gone', true, 'test');
    const res = await app.request('/login', form({ username: 'gone', password: 'gone-password-1' }));
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('账号已停用，请联系评议办');
    expect(res.headers.get('set-cookie')).toBeNull();
  });

  it('lands analysts on the dashboard and liaisons on their own results', async () => {
    await services.accounts.addUser({ username: 'ana', role: 'analyst', password: 'analyst-password' }, 'test');
    const res = await app.request('/login', form({ username: 'ana', password: 'analyst-password' }));
    expect(res.headers.get('location')).toBe('/dashboard');
  });
});
