import { describe, expect, it } from 'vitest';
import type { MyResults } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs } from '../helpers/auth.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { resultsSetup } from '../results/helpers.js';

// open on the results clock (2027-01-05): the newest campaign, still 进行中
const nextCampaign = {
  slug: 'test-2027',
  state: 'open' as const,
  overrides: {
    name: '2027年度民主评议（测试）',
    opensAt: '2027-01-01T00:00:00+08:00',
    closesAt: '2027-12-31T23:59:59+08:00',
  },
};

async function renameInNewest(db: Db, code: string, name: string) {
  const newest = await db.kysely
    .selectFrom('campaigns')
    .select('id')
    .where('slug', '=', 'test-2027')
    .executeTakeFirstOrThrow();
  await db.kysely
    .updateTable('departments')
    .set({ name })
    .where('code', '=', code)
    .where('campaign_id', '=', newest.id)
    .execute();
}

describe.each(await dialects())('a hand-added liaison’s published results, on $name', ({ open }) => {
  it('an account added on the users page while a newer campaign is open sees its department’s earlier published result, and what is still to come', async () => {
    const db = await open();
    try {
      const { app, services } = await resultsSetup(db);
      await services.results.publish('test-2026', 'test');
      await createTestCampaign(db, services, nextCampaign);
      // next year D003 is another body: its hand-added liaison sees nothing of this year's D003
      await renameInNewest(db, 'D003', '市另一机关');
      const admin = await loginAs(app, services, 'admin');
      for (const [username, departmentCode] of [
        ['zhang-d002', 'D002'],
        ['li-d003', 'D003'],
      ]) {
        const added = await app.request('/api/users', {
          method: 'POST',
          headers: admin.headers({ 'content-type': 'application/json' }),
          body: JSON.stringify({ username, role: 'liaison', departmentCode, password: 'liaison-password-1' }),
        });
        expect(added.status).toBe(201);
      }
      const zhang = await loginAs(app, services, 'liaison', { username: 'zhang-d002', password: 'liaison-password-1' });
      const mine = (await (await app.request('/api/my/results', { headers: zhang.headers() })).json()) as MyResults;
      expect(mine.results.map((r) => [r.campaign.slug, r.department.code, r.department.name])).toEqual([
        ['test-2026', 'D002', '测试部门2'],
      ]);
      const page = await (await app.request('/my/results', { headers: zhang.headers() })).text();
      expect(page).toContain('最终得分');
      expect(page).toContain('2027年度民主评议（测试）（进行中）的结果发布后在这里显示。');

      const li = await loginAs(app, services, 'liaison', { username: 'li-d003', password: 'liaison-password-1' });
      const theirs = (await (await app.request('/api/my/results', { headers: li.headers() })).json()) as MyResults;
      expect(theirs.results).toEqual([]);
      const empty = await (await app.request('/my/results', { headers: li.headers() })).text();
      expect(empty).not.toContain('最终得分');
      expect(empty).toContain('还没有已发布的评议结果：2027年度民主评议（测试）（进行中）的结果发布后在这里显示。');
    } finally {
      await db.close();
    }
  }, 60_000);

  it('with nothing published yet the page names the campaigns whose results it waits for', async () => {
    const db = await open();
    try {
      const { app, services } = await resultsSetup(db);
      await createTestCampaign(db, services, nextCampaign);
      const liaison = await loginAs(app, services, 'liaison', { username: 'wang-d001', departmentCode: 'D001' });
      const page = await (await app.request('/my/results', { headers: liaison.headers() })).text();
      expect(page).toContain(
        '还没有已发布的评议结果：2027年度民主评议（测试）（进行中）、2026年度民主评议机关（示例）（已截止）的结果发布后在这里显示。',
      );
    } finally {
      await db.close();
    }
  }, 60_000);
});
