import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { resultsRepository } from '../../server/results/repository.js';
import { dialects } from '../helpers/db.js';
import { record, resultsSetup, storeRecords } from './helpers.js';

describe.each(await dialects())('results repository on $name', ({ open }) => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  beforeAll(async () => {
    db = await open();
    ctx = await resultsSetup(db, { records: false });
    // another campaign's responses must never be read
    const other = await resultsSetup(db, { slug: 'other-2026', records: false });
    await storeRecords(other.services, other.campaign, [
      record('project', [{ code: 'D001', efficiency: 'dissatisfied', quality: 'dissatisfied' }]),
    ]);
  });
  afterAll(() => db.close());

  it('refuses to publish a campaign without responses', async () => {
    await expect(ctx.services.results.publish('test-2026', 'tester')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await ctx.services.results.snapshots('test-2026')).toEqual([]);
  });

  it('reads every answer, problem and negative report into scoring records, verified ones marked', async () => {
    await storeRecords(
      ctx.services,
      ctx.campaign,
      [
        record('project', [
          {
            code: 'D003',
            efficiency: 'satisfied',
            quality: 'unknown',
            problems: [2, 7],
            negatives: [
              { kind: 3, description: '超时一' },
              { kind: 5, description: '刁难一' },
            ],
          },
          { code: 'D001', efficiency: 'fairly_satisfied', quality: 'basically_satisfied' },
        ]),
        record('public', [{ code: 'D002', efficiency: 'dissatisfied', quality: 'dissatisfied', problems: [1] }], null),
      ],
      ['超时一'],
    );
    const { departments, responses } = await resultsRepository(db.kysely).loadInputs(
      ctx.campaign.id,
      await ctx.services.negatives.scoringEntries(ctx.campaign.id),
    );
    expect(departments).toHaveLength(6);
    expect(departments[0]).toEqual({ code: 'D001', name: '测试部门1', group: 'economic' });
    expect(responses).toHaveLength(2);
    const project = responses.find((r) => r.category === 'project')!;
    expect(project).toMatchObject({ durationSeconds: 600, submittedAt: '2027-01-05' });
    expect(project.departments).toEqual([
      {
        code: 'D001',
        ratings: { efficiency: 'fairly_satisfied', quality: 'basically_satisfied' },
        problems: [],
        negatives: [],
      },
      {
        code: 'D003',
        ratings: { efficiency: 'satisfied', quality: 'unknown' },
        problems: [2, 7],
        negatives: expect.arrayContaining([
          { kind: 3, verified: true },
          { kind: 5, verified: false },
        ]),
      },
    ]);
    const pub = responses.find((r) => r.category === 'public')!;
    expect(pub.durationSeconds).toBeNull();
    expect(pub.departments).toEqual([
      { code: 'D002', ratings: { efficiency: 'dissatisfied', quality: 'dissatisfied' }, problems: [1], negatives: [] },
    ]);
  });

  it('reads thousands of responses across pages without losing or mixing any', async () => {
    const many = Array.from({ length: 3000 }, (_, i) =>
      record(i % 2 ? 'project' : 'deputies', [
        {
          code: 'D004',
          efficiency: i % 3 ? 'satisfied' : 'dissatisfied',
          quality: 'satisfied',
          problems: i % 7 === 0 ? [3] : [],
        },
        { code: 'D005', efficiency: 'basically_satisfied', quality: i % 5 ? 'fairly_satisfied' : 'unknown' },
      ]),
    );
    await storeRecords(ctx.services, ctx.campaign, many);
    const { responses } = await resultsRepository(db.kysely).loadInputs(
      ctx.campaign.id,
      await ctx.services.negatives.scoringEntries(ctx.campaign.id),
    );
    expect(responses).toHaveLength(3002);
    const bulk = responses.filter((r) => r.departments.some((d) => d.code === 'D004'));
    expect(bulk).toHaveLength(3000);
    expect(
      bulk.every(
        (r) =>
          r.departments.length === 2 &&
          r.departments[0].code === 'D004' &&
          Object.keys(r.departments[1].ratings).length === 2,
      ),
    ).toBe(true);
    expect(bulk.filter((r) => r.departments[0].ratings.efficiency === 'dissatisfied')).toHaveLength(1000);
    expect(bulk.filter((r) => r.departments[0].problems.includes(3))).toHaveLength(429);
    expect(bulk.filter((r) => r.departments[1].ratings.quality === 'unknown')).toHaveLength(600);
  });

  it('scores the same on this dialect as the records say', async () => {
    const { result } = await ctx.services.results.compute('test-2026', { uncertainty: false });
    const d004 = result.departments.find((d) => d.code === 'D004')!;
    // efficiency: project 1000 satisfied + 500 dissatisfied over 1500 → 66.67; deputies alike → 66.67; quality 100
    expect(d004.items.efficiency.score).toBeCloseTo(66.67, 2);
    expect(d004.items.quality.score).toBe(100);
    expect(d004.validRaters).toBe(3000);
  });

  it('inserts snapshots and lists them newest first; published rows are never rewritten', async () => {
    const a = await ctx.services.results.publish('test-2026', 'tester');
    const b = await ctx.services.results.publish('test-2026', 'tester');
    const list = await ctx.services.results.snapshots('test-2026');
    expect(list.map((s) => s.id)).toEqual([b.id, a.id]);
    expect(list[0].counts).toEqual({ responses: 3002, included: 3002, excluded: 0, flagged: expect.any(Number) });
    const repo = resultsRepository(db.kysely);
    expect(Object.keys(repo).filter((k) => /update|delete/i.test(k))).toEqual([]);
    const latest = await repo.latestSnapshots();
    expect(latest.map((r) => r.id)).toEqual([b.id]);
  });
});
