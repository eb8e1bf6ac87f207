/**
 * After publication the result stands on the campaign's answers: no more are imported, and the page
 * offers no form for them. Departments keep taking liaisons and short names (names, groups and new
 * departments are refused from the opening on): those feed no published figure. Once settled the
 * campaign is read-only: no department import at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign, setState } from '../helpers/fixtures.js';
import { csvOf, uploadForm } from '../helpers/sheets.js';

const DEPARTMENTS = csvOf([
  ['部门代码', '部门名称', '部门分组', '联络员'],
  ['D001', '市发展和改革委员会', 'economic', '张三'],
]);
const NEW_DEPARTMENT = csvOf([
  ['部门代码', '部门名称', '部门分组', '联络员'],
  ['D999', '市新设局', 'economic', ''],
]);

let db: Db;
let app: ReturnType<typeof createApp>;
let admin: LoggedIn;
let campaign: Campaign;

beforeAll(async () => {
  db = await sqliteDb();
  const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
  const services = createServices(deps);
  app = createApp(deps, services);
  campaign = await createTestCampaign(db, services, { slug: 'published-2026', state: 'draft' });
  admin = await loginAs(app, services, 'admin');
});
afterAll(() => db.close());

const importDepartments = (file = DEPARTMENTS) =>
  app.request(`/api/campaigns/${campaign.slug}/departments/import`, {
    method: 'POST',
    headers: admin.headers(),
    body: uploadForm(file, '部门.csv'),
  });
const page = async () =>
  (await app.request(`/admin/campaigns/${campaign.slug}`, { headers: { cookie: admin.cookie } })).text();

describe('a campaign', () => {
  it('takes a department import before publication and offers both import forms', async () => {
    expect((await importDepartments()).status).toBe(200);
    const html = await page();
    expect(html).toContain('/departments/import');
    expect(html).toContain('/responses/import');
  });

  it('once published, offers no answers import but says why, and refuses a new department with a 409 in Chinese', async () => {
    campaign = await setState(db, campaign, 'published');
    const refused = await importDepartments(NEW_DEPARTMENT);
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorBody).error.message).toContain('不能新增部门 D999');
    expect((await importDepartments()).status).toBe(200);
    const html = await page();
    expect(html).toContain('data-endpoint="/api/campaigns/published-2026/departments/import"');
    expect(html).not.toContain('data-endpoint="/api/campaigns/published-2026/responses/import"');
    expect(html).toContain('结果已经发布，不能再导入答卷。');
  });

  it('once settled, offers neither import, says why, and refuses even the same departments with a 409 in Chinese', async () => {
    campaign = await setState(db, campaign, 'settled');
    const refused = await importDepartments();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorBody).error.message).toBe(
      '不能导入部门：已结算的评议只能查看（本次没有导入任何数据）',
    );
    const html = await page();
    expect(html).not.toContain('data-endpoint="/api/campaigns/published-2026/departments/import"');
    expect(html).toContain('已结算的评议只能查看，不能再导入部门。');
    expect(html).not.toContain('data-endpoint="/api/campaigns/published-2026/responses/import"');
  });
});
