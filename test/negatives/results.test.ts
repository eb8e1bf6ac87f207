import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Db } from '../../server/db/connect.js';
import { runSimulation } from '../../server/demo/simulate.js';
import type { ResultView } from '../../server/contracts.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { dialects, sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { queueSetup } from './helpers.js';

const THIRD = '超过承诺时限，第3件';

describe.each(await dialects())('decisions and the results on $name', ({ open }) => {
  let db: Db;
  let s: Awaited<ReturnType<typeof queueSetup>>;
  let admin: LoggedIn;
  let analyst: LoggedIn;

  const get = async <T>(path: string, who = analyst, app = s.app) => {
    const res = await app.request(path, { headers: who.headers() });
    expect(res.status, path).toBe(200);
    return (await res.json()) as T;
  };
  const post = async (path: string, body: unknown, app = s.app, who = admin) =>
    app.request(path, {
      method: 'POST',
      headers: who.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });
  const d005 = (view: ResultView) => view.departments.find((d) => d.code === 'D005')!;
  const live = () => get<ResultView>('/api/campaigns/test-2026/results?uncertainty=0');

  beforeAll(async () => {
    db = await open();
    s = await queueSetup(db, { records: true });
    admin = await loginAs(s.app, s.services, 'admin');
    analyst = await loginAs(s.app, s.services, 'analyst');
  });
  afterAll(() => db.close());

  it('deducts a verified report in the live results at once, though they are cached for a minute', async () => {
    expect(d005(await live())).toMatchObject({ verifiedNegatives: 2, deduction: 1 });
    const res = await post(`/api/campaigns/test-2026/negatives/${await s.idOf(THIRD)}/verify`, { reason: '核实属实' });
    expect(res.status).toBe(200);
    const after = d005(await live());
    expect(after).toMatchObject({ verifiedNegatives: 3, deduction: 1.5 });
  });

  it('shows a decision taken in another process at once too', async () => {
    const other = createApp(s.deps);
    const officeThere = await loginAs(other, s.services, 'admin', { username: 'office-2' });
    await s.report('2027-01-04', { code: 'D005', kind: 3, description: '另一进程核实的一件' });
    const before = d005(await live());
    const res = await post(
      `/api/campaigns/test-2026/negatives/${await s.idOf('另一进程核实的一件')}/verify`,
      { reason: '属实' },
      other,
      officeThere,
    );
    expect(res.status).toBe(200);
    expect(d005(await live()).verifiedNegatives).toBe(before.verifiedNegatives + 1);
  });

  it('counts merged reports of one matter once: a duplicate of a verified report deducts nothing', async () => {
    const primary = await s.idOf(THIRD);
    await s.report('2027-01-04', { code: 'D005', kind: 3, description: '同一件事，第二个人反映' });
    const before = d005(await live());
    const duplicate = await s.idOf('同一件事，第二个人反映');
    const res = await post(`/api/campaigns/test-2026/negatives/${primary}/merge`, {
      duplicates: [duplicate],
      reason: '同一事项',
    });
    expect(res.status).toBe(200);
    const after = d005(await live());
    expect(after.verifiedNegatives).toBe(before.verifiedNegatives);
    expect(after.deduction).toBe(before.deduction);
    // the duplicate is still a report received: in the reported tally (3 known + 2 here), not in the verified one
    expect(after.negatives.find((n) => n.kind === 3)).toMatchObject({ reported: 5, verified: after.verifiedNegatives });
  });

  it('never changes a published snapshot: a correction is a new snapshot listing what changed and why', async () => {
    const first = await post('/api/campaigns/test-2026/snapshots', {});
    expect(first.status).toBe(201);
    const published = (await first.json()) as { id: string; changes: unknown };
    expect(published.changes).toBeNull();
    const stored = JSON.stringify(await s.services.results.storedSnapshot(published.id));

    await s.report('2027-01-05', { code: 'D005', kind: 3, description: '发布后核实的一件' });
    const late = await s.idOf('发布后核实的一件');
    const before = d005(await get<ResultView>(`/api/snapshots/${published.id}`));
    expect((await post(`/api/campaigns/test-2026/negatives/${late}/verify`, { reason: '发布后补充核实' })).status).toBe(
      200,
    );

    // live figures move, the published ones do not
    expect(d005(await live()).verifiedNegatives).toBe(before.verifiedNegatives + 1);
    expect(JSON.stringify(await s.services.results.storedSnapshot(published.id))).toBe(stored);
    expect(d005(await get<ResultView>(`/api/snapshots/${published.id}`))).toEqual(before);
    const pending = await get<{ latestSnapshot: { id: string }; decisions: { report: string; reason: string }[] }>(
      '/api/campaigns/test-2026/negatives/changes',
      admin,
    );
    expect(pending.latestSnapshot.id).toBe(published.id);
    expect(pending.decisions.map((d) => [d.report, d.reason])).toEqual([[late, '发布后补充核实']]);

    const second = await post('/api/campaigns/test-2026/snapshots', {});
    expect(second.status).toBe(201);
    const correction = (await second.json()) as { id: string; changes: { previous: string; decisions: number } };
    expect(correction.changes).toEqual({ previous: published.id, decisions: 1, departments: 1 });
    const view = await get<ResultView>(`/api/snapshots/${correction.id}`);
    expect(view.changes).toMatchObject({
      previous: { id: published.id },
      decisions: [
        {
          report: late,
          department: { code: 'D005', name: '测试部门5' },
          kind: 3,
          action: 'verify',
          from: 'pending',
          to: 'verified',
          reason: '发布后补充核实',
          by: admin.username,
        },
      ],
      departments: [
        {
          code: 'D005',
          from: { verifiedNegatives: before.verifiedNegatives, deduction: before.deduction },
          to: { verifiedNegatives: before.verifiedNegatives + 1, deduction: before.deduction + 0.5 },
        },
      ],
    });
    expect(d005(view).verifiedNegatives).toBe(before.verifiedNegatives + 1);
    expect(JSON.stringify(await s.services.results.storedSnapshot(published.id))).toBe(stored);
    const summaries = await get<{ snapshots: { id: string; changes: unknown }[] }>(
      '/api/campaigns/test-2026/snapshots',
    );
    expect(summaries.snapshots.map((x) => [x.id, x.changes === null])).toEqual([
      [correction.id, false],
      [published.id, true],
    ]);
    expect(
      (await get<{ decisions: unknown[] }>('/api/campaigns/test-2026/negatives/changes', admin)).decisions,
    ).toEqual([]);
  });
});

describe('the demo', () => {
  it('verifies its chosen reports through the office’s decision, each recorded with its reason', async () => {
    const db = await sqliteDb();
    try {
      const s = await queueSetup(db);
      const other = await createTestCampaign(db, s.services, { slug: 'demo-check', departments: 12 });
      const summary = await runSimulation(s.deps, s.services, other.slug, { evaluators: 400, seed: 5 });
      expect(summary.verified).toBeGreaterThan(0);
      const decisions = await db.kysely
        .selectFrom('negative_decisions')
        .select(['actor', 'action', 'reason'])
        .where('campaign_id', '=', other.id)
        .execute();
      expect(decisions).toHaveLength(summary.verified);
      expect(new Set(decisions.map((d) => `${d.actor} ${d.action}`))).toEqual(new Set(['demo verify']));
      const page = await s.services.negatives.queue(other.slug, { state: 'verified', pageSize: '200' });
      expect(page.counts.verified).toBe(summary.verified);
      expect(page.items.every((n) => n.decision?.by === 'demo')).toBe(true);
    } finally {
      await db.close();
    }
  });
});
