/**
 * Every server-rendered page from the one set of components: signed-in pages carry the one
 * header (the person, their navigation, a sign-out that works without a script), errors are
 * readable pages for browsers and JSON for the API, and times show in the campaign's zone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { createInvitation } from '../evaluator/helpers.js';
import { knownRecords, resultsSetup, storeRecords } from '../results/helpers.js';
import { formatDateTime } from '../../web/lib/time.js';
import type { ErrorBody } from '../../server/contracts.js';

let db: Db;
let ctx: Awaited<ReturnType<typeof resultsSetup>>;
let admin: LoggedIn;
let analyst: LoggedIn;
let liaison: LoggedIn;

beforeAll(async () => {
  db = await sqliteDb();
  ctx = await resultsSetup(db);
  await ctx.services.results.publish('test-2026', 'office');
  const tokyo = await createTestCampaign(db, ctx.services, {
    slug: 'tokyo-2026',
    overrides: { timeZone: 'Asia/Tokyo', name: '东京时区的评议' },
  });
  await storeRecords(ctx.services, tokyo, knownRecords().records);
  await ctx.services.results.publish('tokyo-2026', 'office');
  admin = await loginAs(ctx.app, ctx.services, 'admin');
  analyst = await loginAs(ctx.app, ctx.services, 'analyst');
  liaison = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D002' });
}, 60_000);
afterAll(() => db.close());

const html = async (path: string, who?: LoggedIn) => {
  const res = await ctx.app.request(path, { headers: { accept: 'text/html', ...(who ? who.headers() : {}) } });
  return { res, body: await res.text() };
};
const header = (body: string) => /<header class="site-header[^"]*"[^>]*>([\s\S]*?)<\/header>/.exec(body)?.[1];
/** the navigation's link texts (the system's name before it is `<a class="brand" …>`) */
const navLinks = (h: string) => [...h.matchAll(/<a href="([^"]+)"[^>]*>([^<]+)<\/a>/g)].map((m) => m[2]);

describe('the header of every signed-in page', () => {
  const pages: [string, () => LoggedIn, string[]][] = [
    ['/admin', () => admin, ['评议活动', '账号', '核验销号', '结果分析']],
    ['/admin/campaigns/test-2026', () => admin, ['评议活动', '账号', '核验销号', '结果分析']],
    ['/admin/closeout', () => admin, ['评议活动', '账号', '核验销号', '结果分析']],
    ['/dashboard?campaign=test-2026', () => admin, ['评议活动', '账号', '核验销号', '结果分析']],
    ['/dashboard?campaign=test-2026', () => analyst, ['结果分析']],
    ['/dashboard/departments/D002?campaign=test-2026', () => analyst, ['结果分析']],
    ['/my', () => liaison, ['工作提示单', '本部门评议结果']],
    ['/my/results', () => liaison, ['工作提示单', '本部门评议结果']],
  ];

  it.each(pages)(
    '%s shows the person, their navigation only and a sign-out form with the CSRF token',
    async (path, who, nav) => {
      const { res, body } = await html(path, who());
      expect(res.status).toBe(200);
      const h = header(body);
      expect(h, 'one header').toBeDefined();
      expect(body.match(/<header class="site-header/g)).toHaveLength(1);
      const user = (await ctx.services.accounts.listUsers()).find((u) => u.username === who().username)!;
      expect(h).toContain(`<span class="person">${user.displayName}</span>`);
      expect(navLinks(h!)).toEqual(nav);
      expect(h).toContain('<form class="sign-out" method="post" action="/logout">');
      expect(h).toContain(`<input type="hidden" name="csrf" value="${who().csrfToken}"/>`);
    },
  );

  it("names a liaison's department by its name, and marks the page they are on", async () => {
    const h = header((await html('/my/results', liaison)).body)!;
    expect(h).toContain('<span class="department">测试部门2</span>');
    expect(h).toContain('<a href="/my/results" aria-current="page">本部门评议结果</a>');
    // the portal's home is not marked on its results page, only on itself
    expect(h).toContain('<a href="/my">工作提示单</a>');
    expect(header((await html('/my', liaison)).body)).toContain('<a href="/my" aria-current="page">工作提示单</a>');
    const office = header((await html('/dashboard', admin)).body)!;
    expect(office).toContain('<a href="/dashboard" aria-current="page">结果分析</a>');
    expect(office).toContain('<a href="/admin">评议活动</a>');
  });

  it('shows the header and what to do on the dashboard before the first campaign', async () => {
    const empty = await sqliteDb();
    try {
      const other = await resultsSetup(empty, { records: false });
      await empty.kysely.deleteFrom('departments').execute();
      await empty.kysely.deleteFrom('questionnaires').execute();
      await empty.kysely.deleteFrom('campaigns').execute();
      const who = await loginAs(other.app, other.services, 'analyst');
      const res = await other.app.request('/dashboard', { headers: who.headers({ accept: 'text/html' }) });
      const body = await res.text();
      expect(res.status).toBe(200);
      expect(header(body)).toBeDefined();
      expect(body).toContain('<p class="empty-state">请先创建评议活动并导入部门。</p>');
    } finally {
      await empty.close();
    }
  });
});

describe('signing out from the header', () => {
  const signOut = (who: LoggedIn, fields: Record<string, string>) =>
    ctx.app.request('/logout', {
      method: 'POST',
      headers: {
        cookie: who.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        // a browser's form post says how long it is
        'content-length': String(new URLSearchParams(fields).toString().length),
        accept: 'text/html',
      },
      body: new URLSearchParams(fields).toString(),
    });

  it('still signs out with a stale or missing CSRF token (a page left open), instead of 没有权限', async () => {
    for (const fields of [{}, { csrf: 'not-the-token' }] as Record<string, string>[]) {
      const who = await loginAs(ctx.app, ctx.services, 'analyst', { username: 'leaving-analyst' });
      const res = await signOut(who, fields);
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/login');
      expect(res.headers.get('set-cookie')).toMatch(/minping_session=;/);
      expect((await html('/dashboard', who)).res.status).toBe(303);
    }
  });

  it('ends the session and goes to the login page; the page then sends the person to log in', async () => {
    const who = await loginAs(ctx.app, ctx.services, 'liaison', {
      username: 'leaving-liaison',
      departmentCode: 'D002',
    });
    const res = await signOut(who, { csrf: who.csrfToken });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
    expect(res.headers.get('set-cookie')).toMatch(/minping_session=;/);
    const after = await html('/my/results', who);
    expect(after.res.status).toBe(303);
    expect(after.res.headers.get('location')).toBe('/login?next=%2Fmy%2Fresults');
  });

  it('just goes to the login page without a session', async () => {
    const res = await ctx.app.request('/logout', { method: 'POST' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });
});

describe('error and message pages', () => {
  it('are readable pages for browsers, with a way home and, for a signed-in person, their header', async () => {
    for (const [path, who, status, title] of [
      ['/no-such-page', undefined, 404, '页面不存在'],
      ['/admin', analyst, 403, '没有权限'],
      ['/admin/campaigns/no-such-campaign', admin, 404, '页面不存在'],
      ['/dashboard/departments/D999?campaign=test-2026', analyst, 404, '没有这个部门'],
    ] as [string, LoggedIn | undefined, number, string][]) {
      const { res, body } = await html(path, who);
      expect(res.status, path).toBe(status);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
      expect(body, path).toContain(`<h1>${title}</h1>`);
      expect(body, path).toContain('<a href="/">返回首页</a>');
      if (!who) expect(header(body), path).toBeUndefined();
      else {
        const user = (await ctx.services.accounts.listUsers()).find((u) => u.username === who.username)!;
        expect(header(body), path).toContain(`<span class="person">${user.displayName}</span>`);
        expect(header(body), path).toContain(`<input type="hidden" name="csrf" value="${who.csrfToken}"/>`);
      }
    }
    // a liaison's 404 names their department too; one signed out gets no header
    const lost = await html('/my/no-such-page', liaison);
    expect(lost.res.status).toBe(404);
    expect(header(lost.body)).toContain('<span class="department">测试部门2</span>');
    expect(header((await html('/my/no-such-page')).body)).toBeUndefined();
  });

  it('stay JSON for the API, even when a browser asks', async () => {
    for (const path of ['/api/nowhere', '/api/campaigns/no-such-campaign']) {
      const res = await ctx.app.request(path, { headers: { accept: 'text/html', ...admin.headers() } });
      expect(res.status, path).toBe(404);
      expect(((await res.json()) as ErrorBody).error.code, path).toBe('NOT_FOUND');
    }
  });

  it("tell an evaluator about their link without a header, in the campaign's time zone", async () => {
    const unknown = await html('/s/AAAAAAAAAAAAAAAAAAAAAAAA');
    expect(unknown.res.status).toBe(404);
    expect(unknown.body).toContain('链接无效');
    // the office is 评议办 on every page and letter
    expect(unknown.body).toContain('联系评议办索取新的链接');
    expect(unknown.body).not.toContain('评议办公室');
    expect(header(unknown.body)).toBeUndefined();
    const tokyo = await ctx.services.campaigns.getBySlug('tokyo-2026');
    const inv = await createInvitation(db, tokyo);
    const closed = await html(`/s/${inv.token}`);
    expect(closed.res.status).toBe(403);
    expect(closed.body).toContain('已于 2027年1月1日 00:59（时区 Asia/Tokyo） 截止');
    expect((await html(`/s/${inv.token}?lang=en`)).body).toContain(
      'closed on 1 January 2027 00:59 (time zone Asia/Tokyo)',
    );
  });
});

describe('times on pages', () => {
  /** Every <time> on the page reads as its instant in `zone`. */
  const timesIn = (body: string, zone: string) =>
    [...body.matchAll(/<time datetime="([^"]+)">([^<]+)<\/time>/g)].map((m) => [m[2], formatDateTime(m[1], zone)]);

  it("show each campaign's times in its zone, with the zone labelled", async () => {
    const tokyo = await ctx.services.campaigns.getBySlug('tokyo-2026');
    const [snapshot] = await ctx.services.results.snapshots('tokyo-2026');
    for (const [path, who] of [
      ['/admin/campaigns/tokyo-2026', admin],
      [`/dashboard?campaign=tokyo-2026&snapshot=${snapshot.id}`, admin],
    ] as [string, LoggedIn][]) {
      const { body } = await html(path, who);
      const times = timesIn(body, tokyo.config.timeZone);
      expect(times.length, path).toBeGreaterThan(0);
      for (const [shown, expected] of times) expect(shown, path).toBe(expected);
      expect(body, path).toContain('时区 Asia/Tokyo');
    }
    const opens = formatDateTime(tokyo.opensAt, 'Asia/Tokyo');
    expect(opens).toBe('2026-11-01 01:00');
    const list = (await html('/admin', admin)).body;
    expect(list).toContain(`<time datetime="${tokyo.opensAt}">${opens}（时区 Asia/Tokyo）</time>`);
    expect(list).toContain('时间（北京时间）');
  });

  it('show the publication time of a snapshot alike on the dashboard, the office page and the liaison page', async () => {
    const [snapshot] = await ctx.services.results.snapshots('test-2026');
    const shown = formatDateTime(snapshot.createdAt, 'Asia/Shanghai');
    for (const [path, who] of [
      [`/dashboard?campaign=test-2026&snapshot=${snapshot.id}`, admin],
      ['/admin/campaigns/test-2026', admin],
      ['/my/results', liaison],
    ] as [string, LoggedIn][]) {
      const { body } = await html(path, who);
      expect(body, path).toContain(`<time datetime="${snapshot.createdAt}">${shown}</time>`);
      expect(body, path).toContain('北京时间');
    }
  });
});

describe('addresses', () => {
  it('with a trailing slash go to the address without it, query kept', async () => {
    for (const [path, to] of [
      ['/login/', '/login'],
      ['/login/?next=%2Fmy', '/login?next=%2Fmy'],
      ['/dashboard/?campaign=test-2026', '/dashboard?campaign=test-2026'],
      ['/admin/', '/admin'],
      ['/s/AAAAAAAAAAAAAAAAAAAAAAAA/', '/s/AAAAAAAAAAAAAAAAAAAAAAAA'],
      // never off the site
      ['//evil.example/', '/evil.example'],
    ]) {
      const { res } = await html(path, admin);
      expect(res.status, path).toBe(301);
      expect(res.headers.get('location'), path).toBe(to);
    }
    const mine = await html('/my/', liaison);
    expect([mine.res.status, mine.res.headers.get('location')]).toEqual([301, '/my']);
    expect((await html('/admin', admin)).res.status).toBe(200);
  });

  it("after sign-in lead to the role's own landing page when next= is another role's page", async () => {
    const login = (next: string) =>
      ctx.app.request('/login', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
        body: new URLSearchParams({ username: liaison.username, password: liaison.password, next }).toString(),
      });
    for (const [next, to] of [
      ['/admin', '/my'],
      ['/admin/campaigns/test-2026?tab=1', '/my'],
      ['/dashboard', '/my'],
      ['/my/results', '/my/results'],
      ['/s/AAAAAAAAAAAAAAAAAAAAAAAA', '/s/AAAAAAAAAAAAAAAAAAAAAAAA'],
    ]) {
      const res = await login(next);
      expect(res.status, next).toBe(303);
      expect(res.headers.get('location'), next).toBe(to);
    }
    // signed in already: the login page sends them on the same way
    const again = await html('/login?next=%2Fadmin', liaison);
    expect(again.res.headers.get('location')).toBe('/my');
    expect((await html('/login?next=%2Fdashboard', admin)).res.headers.get('location')).toBe('/dashboard');
  });
});
