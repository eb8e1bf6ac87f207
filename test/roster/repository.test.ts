import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe.each(await dialects())('roster imports on $name', ({ open }) => {
  let db: Db;
  let services: ReturnType<typeof createServices>;
  let campaign: Campaign;
  beforeAll(async () => {
    db = await open();
    services = createServices({ db, config: defaultConfig(), clock: fixedClock('2026-10-20T08:00:00Z') });
    campaign = await createTestCampaign(db, services, { departments: 0, state: 'draft' });
  });
  afterAll(() => db.close());

  it('inserts, then leaves unchanged, then updates departments by code', async () => {
    const rows = Array.from({ length: 1200 }, (_, i) => [
      `D${String(i + 1).padStart(4, '0')}`,
      `部门${i + 1}`,
      ['economic', 'enforcement', 'service'][i % 3],
    ]);
    const file = { bytes: bytes(csvOf([['code', 'name', 'group'], ...rows])), filename: 'd.csv' };
    expect(await services.roster.importDepartments(campaign, file, { actor: 't' })).toMatchObject({
      summary: {
        inserted: 1200,
        updated: 0,
        unchanged: 0,
      },
    });
    expect(await services.roster.importDepartments(campaign, file, { actor: 't' })).toMatchObject({
      summary: {
        inserted: 0,
        updated: 0,
        unchanged: 1200,
      },
    });
    rows[5][1] = '改名';
    const changed = { bytes: bytes(csvOf([['code', 'name', 'group'], ...rows])), filename: 'd.csv' };
    expect(await services.roster.importDepartments(campaign, changed, { actor: 't' })).toMatchObject({
      summary: {
        inserted: 0,
        updated: 1,
        unchanged: 1199,
        updatedCodes: ['D0006'],
      },
    });
    expect((await services.campaigns.departments(campaign.id)).length).toBe(1200);
  });

  it('stores and reads back short names (简称), several in order', async () => {
    const file = {
      bytes: bytes(
        csvOf([
          ['code', 'name', 'group', '简称'],
          ['S001', '市自然资源和规划局', 'service', '资规局、规划局'],
        ]),
      ),
      filename: 'd.csv',
    };
    await services.roster.importDepartments(campaign, file, { actor: 't' });
    const stored = (await services.campaigns.departments(campaign.id)).find((d) => d.code === 'S001');
    expect(stored?.shortNames).toEqual(['资规局', '规划局']);
  });

  it('survives two imports of the same new departments at once: one inserts, the other finds them or asks to retry', async () => {
    const file = {
      bytes: bytes(
        csvOf([
          ['code', 'name', 'group'],
          ['X001', '并发一', 'economic'],
          ['X002', '并发二', 'service'],
        ]),
      ),
      filename: 'x.csv',
    };
    const results = await Promise.allSettled([
      services.roster.importDepartments(campaign, file, { actor: 't' }),
      services.roster.importDepartments(campaign, file, { actor: 't' }),
    ]);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    const inserted = results
      .filter((r) => r.status === 'fulfilled')
      .reduce((n, r) => n + (r as PromiseFulfilledResult<{ summary: { inserted: number } }>).value.summary.inserted, 0);
    expect(inserted).toBe(2);
    expect((await services.campaigns.departments(campaign.id)).filter((d) => d.code.startsWith('X'))).toHaveLength(2);
  });

  it('imports evaluators in batches, idempotent by row identity', async () => {
    const rows = Array.from({ length: 1500 }, (_, i) => [
      `代表${i}`,
      `单位${i % 40}`,
      ['project', 'deputies', 'supervisors', 'grassroots', 'public'][i % 5],
    ]);
    const file = { bytes: bytes(csvOf([['name', 'organisation', 'category'], ...rows])), filename: 'e.csv' };
    expect(await services.roster.importEvaluators(campaign, file, { actor: 't' })).toMatchObject({
      inserted: 1500,
      unchanged: 0,
    });
    expect(await services.roster.importEvaluators(campaign, file, { actor: 't' })).toMatchObject({
      inserted: 0,
      unchanged: 1500,
    });
    expect(await services.roster.countEvaluators(campaign.id)).toBe(1500);
  });

  it('writes nothing when a file has an error', async () => {
    const file = {
      bytes: bytes(
        csvOf([
          ['name', 'organisation', 'category'],
          ['新人', '', 'public'],
          ['坏', '', 'nope'],
        ]),
      ),
      filename: 'e.csv',
    };
    await expect(services.roster.importEvaluators(campaign, file, { actor: 't' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ line: 3, field: 'category' }],
    });
    expect(await services.roster.countEvaluators(campaign.id)).toBe(1500);
  });
});
