/**
 * The office's long lists (the chasing list, the links) of more rows than a sheet built in place: made
 * in the workbook thread (server/shared/table-workbook.ts), each row there. That the server keeps
 * answering meanwhile is measured by hand, not asserted: 40,000 rows blocked /healthz ~8 s in place.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf, uploadForm, xlsxRows } from '../helpers/sheets.js';

const PEOPLE = 2_100;
const dbs: Db[] = [];
afterAll(() => Promise.all(dbs.map((db) => db.close())));

async function namedCampaignOfThousands() {
  const db = await sqliteDb();
  dbs.push(db);
  const deps = {
    db,
    config: defaultConfig({ publicUrl: 'https://pj.example.gov.cn' }),
    clock: fixedClock('2026-11-23T08:00:00Z'),
  };
  const app = createApp(deps);
  const services = createServices(deps);
  const campaign = await createTestCampaign(db, services, { overrides: { mode: 'named' } });
  const admin = await loginAs(app, services, 'admin');
  const roster = Array.from({ length: PEOPLE }, (_, i) => [`评议人${i}`, `单位${i % 97}`, 'project', '']);
  const imported = await app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
    method: 'POST',
    headers: admin.headers(),
    body: uploadForm(csvOf([['姓名', '单位/项目', '类别', '电话'], ...roster]), 'roster.csv'),
  });
  expect(imported.status).toBe(200);
  return { app, campaign, admin };
}

describe('lists of thousands of evaluators', () => {
  it('gives the chasing list of 2,100 as an .xlsx holding every one', async () => {
    const { app, campaign, admin } = await namedCampaignOfThousands();
    const res = await app.request(`/api/campaigns/${campaign.slug}/chase?format=xlsx`, { headers: admin.headers() });
    expect(res.status).toBe(200);
    const rows = await xlsxRows(new Uint8Array(await res.arrayBuffer()));
    expect(rows.length).toBe(PEOPLE + 1);
    expect(rows[0]).toEqual(['单位/项目', '姓名', '类别', '电话', '邮箱', '进度']);
  }, 120_000);

  it('gives 2,100 new links as an .xlsx, each a link to its own address', async () => {
    const { app, campaign, admin } = await namedCampaignOfThousands();
    const res = await app.request(`/api/campaigns/${campaign.slug}/invitations?format=xlsx`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(200);
    const rows = await xlsxRows(new Uint8Array(await res.arrayBuffer()));
    expect(rows.length).toBe(PEOPLE + 1);
    expect(new Set(rows.slice(1).map((r) => r[5])).size).toBe(PEOPLE);
    expect(rows[1][5]).toMatch(/^https:\/\/pj\.example\.gov\.cn\/s\//);
  }, 120_000);
});
