/**
 * What the submission load tests share: a campaign with invitations in a database of its own,
 * the evaluator's requests as the browser sends them (the two-step anonymous flow, the named
 * campaign's one-step submit, the draft autosave) driven by autocannon against 127.0.0.1, and
 * what the server process spent doing it (CPU, bytes written, read from /proc: Linux only).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import pg from 'pg';
import type { Campaign } from '../server/campaigns/service.js';
import { fixedClock } from '../server/clock.js';
import { defaultConfig } from '../server/config.js';
import { openDatabase, type Db } from '../server/db/connect.js';
import { createServices, type Services } from '../server/services.js';
import { blindClient, type BlindedCredential } from '../test/helpers/blind-client.js';
import { insertInvitations, insertNumberedDepartments } from '../test/helpers/fixtures.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../surveys/campaign-config.js';

export const PG_URL = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const DEPARTMENTS = 100;
export const PER_EVALUATOR = 20;
const LEVELS = ['satisfied', 'fairly_satisfied', 'basically_satisfied', 'dissatisfied', 'unknown'];
/** how many times each link's draft is saved in the autosave run */
const SAVES_PER_DRAFT = 5;

export const loadAverage = () => Math.round(os.loadavg()[0] * 100) / 100;
const r1 = (x: number) => Math.round(x * 10) / 10;

/** The answers of evaluator `i`: 20 of the 100 departments rated, a problem on every fourth (~1.8 KB). */
export function answersFor(i: number) {
  const first = (i * 7) % DEPARTMENTS;
  return {
    category: 'project',
    departments: Array.from({ length: PER_EVALUATOR }, (_, k) => ({
      dept: `D${String(((first + k) % DEPARTMENTS) + 1).padStart(3, '0')}`,
      efficiency: LEVELS[(i + k) % 5],
      quality: LEVELS[(i + 2 * k) % 5],
      problems: k % 4 === 0 ? [1 + (k % 10)] : [],
    })),
    overall: 'fairly_satisfied',
  };
}

export type Flow = 'twoStep' | 'oneStep' | 'draft';
export type Dialect = 'sqlite' | 'postgres';

/** A fresh database (a SQLite file in WAL mode, or a PostgreSQL schema) with one open campaign. */
export interface BenchCampaign {
  dialect: Dialect;
  databaseUrl: string;
  schema?: string;
  db: Db;
  services: Services;
  campaign: Campaign;
  tokens: string[];
  questionnaireVersion: number;
  /** the campaign's credential key for category `project` (anonymous campaigns) */
  publicKey?: string;
  drop(): Promise<void>;
}

export async function benchCampaign(
  dialect: Dialect,
  options: { invitations: number; named: boolean; clock?: ReturnType<typeof fixedClock> },
): Promise<BenchCampaign> {
  const dir = mkdtempSync(join(tmpdir(), 'minping-load-bench-'));
  const file = dialect === 'sqlite' ? join(dir, 'bench.db') : undefined;
  const databaseUrl = file ?? PG_URL;
  const schema = dialect === 'postgres' ? `bench_load_${Date.now()}_${process.pid}` : undefined;
  const db = await openDatabase(databaseUrl, { schema });
  const now = new Date();
  const services = createServices({ db, config: defaultConfig(), clock: options.clock ?? fixedClock(now) });
  const { raw, dir: configDir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
  const campaign = await services.campaigns.create(
    {
      raw: {
        ...(raw as object),
        slug: `bench-${Date.now()}`,
        mode: options.named ? 'named' : 'anonymous',
        opensAt: new Date(now.getTime() - 86_400_000).toISOString(),
        closesAt: new Date(now.getTime() + 7 * 86_400_000).toISOString(),
      },
      configDir,
    },
    'bench',
  );
  await insertNumberedDepartments(db, campaign, DEPARTMENTS, '部门');
  const tokens = await insertInvitations(db, campaign, options.invitations, now.toISOString());
  // a campaign is made as a draft: open it, as the office would, before evaluators answer
  await services.campaigns.open(campaign.slug, 'bench');
  const { version: questionnaireVersion } = await services.campaigns.questionnaire(campaign.id);
  const publicKey = options.named ? undefined : (await services.responses.credentialKey(campaign, 'project')).publicKey;
  return {
    dialect,
    databaseUrl,
    schema,
    db,
    services,
    campaign,
    tokens,
    questionnaireVersion,
    publicKey,
    async drop() {
      await db.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
      if (schema) {
        const client = new pg.Client({ connectionString: PG_URL });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
    },
  };
}

/** The environment a server process needs for this campaign's database. */
export const serverEnv = (c: BenchCampaign): Record<string, string> => ({
  DATABASE_URL: c.databaseUrl,
  NETWORK_SALT: 'bench',
  ...(c.schema ? { DATABASE_SCHEMA: c.schema } : {}),
});

/** CPU (user + system) and bytes written to storage by a process so far, from /proc. */
export function processStats(pid: number): { cpuMs: number; writeBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields from the third of proc(5): utime is the 14th, stime the 15th, in clock ticks (100 Hz)
  const cpuMs = (Number(fields[11]) + Number(fields[12])) * 10;
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const writeBytes = Number(/write_bytes: (\d+)/.exec(io)?.[1] ?? 0);
  return { cpuMs, writeBytes };
}

/** What the database holds: the SQLite file's pages (those still in the WAL counted), or the schema's tables and indexes. */
export async function storedBytes(c: BenchCampaign): Promise<number> {
  if (c.dialect === 'sqlite') {
    const pragma = async (name: string) =>
      Number(Object.values((await sql.raw(`pragma ${name}`).execute(c.db.kysely)).rows[0] as object)[0]);
    return (await pragma('page_count')) * (await pragma('page_size'));
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      `select coalesce(sum(pg_total_relation_size(format('%I.%I', schemaname, tablename)::regclass)), 0) as bytes
         from pg_tables where schemaname = $1`,
      [c.schema],
    );
    return Number(rows[0].bytes);
  } finally {
    await client.end();
  }
}

/** PostgreSQL's WAL position in bytes: the whole cluster's (other work on it counts too). */
export async function walPosition(): Promise<number> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ bytes: string }>(
      `select pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') as bytes`,
    );
    return Number(rows[0].bytes);
  } finally {
    await client.end();
  }
}

/** A connection's two-step submission in progress. */
interface Step {
  i: number;
  blindSignature?: string;
}

/** The autocannon requests of a flow over `count` submissions (or draft saves), and how many requests it makes. */
function requestsOf(flow: Flow, c: BenchCampaign, count: number, statuses: Record<string, number>, acked: Set<number>) {
  const seen = (step: string, status: number) => {
    const key = `${step} ${status}`;
    statuses[key] = (statuses[key] ?? 0) + 1;
  };
  /** a submission acknowledged for the first time (a request retried after a timeout gets a replay) */
  const acknowledge = (context: object, status: number, headers?: IncomingHttpHeaders) => {
    if (status === 201 && !headers?.['idempotent-replayed']) acked.add((context as Step).i % count);
  };
  const json = { 'content-type': 'application/json' };
  let next = 0;
  /** the request that starts a submission: the next index, kept in the connection's context */
  const starting =
    (path: (i: number) => string, body: (i: number) => unknown, headers: () => object = () => ({})) =>
    (req: autocannon.Request, context: object) => {
      const i = next++;
      (context as Step).i = i;
      return { ...req, path: path(i), headers: { ...json, ...headers() }, body: JSON.stringify(body(i)) };
    };
  const token = (i: number) => c.tokens[i % count];
  if (flow === 'oneStep') {
    return {
      amount: count,
      requests: [
        {
          method: 'POST' as const,
          setupRequest: starting(
            (i) => `/api/s/${token(i)}/submit`,
            (i) => ({
              answers: answersFor(i),
              elapsedSeconds: 300 + (i % 600),
              questionnaireVersion: c.questionnaireVersion,
            }),
            () => ({ 'idempotency-key': randomUUID() }),
          ),
          onResponse: (status: number, _body: string, context: object, headers?: IncomingHttpHeaders) => {
            seen('submit', status);
            acknowledge(context, status, headers);
          },
        },
      ],
    };
  }
  if (flow === 'draft') {
    const links = Math.floor(count / SAVES_PER_DRAFT);
    return {
      amount: count,
      requests: [
        {
          method: 'PUT' as const,
          setupRequest: starting(
            (i) => `/api/s/${c.tokens[i % links]}/draft`,
            (i) => ({ answers: answersFor(i), elapsedSeconds: 60 + i }),
          ),
          onResponse: (status: number) => seen('draft', status),
        },
      ],
    };
  }
  // two steps, as web/lib/ballot.ts: the link buys the blind signature, the ballot goes without the link
  const client = blindClient(c.publicKey!);
  const blinded: BlindedCredential[] = Array.from({ length: count }, () => client.blind());
  return {
    amount: 2 * count,
    requests: [
      {
        method: 'POST' as const,
        setupRequest: starting(
          (i) => `/api/s/${token(i)}/credential`,
          (i) => ({ blindedMessage: blinded[i % count].blindedMessage }),
        ),
        onResponse: (status: number, body: string, context: object) => {
          seen('credential', status);
          if (status === 200)
            (context as Step).blindSignature = (JSON.parse(body) as { blindSignature: string }).blindSignature;
        },
      },
      {
        method: 'POST' as const,
        setupRequest: (req: autocannon.Request, context: object) => {
          const { i, blindSignature } = context as Step;
          // no credential (refused, or timed out): nothing to cast, the next submission starts
          if (!blindSignature) return undefined as unknown as autocannon.Request;
          const b = blinded[i % count];
          const signature = client.finalize(blindSignature, b.inverse);
          return {
            ...req,
            path: `/api/s/ballots/${c.campaign.slug}`,
            headers: json,
            body: JSON.stringify({
              answers: answersFor(i),
              elapsedSeconds: 300 + (i % 600),
              questionnaireVersion: c.questionnaireVersion,
              credential: b.credential,
              signature,
              category: 'project',
            }),
          };
        },
        onResponse: (status: number, _body: string, context: object, headers?: IncomingHttpHeaders) => {
          seen('ballot', status);
          acknowledge(context, status, headers);
        },
      },
    ],
  };
}

/** The submissions the database holds for the campaign (draft saves: the links with a draft). */
async function storedCount(flow: Flow, c: BenchCampaign): Promise<number> {
  const table = flow === 'draft' ? 'drafts' : 'responses';
  const row = await c.db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .where('campaign_id', '=', c.campaign.id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export interface LoadResult {
  requestsPerSecond: number;
  submissionsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  /** answers other than 2xx, connection errors and timeouts */
  errors: number;
  timeouts: number;
  statuses: Record<string, number>;
  durationSeconds: number;
}

/** Run autocannon: requests/s, and 2xx answers per second as submissions/s. */
export async function hammer(
  url: string,
  connections: number,
  load: { amount: number; requests: autocannon.Request[] },
  statuses: Record<string, number>,
): Promise<LoadResult> {
  const result = await autocannon({ url, connections, amount: load.amount, timeout: 30, requests: load.requests });
  const duration = result.duration;
  const ok = result['2xx'];
  return {
    requestsPerSecond: Math.round(result.requests.total / duration),
    submissionsPerSecond: r1(ok / duration),
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors: result.non2xx + result.errors,
    timeouts: result.timeouts,
    statuses,
    durationSeconds: r1(duration),
  };
}

/**
 * One flow against a running server: the load, then the server's CPU and bytes written per
 * submission, the growth of what is stored, and whether every acknowledged submission is stored once.
 */
export async function measureFlow(flow: Flow, c: BenchCampaign, url: string, pids: number[], connections: number) {
  const count = c.tokens.length;
  const statuses: Record<string, number> = {};
  const acked = new Set<number>();
  const load = requestsOf(flow, c, count, statuses, acked);
  const stats = () =>
    pids.map(processStats).reduce((a, b) => ({ cpuMs: a.cpuMs + b.cpuMs, writeBytes: a.writeBytes + b.writeBytes }));
  const storedBefore = await storedBytes(c);
  const walBefore = c.dialect === 'postgres' ? await walPosition() : 0;
  const before = stats();
  const loadAverage1m = loadAverage();
  const result = await hammer(url, connections, load, statuses);
  const after = stats();
  const walAfter = c.dialect === 'postgres' ? await walPosition() : 0;
  const stored = await storedCount(flow, c);
  // draft saves: every save acknowledged, one draft per link saved
  const acknowledged = flow === 'draft' ? (statuses['draft 200'] ?? 0) : acked.size;
  const expected = flow === 'draft' ? Math.min(acknowledged, Math.floor(count / SAVES_PER_DRAFT)) : acknowledged;
  const perAck = (x: number) => (acknowledged ? x / acknowledged : 0);
  // the server process's own writes on SQLite; on PostgreSQL its server writes, counted in the WAL
  const written: { kbWrittenPerSubmission?: number; kbWalPerSubmission?: number } =
    c.dialect === 'sqlite'
      ? { kbWrittenPerSubmission: r1(perAck(after.writeBytes - before.writeBytes) / 1024) }
      : { kbWalPerSubmission: r1(perAck(walAfter - walBefore) / 1024) };
  return {
    ...result,
    submissionsPerSecond: r1(acknowledged / result.durationSeconds),
    acknowledged,
    stored,
    // a request that timed out may have been stored: it counts neither as lost nor as twice
    storedExactlyOnce: stored >= expected && stored <= expected + result.timeouts,
    serverCpuMsPerSubmission: Math.round(perAck(after.cpuMs - before.cpuMs) * 100) / 100,
    ...written,
    kbStoredPerSubmission: r1(perAck((await storedBytes(c)) - storedBefore) / 1024),
    loadAverage1m,
  };
}
