import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { EvaluatorSearch } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

describe.each(await dialects())('the office searching its roster on $name', ({ open }) => {
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let admin: LoggedIn;
  let campaign: Campaign;
  beforeAll(async () => {
    db = await open();
    const deps = { db, config: defaultConfig(), clock: fixedClock('2026-10-20T08:00:00Z') };
    app = createApp(deps);
    const services = createServices(deps);
    campaign = await createTestCampaign(db, services);
    admin = await loginAs(app, services, 'admin');
    const rows = [
      ['王建国', '轨道交通3号线项目部', 'project'],
      ['刘芳', '市人大代表', 'deputies'],
      ['陈明', '占股10%的公司', 'public'],
      ['李_四', '', 'public'],
      ['赵\\五', '', 'public'],
    ];
    const file = { bytes: new TextEncoder().encode(csvOf([['name', 'organisation', 'category'], ...rows])) };
    await services.roster.importEvaluators(campaign, { ...file, filename: 'e.csv' }, { actor: 't' });
  });
  afterAll(() => db.close());

  const search = async (q: string) => {
    const res = await app.request(`/api/campaigns/${campaign.slug}/evaluators?q=${encodeURIComponent(q)}`, {
      headers: admin.headers(),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as EvaluatorSearch;
    return { total: body.total, matching: body.matching, names: body.evaluators.map((e) => e.name) };
  };

  it('finds % _ and \\ as typed, not as wildcards matching everyone', async () => {
    expect(await search('%')).toEqual({ total: 5, matching: 1, names: ['陈明'] });
    expect(await search('_')).toEqual({ total: 5, matching: 1, names: ['李_四'] });
    expect(await search('\\')).toEqual({ total: 5, matching: 1, names: ['赵\\五'] });
    expect(await search('10%的')).toMatchObject({ matching: 1, names: ['陈明'] });
  });

  it('counts what the search finds beside the whole roster, past the page it lists', async () => {
    expect(await search('市')).toEqual({ total: 5, matching: 1, names: ['刘芳'] });
    expect(await search('不存在')).toEqual({ total: 5, matching: 0, names: [] });
    expect(await search('  ')).toMatchObject({ total: 5, matching: 5 });
    const page = await app.request(`/api/campaigns/${campaign.slug}/evaluators?limit=2`, { headers: admin.headers() });
    const body = (await page.json()) as EvaluatorSearch;
    expect([body.total, body.matching, body.evaluators.length]).toEqual([5, 5, 2]);
  });
});
