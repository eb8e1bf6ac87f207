import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let services: ReturnType<typeof createServices>;
let admin: LoggedIn;
let campaign: Campaign;

beforeAll(async () => {
  db = await sqliteDb();
  const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
  app = createApp(deps);
  services = createServices(deps);
  campaign = await createTestCampaign(db, services);
  const rows = [
    ['name', 'organisation', 'category'],
    ['甲', '单位一', 'project'],
    ['乙', '单位二', 'project'],
    ['丙', '', 'public'],
  ];
  await services.roster.importEvaluators(
    campaign,
    { bytes: new TextEncoder().encode(csvOf(rows)), filename: 'e.csv' },
    { actor: 't' },
  );
  await services.invitations.generate(campaign, { actor: 't' });
  await db.kysely
    .updateTable('invitations')
    .set({ opened_at: '2026-11-23T07:00:00.000Z' })
    .where('category', '=', 'project')
    .execute();
  admin = await loginAs(app, services, 'admin');
});
afterAll(() => db.close());

describe('office pages', () => {
  it('send a visitor without a session to the login page and back', async () => {
    const res = await app.request('/admin');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fadmin');
    const deep = await app.request(`/admin/campaigns/${campaign.slug}`);
    expect(deep.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/admin/campaigns/${campaign.slug}`)}`);
  });

  it('are closed to analysts and liaisons', async () => {
    const analyst = await loginAs(app, services, 'analyst');
    const res = await app.request('/admin', { headers: { cookie: analyst.cookie } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('没有权限');
  });

  it('list the campaigns with a create form, the session CSRF token and no inline script', async () => {
    const res = await app.request('/admin', { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(campaign.name);
    expect(body).toContain(`href="/admin/campaigns/${campaign.slug}"`);
    expect(body).toContain('id="create-campaign"');
    expect(body).toContain(`data-csrf="${admin.csrfToken}"`);
    expect(body).toMatch(/<script type="module" src="\/assets\/admin-[^"]+\.js"><\/script>/);
    expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('show a campaign with import forms, invitation generation and progress counts', async () => {
    const res = await app.request(`/admin/campaigns/${campaign.slug}`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain(`data-endpoint="/api/campaigns/${campaign.slug}/departments/import"`);
    expect(body).toContain(`data-endpoint="/api/campaigns/${campaign.slug}/evaluators/import"`);
    expect(body).toContain(`data-endpoint="/api/campaigns/${campaign.slug}/invitations"`);
    expect(body).toContain('value="letters"');
    const projectRow = /<tr data-category="project">([\s\S]*?)<\/tr>/.exec(body)![1];
    expect(
      projectRow
        // each cell's own head is there for a phone's card, not a figure
        .replace(/<span class="cell-head">[^<]*<\/span>/g, '')
        .replace(/<[^>]+>/g, ' ')
        .trim()
        .split(/\s+/),
    ).toEqual(['项目参建单位/服务对象代表', '2', '2', '2', '0', '0', '0.0%']);
    // imported responses on a line of their own, never in the rate
    expect(body).toContain('导入答卷（纸质录入或其他系统收集，不对应邀请，不计入提交率）：0 份');
    expect(body).toContain(`href="/admin/campaigns/${campaign.slug}/progress"`);
    expect(body).toContain('6 个');
  });

  it('answer 404 for an unknown campaign', async () => {
    const res = await app.request('/admin/campaigns/nope', { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(404);
  });
});
