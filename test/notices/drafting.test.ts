import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { dialects } from '../helpers/db.js';
import { resultsSetup } from '../results/helpers.js';
import { noticeTables, office, verifiedNegatives } from './helpers.js';

describe.each(await dialects())('drafting notices on publication on $name', ({ open }) => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  beforeAll(async () => {
    db = await open();
    ctx = await resultsSetup(db);
  });
  afterAll(() => db.close());

  it('refuses to draft before anything is published', async () => {
    await expect(ctx.services.notices.draft('test-2026', office)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('drafts a sheet for each 重点整改 department and each department past the problem-share threshold, quoting the snapshot', async () => {
    const snapshot = await ctx.services.results.publish('test-2026', 'tester');
    const sheets = await ctx.services.notices.sheets('test-2026');
    // D005's two verified negative reports became items when the office verified them (sheet 001);
    // D004 and D005 are singled out for rectification; 10 of D002's 40 evaluators (25% ≥ 20%) named problem 2;
    // D001's problem 4 (2 evaluators) is too small a cell to name
    expect(
      sheets.map((s) => [s.departmentCode, s.serialText, s.items.map((i) => [i.number, i.source, i.kind])]),
    ).toEqual([
      [
        'D005',
        '评议提示〔2026〕第001号',
        [
          ['001-01', 'negative', 3],
          ['001-02', 'negative', 3],
          ['001-03', 'rectification', null],
        ],
      ],
      ['D004', '评议提示〔2026〕第002号', [['002-01', 'rectification', null]]],
      ['D002', '评议提示〔2026〕第003号', [['003-01', 'problem', 2]]],
    ]);
    const d002 = sheets[2];
    expect(d002.basis.snapshot).toMatchObject({
      id: snapshot.id,
      finalScore: 80,
      rank: 1,
      grade: '较好',
      problems: [{ id: 2, label: '不作为、慢作为、办事拖拉', mentions: 10, share: 0.25 }],
    });
    expect(d002.items[0].evidence).toContain('40 名评议代表中有 10 名（25%）');
    const d005 = sheets[0];
    expect(d005.items[2].evidence).toContain('最终得分 29.00 分');
    // two departments in its group: both always among the last three, no "100%" to quote
    expect(d005.items[2].evidence).toContain('本组参评部门不多于 3 个，得分低于 75 分，列为重点整改单位');
    expect(d005.items[2].evidence).not.toContain('概率');
    expect(d005.items.every((i) => i.state === 'draft')).toBe(true);
  });

  it('never duplicates: drafting again and publishing again add nothing; drafts quote the newer snapshot', async () => {
    const before = await noticeTables(db);
    const again = await ctx.services.notices.draft('test-2026', office);
    expect(again).toMatchObject({ sheetsCreated: 0, itemsCreated: 0 });
    expect(again.sheetIds).toHaveLength(3);
    const second = await ctx.services.results.publish('test-2026', 'tester');
    const after = await noticeTables(db);
    expect(after.sheets).toHaveLength(before.sheets.length);
    expect(after.items).toHaveLength(before.items.length);
    expect(after.history).toHaveLength(before.history.length);
    const sheets = await ctx.services.notices.sheets('test-2026');
    expect(sheets.every((s) => s.snapshotId === second.id)).toBe(true);
  });

  it('leaves an issued sheet as it was issued when results are published again', async () => {
    const [first] = await ctx.services.notices.sheets('test-2026');
    const issued = await ctx.services.notices.issueSheet('test-2026', first.id, office);
    await ctx.services.results.publish('test-2026', 'tester');
    const [after] = await ctx.services.notices.sheets('test-2026');
    expect(after.snapshotId).toBe(issued.snapshotId);
    expect(after.items.map((i) => [i.id, i.state, i.evidence])).toEqual(
      issued.items.map((i) => [i.id, i.state, i.evidence]),
    );
  });

  it('drafts once when several transactions draft and register at the same time', async () => {
    const race = await resultsSetup(db, { slug: 'race-2026' });
    await race.services.results.publish('race-2026', 'tester');
    // start from no sheets, as if publication had not drafted yet
    await db.kysely.deleteFrom('notice_sheets').where('campaign_id', '=', race.campaign.id).execute();
    const published = (await race.services.results.latestPublished(race.campaign.id))!;
    const [report] = await verifiedNegatives(db, race.services, race.campaign, 'D005');
    const outcomes = await Promise.all([
      ...[1, 2, 3].map(() =>
        db.kysely.transaction().execute((trx) => race.services.notices.draftFromSnapshot(trx, published, office)),
      ),
      ...[1, 2].map(() =>
        db.kysely.transaction().execute((trx) => race.services.notices.registerVerifiedNegative(trx, report, office)),
      ),
    ]);
    // whichever transaction wins creates D005's sheet, so the drafters' own count is 2 or 3; the sheets are what count
    const drafted = outcomes.slice(0, 3) as { sheetsCreated: number }[];
    expect(drafted.reduce((n, o) => n + o.sheetsCreated, 0)).toBeGreaterThanOrEqual(2);
    const sheets = await race.services.notices.sheets('race-2026');
    expect(sheets.map((s) => s.serialNumber).sort()).toEqual([1, 2, 3]);
    expect(sheets.map((s) => [s.departmentCode, s.items.map((i) => i.source).sort()]).sort()).toEqual([
      ['D002', ['problem']],
      ['D004', ['rectification']],
      ['D005', ['negative', 'rectification']],
    ]);
  });
});
