/**
 * Deadline rush: many evaluators submitting at once against a real server process on SQLite
 * (or DATABASE_URL=postgres://…). Each request spends its own invitation, carries an
 * Idempotency-Key and rates 20 departments. Afterwards the stored count must equal the 201s.
 * Run: npx tsx bench/submit.bench.ts [invitations=4000] [connections=50]
 * Prints one JSON object. Targets 127.0.0.1 only; bounded by the invitation count.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { fixedClock } from '../server/clock.js';
import { defaultConfig } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { createServices } from '../server/services.js';
import { insertInvitations, insertNumberedDepartments } from '../test/helpers/fixtures.js';
import { startServer } from '../test/helpers/server.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../surveys/campaign-config.js';

const [invitationCount = 4000, connections = 50] = process.argv.slice(2).map(Number);
const DEPARTMENTS = 100;
const PER_EVALUATOR = 20;
const LEVELS = ['satisfied', 'fairly_satisfied', 'basically_satisfied', 'dissatisfied', 'unknown'];

const dir = mkdtempSync(join(tmpdir(), 'minping-bench-'));
const databaseUrl = process.env.DATABASE_URL ?? join(dir, 'bench.db');
const schema = databaseUrl.startsWith('postgres') ? `bench_${Date.now()}` : undefined;

async function prepare() {
  const db = await openDatabase(databaseUrl, { schema });
  const now = new Date();
  const deps = { db, config: defaultConfig(), clock: fixedClock(now) };
  const services = createServices(deps);
  const { raw, dir: configDir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
  const campaign = await services.campaigns.create(
    {
      raw: {
        ...(raw as object),
        slug: `bench-${Date.now()}`,
        opensAt: new Date(now.getTime() - 86_400_000).toISOString(),
        closesAt: new Date(now.getTime() + 86_400_000).toISOString(),
      },
      configDir,
    },
    'bench',
  );
  await insertNumberedDepartments(db, campaign, DEPARTMENTS, '部门');
  const tokens = await insertInvitations(db, campaign, invitationCount, now.toISOString());
  await db.close();
  return { campaignId: campaign.id, tokens };
}

function answersFor(i: number) {
  const first = (i * 7) % DEPARTMENTS;
  return {
    answers: {
      category: 'project',
      departments: Array.from({ length: PER_EVALUATOR }, (_, k) => ({
        dept: `D${String(((first + k) % DEPARTMENTS) + 1).padStart(3, '0')}`,
        efficiency: LEVELS[(i + k) % 5],
        quality: LEVELS[(i + 2 * k) % 5],
        problems: k % 4 === 0 ? [1 + (k % 10)] : [],
      })),
      overall: 'fairly_satisfied',
    },
    elapsedSeconds: 300 + (i % 600),
  };
}

const { campaignId, tokens } = await prepare();
const server = await startServer({
  DATABASE_URL: databaseUrl,
  NETWORK_SALT: 'bench',
  ...(schema ? { DATABASE_SCHEMA: schema } : {}),
});

let next = 0;
const result = await autocannon({
  url: server.url,
  connections,
  amount: tokens.length,
  timeout: 30,
  requests: [
    {
      method: 'POST',
      setupRequest: (req) => {
        const i = next++;
        return {
          ...req,
          path: `/api/s/${tokens[i % tokens.length]}/submit`,
          headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() },
          body: JSON.stringify(answersFor(i)),
        };
      },
    },
  ],
});
await server.stop();

const db = await openDatabase(databaseUrl, { schema });
const stored = Number(
  (
    await db.kysely
      .selectFrom('responses')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('campaign_id', '=', campaignId)
      .executeTakeFirstOrThrow()
  ).n,
);
await db.close();
rmSync(dir, { recursive: true, force: true });
if (schema) {
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`drop schema if exists ${schema} cascade`);
  await admin.end();
}

console.log(
  JSON.stringify({
    database: schema ? 'postgres' : 'sqlite',
    submissions: tokens.length,
    connections,
    departmentsPerSubmission: PER_EVALUATOR,
    status2xx: result['2xx'],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    stored,
    lostVotes: result['2xx'] - stored,
    requestsPerSecond: result.requests.average,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    durationSeconds: result.duration,
  }),
);
