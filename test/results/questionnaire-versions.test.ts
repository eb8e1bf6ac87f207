/**
 * The questionnaire version each response answered is stored with it and shown in the exports:
 * per response in the raw data, and counted per version in the results (the API's view and the
 * method sheet of the live and the published export), a published snapshot keeping its counts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignsRepository } from '../../server/campaigns/repository.js';
import type { ResultView } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { dialects } from '../helpers/db.js';
import { xlsxSheets } from '../helpers/sheets.js';
import { knownRecords, record, resultsSetup, storeRecords } from './helpers.js';

describe.each(await dialects())('the questionnaire versions answered, on $name', ({ open }) => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  let admin: LoggedIn;

  beforeAll(async () => {
    db = await open();
    // 45 responses on version 1, then a second version (the data model keeps every version) answered by 2
    ctx = await resultsSetup(db);
    const { definition } = await ctx.services.campaigns.questionnaire(ctx.campaign.id);
    await campaignsRepository(db.kysely).insertQuestionnaire(
      ctx.campaign.id,
      { version: 2, definition },
      '2026-11-15T00:00:00.000Z',
    );
    await storeRecords(ctx.services, ctx.campaign, [
      record('public', [{ code: 'D006', efficiency: 'satisfied', quality: 'satisfied' }]),
      record('public', [{ code: 'D006', efficiency: 'basically_satisfied', quality: 'satisfied' }]),
    ]);
    admin = await loginAs(ctx.app, ctx.services, 'admin');
  });
  afterAll(() => db.close());

  const get = (path: string) => ctx.app.request(path, { headers: admin.headers() });
  const methodSheet = async (path: string) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    const sheet = (await xlsxSheets(await res.arrayBuffer())).find((s) => s.name === '计分方法')!;
    return new Map(sheet.rows.map(([key, value]) => [key, value]));
  };
  const COUNTS = [
    { version: 1, responses: knownRecords().records.length },
    { version: 2, responses: 2 },
  ];

  it('stores each response with the version it answered, and the raw data shows it per response', async () => {
    const versions = await db.kysely
      .selectFrom('responses')
      .select((eb) => ['questionnaire_version', eb.fn.countAll().as('n')])
      .where('campaign_id', '=', ctx.campaign.id)
      .groupBy('questionnaire_version')
      .orderBy('questionnaire_version')
      .execute();
    expect(versions.map((v) => [Number(v.questionnaire_version), Number(v.n)])).toEqual([
      [1, 45],
      [2, 2],
    ]);
    const res = await get('/api/campaigns/test-2026/responses/export.xlsx');
    expect(res.status).toBe(200);
    const [responses] = await xlsxSheets(await res.arrayBuffer());
    expect(responses.rows[0][1]).toBe('问卷版本');
    const column = responses.rows.slice(1).map((row) => row[1]);
    expect(column.filter((v) => v === '1')).toHaveLength(45);
    expect(column.filter((v) => v === '2')).toHaveLength(2);
  });

  it('counts the versions in the live results and in their export', async () => {
    const res = await get('/api/campaigns/test-2026/results');
    expect(((await res.json()) as ResultView).questionnaireVersions).toEqual(COUNTS);
    const params = await methodSheet('/api/campaigns/test-2026/results/export.xlsx');
    expect(params.get('问卷版本（答卷数）')).toBe('第 1 版 45 份；第 2 版 2 份');
    expect(params.get('答卷总数')).toBe('47');
  });

  it('keeps the counts with a published snapshot, and says when an older snapshot did not record them', async () => {
    const { id } = await ctx.services.results.publish('test-2026', 'test');
    // a response arriving after publication changes the live counts, never the snapshot's
    await storeRecords(ctx.services, ctx.campaign, [
      record('public', [{ code: 'D006', efficiency: 'satisfied', quality: 'dissatisfied' }]),
    ]);
    const snapshot = (await (await get(`/api/snapshots/${id}`)).json()) as ResultView;
    expect(snapshot.questionnaireVersions).toEqual(COUNTS);
    expect((await methodSheet(`/api/snapshots/${id}/export.xlsx`)).get('问卷版本（答卷数）')).toBe(
      '第 1 版 45 份；第 2 版 2 份',
    );

    // a snapshot published before the counts were kept (its stored result without them)
    const row = await db.kysely
      .selectFrom('snapshots')
      .select('result_json')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const { questionnaireVersions: _, ...older } = JSON.parse(row.result_json);
    await db.kysely
      .updateTable('snapshots')
      .set({ result_json: JSON.stringify(older) })
      .where('id', '=', id)
      .execute();
    const view = (await (await get(`/api/snapshots/${id}`)).json()) as ResultView;
    expect('questionnaireVersions' in view).toBe(false);
    expect((await methodSheet(`/api/snapshots/${id}/export.xlsx`)).get('问卷版本（答卷数）')).toBe('（发布时未记录）');
  });
});
