import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { bundleOf, csvOf } from '../helpers/sheets.js';

const db = await sqliteDb();
afterAll(() => db.close());

describe('the order of the invitation files', () => {
  it('lists the .xlsx, the .csv and the letters alike, by unit then name in pinyin order, those without a unit last', async () => {
    const deps = {
      db,
      config: defaultConfig({ publicUrl: 'https://pj.example.gov.cn' }),
      clock: fixedClock('2026-11-23T08:00:00Z'),
    };
    const services = createServices(deps);
    const app = createApp(deps, services);
    const campaign = await createTestCampaign(db, services);
    // the roster's own order is neither: the files follow how letters are handed out
    const roster = csvOf([
      ['姓名', '单位/项目', '类别'],
      ['王建国', '项目部', 'project'],
      ['陈静', '', 'deputies'],
      ['吴永强', '财政局', 'project'],
      ['刘芳', '人大', 'deputies'],
      ['阿明', '财政局', 'deputies'],
    ]);
    await services.roster.importEvaluators(
      campaign,
      { bytes: new TextEncoder().encode(roster), filename: 'r.csv' },
      { actor: 'test' },
    );
    const admin = await loginAs(app, services, 'admin');
    const res = await app.request(`/api/campaigns/${campaign.slug}/invitations?format=bundle`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(200);
    const bundle = await bundleOf(await res.arrayBuffer());
    expect(bundle.rows.slice(1).map((r) => r[0])).toEqual(['阿明', '吴永强', '刘芳', '王建国', '陈静']);
    expect(bundle.links.csv).toEqual(bundle.links.xlsx);
    expect(bundle.links.letters).toEqual(bundle.links.xlsx);
  });
});
