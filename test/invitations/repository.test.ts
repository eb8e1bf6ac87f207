import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { sha256 } from '../../server/shared/ids.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

describe.each(await dialects())('invitations on $name', ({ open }) => {
  let db: Db;
  let services: ReturnType<typeof createServices>;
  let campaign: Campaign;
  beforeAll(async () => {
    db = await open();
    services = createServices({ db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') });
    campaign = await createTestCampaign(db, services);
    const rows = Array.from({ length: 700 }, (_, i) => [
      `代表${i}`,
      `单位${i % 9}`,
      ['project', 'deputies', 'supervisors', 'grassroots', 'public'][i % 5],
    ]);
    await services.roster.importEvaluators(
      campaign,
      { bytes: new TextEncoder().encode(csvOf([['name', 'organisation', 'category'], ...rows])), filename: 'e.csv' },
      { actor: 't' },
    );
  });
  afterAll(() => db.close());

  it('invites every evaluator exactly once, even when two generate calls race', async () => {
    const [a, b] = await Promise.all([
      services.invitations.generate(campaign, { actor: 't' }),
      services.invitations.generate(campaign, { actor: 't' }),
    ]);
    expect(a.length + b.length).toBe(700);
    const stored = await db.kysely.selectFrom('invitations').select(['evaluator_id', 'token_hash']).execute();
    expect(stored).toHaveLength(700);
    expect(new Set(stored.map((s) => s.evaluator_id)).size).toBe(700);
    const hashes = new Set(stored.map((s) => s.token_hash));
    for (const issued of [...a, ...b]) expect(hashes.has(sha256(issued.token))).toBe(true);
    expect(await services.invitations.generate(campaign, { actor: 't' })).toEqual([]);
  });

  it('sums progress counts as numbers', async () => {
    await db.kysely
      .updateTable('invitations')
      .set({ opened_at: '2026-11-23T09:00:00.000Z' })
      .where('category', '=', 'deputies')
      .execute();
    const progress = await services.invitations.progress(campaign);
    expect(progress.totals).toEqual({
      evaluators: 700,
      invited: 700,
      opened: 140,
      draftSaved: 0,
      submitted: 0,
      imported: 0,
    });
    expect(typeof progress.categories[0].opened).toBe('number');
    const [unit] = (await services.invitations.chase(campaign)).organisations;
    // anonymous: per category first (单位0's people of 项目参建单位: every 45th of the 700)
    expect(unit).toEqual({
      organisation: '单位0',
      category: 'project',
      categoryLabel: '项目参建单位/服务对象代表',
      pooled: false,
      units: 1,
      evaluators: 16,
      invited: 16,
      submitted: 0,
      notSubmitted: 16,
    });
  });
});
