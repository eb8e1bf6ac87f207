/**
 * Output encoding: hostile names (campaign, departments, evaluators, accounts, a typed username)
 * never become markup on a page, never run as formulas in a spreadsheet, and every page and
 * download carries the protective headers.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { newId } from '../../server/shared/ids.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { knownRecords, resultsSetup, storeRecords } from '../results/helpers.js';
import { createTestCampaign, insertDepartments } from '../helpers/fixtures.js';
import { createInvitation } from '../evaluator/helpers.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { spreadsheetSafe } from '../../web/lib/csv-guard.js';

const XSS = `<img src=x onerror=alert(1)>"'<script>alert(2)</script>`;
const FORMULAS = [
  '=HYPERLINK("http://evil.example","点击")',
  "-2+3+cmd|' /C calc'!A0",
  '@SUM(1+1)',
  '+cmd|x',
  ' =1+1',
  '\t=1',
];

let db: Db;
let ctx: Awaited<ReturnType<typeof resultsSetup>>;
let admin: LoggedIn;
let analyst: LoggedIn;
let liaison: LoggedIn;
let snapshotId: string;
/** a campaign still running (links are made only before the close), of the same hostile name */
let running: Campaign;

beforeAll(async () => {
  db = await sqliteDb();
  ctx = await resultsSetup(db, { records: false });
  const hostile = await createTestCampaign(db, ctx.services, {
    slug: 'hostile-2026',
    departments: 0,
    overrides: { name: `评议${XSS}` },
  });
  const names = [XSS, ...FORMULAS];
  await insertDepartments(
    db,
    hostile,
    Array.from({ length: 7 }, (_, i) => names[i % names.length]),
  );
  await storeRecords(ctx.services, hostile, knownRecords().records);
  running = await createTestCampaign(db, ctx.services, {
    slug: 'running-2027',
    departments: 1,
    overrides: { name: `评议${XSS}`, closesAt: '2027-12-31T15:59:59Z' },
  });
  await ctx.services.accounts.addUser({
    username: 'boss',
    displayName: XSS,
    role: 'admin',
    password: 'boss-password-1',
  });
  admin = await loginAs(ctx.app, ctx.services, 'admin', { username: 'boss', password: 'boss-password-1' });
  analyst = await loginAs(ctx.app, ctx.services, 'analyst');
  liaison = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D001' });
  const res = await ctx.app.request('/api/campaigns/hostile-2026/snapshots', {
    method: 'POST',
    headers: admin.headers(),
  });
  snapshotId = ((await res.json()) as { id: string }).id;
}, 60_000);
afterAll(() => db.close());

const page = (path: string, who?: LoggedIn) =>
  ctx.app.request(path, { headers: { accept: 'text/html', ...(who ? who.headers() : {}) } });

describe('hostile names on server-rendered pages', () => {
  it('are escaped on every page that shows them', async () => {
    const inv = await createInvitation(db, await ctx.services.campaigns.getBySlug('hostile-2026'));
    const pages: [string, LoggedIn | undefined][] = [
      ['/admin', admin],
      ['/admin/campaigns/hostile-2026', admin],
      ['/dashboard?campaign=hostile-2026', analyst],
      [`/dashboard?campaign=hostile-2026&snapshot=${snapshotId}`, admin],
      ['/dashboard/departments/D001?campaign=hostile-2026', analyst],
      ['/my/results', liaison],
      [`/s/${inv.token}`, undefined],
      [`/s/${inv.token}?lang=en`, undefined],
      [`/no-such-page/${encodeURIComponent('<script>alert(3)</script>')}`, undefined],
    ];
    for (const [path, who] of pages) {
      const res = await page(path, who);
      const html = await res.text();
      expect(html, path).not.toContain('<img src=x');
      expect(html, path).not.toContain('<script>alert');
      expect(res.headers.get('content-type'), path).toMatch(/^text\/html/);
    }
    expect(await (await page('/admin', admin)).text()).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('reflects a typed username on a failed login escaped', async () => {
    const res = await ctx.app.request('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({
        username: `"><script>alert(4)</script>`,
        password: 'wrong-password',
        next: `/x"><script>alert(5)</script>`,
      }).toString(),
    });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).not.toContain('<script>alert');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });
});

describe('headers', () => {
  it('gives pages a script-src self CSP, no framing, no referrer off-site (an evaluator link never leaks in Referer), nosniff', async () => {
    const inv = await createInvitation(db, await ctx.services.campaigns.getBySlug('hostile-2026'));
    for (const [path, who] of [
      ['/login', undefined],
      ['/admin', admin],
      ['/dashboard', analyst],
      [`/s/${inv.token}`, undefined],
    ] as [string, LoggedIn | undefined][]) {
      const res = await page(path, who);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("base-uri 'none'");
      expect(csp, path).not.toContain('unsafe-eval');
      expect(csp.match(/script-src[^;]*/)?.[0], path).not.toContain('unsafe-inline');
      // the login form needs its real Origin on the post (the origin check refuses `null`)
      expect(res.headers.get('referrer-policy'), path).toBe(path === '/login' ? 'same-origin' : 'no-referrer');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('x-frame-options'), path).toBeTruthy();
    }
    const evaluatorPage = await page(`/s/${inv.token}`);
    expect(evaluatorPage.headers.get('cache-control')).toBe('no-store');
  });

  it('sends downloads as attachments with a safe ASCII file name, not cached, nosniff', async () => {
    for (const path of ['/api/campaigns/hostile-2026/results/export.csv', `/api/snapshots/${snapshotId}/export.xlsx`]) {
      const res = await ctx.app.request(path, { headers: analyst.headers() });
      expect(res.status, path).toBe(200);
      const disposition = res.headers.get('content-disposition') ?? '';
      expect(disposition, path).toMatch(
        /^attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8''[A-Za-z0-9._~%-]+$/,
      );
      expect(res.headers.get('cache-control'), path).toContain('no-store');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
    await db.kysely
      .insertInto('evaluators')
      .values({
        id: newId(),
        campaign_id: running.id,
        row_key: newId(),
        name: XSS,
        organisation: XSS,
        category: 'project',
        phone: null,
        email: null,
        created_at: '2026-10-01T00:00:00.000Z',
      })
      .returning('id')
      .execute();
    const letters = await ctx.app.request('/api/campaigns/running-2027/invitations?format=letters&allowLoopback=1', {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(letters.status).toBe(200);
    expect(letters.headers.get('content-disposition')).toMatch(
      /^attachment; filename="running-2027-invitation-letters-[0-9-]+\.html"; filename\*=UTF-8''[A-Za-z0-9%_.()'-]+$/,
    );
    expect(letters.headers.get('cache-control')).toBe('no-store');
    const html = await letters.text();
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script');
  });
});

describe('spreadsheets never run a cell as a formula', () => {
  it('neutralises formula-looking text and leaves numbers and phone numbers alone', () => {
    for (const f of FORMULAS) expect(spreadsheetSafe(f), f).toBe(`'${f}`);
    for (const plain of ['测试部门', '+86 138-0000-0000', '-12.5', '13800000000', '(0574) 8888-1234', ''])
      expect(spreadsheetSafe(plain), plain).toBe(plain);
  });

  it('in the results CSV: every department name that could be a formula starts with an apostrophe', async () => {
    const csv = await (
      await ctx.app.request(`/api/snapshots/${snapshotId}/export.csv`, { headers: analyst.headers() })
    ).text();
    const lines = csv.split(/\r?\n/);
    for (const f of FORMULAS) {
      const quoted = `"'${f.replace(/"/g, '""')}"`;
      expect(
        lines.some((l) => l.includes(`,'${f},`) || l.includes(quoted)),
        f,
      ).toBe(true);
    }
    // no field anywhere starts with a formula character
    const fields = lines.flatMap((l) => l.split(',')).map((f) => f.replace(/^"/, '').replace(/^\uFEFF/, ''));
    expect(fields.filter((f) => /^[=@+]/.test(f) || /^-(?![\d.])/.test(f))).toEqual([]);
  });

  it('in the results Excel file: names are text cells, never formulas', async () => {
    const res = await ctx.app.request('/api/campaigns/hostile-2026/results/export.xlsx', {
      headers: analyst.headers(),
    });
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
    let names = 0;
    wb.eachSheet((ws) =>
      ws.eachRow((row) =>
        row.eachCell((cell) => {
          expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
          if (FORMULAS.includes(String(cell.value))) names++;
        }),
      ),
    );
    expect(names).toBeGreaterThan(0);
  });

  it('in the invitation CSV: a name like -2+3+cmd|… is neutralised, a +86 phone number kept', async () => {
    await db.kysely
      .insertInto('evaluators')
      .values({
        id: newId(),
        campaign_id: running.id,
        row_key: newId(),
        name: FORMULAS[1],
        organisation: '@SUM(1)',
        category: 'project',
        phone: '+86 138-0000-0000',
        email: null,
        created_at: '2026-10-01T00:00:00.000Z',
      })
      .returning('id')
      .execute();
    const res = await ctx.app.request('/api/campaigns/running-2027/invitations?format=csv', {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(200);
    const csv = await res.text();
    expect(csv).toContain(`'${FORMULAS[1]}`);
    expect(csv).toContain(`'@SUM(1)`);
    expect(csv).toContain(',+86 138-0000-0000,');
  });
});
