/**
 * Official scores straight from the database against one bare SQLite
 * `GROUP BY department, category, level` over the same answers, in the same run, then the full
 * result with the campaign's 1,000 bootstrap samples.
 * Run: npx tsx bench/results.bench.ts [evaluators=10000] [departments=100]
 * Prints one JSON object.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { fixedClock } from '../server/clock.js';
import { defaultConfig } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { runSimulation } from '../server/demo/simulate.js';
import { createServices } from '../server/services.js';
import { insertNumberedDepartments } from '../test/helpers/fixtures.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../surveys/campaign-config.js';

const [evaluators = 10_000, departmentCount = 100] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'minping-results-bench-'));
const db = await openDatabase(join(dir, 'bench.db'));
const deps = { db, config: defaultConfig(), clock: fixedClock('2026-12-20T04:00:00Z') };
const services = createServices(deps);

const { raw, dir: configDir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
const campaign = await services.campaigns.create({ raw: { ...(raw as object), slug: 'bench' }, configDir }, 'bench');
await insertNumberedDepartments(db, campaign, departmentCount, '部门');

const t0 = performance.now();
const simulated = await runSimulation(deps, services, 'bench', { evaluators, seed: 7 });
const loadMs = performance.now() - t0;
// the reference's table: the stored ratings one row each, as a normalised schema would hold them
// (minping keeps them only in the records since migration 0038), indexed the way it would be
await sql`create temp table bench_answers as
    select r.id as response_id, json_extract(d.value, '$.code') as department, k.key as item, k.value as level
    from responses r, json_each(r.record_json, '$.departments') d, json_each(d.value, '$.ratings') k
    where r.campaign_id = ${campaign.id}`.execute(db.kysely);
await sql`create index bench_answers_response on bench_answers (response_id)`.execute(db.kysely);
const answers = Number(
  (await sql<{ n: number }>`select count(*) as n from bench_answers`.execute(db.kysely)).rows[0].n,
);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  await fn(); // warm-up: page cache and JIT
  const times: number[] = [];
  for (let k = 0; k < runs; k++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return Math.round(median(times) * 10) / 10;
}

const groupByMs = await timeIt(5, () =>
  sql`select a.department, r.category, a.level, count(*) as n
      from bench_answers a join responses r on r.id = a.response_id
      where r.campaign_id = ${campaign.id}
      group by a.department, r.category, a.level`.execute(db.kysely),
);
// a fresh service per run, so no cached result is reused
const officialMs = await timeIt(5, () => createServices(deps).results.compute('bench', { uncertainty: false }));
const fullMs = await timeIt(1, () => createServices(deps).results.compute('bench', { uncertainty: true }));
const { result } = await createServices(deps).results.compute('bench', { uncertainty: true });

await db.close();
rmSync(dir, { recursive: true, force: true });

console.log(
  JSON.stringify({
    evaluators,
    departments: departmentCount,
    responsesStored: simulated.stored,
    answerRows: answers,
    bootstrapSamples: result.bootstrapSamples,
    simulateAndStoreMs: Math.round(loadMs),
    bareGroupByMs: groupByMs,
    officialScoresFromDbMs: officialMs,
    ratio: Math.round((officialMs / groupByMs) * 100) / 100,
    fullResultFromDbMs: fullMs,
    maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    excluded: result.inputs.excluded,
    flagged: result.inputs.flagged,
  }),
);
