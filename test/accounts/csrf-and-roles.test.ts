import type { ErrorBody } from '../../server/contracts.js';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { requireRole, sessionMiddleware } from '../../server/accounts/middleware.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { AppEnv } from '../../server/http/env.js';
import { respondError } from '../../server/http/errors.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';

const db = await sqliteDb();
const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
const app = createApp(deps);
const services = createServices(deps);
afterAll(() => db.close());

/** A small app with the real session middleware and a guarded route per role set. */
function guarded() {
  const probe = new Hono<AppEnv>();
  probe.onError((err, c) => respondError(c, err));
  probe.use('*', sessionMiddleware(services.accounts));
  probe.post('/api/admin-only', requireRole('admin'), (c) => c.json({ ok: true, user: c.get('user').username }));
  probe.get('/api/office', requireRole('admin', 'analyst'), (c) => c.json({ ok: true }));
  probe.get('/api/anyone', requireRole(), (c) => c.json({ ok: true }));
  probe.post('/api/s/:token/draft', (c) => c.json({ ok: true }));
  return probe;
}

describe('CSRF protection', () => {
  it('refuses a state-changing request of a logged-in session without the X-CSRF-Token header: 403 CSRF_FAILED, nothing changed', async () => {
    const admin = await loginAs(app, services, 'admin');
    const res = await app.request('/api/auth/logout', { method: 'POST', headers: { cookie: admin.cookie } });
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorBody).error.code).toBe('CSRF_FAILED');
    // the logout did not happen
    expect((await app.request('/api/auth/session', { headers: { cookie: admin.cookie } })).status).toBe(200);
  });

  it("refuses a wrong token and accepts the session's own", async () => {
    const admin = await loginAs(app, services, 'admin', { username: 'csrf-admin' });
    const probe = guarded();
    const wrong = await probe.request('/api/admin-only', {
      method: 'POST',
      headers: { cookie: admin.cookie, 'X-CSRF-Token': 'x'.repeat(43) },
    });
    expect(wrong.status).toBe(403);
    const right = await probe.request('/api/admin-only', { method: 'POST', headers: admin.headers() });
    expect(right.status).toBe(200);
  });

  it("does not accept another session's token", async () => {
    const a = await loginAs(app, services, 'admin', { username: 'csrf-a' });
    const b = await loginAs(app, services, 'admin', { username: 'csrf-b' });
    const res = await guarded().request('/api/admin-only', {
      method: 'POST',
      headers: { cookie: a.cookie, 'X-CSRF-Token': b.csrfToken },
    });
    expect(res.status).toBe(403);
  });

  it('hands out the token through GET /api/auth/session', async () => {
    const admin = await loginAs(app, services, 'admin', { username: 'csrf-session' });
    const res = await app.request('/api/auth/session', { headers: { cookie: admin.cookie } });
    expect(((await res.json()) as { csrfToken: string }).csrfToken).toBe(admin.csrfToken);
  });

  it('leaves reads and the token-authenticated evaluator API alone', async () => {
    const admin = await loginAs(app, services, 'admin', { username: 'csrf-reader' });
    const probe = guarded();
    expect((await probe.request('/api/office', { headers: { cookie: admin.cookie } })).status).toBe(200);
    expect(
      (await probe.request('/api/s/abc/draft', { method: 'POST', headers: { cookie: admin.cookie } })).status,
    ).toBe(200);
  });
});

describe('requireRole', () => {
  let probe: Hono<AppEnv>;
  beforeAll(() => {
    probe = guarded();
  });

  it('answers 401 UNAUTHORIZED without a session', async () => {
    const res = await probe.request('/api/office');
    expect(res.status).toBe(401);
    expect(((await res.json()) as ErrorBody).error.code).toBe('UNAUTHORIZED');
    expect((await probe.request('/api/admin-only', { method: 'POST' })).status).toBe(401);
  });

  it('answers 403 FORBIDDEN for a role not listed', async () => {
    const analyst = await loginAs(app, services, 'analyst');
    const res = await probe.request('/api/admin-only', { method: 'POST', headers: analyst.headers() });
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorBody).error.code).toBe('FORBIDDEN');
    expect((await probe.request('/api/office', { headers: analyst.headers() })).status).toBe(200);
  });

  it('lets any logged-in user through when no role is named', async () => {
    await db.kysely
      .insertInto('campaigns')
      .values({
        id: 'c1',
        slug: 'c1',
        name: 'c',
        opens_at: '2026-01-01T00:00:00.000Z',
        closes_at: '2027-01-01T00:00:00.000Z',
        mode: 'anonymous',
        config_json: '{}',
        created_at: '2026-01-01T00:00:00.000Z',
      })
      .execute();
    await db.kysely
      .insertInto('departments')
      .values({
        id: 'd1',
        campaign_id: 'c1',
        code: 'D001',
        name: '部门',
        group_code: 'g',
        liaison_name: null,
        liaison_email: null,
        created_at: '2026-01-01T00:00:00.000Z',
      })
      .execute();
    const liaison = await loginAs(app, services, 'liaison', { departmentCode: 'D001' });
    expect((await probe.request('/api/anyone', { headers: liaison.headers() })).status).toBe(200);
    expect((await probe.request('/api/office', { headers: liaison.headers() })).status).toBe(403);
    const session = await app.request('/api/auth/session', { headers: { cookie: liaison.cookie } });
    expect(await session.json()).toMatchObject({ user: { role: 'liaison', departmentCode: 'D001' } });
  });
});
