import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import type { ErrorBody } from '../../server/contracts.js';
import { xlsxRows } from '../helpers/sheets.js';
import { queueSetup } from './helpers.js';

let db: Db;
let s: Awaited<ReturnType<typeof queueSetup>>;
let admin: LoggedIn;
let analyst: LoggedIn;
let liaison: LoggedIn;
let reportId: string;

const call = (who: LoggedIn | null, method: string, path: string, body?: unknown) =>
  s.app.request(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(who ? who.headers({ 'content-type': 'application/json' }) : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });

/** Everything the office's work changes: compared before and after a refused request. */
const state = async () =>
  JSON.stringify([
    await db.kysely.selectFrom('negative_reports').selectAll().orderBy('id').execute(),
    await db.kysely.selectFrom('negative_decisions').selectAll().orderBy('id').execute(),
    await db.kysely.selectFrom('audit_log').select(['action', 'actor']).orderBy('id').execute(),
  ]);

beforeAll(async () => {
  db = await sqliteDb();
  s = await queueSetup(db);
  await s.report(
    '2026-12-28',
    {
      code: 'D001',
      kind: 3,
      description: '王科长说材料不全，电话13812345678',
      suggestion: '=HYPERLINK("http://x","点我")',
    },
    { code: 'D002', kind: 5, description: '态度冷硬', contact: 'wx-7Q', suggestion: '窗口应一次性告知' },
  );
  const overall = await s.services.campaigns.getBySlug(s.campaign.slug);
  await s.services.responses.storeMany(
    overall,
    [
      {
        category: 'public',
        organisation: null,
        durationSeconds: 300,
        overall: 'satisfied',
        suggestion: '总体很好，联系李女士 0574-87654321',
        departments: [
          {
            code: 'D003',
            ratings: { efficiency: 'satisfied', quality: 'satisfied' },
            problems: [],
            negatives: [],
            suggestion: null,
          },
        ],
      },
    ],
    { source: 'import' },
  );
  admin = await loginAs(s.app, s.services, 'admin');
  analyst = await loginAs(s.app, s.services, 'analyst');
  liaison = await loginAs(s.app, s.services, 'liaison', { departmentCode: 'D001' });
  reportId = await s.idOf('王科长说材料不全，电话13812345678');
});
afterAll(() => db.close());

describe('the verification queue over HTTP', () => {
  it('lists, filters and opens reports for the office, with the overdue flag', async () => {
    const res = await call(admin, 'GET', '/api/campaigns/test-2026/negatives?department=D001&state=pending');
    expect(res.status).toBe(200);
    const page = (await res.json()) as { total: number; items: { id: string; overdue: boolean; dueDay: string }[] };
    expect(page.total).toBe(1);
    expect(page.items[0]).toMatchObject({ id: reportId, overdue: false });
    const one = await call(admin, 'GET', `/api/campaigns/test-2026/negatives/${reportId}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({
      redacted: { description: '某科长说材料不全，电话〔手机号已隐去〕' },
      contact: null,
    });
  });

  it('answers bad requests with a 4xx in Chinese naming the field, never a 500', async () => {
    const cases: [string, string, unknown, number][] = [
      ['GET', '/api/campaigns/test-2026/negatives?kind=abc', undefined, 422],
      ['GET', '/api/campaigns/test-2026/negatives?pageSize=100000', undefined, 422],
      ['GET', '/api/campaigns/test-2026/negatives?department=%00', undefined, 400],
      ['GET', '/api/campaigns/no-such/negatives', undefined, 404],
      ['GET', '/api/campaigns/test-2026/negatives/does-not-exist', undefined, 404],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/verify`, 'not json', 400],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/verify`, {}, 422],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/verify`, { reason: 7 }, 422],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/verify`, { reason: 'x'.repeat(5000) }, 422],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/dismiss`, [], 422],
      ['PUT', `/api/campaigns/test-2026/negatives/${reportId}/redaction`, { matter: '' }, 422],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/merge`, { duplicates: 'x', reason: 'r' }, 422],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/merge`, { duplicates: [reportId], reason: 'r' }, 422],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/unmerge`, { reason: '没合并' }, 409],
      ['GET', '/api/campaigns/test-2026/suggestions?scope=all', undefined, 422],
      ['GET', '/api/campaigns/test-2026/suggestions?department=D999', undefined, 422],
      ['GET', '/api/campaigns/test-2026/suggestions/export.csv?original=maybe', undefined, 422],
    ];
    const before = await state();
    for (const [method, path, body, status] of cases) {
      const res = await call(admin, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(status);
      const error = ((await res.json()) as ErrorBody).error;
      expect(error.message, `${method} ${path}`).toMatch(/[\u4e00-\u9fff]/);
      if (status === 422) expect(error.details?.length, `${method} ${path}`).toBeGreaterThan(0);
    }
    expect(await state()).toBe(before);
  });

  it('verifies once: the same request again is a 409 that changes nothing', async () => {
    const ok = await call(admin, 'POST', `/api/campaigns/test-2026/negatives/${reportId}/verify`, { reason: '属实' });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: 'verified', decision: { by: admin.username, reason: '属实' } });
    const before = await state();
    const again = await call(admin, 'POST', `/api/campaigns/test-2026/negatives/${reportId}/verify`, {
      reason: '属实',
    });
    expect(again.status).toBe(409);
    expect(await state()).toBe(before);
    const audit = await db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'negative_verify').execute();
    expect(audit.map((a) => a.actor)).toEqual([admin.username]);
  });
});

describe('suggestions for the office', () => {
  it('lists overall and department suggestions with their redacted text, filtered and searched', async () => {
    const all = (await (await call(admin, 'GET', '/api/campaigns/test-2026/suggestions')).json()) as {
      total: number;
      counts: { overall: number; department: number };
      items: { scope: string; department: { code: string } | null; text: string; redacted: string }[];
    };
    expect(all.total).toBe(3);
    expect(all.counts).toEqual({ overall: 1, department: 2 });
    const overall = all.items.find((i) => i.scope === 'overall')!;
    expect(overall).toMatchObject({ department: null, redacted: '总体很好，联系某女士 〔电话已隐去〕' });
    const byDepartment = (await (
      await call(admin, 'GET', '/api/campaigns/test-2026/suggestions?department=D002')
    ).json()) as typeof all;
    expect(byDepartment.items.map((i) => i.text)).toEqual(['窗口应一次性告知']);
    const searched = (await (
      await call(admin, 'GET', '/api/campaigns/test-2026/suggestions?q=hyperlink')
    ).json()) as typeof all;
    expect(searched.items.map((i) => i.department?.code)).toEqual(['D001']);
    const scoped = (await (
      await call(admin, 'GET', '/api/campaigns/test-2026/suggestions?scope=overall')
    ).json()) as typeof all;
    expect(scoped.total).toBe(1);
  });

  it('exports the redacted text as CSV with formulas neutralised, the original only when asked for', async () => {
    const res = await call(admin, 'GET', '/api/campaigns/test-2026/suggestions/export.csv');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const csv = await res.text();
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""点我"")"`);
    expect(csv).toContain('某女士 〔电话已隐去〕');
    expect(csv).not.toContain('0574-87654321');
    expect(csv).not.toContain('原文');
    const withOriginal = await (
      await call(admin, 'GET', '/api/campaigns/test-2026/suggestions/export.csv?original=1')
    ).text();
    expect(withOriginal).toContain('0574-87654321');
  });

  it('exports .xlsx with the same columns and the same guard', async () => {
    const res = await call(admin, 'GET', '/api/campaigns/test-2026/suggestions/export.xlsx?department=D001');
    expect(res.status).toBe(200);
    const rows = await xlsxRows(await res.arrayBuffer());
    expect(rows[0]).toEqual(['范围', '部门代码', '部门名称', '建议（已脱敏，可转交）']);
    expect(rows.slice(1)).toEqual([['对部门的建议', 'D001', '测试部门1', `'=HYPERLINK("http://x","点我")`]]);
  });
});

describe('only the office reads the queue and the suggestions', () => {
  const paths = () =>
    [
      ['GET', '/api/campaigns/test-2026/negatives', undefined],
      ['GET', '/api/campaigns/test-2026/negatives/changes', undefined],
      ['GET', `/api/campaigns/test-2026/negatives/${reportId}`, undefined],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/dismiss`, { reason: '越权' }],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/verify`, { reason: '越权' }],
      ['PUT', `/api/campaigns/test-2026/negatives/${reportId}/redaction`, { matter: 'x', description: 'y' }],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/merge`, { duplicates: ['x'], reason: '越权' }],
      ['POST', `/api/campaigns/test-2026/negatives/${reportId}/unmerge`, { reason: '越权' }],
      ['GET', '/api/campaigns/test-2026/suggestions', undefined],
      ['GET', '/api/campaigns/test-2026/suggestions/export.csv', undefined],
      ['GET', '/api/campaigns/test-2026/suggestions/export.xlsx', undefined],
    ] as const;

  it('answers analysts and liaisons 403 and changes nothing; no free text in the answer', async () => {
    const before = await state();
    for (const who of [analyst, liaison]) {
      for (const [method, path, body] of paths()) {
        const res = await call(who, method, path, body);
        expect(res.status, `${who.username} ${method} ${path}`).toBe(403);
        const text = await res.text();
        for (const marker of ['王科长', '13812345678', '窗口应一次性告知', 'wx-7Q']) expect(text).not.toContain(marker);
      }
    }
    for (const [method, path, body] of paths()) expect((await call(null, method, path, body)).status).toBe(401);
    expect(await state()).toBe(before);
  });
});
