import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { openDatabase, postgresApplicationName } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { dialects, PG_TEST_URL } from '../helpers/db.js';
import { createTestCampaign, insertInvitations } from '../helpers/fixtures.js';
import { startServer, type ServerProcess } from '../helpers/server.js';
import { OPEN_TIME, snapshotCounts, webAnswers } from '../evaluator/helpers.js';

const SUBMISSIONS = 120;
const CONCURRENCY = 8;
/** each evaluator's browser retries a refused or broken submission with the same Idempotency-Key */
const ATTEMPTS = 40;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Submit every token once, CONCURRENCY at a time, retrying 503s and broken connections; calls
 * `progress(acknowledged)` after each acknowledgement. Returns the acknowledged tokens and the
 * refusals seen on the way.
 */
async function submitAll(url: string, tokens: string[], progress: (acknowledged: number) => Promise<void>) {
  const acknowledged = new Set<string>();
  const refusals = { unavailable: 0, broken: 0, other: [] as string[] };
  let next = 0;
  const evaluator = async () => {
    while (next < tokens.length) {
      const token = tokens[next++];
      const key = `outage-${token.slice(0, 16)}`;
      for (let attempt = 0; attempt < ATTEMPTS && !acknowledged.has(token); attempt++) {
        try {
          const res = await fetch(`${url}/api/s/${token}/submit`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'idempotency-key': key },
            body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 300 }),
          });
          await res.arrayBuffer();
          if (res.status === 201) {
            acknowledged.add(token);
            await progress(acknowledged.size);
          } else if (res.status === 503) refusals.unavailable++;
          else refusals.other.push(`${res.status}`);
        } catch {
          refusals.broken++;
        }
        if (!acknowledged.has(token)) await pause(50);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, evaluator));
  return { acknowledged, refusals };
}

describe.each((await dialects()).filter((d) => d.name === 'postgres'))(
  'a server whose PostgreSQL connections are terminated under load',
  () => {
    const schema = `minping_outage_${randomBytes(4).toString('hex')}`;
    let server: ServerProcess | undefined;
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    afterEach(async () => {
      await server?.stop();
      await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    });

    it('keeps running, reconnects by itself and stores every acknowledged submission exactly once', async () => {
      await admin.connect();
      const db = await openDatabase(PG_TEST_URL, { schema });
      const services = createServices({ db, config: defaultConfig(), clock: fixedClock(OPEN_TIME) });
      const campaign = await createTestCampaign(db, services, {
        // open now: the server runs on the real clock
        overrides: {
          opensAt: new Date(Date.now() - 86_400_000).toISOString(),
          closesAt: new Date(Date.now() + 86_400_000).toISOString(),
        },
      });
      const tokens = await insertInvitations(db, campaign, SUBMISSIONS, OPEN_TIME);

      server = await startServer({ DATABASE_URL: PG_TEST_URL, DATABASE_SCHEMA: schema, PG_POOL_SIZE: '4' });
      // only this server's connections: it names them after its schema
      const terminate = async () =>
        (
          await admin.query(
            'select pg_terminate_backend(pid) as ok from pg_stat_activity where application_name = $1 and pid <> pg_backend_pid()',
            [postgresApplicationName(schema)],
          )
        ).rowCount ?? 0;
      let terminated = 0;
      const outagesAt = new Set([SUBMISSIONS / 4, SUBMISSIONS / 2, (3 * SUBMISSIONS) / 4]);
      const { acknowledged, refusals } = await submitAll(server.url, tokens, async (count) => {
        if (outagesAt.delete(count)) terminated += await terminate();
      });

      expect(terminated).toBeGreaterThan(0);
      expect(server.child.exitCode).toBeNull();
      expect(refusals.other).toEqual([]);
      expect(acknowledged.size).toBe(SUBMISSIONS);
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);

      const stored = await snapshotCounts(db);
      expect([stored.responses, stored.idempotency, stored.usedInvitations]).toEqual([
        SUBMISSIONS,
        SUBMISSIONS,
        SUBMISSIONS,
      ]);
      await db.close();
      if (refusals.unavailable + refusals.broken > 0) expect(server.output()).toContain('database unreachable');
    }, 120_000);
  },
);
