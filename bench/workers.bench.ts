/**
 * Scale-out on PostgreSQL: `minping serve --workers N` (node:cluster, one port) with 1, 2 and 4
 * workers under the browser's two-step submission, each N on a fresh schema; throughput and the
 * scaling factor against one worker. CPU is the workers' together.
 * Run: npx tsx bench/workers.bench.ts [submissions=1000] [connections=50] [workers=1,2,4]
 * Prints one JSON object. Targets 127.0.0.1 only; each run is bounded by its request count.
 */
import { startServer, unusedPort } from '../test/helpers/server.js';
import { benchCampaign, loadAverage, measureFlow, serverEnv } from './load.js';

const [countArg = '1000', connectionsArg = '50', workersArg = '1,2,4'] = process.argv.slice(2);
const submissions = Number(countArg);
const connections = Number(connectionsArg);

const runs: Record<string, unknown>[] = [];
for (const workers of workersArg.split(',').map(Number)) {
  process.stderr.write(`  ${workers} worker(s)\n`);
  const c = await benchCampaign('postgres', { invitations: submissions, named: false });
  try {
    const server = await startServer(
      { ...serverEnv(c), PORT: String(await unusedPort()) },
      ['server/cli/main.ts', 'serve', '--workers', String(workers)],
      180_000,
    );
    try {
      // the first worker listens alone (it runs the migrations), then the others start
      const until = Date.now() + 180_000;
      while (server.output().split('listening on').length <= workers) {
        if (Date.now() > until) throw new Error(`not all workers listen:\n${server.output()}`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      const pids = [...server.output().matchAll(/worker (\d+) started/g)].map((m) => Number(m[1]));
      const measured = await measureFlow('twoStep', c, server.url, pids, connections);
      runs.push({ workers, ...measured });
    } finally {
      await server.stop();
    }
  } finally {
    await c.drop();
  }
}

const base = Number(runs[0]?.submissionsPerSecond) || 1;
console.log(
  JSON.stringify({
    database: 'postgres',
    flow: 'twoStep',
    submissions,
    connections,
    runs: runs.map((r) => ({ ...r, scaling: Math.round((Number(r.submissionsPerSecond) / base) * 100) / 100 })),
    loadAverage1m: loadAverage(),
  }),
);
