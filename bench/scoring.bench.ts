/**
 * Scoring benchmark: 10,000 evaluators × 100 departments, ~20 departments each (≈400k ratings).
 * Run: npx tsx bench/scoring.bench.ts [evaluators] [departments] [perEvaluator] [samples]
 * Prints one JSON object to stdout.
 *
 * `streamed` first: the server's path (scoring-tasks.ts: records compiled one at a time as they
 * are read, the bootstrap's second half in a helper thread) over responses made one at a time,
 * as a database cursor hands them over, so they never exist together; run twice (the first
 * includes starting the helper thread), its `fullMs` including making the records
 * (`generateMs` alone), its `peakRssMB` the process's peak before anything below. Then the
 * library's calls over all responses held in an array (`fullMs`: one thread), and the server's
 * path over that array (`fullTwoThreadsMs`), each checked equal to the byte to the streamed result.
 */
import os from 'node:os';
import { computeOfficialScores, computeResults, defaultMethod, inputsHash } from '../scoring/index.js';
import { score } from '../server/results/scoring-tasks.js';
import { syntheticCampaign, syntheticStream } from '../test/scoring/synthetic.js';

const [evaluators = 10_000, departments = 100, perEvaluator = 20, samples = 1000] = process.argv.slice(2).map(Number);
const method = defaultMethod();
method.bootstrap.samples = samples;

const mb = (b: number) => Math.round((b / 1024 / 1024) * 10) / 10;
// the computation is synchronous, so heap use is sampled when each timed call returns
let peakHeap = 0;
const sampleHeap = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));

const cpuTimes: Record<string, number> = {};
/** wall-clock ms of fn (CPU ms of the process recorded under `label`, useful on a busy machine) */
function time<T>(fn: () => T, label?: string): [T, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const v = fn();
  const wall = Math.round((performance.now() - t0) * 10) / 10;
  const c = process.cpuUsage(c0);
  if (label) cpuTimes[label] = Math.round((c.user + c.system) / 100) / 10;
  sampleHeap();
  return [v, wall];
}

const options = {
  evaluators,
  departments,
  perEvaluator,
  seed: 42,
  cheaterShare: 0.01,
  copyClusters: 5,
  copyClusterSize: 12,
};

const [made, streamGenMs] = time(() => {
  let n = 0;
  for (const _ of syntheticStream(method, options).responses) n++;
  return n;
});
const streamedMs: number[] = [];
let streamed = null as Awaited<ReturnType<typeof score>>['result'];
for (let k = 0; k < 2; k++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  ({ result: streamed } = await score({
    kind: 'score',
    method,
    ...syntheticStream(method, options),
    uncertainty: true,
    split: true,
  }));
  streamedMs.push(Math.round((performance.now() - t0) * 10) / 10);
  const c = process.cpuUsage(c0); // both threads
  cpuTimes[`streamed${k}`] = Math.round((c.user + c.system) / 100) / 10;
}
const streamedPeakRss = process.resourceUsage().maxRSS * 1024;

const [data, genMs] = time(() => syntheticCampaign(method, options));
const ratings = data.responses.reduce((n, r) => n + r.departments.length * method.items.length, 0);
// warm-up (JIT) on a smaller slice, then measure
computeOfficialScores(method, data.departments, data.responses.slice(0, 500));
const officialRuns: number[] = [];
for (let k = 0; k < 5; k++)
  officialRuns.push(time(() => computeOfficialScores(method, data.departments, data.responses), `official${k}`)[1]);
const [, hashMs] = time(() => inputsHash(method, data.departments, data.responses));
const [full, fullMs] = time(() => computeResults(method, data.departments, data.responses), 'full0');
const [full2, fullMs2] = time(() => computeResults(method, data.departments, data.responses), 'full1');
if (JSON.stringify(full2) !== JSON.stringify(full)) throw new Error('non-deterministic result');
if (JSON.stringify(streamed) !== JSON.stringify(full)) throw new Error('streamed records differ from the array');
const twoThreadsMs: number[] = [];
for (let k = 0; k < 2; k++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const { result } = await score({ kind: 'score', method, ...data, uncertainty: true, split: true });
  twoThreadsMs.push(Math.round((performance.now() - t0) * 10) / 10);
  const c = process.cpuUsage(c0); // both threads
  cpuTimes[`fullTwoThreads${k}`] = Math.round((c.user + c.system) / 100) / 10;
  sampleHeap();
  if (JSON.stringify(result) !== JSON.stringify(full)) throw new Error('two threads differ from one');
}

const ru = process.resourceUsage();
console.log(
  JSON.stringify(
    {
      evaluators,
      departments,
      ratings,
      bootstrapSamples: samples,
      node: process.version,
      streamed: {
        responses: made,
        generateMs: streamGenMs,
        fullMs: streamedMs,
        peakRssMB: mb(streamedPeakRss),
      },
      generateMs: genMs,
      officialMs: {
        min: Math.min(...officialRuns),
        median: [...officialRuns].sort((a, b) => a - b)[2],
        runs: officialRuns,
      },
      inputsHashMs: hashMs,
      fullMs: [fullMs, fullMs2],
      fullTwoThreadsMs: twoThreadsMs,
      cpuMs: cpuTimes,
      loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
      cpus: os.cpus().length,
      included: full.inputs.included,
      excluded: full.inputs.excluded,
      flags: full.screening.counts.flags,
      ranked: full.departments.filter((d) => d.ranked).length,
      rectification: full.departments.filter((d) => d.rectification).length,
      peakRssMB: mb(ru.maxRSS * 1024),
      heapUsedMaxAfterCallsMB: mb(peakHeap),
    },
    null,
    2,
  ),
);
