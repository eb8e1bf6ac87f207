/** The letter names the part an evaluator is invited in once: never “服务对象代表”代表. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf, uploadForm } from '../helpers/sheets.js';

describe('invitation letters', () => {
  let db: Db;
  let html: string;

  beforeAll(async () => {
    db = await sqliteDb();
    const deps = {
      db,
      config: defaultConfig({ publicUrl: 'https://pj.example.gov.cn' }),
      clock: fixedClock('2026-11-23T08:00:00Z'),
    };
    const app = createApp(deps);
    const services = createServices(deps);
    const campaign = await createTestCampaign(db, services);
    const admin = await loginAs(app, services, 'admin');
    const roster = csvOf([
      ['姓名', '单位/项目', '类别'],
      ['李娜', '某项目部', 'project'],
      ['刘芳', '', 'deputies'],
      ['赵强', '', 'supervisors'],
      ['陈明', '', 'public'],
    ]);
    const imported = await app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(roster, 'roster.csv'),
    });
    expect(imported.status).toBe(200);
    const letters = await app.request(`/api/campaigns/${campaign.slug}/invitations?format=letters`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(letters.status).toBe(200);
    html = await letters.text();
  });
  afterAll(() => db?.close());

  it('add 代表 only to a category label that does not already name a person', () => {
    expect(html).toContain('诚挚邀请您作为“项目参建单位/服务对象代表”参加');
    expect(html).toContain('诚挚邀请您作为“两代表一委员”参加');
    expect(html).toContain('诚挚邀请您作为“特邀监督员”参加');
    expect(html).toContain('诚挚邀请您作为“社会公众”代表参加');
    expect(html).not.toMatch(/代表”代表/);
  });
});
