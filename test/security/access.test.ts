/**
 * Who may call what: every route of the app has a plan here (a new route without one fails),
 * liaisons see their own department's published results only, free text reaches analysts and
 * liaisons nowhere, and a cell of fewer than 5 evaluators stays withheld on every analyst and liaison
 * surface (a big department's small tallies are shown: the rule counts evaluators, not ticks).
 */
import { WITHHELD_MARK, withheldNote } from '../../web/lib/format.js';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { newLinkToken } from '../../server/shared/link-token.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { knownRecords, record, resultsSetup, smallCellRecords, storeRecords } from '../results/helpers.js';
import { createInvitation } from '../evaluator/helpers.js';

type Who = 'none' | 'admin' | 'analyst' | 'liaison';
type Plan = Who[] | 'public' | 'token';

/** Who may pass each route's guard. 'public': no session needed; 'token': the evaluator's link. */
const PLAN: Record<string, Plan> = {
  'GET /healthz': 'public',
  'GET /assets/:file{[A-Za-z0-9._-]+}': 'public',
  'GET /favicon.ico': 'public',
  'POST /api/auth/login': 'public',
  'GET /': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'POST /logout': 'public',
  'POST /api/auth/logout': ['admin', 'analyst', 'liaison'],
  'GET /api/auth/session': ['admin', 'analyst', 'liaison'],
  'GET /api/users': ['admin'],
  'POST /api/users': ['admin'],
  'POST /api/users/me/password': ['admin', 'analyst', 'liaison'],
  'POST /api/users/:username/disable': ['admin'],
  'POST /api/users/:username/enable': ['admin'],
  'POST /api/users/:username/reset-password': ['admin'],
  'GET /admin/users': ['admin'],
  'POST /admin/users/:username/disable': ['admin'],
  'GET /admin/users/:username/disable': ['admin'],
  'GET /admin/users/:username/enable': ['admin'],
  'POST /admin/users/:username/enable': ['admin'],
  'POST /admin/users/:username/reset-password': ['admin'],
  'GET /admin/users/:username/reset-password': ['admin'],
  'POST /admin/users/reset-liaison-passwords': ['admin'],
  'GET /account/password': ['admin', 'analyst', 'liaison'],
  'POST /account/password': ['admin', 'analyst', 'liaison'],
  'GET /api/campaigns': ['admin', 'analyst'],
  'GET /api/campaigns/:slug': ['admin', 'analyst'],
  'POST /api/campaigns': ['admin'],
  'POST /api/campaigns/:slug/clone': ['admin'],
  'GET /api/campaigns/:slug/preview': ['admin', 'analyst'],
  'POST /api/campaigns/:slug/departments/import': ['admin'],
  'POST /api/campaigns/:slug/evaluators/import': ['admin'],
  'GET /api/campaigns/:slug/departments/template.xlsx': ['admin'],
  'GET /api/campaigns/:slug/evaluators/template.xlsx': ['admin'],
  'GET /api/campaigns/:slug/departments': ['admin', 'analyst'],
  'GET /api/campaigns/:slug/evaluators': ['admin'],
  'POST /api/campaigns/:slug/responses/import': ['admin'],
  'GET /api/campaigns/:slug/responses/export.xlsx': ['admin'],
  'POST /api/campaigns/:slug/invitations': ['admin'],
  'GET /api/campaigns/:slug/invitations/download': ['admin'],
  'POST /api/campaigns/:slug/invitations/download': ['admin'],
  'POST /api/campaigns/:slug/invitations/remind': ['admin'],
  'POST /api/campaigns/:slug/evaluators/:id/invitation': ['admin'],
  'GET /api/campaigns/:slug/progress': ['admin', 'analyst'],
  'GET /api/campaigns/:slug/chase': ['admin'],
  'POST /api/campaigns/:slug/open': ['admin'],
  'POST /api/campaigns/:slug/close': ['admin'],
  'POST /api/campaigns/:slug/pause': ['admin'],
  'POST /api/campaigns/:slug/resume': ['admin'],
  'POST /api/campaigns/:slug/settle': ['admin'],
  'GET /api/campaigns/:slug/settlement': ['admin'],
  'PUT /api/campaigns/:slug/dates': ['admin'],
  'PUT /api/campaigns/:slug/config': ['admin'],
  'PUT /api/campaigns/:slug/questionnaire': ['admin'],
  'GET /admin': ['admin'],
  'GET /admin/campaigns/new': ['admin'],
  'GET /admin/example-config.yaml': ['admin'],
  'POST /admin/campaigns/new': ['admin'],
  'GET /admin/campaigns/:slug': ['admin'],
  'GET /admin/campaigns/:slug/progress': ['admin'],
  'POST /admin/campaigns/:slug/clone': ['admin'],
  'GET /admin/campaigns/:slug/edit': ['admin'],
  'POST /admin/campaigns/:slug/edit': ['admin'],
  'POST /admin/campaigns/:slug/edit/upload': ['admin'],
  'POST /admin/campaigns/:slug/questionnaire': ['admin'],
  'GET /admin/campaigns/:slug/preview': ['admin', 'analyst'],
  'POST /admin/campaigns/:slug/lifecycle/open': ['admin'],
  'POST /admin/campaigns/:slug/lifecycle/close': ['admin'],
  'POST /admin/campaigns/:slug/lifecycle/pause': ['admin'],
  'POST /admin/campaigns/:slug/lifecycle/resume': ['admin'],
  'GET /admin/campaigns/:slug/settle': ['admin'],
  'POST /admin/campaigns/:slug/settle': ['admin'],
  'POST /admin/campaigns/:slug/dates': ['admin'],
  'GET /admin/campaigns/:slug/publish': ['admin'],
  'POST /admin/campaigns/:slug/publish': ['admin'],
  'GET /admin/campaigns/:slug/negatives': ['admin'],
  'GET /admin/campaigns/:slug/negatives/:id': ['admin'],
  'POST /admin/campaigns/:slug/negatives/:id/verify': ['admin'],
  'POST /admin/campaigns/:slug/negatives/:id/dismiss': ['admin'],
  'POST /admin/campaigns/:slug/negatives/:id/redaction': ['admin'],
  'POST /admin/campaigns/:slug/negatives/:id/merge': ['admin'],
  'POST /admin/campaigns/:slug/negatives/:id/unmerge': ['admin'],
  'GET /admin/campaigns/:slug/suggestions': ['admin'],
  'POST /admin/campaigns/:slug/purge': ['admin'],
  'POST /api/campaigns/:slug/purge': ['admin'],
  'GET /api/campaigns/:slug/results': ['admin', 'analyst'],
  'GET /api/campaigns/:slug/results/export.csv': ['admin', 'analyst'],
  'GET /api/snapshots/:id/export.csv': ['admin', 'analyst'],
  'GET /api/campaigns/:slug/results/export.xlsx': ['admin', 'analyst'],
  'GET /api/snapshots/:id/export.xlsx': ['admin', 'analyst'],
  'GET /api/campaigns/:slug/snapshots': ['admin', 'analyst'],
  'POST /api/campaigns/:slug/snapshots': ['admin'],
  'GET /api/campaigns/:slug/publication': ['admin'],
  'GET /api/snapshots/:id': ['admin', 'analyst'],
  'GET /api/compare': ['admin', 'analyst'],
  'GET /api/departments/:code/trend': ['admin', 'analyst'],
  'GET /api/campaigns/:slug/negatives': ['admin'],
  'GET /api/campaigns/:slug/negatives/changes': ['admin'],
  'GET /api/campaigns/:slug/negatives/:id': ['admin'],
  'POST /api/campaigns/:slug/negatives/:id/verify': ['admin'],
  'POST /api/campaigns/:slug/negatives/:id/dismiss': ['admin'],
  'PUT /api/campaigns/:slug/negatives/:id/redaction': ['admin'],
  'POST /api/campaigns/:slug/negatives/:id/merge': ['admin'],
  'POST /api/campaigns/:slug/negatives/:id/unmerge': ['admin'],
  'GET /api/campaigns/:slug/suggestions': ['admin'],
  'GET /api/campaigns/:slug/suggestions/export.csv': ['admin'],
  'GET /api/campaigns/:slug/suggestions/export.xlsx': ['admin'],
  'GET /api/my/results': ['liaison'],
  'GET /api/campaigns/:slug/notices': ['admin'],
  'POST /api/campaigns/:slug/notices/draft': ['admin'],
  'GET /api/campaigns/:slug/notices/:sheetId': ['admin'],
  'PATCH /api/campaigns/:slug/notices/:sheetId': ['admin'],
  'POST /api/campaigns/:slug/notices/:sheetId/issue': ['admin'],
  'GET /api/campaigns/:slug/notices/:sheetId/docx': ['admin'],
  'GET /api/items/:id': ['admin'],
  'PATCH /api/items/:id': ['admin'],
  'GET /api/items/:id/evidence/:fileId': ['admin'],
  'POST /api/items/:id/respond': ['admin'],
  'POST /api/items/:id/withdraw': ['admin'],
  'POST /api/items/:id/close': ['admin'],
  'POST /api/items/:id/return': ['admin'],
  'POST /api/items/:id/extension': ['admin'],
  'POST /api/items/:id/appeal': ['admin'],
  'GET /api/my/notices': ['liaison'],
  'GET /api/my/notices/:sheetId': ['liaison'],
  'POST /api/my/notices/:sheetId/acknowledge': ['liaison'],
  'GET /api/my/notices/:sheetId/docx': ['liaison'],
  'GET /api/my/items/:id': ['liaison'],
  'GET /api/my/items/:id/evidence/:fileId': ['liaison'],
  'POST /api/my/items/:id/respond': ['liaison'],
  'POST /api/my/items/:id/acknowledge': ['liaison'],
  'POST /api/my/items/:id/plan': ['liaison'],
  'POST /api/my/items/:id/extension': ['liaison'],
  'POST /api/my/items/:id/appeal': ['liaison'],
  'GET /dashboard': ['admin', 'analyst'],
  'GET /dashboard/departments/:code': ['admin', 'analyst'],
  'GET /my/results': ['liaison'],
  'GET /admin/campaigns/:slug/notices': ['admin'],
  'GET /admin/campaigns/:slug/notices/print': ['admin'],
  'GET /admin/campaigns/:slug/notices/:sheetId/print': ['admin'],
  'GET /admin/campaigns/:slug/notices/:sheetId': ['admin'],
  'GET /my/notices/:sheetId/print': ['liaison'],
  'GET /my': ['liaison'],
  'GET /my/sheets/:id': ['liaison'],
  'POST /my/sheets/:id/acknowledge': ['liaison'],
  'GET /my/items/:id': ['liaison'],
  'GET /my/items/:id/evidence/:fileId': ['liaison'],
  'GET /my/items/:id/plan': ['liaison'],
  'POST /my/items/:id/plan': ['liaison'],
  'GET /my/items/:id/respond': ['liaison'],
  'POST /my/items/:id/respond': ['liaison'],
  'GET /my/items/:id/extension': ['liaison'],
  'POST /my/items/:id/extension': ['liaison'],
  'GET /my/items/:id/appeal': ['liaison'],
  'POST /my/items/:id/appeal': ['liaison'],
  'GET /admin/closeout': ['admin'],
  'GET /admin/closeout/items/:id': ['admin'],
  'GET /admin/closeout/items/:id/evidence/:fileId': ['admin'],
  'POST /admin/closeout/items/:id/close': ['admin'],
  'POST /admin/closeout/items/:id/return': ['admin'],
  'POST /admin/closeout/items/:id/extension': ['admin'],
  'POST /admin/closeout/items/:id/appeal': ['admin'],
  'POST /admin/closeout/items/:id/respond': ['admin'],
  'GET /admin/ledger': ['admin'],
  'GET /api/campaigns/:slug/ledger': ['admin'],
  'GET /api/campaigns/:slug/ledger/xlsx': ['admin'],
  'GET /api/campaigns/:slug/ledger/docx': ['admin'],
  'POST /admin/campaigns/:slug/notices/:sheetId/edit': ['admin'],
  'POST /admin/campaigns/:slug/notices/:sheetId/items/:itemId/edit': ['admin'],
  'POST /admin/campaigns/:slug/notices/:sheetId/items/:itemId/withdraw': ['admin'],
  'POST /admin/campaigns/:slug/notices/:sheetId/issue': ['admin'],
  'GET /api/my/notifications': ['liaison'],
  'POST /api/my/notifications/:id/read': ['liaison'],
  'POST /api/my/notifications/read': ['liaison'],
  'POST /my/notifications/:id/open': ['liaison'],
  'POST /my/notifications/read': ['liaison'],
  'GET /s/:token': 'token',
  'GET /api/s/:token': 'token',
  'PUT /api/s/:token/draft': 'token',
  'POST /api/s/:token/submit': 'token',
  'POST /api/s/:token/credential': 'token',
  // the ballot of the two-step submission: authenticated by its blind-signed credential alone
  'POST /api/s/ballots/:slug': 'public',
  // the questionnaire a refused held ballot is corrected in: asked with that same credential
  'POST /api/s/ballots/:slug/questionnaire': 'public',
};

/** Marker strings in every free-text field: none may reach an analyst or a liaison. */
const FREE_TEXT = [
  'FT-ORGANISATION-7Q',
  'FT-MATTER-7Q',
  'FT-DESCRIPTION-7Q',
  'FT-CONTACT-7Q',
  'FT-DEPT-SUGGESTION-7Q',
  'FT-OVERALL-SUGGESTION-7Q',
];

let db: Db;
let ctx: Awaited<ReturnType<typeof resultsSetup>>;
let users: Record<Exclude<Who, 'none'>, LoggedIn>;
let snapshotId: string;
let otherSnapshotId: string;

beforeAll(async () => {
  db = await sqliteDb();
  ctx = await resultsSetup(db);
  // free text in every field, from paper (import) and from the web
  const withText = record('project', [{ code: 'D002', efficiency: 'satisfied', quality: 'satisfied', problems: [1] }]);
  withText.organisation = FREE_TEXT[0];
  withText.suggestion = FREE_TEXT[5];
  withText.departments[0].suggestion = FREE_TEXT[4];
  withText.departments[0].negatives = [
    {
      kind: 1,
      matter: FREE_TEXT[1],
      date: '2026-05',
      description: FREE_TEXT[2],
      contactAllowed: true,
      contact: FREE_TEXT[3],
    },
  ];
  await storeRecords(ctx.services, ctx.campaign, [withText]);
  users = {
    admin: await loginAs(ctx.app, ctx.services, 'admin'),
    analyst: await loginAs(ctx.app, ctx.services, 'analyst'),
    liaison: await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D005' }),
  };
  const publish = async (slug: string) => {
    const res = await ctx.app.request(`/api/campaigns/${slug}/snapshots`, {
      method: 'POST',
      headers: users.admin.headers(),
    });
    expect(res.status).toBe(201);
    return ((await res.json()) as { id: string }).id;
  };
  snapshotId = await publish('test-2026');
  // a second campaign (another year) where D005 and D001 exist as well
  const { createTestCampaign } = await import('../helpers/fixtures.js');
  const other = await createTestCampaign(db, ctx.services, { slug: 'other-2027', departments: 6 });
  // the liaison of D005 is the liaison of next year's D005 too, as that year's department import would bind them
  await bindLiaison(users.liaison.username, other.id, 'D005');
  await storeRecords(ctx.services, other, knownRecords().records);
  otherSnapshotId = await publish('other-2027');
}, 60_000);
afterAll(() => db.close());

/** Bind a liaison account to a campaign's department row, as that campaign's department import does. */
async function bindLiaison(username: string, campaignId: string, code: string) {
  const user = await db.kysely
    .selectFrom('users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  const department = await db.kysely
    .selectFrom('departments')
    .select('id')
    .where('campaign_id', '=', campaignId)
    .where('code', '=', code)
    .executeTakeFirstOrThrow();
  await db.kysely
    .insertInto('liaison_departments')
    .values({ user_id: user.id, department_id: department.id })
    // an account added for the code may be bound already (same code and name, sameDepartment)
    .onConflict((oc) => oc.columns(['user_id', 'department_id']).doNothing())
    .execute();
}

const request = (method: string, path: string, who: Who) =>
  ctx.app.request(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(who === 'none' ? {} : users[who].headers({ 'content-type': 'application/json' })),
    },
    ...(method === 'GET' ? {} : { body: '{}' }),
  });

function concrete(route: string): string {
  return route
    .replace(':file{[A-Za-z0-9._-]+}', 'nothing.js')
    .replace(':slug', 'test-2026')
    .replace(':id', route.includes('snapshots') ? snapshotId : 'no-such-evaluator')
    .replace(':code', 'D001')
    .replace(':token', newLinkToken());
}

describe('every route has a role plan', () => {
  it('plans exactly the routes the app has', () => {
    const routes = [...new Set(ctx.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))];
    expect(routes.filter((r) => !(r in PLAN))).toEqual([]);
    expect(Object.keys(PLAN).filter((r) => !routes.includes(r))).toEqual([]);
  });

  it('refuses everyone the plan does not name: 401 (or the login page) without a session, 403 for another role', async () => {
    const failures: string[] = [];
    for (const [route, plan] of Object.entries(PLAN)) {
      if (plan === 'public' || plan === 'token') continue;
      const [method, pattern] = route.split(' ');
      const path = concrete(pattern);
      for (const who of ['none', 'admin', 'analyst', 'liaison'] as Who[]) {
        // the office's state-changing routes are exercised in their own suites
        if (plan.includes(who) && method !== 'GET') continue;
        const res = await request(method, path, who);
        const page = !pattern.startsWith('/api/');
        const allowed = plan.includes(who);
        const toLogin = res.status === 303 && (res.headers.get('location') ?? '').startsWith('/login');
        const ok = allowed
          ? ![401, 403].includes(res.status) && !(page && toLogin)
          : who === 'none'
            ? page
              ? toLogin
              : res.status === 401
            : res.status === 403;
        if (!ok) failures.push(`${who} ${method} ${path} → ${res.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it("keeps personal data of evaluators from analysts: the evaluator list and lost-link replacement are the office's", async () => {
    const inv = await createInvitation(db, ctx.campaign);
    for (const who of ['analyst', 'liaison'] as const) {
      expect((await request('GET', '/api/campaigns/test-2026/evaluators?q=张', who)).status).toBe(403);
      expect(
        (await request('POST', `/api/campaigns/test-2026/evaluators/${inv.evaluatorId}/invitation`, who)).status,
      ).toBe(403);
      const body = await (
        await request('GET', '/api/campaigns/test-2026', who === 'analyst' ? 'analyst' : 'analyst')
      ).text();
      expect(body).not.toContain('张三');
      expect(body).not.toContain('测试建设有限公司');
    }
  });
});

describe('a liaison sees only their own department, only as published', () => {
  it('gets D005 of every published snapshot whatever the query asks for', async () => {
    const res = await request(
      'GET',
      '/api/my/results?department=D001&code=D001&campaign=other-2027&snapshot=x',
      'liaison',
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      department: string;
      results: { department: { code: string; name: string; uncertainty: { statisticallyTiedWith: string[] } } }[];
    };
    expect(body.department).toBe('D005');
    expect(body.results).toHaveLength(2);
    expect(body.results.every((r) => r.department.code === 'D005')).toBe(true);
    // other departments' names and codes appear nowhere (not even as "statistically tied with")
    const text = JSON.stringify(body);
    for (const code of ['D001', 'D002', 'D003', 'D004', 'D006']) expect(text).not.toContain(`"${code}"`);
    for (const n of [1, 2, 3, 4, 6]) expect(text).not.toContain(`测试部门${n}"`);
  });

  it('cannot reach another department, a snapshot by id, exports, the trend, a comparison or the live figures', async () => {
    for (const path of [
      '/api/campaigns/test-2026/results',
      '/api/campaigns/test-2026/results/export.csv',
      `/api/snapshots/${snapshotId}`,
      `/api/snapshots/${otherSnapshotId}/export.xlsx`,
      `/api/snapshots/${snapshotId}/export.csv`,
      '/api/departments/D005/trend',
      '/api/departments/D001/trend',
      `/api/compare?from=${snapshotId}&to=${otherSnapshotId}`,
      '/api/campaigns/test-2026/snapshots',
      '/api/campaigns/test-2026/progress',
      '/api/campaigns/test-2026/chase',
      '/api/campaigns',
    ]) {
      expect((await request('GET', path, 'liaison')).status, path).toBe(403);
    }
    for (const path of [
      '/dashboard',
      '/dashboard/departments/D001?campaign=test-2026',
      `/dashboard?campaign=test-2026&snapshot=${snapshotId}`,
    ]) {
      expect(
        (await ctx.app.request(path, { headers: users.liaison.headers({ accept: 'text/html' }) })).status,
        path,
      ).toBe(403);
    }
  });

  it('sees nothing before a result is published, though live figures exist', async () => {
    const { createTestCampaign } = await import('../helpers/fixtures.js');
    const unpublished = await createTestCampaign(db, ctx.services, { slug: 'unpublished-2028', departments: 8 });
    await storeRecords(ctx.services, unpublished, knownRecords().records);
    const liaison = await loginAs(ctx.app, ctx.services, 'liaison', {
      username: 'liaison-d008',
      departmentCode: 'D008',
    });
    const body = (await (await ctx.app.request('/api/my/results', { headers: liaison.headers() })).json()) as {
      results: unknown[];
    };
    expect(body.results).toEqual([]);
  });
});

describe('free text reaches analysts and liaisons nowhere', () => {
  async function surfaces(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    const text = async (path: string, who: Who, accept = 'application/json') => {
      const res = await ctx.app.request(path, { headers: { accept, ...(who === 'none' ? {} : users[who].headers()) } });
      expect(res.status, `${who} ${path}`).toBe(200);
      if ((res.headers.get('content-type') ?? '').includes('spreadsheetml')) {
        const wb = new ExcelJS.Workbook();
        await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
        const cells: string[] = [];
        wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => void cells.push(String(cell.value)))));
        return cells.join('\n');
      }
      return res.text();
    };
    const analystPaths = [
      '/api/campaigns',
      '/api/campaigns/test-2026',
      '/api/campaigns/test-2026/departments',
      '/api/campaigns/test-2026/progress',
      '/api/campaigns/test-2026/results',
      '/api/campaigns/test-2026/results/export.csv',
      '/api/campaigns/test-2026/results/export.xlsx',
      '/api/campaigns/test-2026/snapshots',
      `/api/snapshots/${snapshotId}`,
      `/api/snapshots/${snapshotId}/export.csv`,
      `/api/snapshots/${snapshotId}/export.xlsx`,
      `/api/compare?from=${otherSnapshotId}&to=${snapshotId}`,
      '/api/departments/D002/trend',
    ];
    for (const path of analystPaths) out[`analyst ${path}`] = await text(path, 'analyst');
    for (const path of ['/dashboard?campaign=test-2026', '/dashboard/departments/D002?campaign=test-2026'])
      out[`analyst ${path}`] = await text(path, 'analyst', 'text/html');
    out['liaison /api/my/results'] = await text('/api/my/results', 'liaison');
    out['liaison /my/results'] = await text('/my/results', 'liaison', 'text/html');
    const d002 = await loginAs(ctx.app, ctx.services, 'liaison', { username: 'liaison-d002', departmentCode: 'D002' });
    users.liaison = d002;
    out['liaison D002 /api/my/results'] = await text('/api/my/results', 'liaison');
    out['liaison D002 /my/results'] = await text('/my/results', 'liaison', 'text/html');
    return out;
  }

  it('in no API answer, page or export', async () => {
    const keep = users.liaison;
    try {
      const found: string[] = [];
      for (const [where, body] of Object.entries(await surfaces())) {
        for (const marker of FREE_TEXT) if (body.includes(marker)) found.push(`${marker} in ${where}`);
      }
      expect(found).toEqual([]);
    } finally {
      users.liaison = keep;
    }
  });
});

const WITHHELD = '人数不足（少于5人）';

describe('cells of fewer than 5 evaluators are withheld on every analyst and liaison surface', () => {
  // known records: D006 has 3 valid raters; D001's "deputies" cell has 2 answers
  it('D006 has no score, rate or interval in the live result, the snapshot, the exports, the trend, the comparison and the liaison view', async () => {
    const nullScore = (d: {
      finalScore: number | null;
      surveyScore?: number | null;
      satisfactionRate: number | null;
    }) => d.finalScore === null && d.satisfactionRate === null;
    const live = (await (await request('GET', '/api/campaigns/test-2026/results', 'analyst')).json()) as {
      departments: {
        code: string;
        finalScore: number | null;
        satisfactionRate: number | null;
        uncertainty: { scoreInterval: unknown };
      }[];
    };
    const snap = (await (await request('GET', `/api/snapshots/${snapshotId}`, 'analyst')).json()) as typeof live;
    for (const view of [live, snap]) {
      const d = view.departments.find((x) => x.code === 'D006')!;
      expect(nullScore(d)).toBe(true);
      expect(d.uncertainty.scoreInterval).toBeNull();
    }
    const trend = (await (await request('GET', '/api/departments/D006/trend', 'analyst')).json()) as {
      points: { finalScore: number | null; scoreInterval: unknown; satisfactionRate: number | null }[];
    };
    expect(trend.points.length).toBeGreaterThan(0);
    expect(
      trend.points.every((p) => p.finalScore === null && p.scoreInterval === null && p.satisfactionRate === null),
    ).toBe(true);
    const compare = (await (
      await request('GET', `/api/compare?from=${otherSnapshotId}&to=${snapshotId}`, 'analyst')
    ).json()) as {
      departments: {
        code: string;
        from: { finalScore: number | null };
        to: { finalScore: number | null };
        scoreChange: number | null;
      }[];
    };
    const c = compare.departments.find((x) => x.code === 'D006')!;
    expect([c.from.finalScore, c.to.finalScore, c.scoreChange]).toEqual([null, null, null]);

    const csv = await (await request('GET', `/api/snapshots/${snapshotId}/export.csv`, 'analyst')).text();
    const header = csv
      .split('\n')[0]
      .replace(/^\uFEFF/, '')
      .split(',');
    const row = csv
      .split('\n')
      .find((l) => l.includes(',D006,'))!
      .split(',');
    expect(row[header.indexOf('最终得分')]).toBe(WITHHELD);
    expect(row[header.indexOf('满意率(%)')]).toBe(WITHHELD);
    expect(row[header.indexOf('作风问题1 推诿扯皮、踢皮球')]).toBe(WITHHELD);

    const liaison = await loginAs(ctx.app, ctx.services, 'liaison', {
      username: 'liaison-d006',
      departmentCode: 'D006',
    });
    const mine = (await (await ctx.app.request('/api/my/results', { headers: liaison.headers() })).json()) as {
      results: {
        department: {
          finalScore: number | null;
          satisfactionRate: number | null;
          uncertainty: { scoreInterval: unknown };
        };
      }[];
    };
    expect(mine.results.length).toBeGreaterThan(0);
    for (const r of mine.results)
      expect([r.department.finalScore, r.department.satisfactionRate, r.department.uncertainty.scoreInterval]).toEqual([
        null,
        null,
        null,
      ]);
    const page = await (
      await ctx.app.request('/my/results', { headers: liaison.headers({ accept: 'text/html' }) })
    ).text();
    expect(page).toContain(WITHHELD);
    expect(page).not.toMatch(/推诿扯皮、踢皮球<\/td><td[^>]*>\d/);
  });

  it("D001's two deputies have no mean in the category breakdown, in JSON and in the Excel export", async () => {
    const snap = (await (await request('GET', `/api/snapshots/${snapshotId}`, 'analyst')).json()) as {
      departments: {
        code: string;
        items: Record<
          string,
          {
            categoryBreakdown: {
              category: string;
              mean: number | null;
              satisfiedShare: number | null;
              suppressed: boolean;
            }[];
          }
        >;
      }[];
    };
    const d001 = snap.departments.find((d) => d.code === 'D001')!;
    for (const item of Object.values(d001.items)) {
      const deputies = item.categoryBreakdown.find((b) => b.category === 'deputies')!;
      expect(deputies).toMatchObject({ mean: null, satisfiedShare: null, suppressed: true });
    }
    const res = await request('GET', `/api/snapshots/${snapshotId}/export.xlsx`, 'analyst');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ExcelJS.Buffer);
    let checked = 0;
    wb.eachSheet((ws) => {
      const headers = (ws.getRow(1).values as unknown[]).map(String);
      ws.eachRow((row, n) => {
        if (n === 1 || !(row.values as unknown[]).includes('D001')) return;
        headers.forEach((h, i) => {
          if (/·两代表一委员·均值$/.test(h)) {
            expect(row.getCell(i).value).toBe(WITHHELD);
            checked++;
          }
        });
      });
    });
    expect(checked).toBeGreaterThan(0);
  });

  it('a department rated by 253 shows the 3 who named a problem, and one rated by 4 shows nothing of theirs, everywhere', async () => {
    const { createTestCampaign } = await import('../helpers/fixtures.js');
    const cells = await createTestCampaign(db, ctx.services, { slug: 'cells-2026', departments: 2 });
    await storeRecords(ctx.services, cells, smallCellRecords());
    const published = await ctx.app.request('/api/campaigns/cells-2026/snapshots', {
      method: 'POST',
      headers: users.admin.headers(),
    });
    const id = ((await published.json()) as { id: string }).id;
    type Cells = { departments: { code: string; problems: { problem: number; mentions: number | null }[] }[] };
    const mentions = (view: Cells, code: string) =>
      view.departments.find((d) => d.code === code)!.problems.find((p) => p.problem === 4)!.mentions;
    for (const path of ['/api/campaigns/cells-2026/results', `/api/snapshots/${id}`]) {
      const view = (await (await request('GET', path, 'analyst')).json()) as Cells;
      expect([mentions(view, 'D001'), mentions(view, 'D002')], path).toEqual([3, null]);
    }
    const csv = (await (await request('GET', `/api/snapshots/${id}/export.csv`, 'analyst')).text()).split('\n');
    const header = csv[0].replace(/^\uFEFF/, '').split(',');
    const column = header.indexOf('作风问题4 态度生硬、冷硬横推');
    const cell = (code: string) => csv.find((l) => l.includes(`,${code},`))!.split(',')[column];
    expect([cell('D001'), cell('D002')]).toEqual(['3', WITHHELD]);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(
      Buffer.from(
        await (await request('GET', `/api/snapshots/${id}/export.xlsx`, 'analyst')).arrayBuffer(),
      ) as unknown as ExcelJS.Buffer,
    );
    const ws = wb.getWorksheet('作风问题与负面情形')!;
    const xlsxColumn = (ws.getRow(1).values as unknown[]).indexOf('作风问题4 态度生硬、冷硬横推');
    const xlsx: unknown[] = [];
    ws.eachRow((row, n) => n > 1 && xlsx.push(row.getCell(xlsxColumn).value));
    expect(xlsx).toEqual([3, WITHHELD]);
    // the liaison's table marks a withheld cell and says why once, under the table
    for (const [code, shown] of [
      ['D001', '3'],
      ['D002', WITHHELD_MARK],
    ]) {
      const liaison = await loginAs(ctx.app, ctx.services, 'liaison', {
        username: `cells-${code}`,
        departmentCode: code,
      });
      await bindLiaison(liaison.username, cells.id, code);
      const mine = (await (await ctx.app.request('/api/my/results', { headers: liaison.headers() })).json()) as {
        results: { campaign: { slug: string }; department: Cells['departments'][number] }[];
      };
      const result = mine.results.find((r) => r.campaign.slug === 'cells-2026')!;
      expect(result.department.problems.find((p) => p.problem === 4)!.mentions).toBe(code === 'D001' ? 3 : null);
      const page = await (
        await ctx.app.request('/my/results', { headers: liaison.headers({ accept: 'text/html' }) })
      ).text();
      expect(page, code).toMatch(
        new RegExp(`态度生硬、冷硬横推</td><td[^>]*>(<span class="cell-head">[^<]*</span>)?${shown}</td>`),
      );
      if (shown === WITHHELD_MARK) expect(page).toContain(withheldNote(5));
    }
  });
});
