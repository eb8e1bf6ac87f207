/**
 * Memory over a deadline rush in one process: RSS at the start, after each tenth of the run and
 * after each checkpoint of submissions, the peak during the run and over its second half, on SQLite (a WAL file). Direct service calls, not HTTP (100k over HTTP would take
 * too long on this machine): `services.evaluator.submit`, the one-step path that stores exactly
 * what a ballot stores, 8 at a time. The process also holds the invitations' tokens (~6 MB at 100k).
 * Bounded by the count and by `maxSeconds`: past it the run stops and says how far it got.
 * Run: npx tsx bench/memory.bench.ts [checkpoints=10000,100000] [maxSeconds=600]
 * Prints one JSON object.
 */
import { randomUUID } from 'node:crypto';
import { answersFor, benchCampaign, loadAverage } from './load.js';

const [checkpointsArg = '10000,100000', maxSecondsArg = '600'] = process.argv.slice(2);
const checkpoints = checkpointsArg.split(',').map(Number);
const total = Math.max(...checkpoints);
const maxMs = Number(maxSecondsArg) * 1000;
const IN_FLIGHT = 8;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
const memory = () => ({ rssMB: mb(process.memoryUsage().rss), heapUsedMB: mb(process.memoryUsage().heapUsed) });

const c = await benchCampaign('sqlite', { invitations: total, named: false });
const connection = { remoteAddress: '127.0.0.1', forwardedFor: null };
const atStart = memory();
const started = performance.now();
/** RSS every 100 submissions: the synchronous driver leaves no turn for a timer during the rush */
let peakDuringRun = process.memoryUsage().rss;
const samples: Record<string, unknown>[] = [];
let next = 0;
let stored = 0;
let stopped = false;
const worker = async () => {
  while (next < total && !stopped) {
    const i = next++;
    const body = { answers: answersFor(i), elapsedSeconds: 300 + (i % 600) };
    await c.services.evaluator.submit(c.tokens[i], body, randomUUID(), connection);
    stored++;
    if (stored % 100 === 0) peakDuringRun = Math.max(peakDuringRun, process.memoryUsage().rss);
    if (checkpoints.includes(stored) || stored % (total / 10) === 0) {
      samples.push({ submissions: stored, seconds: Math.round((performance.now() - started) / 1000), ...memory() });
    }
    if (performance.now() - started > maxMs) stopped = true;
  }
};
await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
const seconds = (performance.now() - started) / 1000;
const atEnd = memory();
await c.drop();

console.log(
  JSON.stringify({
    database: 'sqlite',
    path: 'services.evaluator.submit (direct calls, 8 in flight)',
    planned: total,
    submitted: stored,
    stoppedAtTimeLimit: stopped,
    submissionsPerSecond: Math.round(stored / seconds),
    atStart,
    checkpoints: samples,
    atEnd: { submissions: stored, ...atEnd },
    peakRssDuringRunMB: mb(peakDuringRun),
    /** over the second half of the run: where RSS has levelled off */
    peakRssSecondHalfMB: Math.max(
      ...samples.filter((s) => Number(s.submissions) > stored / 2).map((s) => Number(s.rssMB)),
      atEnd.rssMB,
    ),
    peakRssWithSetUpMB: mb(process.resourceUsage().maxRSS * 1024),
    loadAverage1m: loadAverage(),
  }),
);
