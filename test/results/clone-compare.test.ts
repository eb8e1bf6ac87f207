/**
 * Done means (issue 9): a cloned campaign scored beside its source with the year-over-year view.
 * The clone lines up with its source department by department (by code), and the comparison
 * says when the two were scored by different methods instead of comparing silently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign, setState } from '../helpers/fixtures.js';
import { knownRecords, resultsSetup, storeRecords } from './helpers.js';

let db: Db;
let ctx: Awaited<ReturnType<typeof resultsSetup>>;
let analyst: LoggedIn;
const snapshots: Record<string, string> = {};

const publish = async (slug: string) => (await ctx.services.results.publish(slug, 'test')).id;
const compare = async (from: string, to: string) => {
  const res = await ctx.app.request(`/api/compare?from=${snapshots[from]}&to=${snapshots[to]}`, {
    headers: analyst.headers(),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Comparison;
};

beforeAll(async () => {
  db = await sqliteDb();
  ctx = await resultsSetup(db);
  analyst = await loginAs(ctx.app, ctx.services, 'analyst');
  snapshots['test-2026'] = await publish('test-2026');

  // next year, cloned: the same answers give the same scores; one department has a new name
  const { campaign } = await ctx.services.campaigns.clone(
    'test-2026',
    { slug: 'test-2027', name: '2027年度', withRoster: false },
    'test',
  );
  await db.kysely
    .updateTable('departments')
    .set({ name: '更名后的部门三' })
    .where('campaign_id', '=', campaign.id)
    .where('code', '=', 'D003')
    .execute();
  const { records, verify } = knownRecords();
  await storeRecords(ctx.services, campaign, records, verify);
  // its answers in, the clone is closed (the transitions have their own tests) and published
  await setState(db, campaign, 'closed');
  snapshots['test-2027'] = await publish('test-2027');

  // a campaign set up afresh with other category weights, the same departments and answers
  const reweighted = await createTestCampaign(db, ctx.services, {
    slug: 'reweighted-2027',
    overrides: {
      categories: [
        { code: 'project', label: '项目参建单位/服务对象代表', weight: 0.6 },
        { code: 'deputies', label: '两代表一委员', weight: 0.2 },
        { code: 'supervisors', label: '特邀监督员', weight: 0.1 },
        { code: 'grassroots', label: '基层单位', weight: 0.05 },
        { code: 'public', label: '社会公众', weight: 0.05 },
      ],
    },
  });
  await storeRecords(ctx.services, reweighted, records, verify);
  snapshots['reweighted-2027'] = await publish('reweighted-2027');
}, 120_000);
afterAll(() => db.close());

describe('a cloned campaign scored beside its source', () => {
  it('lines up every department by code, with the same scores for the same answers and no method change', async () => {
    const cmp = await compare('test-2026', 'test-2027');
    expect(cmp.methodChanges).toEqual([]);
    expect(cmp.departments.map((d) => d.code).sort()).toEqual(['D001', 'D002', 'D003', 'D004', 'D005', 'D006']);
    for (const d of cmp.departments) {
      expect(d.from, d.code).not.toBeNull();
      expect(d.to, d.code).not.toBeNull();
      expect(d.to!.finalScore, d.code).toBe(d.from!.finalScore);
      if (d.from!.finalScore !== null) expect(d.scoreChange, d.code).toBe(0);
    }
    // matched by code, not by name: the renamed department is one row, under its new name
    expect(cmp.departments.find((d) => d.code === 'D003')).toMatchObject({ name: '更名后的部门三', scoreChange: 0 });
  });

  it('lists the change when the category weights differ', async () => {
    const cmp = await compare('test-2026', 'reweighted-2027');
    expect(cmp.methodChanges).toEqual([
      '类别权重：项目参建单位/服务对象代表 0.5 → 0.6，基层单位 0.1 → 0.05，社会公众 0.1 → 0.05',
    ]);
    expect(cmp.departments).toHaveLength(6);
  });

  it('shows the dashboard a place for what the comparison says about the method', async () => {
    const admin = await loginAs(ctx.app, ctx.services, 'admin');
    const res = await ctx.app.request('/dashboard?campaign=test-2027', { headers: admin.headers() });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="compare-method"');
  });
});
