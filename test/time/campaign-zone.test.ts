import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { methodFromConfig } from '../../server/results/method.js';
import { loginAs } from '../helpers/auth.js';
import { dialects, sqliteDb } from '../helpers/db.js';
import { insertEvaluators } from '../helpers/fixtures.js';
import { downloadNames, xlsxSheets } from '../helpers/sheets.js';
import { knownRecords, resultsSetup } from '../results/helpers.js';
import { createInvitation, webAnswers } from '../evaluator/helpers.js';

/** Rewrite a campaign's stored config text, as an older version (or a later setting) would have stored it. */
async function storeConfig(db: Db, campaign: Campaign, edit: (config: Record<string, unknown>) => void) {
  const row = await db.kysely
    .selectFrom('campaigns')
    .select('config_json')
    .where('id', '=', campaign.id)
    .executeTakeFirstOrThrow();
  const config = JSON.parse(row.config_json) as Record<string, unknown>;
  edit(config);
  await db.kysely
    .updateTable('campaigns')
    .set({ config_json: JSON.stringify(config) })
    .where('id', '=', campaign.id)
    .execute();
}

describe.each(await dialects())('campaign time zone on $name', ({ open }) => {
  let db: Db;
  afterEach(async () => db?.close());

  it('reads a config stored before campaigns had a time zone as Asia/Shanghai', async () => {
    db = await open();
    const { services, campaign } = await resultsSetup(db, { records: false });
    await storeConfig(db, campaign, (c) => delete c.timeZone);
    expect((await services.campaigns.getBySlug(campaign.slug)).config.timeZone).toBe('Asia/Shanghai');
  });

  it('recomputes a snapshot published before the time zone field to the same method, inputs hash and figures', async () => {
    db = await open();
    const { services, campaign } = await resultsSetup(db);
    await storeConfig(db, campaign, (c) => delete c.timeZone);
    const published = await services.results.publish(campaign.slug, 'chief');
    const before = await services.results.storedSnapshot(published.id);

    // the campaign now reads with a time zone (here even a different one): nothing computed may move
    await storeConfig(db, campaign, (c) => (c.timeZone = 'America/New_York'));
    const { result } = await services.results.compute(campaign.slug);
    expect(result.inputs.hash).toBe(before.inputs_hash);
    expect(JSON.stringify(result.method)).toBe(before.method_json);
    expect(JSON.parse(JSON.stringify(result))).toEqual(JSON.parse(before.result_json).result);

    const view = await services.results.snapshot(published.id);
    expect(view.campaign.timeZone).toBe('America/New_York');
    expect(await services.results.storedSnapshot(published.id)).toEqual(before);
  });
});

describe('campaign time zone', () => {
  let db: Db;
  afterEach(async () => db?.close());

  it('leaves the time zone out of the scoring method', async () => {
    db = await sqliteDb();
    const { campaign } = await resultsSetup(db, { records: false });
    expect(methodFromConfig({ ...campaign.config, timeZone: 'Europe/Berlin' })).toEqual(
      methodFromConfig(campaign.config),
    );
  });

  it('counts a submission on its day in the campaign time zone', async () => {
    db = await sqliteDb();
    const { app, services, clock, campaign } = await resultsSetup(db, { records: false });
    const newYork = await resultsSetup(db, { slug: 'new-york-2026', records: false, timeZone: 'America/New_York' });

    // 01:30 on the 24th in Shanghai is 12:30 on the 23rd in New York
    clock.set('2026-11-23T17:30:00Z');
    newYork.clock.set('2026-11-23T17:30:00Z');
    const { token } = await createInvitation(db, campaign);
    const res = await app.request(`/api/s/${token}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
    });
    expect(res.status).toBe(201);
    expect(((await res.json()) as { submittedDay: string }).submittedDay).toBe('2026-11-24');
    await newYork.services.responses.storeMany(newYork.campaign, knownRecords().records.slice(0, 1), {
      source: 'web',
    });

    const progress = (c: Campaign) => services.invitations.progress(c);
    expect((await progress(campaign)).perDay.map((d) => d.day)).toEqual(['2026-11-24']);
    expect((await progress(newYork.campaign)).perDay.map((d) => d.day)).toEqual(['2026-11-23']);
    expect((await progress(newYork.campaign)).campaign.timeZone).toBe('America/New_York');
  });

  it.each([
    ['test-2026', 'Asia/Shanghai', '2027-01-05', '发布时间（北京时间）', '2027-01-05 11:00'],
    ['ny-2026', 'America/New_York', '2027-01-04', '发布时间（时区 America/New_York）', '2027-01-04 22:00'],
    ['urumqi-2026', 'Asia/Urumqi', '2027-01-05', '发布时间（乌鲁木齐时间）', '2027-01-05 09:00'],
  ])('names and dates a results export of %s in its time zone (%s)', async (slug, timeZone, day, label, shown) => {
    db = await sqliteDb();
    const { app, services, campaign, clock } = await resultsSetup(db, { slug, timeZone });
    clock.set('2027-01-05T03:00:00Z');
    const snapshot = await services.results.publish(campaign.slug, 'chief');
    const analyst = await loginAs(app, services, 'analyst');
    const res = await app.request(`/api/snapshots/${snapshot.id}/export.xlsx`, { headers: analyst.headers() });
    expect(res.status).toBe(200);
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain(`${slug}-${day}-结果.xlsx`);
    const method = (await xlsxSheets(await res.arrayBuffer())).find((s) => s.name === '计分方法')!;
    expect(method.rows).toContainEqual([label, shown]);
  });

  it('stamps an invitation list with the time in the campaign time zone', async () => {
    db = await sqliteDb();
    const { app, services, campaign, clock } = await resultsSetup(db, {
      slug: 'ny-2026',
      records: false,
      timeZone: 'America/New_York',
    });
    await insertEvaluators(db, campaign, 1);
    clock.set('2026-11-24T03:05:00Z');
    const admin = await loginAs(app, services, 'admin');
    const res = await app.request(`/api/campaigns/${campaign.slug}/invitations?format=csv`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(200);
    expect(downloadNames(res)).toEqual({
      name: `${campaign.name}-邀请链接-20261123-2205.csv`,
      ascii: 'ny-2026-invitation-links-20261123-2205.csv',
    });
  });
});
