/**
 * Deadline rush, measured side by side in one run for each connection count: the ceilings (a
 * no-op Hono route parsing the same body; the same inserting it as one row into SQLite in WAL
 * mode), then minping's server process on SQLite and on PostgreSQL with the evaluator's requests
 * as the browser sends them: the anonymous two-step submission (credential bought with the link,
 * then the ballot), the named campaign's one-step submit, and the draft autosave (each link saved
 * 5 times). Each flow gets a fresh database with one invitation per submission. Afterwards the
 * stored count must equal the acknowledged one.
 * Run: npx tsx bench/submit.bench.ts [submissions=1000] [connections=50,200] [databases=sqlite,postgres]
 * Prints one JSON object. Targets 127.0.0.1 only; each run is bounded by its request count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../test/helpers/server.js';
import {
  answersFor,
  benchCampaign,
  type Dialect,
  type Flow,
  hammer,
  loadAverage,
  measureFlow,
  PER_EVALUATOR,
  processStats,
  serverEnv,
} from './load.js';

const [countArg = '1000', connectionsArg = '50,200', databasesArg = 'sqlite,postgres'] = process.argv.slice(2);
const submissions = Number(countArg);
const connectionCounts = connectionsArg.split(',').map(Number);
const databases = databasesArg.split(',') as Dialect[];
const FLOWS: Flow[] = ['twoStep', 'oneStep', 'draft'];
/** a loaded machine can take over 30 s to start a server through tsx */
const START_TIMEOUT_MS = 120_000;
const body = JSON.stringify({ answers: answersFor(0), elapsedSeconds: 300, questionnaireVersion: 1 });

/** A ceiling server (`noop` or `insert`) under the same load: ten times as many requests, so that it lasts. */
async function ceiling(mode: 'noop' | 'insert', connections: number) {
  const dir = mkdtempSync(join(tmpdir(), 'minping-ceiling-'));
  const server = await startServer({}, ['bench/ceiling-server.ts', mode, join(dir, 'rows.db')], START_TIMEOUT_MS);
  const pid = server.child.pid!;
  const statuses: Record<string, number> = {};
  const loadAverage1m = loadAverage();
  const before = processStats(pid);
  const result = await hammer(
    server.url,
    connections,
    {
      amount: 10 * submissions,
      requests: [{ method: 'POST', path: '/', headers: { 'content-type': 'application/json' }, body }],
    },
    statuses,
  );
  const cpuMs = processStats(pid).cpuMs - before.cpuMs;
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  const { statuses: _, ...rest } = result;
  return { ...rest, serverCpuMsPerRequest: Math.round((cpuMs / (10 * submissions)) * 1000) / 1000, loadAverage1m };
}

/** One flow on a fresh database of `dialect`, its own server process. */
async function minping(dialect: Dialect, flow: Flow, connections: number, noopRps: number) {
  const c = await benchCampaign(dialect, { invitations: submissions, named: flow === 'oneStep' });
  try {
    const server = await startServer(serverEnv(c), undefined, START_TIMEOUT_MS);
    try {
      const measured = await measureFlow(flow, c, server.url, [server.child.pid!], connections);
      return { ...measured, shareOfNoop: Math.round((measured.submissionsPerSecond / noopRps) * 1000) / 1000 };
    } finally {
      await server.stop();
    }
  } finally {
    await c.drop();
  }
}

/** Issue #11's targets for SQLite, each flow at each connection count: what misses, and by how much. */
const TARGET = { share: 0.2, p99Ms: 100, cpuMs: 1, kbWritten: 30 };
type Measured = Awaited<ReturnType<typeof minping>>;
function misses(m: Measured): string[] {
  const times = (x: number, limit: number) => `${Math.round((x / limit) * 10) / 10}×`;
  return [
    m.shareOfNoop < TARGET.share &&
      `share ${m.shareOfNoop} < ${TARGET.share} (${times(TARGET.share, m.shareOfNoop)} short)`,
    m.latencyMs.p99 >= TARGET.p99Ms &&
      `p99 ${m.latencyMs.p99} ms (${times(m.latencyMs.p99, TARGET.p99Ms)} the ${TARGET.p99Ms} ms)`,
    m.errors > 0 && `${m.errors} errors`,
    !m.storedExactlyOnce && `stored ${m.stored} for ${m.acknowledged} acknowledged`,
    m.serverCpuMsPerSubmission > TARGET.cpuMs &&
      `CPU ${m.serverCpuMsPerSubmission} ms (${times(m.serverCpuMsPerSubmission, TARGET.cpuMs)} the ${TARGET.cpuMs} ms)`,
    (m.kbWrittenPerSubmission ?? 0) > TARGET.kbWritten &&
      `${m.kbWrittenPerSubmission} KB written (${times(m.kbWrittenPerSubmission ?? 0, TARGET.kbWritten)} the ${TARGET.kbWritten} KB)`,
  ].filter((x): x is string => typeof x === 'string');
}

const runs = [];
const sqliteMisses: Record<string, string[]> = {};
for (const connections of connectionCounts) {
  process.stderr.write(`  ${connections} connections: ceilings\n`);
  const noop = await ceiling('noop', connections);
  const oneRow = await ceiling('insert', connections);
  const run: Record<string, unknown> = { connections, noop, oneRow };
  for (const dialect of databases) {
    const flows: Record<string, unknown> = {};
    for (const flow of FLOWS) {
      process.stderr.write(`  ${connections} connections: ${dialect} ${flow}\n`);
      const measured = await minping(dialect, flow, connections, noop.requestsPerSecond);
      flows[flow] = measured;
      if (dialect === 'sqlite') sqliteMisses[`${flow} at ${connections}`] = misses(measured);
    }
    run[dialect] = flows;
  }
  runs.push(run);
}

console.log(
  JSON.stringify({
    submissions,
    departmentsPerSubmission: PER_EVALUATOR,
    bodyBytes: body.length,
    shareOfNoop: 'submissions/s ÷ the no-op route’s requests/s (a two-step submission is two requests)',
    runs,
    sqliteMisses,
    loadAverage1m: loadAverage(),
  }),
);
