/**
 * Does a publish stall other requests? 10,000 simulated responses over 100 departments on SQLite;
 * a poller GETs /healthz every 50 ms over HTTP from the same process while the office publishes
 * (results computed in the scoring worker threads), and, for comparison, while the same full
 * result is computed on the server's own thread (what publishing did before). The figure is the
 * longest time between two /healthz answers.
 * Run: npx tsx bench/publish-stall.bench.ts [evaluators=10000] [departments=100]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { computeResults } from '../scoring/index.js';
import { createApp } from '../server/app.js';
import { systemClock } from '../server/clock.js';
import { defaultConfig } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { runSimulation } from '../server/demo/simulate.js';
import { methodFromConfig } from '../server/results/method.js';
import { resultsRepository } from '../server/results/repository.js';
import { createServices } from '../server/services.js';
import { insertNumberedDepartments, setState } from '../test/helpers/fixtures.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../surveys/campaign-config.js';

const [evaluators = 10_000, departmentCount = 100] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'minping-stall-bench-'));
const db = await openDatabase(join(dir, 'bench.db'));
const deps = { db, config: defaultConfig(), clock: systemClock };
const services = createServices(deps);

const { raw, dir: configDir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
const campaign = await services.campaigns.create({ raw: { ...(raw as object), slug: 'bench' }, configDir }, 'bench');
await insertNumberedDepartments(db, campaign, departmentCount, '部门');
const simulated = await runSimulation(deps, services, 'bench', { evaluators, seed: 7 });

const server = serve({ fetch: createApp(deps, services).fetch, port: 0, hostname: '127.0.0.1' });
await new Promise((resolve) => server.once('listening', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;

/** Poll /healthz every 50 ms while `work` runs; the longest wait between two answers. */
async function pollDuring(work: () => Promise<unknown>) {
  const answers: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const asked = performance.now();
      try {
        const response = await fetch(url);
        await response.arrayBuffer();
        answers.push(performance.now());
      } catch {
        // a keep-alive socket the server closed as the request went out (after a long block):
        // ask again at once; the gap runs on until an answer comes
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, 50 - (performance.now() - asked))));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const started = performance.now();
  await work();
  const workMs = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 300));
  polling = false;
  await poller;
  const gaps = answers.slice(1).map((t, i) => t - answers[i]);
  return {
    workMs: Math.round(workMs),
    polls: answers.length,
    maxGapMs: Math.round(Math.max(...gaps)),
    gapsOver100Ms: gaps.filter((g) => g > 100).length,
  };
}

// warm the scoring threads once (a server keeps them): the first start costs a fraction of a second
await services.results.compute('bench', { uncertainty: false });
// publication comes after the close (the simulated answers come without a roster to open with)
await setState(db, campaign, 'closed');
const publish = await pollDuring(() => services.results.publish('bench', 'bench'));
const inputs = await resultsRepository(db.kysely).loadInputs(campaign.id, []);
const method = methodFromConfig(campaign.config);
const onServerThread = await pollDuring(async () => computeResults(method, inputs.departments, inputs.responses));

server.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    evaluators,
    departments: departmentCount,
    responses: simulated.stored,
    publish,
    fullResultOnServerThread: onServerThread,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  }),
);
process.exit(0);
