/**
 * How long `minping --help` and `minping score --help` take to start and finish: compiled (dist/,
 * `npm run build` first) against the TypeScript through tsx. Median of N runs each, by child_process timing.
 * Run: npx tsx bench/cli-start.bench.ts [runs=11]
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import { buildDist } from '../server/build.js';

const runs = Number(process.argv[2] ?? 11);
await buildDist();

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
function time(args: string[]): { medianMs: number; minMs: number; maxMs: number } {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    execFileSync(process.execPath, args, { stdio: 'ignore' });
    ms.push(Math.round(performance.now() - t));
  }
  return { medianMs: median(ms), minMs: Math.min(...ms), maxMs: Math.max(...ms) };
}

const result = {
  runs,
  nodeNoop: time(['-e', '0']),
  helpCompiled: time(['bin/minping.js', '--help']),
  scoreHelpCompiled: time(['bin/minping.js', 'score', '--help']),
  helpTsx: time(['--import', 'tsx', 'server/cli/main.ts', '--help']),
  loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
};
console.log(JSON.stringify(result));
