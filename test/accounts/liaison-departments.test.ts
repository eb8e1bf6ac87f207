import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { DepartmentsImported, MyResults } from '../../server/contracts.js';
import { loginAs, sessionCookieOf } from '../helpers/auth.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf, uploadForm } from '../helpers/sheets.js';
import { resultsSetup } from '../results/helpers.js';

const file = (rows: string[][]) => csvOf([['代码', '名称', '分组', '联络员'], ...rows]);
const nextYear = (slug: string, year: number) => ({
  slug,
  state: 'draft' as const,
  overrides: {
    name: `${year}年度民主评议（测试）`,
    opensAt: `${year}-11-01T00:00:00+08:00`,
    closesAt: `${year}-12-31T23:59:59+08:00`,
  },
});

describe.each(await dialects())('a liaison is bound to department rows, per campaign, on $name', ({ open }) => {
  it('a liaison of D002 in campaign B never sees campaign A’s D002, whose own liaison still does', async () => {
    const db = await open();
    try {
      const { app, services } = await resultsSetup(db);
      const admin = await loginAs(app, services, 'admin');
      await services.results.publish('test-2026', 'test');
      // made by `user add --department D002` while campaign A was the newest to list D002
      const old = await loginAs(app, services, 'liaison', { username: 'liaison-a', departmentCode: 'D002' });

      await createTestCampaign(db, services, nextYear('test-2027', 2027));
      const upload = async (slug: string, rows: string[][]) =>
        (await (
          await app.request(`/api/campaigns/${slug}/departments/import`, {
            method: 'POST',
            headers: admin.headers(),
            body: uploadForm(file(rows), 'departments.csv'),
          })
        ).json()) as DepartmentsImported;
      const imported = await upload('test-2027', [['D002', '市住房和城乡建设局', '执法监管类', '李四']]);
      const password = imported.liaisons!.created[0].password;
      const signIn = await app.request('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'liaison-d002', password }),
      });
      const cookie = sessionCookieOf(signIn);
      const mine = (await (await app.request('/api/my/results', { headers: { cookie } })).json()) as MyResults;
      expect(mine.results).toEqual([]);
      const page = await (await app.request('/my/results', { headers: { cookie } })).text();
      expect(page).not.toContain('test-2026');
      expect(page).not.toContain('最终得分');

      const theirs = (await (await app.request('/api/my/results', { headers: old.headers() })).json()) as MyResults;
      expect(theirs.results.map((r) => [r.campaign.slug, r.department.code])).toEqual([['test-2026', 'D002']]);

      // a third campaign giving D002 to yet another department does not hand it this account
      await createTestCampaign(db, services, nextYear('test-2028', 2028));
      const third = await upload('test-2028', [['D002', '市教育局', '社会服务类', '李四']]);
      expect(third.liaisons?.skipped).toEqual([
        {
          username: 'liaison-d002',
          departmentCode: 'D002',
          reason: '这个账号是另一次评议中“市住房和城乡建设局”的联络员（部门代码相同、名称不同）',
        },
      ]);
      expect(await services.accounts.liaisonDepartments(signInUserId(await services.accounts.listUsers()))).toEqual([
        { id: expect.any(String), campaignId: expect.any(String), code: 'D002', name: '市住房和城乡建设局' },
      ]);
    } finally {
      await db.close();
    }
  });

  it('a department the clone’s import renames loses the liaisons the clone copied, and the import says which', async () => {
    const db = await open();
    try {
      const { app, services } = await resultsSetup(db);
      const admin = await loginAs(app, services, 'admin');
      const old = await loginAs(app, services, 'liaison', { username: 'liaison-a', departmentCode: 'D002' });
      await services.campaigns.clone('test-2026', { slug: 'test-2027', name: '2027年度', withRoster: false }, 'office');
      const [source, copy] = await Promise.all(['test-2026', 'test-2027'].map((s) => services.campaigns.getBySlug(s)));
      const userId = (await services.accounts.listUsers()).find((u) => u.username === 'liaison-a')!.id;
      const bound = async () => (await services.accounts.liaisonDepartments(userId)).map((d) => d.campaignId).sort();
      expect(await bound()).toEqual([source.id, copy.id].sort());

      const upload = async (query: string) =>
        (await (
          await app.request(`/api/campaigns/test-2027/departments/import${query}`, {
            method: 'POST',
            headers: admin.headers(),
            body: uploadForm(file([['D002', '市另一机关乙局', '执法监管类', '乙联络员']]), 'departments.csv'),
          })
        ).json()) as DepartmentsImported;
      const checked = await upload('?dryRun=1');
      expect(checked.summary.unboundLiaisons).toEqual([{ code: 'D002', username: 'liaison-a' }]);
      expect(await bound()).toEqual([source.id, copy.id].sort());
      const imported = await upload('');
      expect(imported.summary.unboundLiaisons).toEqual([{ code: 'D002', username: 'liaison-a' }]);
      expect(await bound()).toEqual([source.id]);
      expect((await app.request('/api/my/results', { headers: old.headers() })).status).toBe(200);
    } finally {
      await db.close();
    }
  });

  it('the migration binds existing liaisons to the departments whose 联络员 column names them', async () => {
    const db = await open();
    try {
      const { services, campaign } = await resultsSetup(db, { records: false });
      const later = await createTestCampaign(db, services, nextYear('test-2027', 2027));
      await db.kysely
        .updateTable('departments')
        .set({ liaison_name: '王五' })
        .where('code', '=', 'D003')
        .where('campaign_id', '=', campaign.id)
        .execute();
      await db.kysely
        .updateTable('departments')
        .set({ liaison_name: '另一位' })
        .where('code', '=', 'D003')
        .where('campaign_id', '=', later.id)
        .execute();
      const { user: named } = await services.accounts.addUser({
        username: 'liaison-d003',
        displayName: '王五',
        role: 'liaison',
        departmentCode: 'D003',
      });
      const { user: unnamed } = await services.accounts.addUser({
        username: 'liaison-d004',
        role: 'liaison',
        departmentCode: 'D004',
      });
      await db.kysely.deleteFrom('liaison_departments').execute();
      const { up } = await import('../../server/db/migrations/0046_liaison_departments.js');
      await sql`drop table liaison_departments`.execute(db.kysely);
      await up(db.kysely as never);
      expect(await services.accounts.liaisonDepartments(named.id)).toEqual([
        { id: expect.any(String), campaignId: campaign.id, code: 'D003', name: expect.any(String) },
      ]);
      expect(await services.accounts.liaisonDepartments(unnamed.id)).toEqual([
        { id: expect.any(String), campaignId: later.id, code: 'D004', name: expect.any(String) },
      ]);
    } finally {
      await db.close();
    }
  });

  it('migration 0047 binds an account bound before the rule to its department’s rows in every campaign, once, and not to another body of the code', async () => {
    const db = await open();
    try {
      const { services, campaign } = await resultsSetup(db, { records: false });
      const later = await createTestCampaign(db, services, nextYear('test-2027', 2027));
      const third = await createTestCampaign(db, services, nextYear('test-2028', 2028));
      // the third campaign gives D002 to another body
      await db.kysely
        .updateTable('departments')
        .set({ name: '市教育局' })
        .where('code', '=', 'D002')
        .where('campaign_id', '=', third.id)
        .execute();
      const { user: handAdded } = await services.accounts.addUser({
        username: 'zhang-d002',
        role: 'liaison',
        departmentCode: 'D002',
      });
      const { user: named } = await services.accounts.addUser({
        username: 'liaison-d003',
        role: 'liaison',
        departmentCode: 'D003',
      });
      // as 0046 left them: the newest campaign that listed the code, or the one whose 联络员 named them
      const rowOf = async (campaignId: string, code: string) =>
        (
          await db.kysely
            .selectFrom('departments')
            .select('id')
            .where('campaign_id', '=', campaignId)
            .where('code', '=', code)
            .executeTakeFirstOrThrow()
        ).id;
      await db.kysely.deleteFrom('liaison_departments').execute();
      await db.kysely
        .insertInto('liaison_departments')
        .values([
          { user_id: handAdded.id, department_id: await rowOf(later.id, 'D002') },
          { user_id: named.id, department_id: await rowOf(campaign.id, 'D003') },
        ])
        .execute();

      const { up } = await import('../../server/db/migrations/0047_liaison_same_departments.js');
      await up(db.kysely as never);
      await up(db.kysely as never);

      const campaignsOf = async (userId: string) =>
        (await services.accounts.liaisonDepartments(userId)).map((d) => [d.campaignId, d.code, d.name]);
      expect(await campaignsOf(handAdded.id)).toEqual([
        [later.id, 'D002', '测试部门2'],
        [campaign.id, 'D002', '测试部门2'],
      ]);
      expect(await campaignsOf(named.id)).toEqual([
        [third.id, 'D003', '测试部门3'],
        [later.id, 'D003', '测试部门3'],
        [campaign.id, 'D003', '测试部门3'],
      ]);
      expect(
        Number(
          (
            await db.kysely
              .selectFrom('liaison_departments')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        ),
      ).toBe(5);
    } finally {
      await db.close();
    }
  });

  it('a later import whose code differs only in letter case is another department: the liaison account of D002 is not bound to d002', async () => {
    const db = await open();
    try {
      const { app, services } = await resultsSetup(db, { records: false });
      const admin = await loginAs(app, services, 'admin');
      const { user } = await services.accounts.addUser({
        username: 'liaison-d002',
        role: 'liaison',
        departmentCode: 'D002',
      });
      const later = await createTestCampaign(db, services, { ...nextYear('test-2027', 2027), departments: 0 });
      const imported = (await (
        await app.request('/api/campaigns/test-2027/departments/import', {
          method: 'POST',
          headers: admin.headers(),
          body: uploadForm(file([['d002', '测试部门2', '执法监管类', '李四']]), 'departments.csv'),
        })
      ).json()) as DepartmentsImported;
      expect(imported.liaisons?.skipped).toEqual([
        {
          username: 'liaison-d002',
          departmentCode: 'd002',
          reason: '这个账号是部门代码 D002 的联络员（与 d002 只差字母大小写，不是同一个部门）',
        },
      ]);
      expect((await services.accounts.liaisonDepartments(user.id)).map((d) => d.campaignId)).not.toContain(later.id);
    } finally {
      await db.close();
    }
  });

  it('an account added by hand under its own username is the liaison of its department in a later campaign’s import, not of another body given its code', async () => {
    const db = await open();
    try {
      const { app, services, campaign } = await resultsSetup(db, { records: false });
      const admin = await loginAs(app, services, 'admin');
      const { user } = await services.accounts.addUser({
        username: 'zhang-san',
        role: 'liaison',
        departmentCode: 'D002',
      });
      const { user: other } = await services.accounts.addUser({
        username: 'li-si',
        role: 'liaison',
        departmentCode: 'D003',
      });
      const later = await createTestCampaign(db, services, { ...nextYear('test-2027', 2027), departments: 0 });
      const response = await app.request('/api/campaigns/test-2027/departments/import', {
        method: 'POST',
        headers: admin.headers(),
        body: uploadForm(
          file([
            ['D002', '测试部门2', '执法监管类', ''],
            ['D003', '市另一机关丙局', '执法监管类', ''],
          ]),
          'departments.csv',
        ),
      });
      expect(response.status).toBe(200);
      const campaignsOf = async (userId: string) =>
        (await services.accounts.liaisonDepartments(userId)).map((d) => [d.campaignId, d.code, d.name]);
      expect(await campaignsOf(user.id)).toEqual([
        [later.id, 'D002', '测试部门2'],
        [campaign.id, 'D002', '测试部门2'],
      ]);
      expect(await campaignsOf(other.id)).toEqual([[campaign.id, 'D003', '测试部门3']]);
    } finally {
      await db.close();
    }
  });
});

const signInUserId = (users: { id: string; username: string }[]) =>
  users.find((u) => u.username === 'liaison-d002')!.id;
