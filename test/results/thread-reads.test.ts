import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOfficialScores } from '../../scoring/index.js';
import type { Db } from '../../server/db/connect.js';
import { runSimulation } from '../../server/demo/simulate.js';
import { methodFromConfig } from '../../server/results/method.js';
import { resultsRepository } from '../../server/results/repository.js';
import { createServices } from '../../server/services.js';
import { postgresAvailable, postgresDb, sqliteFileDb } from '../helpers/db.js';
import { record, resultsSetup, storeRecords } from './helpers.js';

/** The same database without a read source: its rows are read here and copied to the scoring thread. */
function copying(db: Db): Db {
  const { reads: _, ...rest } = db;
  return rest;
}

const cases = [{ name: 'a SQLite file', open: sqliteFileDb }];
if (await postgresAvailable()) cases.push({ name: 'PostgreSQL', open: postgresDb });

describe.each(cases)('the scoring thread reading $name itself', ({ open }) => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  beforeAll(async () => {
    db = await open();
    ctx = await resultsSetup(db);
    // network keys, submission days, durations, problems and negatives of every kind
    await runSimulation(ctx.deps, ctx.services, ctx.campaign.slug, { evaluators: 400, seed: 5 });
  });
  afterAll(() => db.close());

  it('has a read source, so the server thread does not read the responses', () => {
    expect(db.reads).toBeDefined();
  });

  it('gives the result, inputs hash included, equal to the byte to the rows copied from this thread', async () => {
    const read = await ctx.services.results.compute(ctx.campaign.slug);
    const copied = await createServices({ ...ctx.deps, db: copying(db) }).results.compute(ctx.campaign.slug);
    expect(read.result.inputs.responses).toBeGreaterThan(400);
    expect(read.result.inputs.hash).toBe(copied.result.inputs.hash);
    expect(JSON.stringify(read.result)).toBe(JSON.stringify(copied.result));
    expect(read.questionnaireVersions).toEqual(copied.questionnaireVersions);
    expect(read.questionnaireVersions.reduce((n, v) => n + v.responses, 0)).toBe(read.result.inputs.responses);
  });

  it('gives the official scores equal to the byte to the in-process computation over the same rows', async () => {
    // fresh services: the ones above hold the full result of these inputs, which the point figures reuse
    const { result } = await createServices(ctx.deps).results.compute(ctx.campaign.slug, { uncertainty: false });
    const copied = await createServices({ ...ctx.deps, db: copying(db) }).results.compute(ctx.campaign.slug, {
      uncertainty: false,
    });
    const inputs = await resultsRepository(db.kysely).loadInputs(
      ctx.campaign.id,
      await ctx.services.negatives.scoringEntries(ctx.campaign.id),
    );
    const inProcess = computeOfficialScores(
      methodFromConfig(ctx.campaign.config),
      inputs.departments,
      inputs.responses,
    );
    expect(JSON.stringify(result)).toBe(JSON.stringify(copied.result));
    expect(JSON.stringify(result)).toBe(JSON.stringify(inProcess));
  });

  it('sees a response as soon as it is committed', async () => {
    const before = await ctx.services.results.compute(ctx.campaign.slug, { uncertainty: false });
    await storeRecords(ctx.services, ctx.campaign, [
      record('project', [{ code: 'D001', efficiency: 'dissatisfied', quality: 'dissatisfied' }]),
    ]);
    const after = await ctx.services.results.compute(ctx.campaign.slug, { uncertainty: false });
    expect(after.result.inputs.responses).toBe(before.result.inputs.responses + 1);
  });

  it('inside one transaction, scores what the transaction wrote (not committed yet, so copied over)', async () => {
    const { responses } = (await ctx.services.results.compute(ctx.campaign.slug, { uncertainty: false })).result.inputs;
    const seen = await db
      .inOneTransaction(async (single) => {
        expect(single.reads).toBeUndefined();
        const services = createServices({ ...ctx.deps, db: single });
        await storeRecords(services, ctx.campaign, [
          record('public', [{ code: 'D002', efficiency: 'satisfied', quality: 'satisfied' }]),
        ]);
        const { result } = await services.results.compute(ctx.campaign.slug, { uncertainty: false });
        throw Object.assign(new Error('roll back'), { seen: result.inputs.responses });
      })
      .catch((error: { seen: number }) => error.seen);
    expect(seen).toBe(responses + 1);
  });
});
