/**
 * "Impossible to lose a vote": spending a link, storing its response and remembering its receipt
 * are one commit. The server process is killed (SIGKILL, no shutdown) in the middle of a rush of
 * anonymous one-step submissions on a SQLite file; afterwards every acknowledged receipt is
 * stored, the spent links, responses and receipts are as many as each other, and every link sent
 * again with its Idempotency-Key gets a receipt: none is spent without its vote. A submission split
 * over two commits fails it, and so does any step of it committing on its own (the second test
 * fails the last step inside the database).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Receipt } from '../../server/contracts.js';
import { type Db, openDatabase } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { createInvitation, jsonRequest, surveySetup, webAnswers } from '../evaluator/helpers.js';
import { countRows, sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { startServer } from '../helpers/server.js';

const LINKS = 120;
const AT_ONCE = 12;
/** killed once this many were acknowledged, while the others are in flight */
const KILL_AFTER = 30;

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function counts(db: Db) {
  return {
    spent: await countRows(db, 'spent_links'),
    responses: await countRows(db, 'responses'),
    receipts: await countRows(db, 'idempotency_keys'),
  };
}

describe('a server killed in the middle of anonymous submissions', () => {
  it('loses no acknowledged vote and leaves no link spent without its vote', { timeout: 240_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minping-kill-'));
    dirs.push(dir);
    const file = join(dir, 'minping.db');
    let db = await openDatabase(file);
    // the server runs on the system clock: the campaign is open around the real now
    const now = Date.now();
    const services = createServices({ db, config: defaultConfig(), clock: fixedClock(new Date(now)) });
    const campaign = await createTestCampaign(db, services, {
      slug: 'kill-2026',
      overrides: {
        mode: 'anonymous',
        opensAt: new Date(now - 86_400_000).toISOString(),
        closesAt: new Date(now + 86_400_000).toISOString(),
      },
    });
    const tokens: string[] = [];
    for (let i = 0; i < LINKS; i++) tokens.push((await createInvitation(db, campaign)).token);
    await db.close();

    const submit = (url: string, i: number) =>
      fetch(`${url}/api/s/${tokens[i]}/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': `kill-test-${i}` },
        body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 300 }),
      });

    const server = await startServer({ DATABASE_URL: file }, undefined, 90_000);
    const acknowledged: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < LINKS) {
        const i = next++;
        try {
          const response = await submit(server.url, i);
          if (response.status === 201) acknowledged.push(((await response.json()) as Receipt).receipt);
          if (acknowledged.length >= KILL_AFTER && server.child.signalCode === null) server.child.kill('SIGKILL');
        } catch {
          // the connection died with the server: this one was never acknowledged
        }
      }
    };
    await Promise.all(Array.from({ length: AT_ONCE }, worker));
    await server.stop();
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(acknowledged.length).toBeGreaterThanOrEqual(KILL_AFTER);
    expect(acknowledged.length).toBeLessThan(LINKS);

    db = await openDatabase(file);
    try {
      const stored = (await db.kysely.selectFrom('idempotency_keys').select('body_json').execute()).map(
        (r) => (JSON.parse(r.body_json) as Receipt).receipt,
      );
      expect(stored).toEqual(expect.arrayContaining(acknowledged));
      const after = await counts(db);
      expect(after.responses).toBe(after.spent);
      expect(after.receipts).toBe(after.spent);
    } finally {
      await db.close();
    }

    // every link again, with its key: a first submission or the first receipt, never "already submitted"
    const restarted = await startServer({ DATABASE_URL: file }, undefined, 90_000);
    try {
      for (let i = 0; i < LINKS; i++) expect((await submit(restarted.url, i)).status).toBe(201);
    } finally {
      await restarted.stop();
    }
    db = await openDatabase(file);
    try {
      expect(await counts(db)).toEqual({ spent: LINKS, responses: LINKS, receipts: LINKS });
    } finally {
      await db.close();
    }
  });
});

describe('a submission whose last step fails inside the database', () => {
  it('leaves its link unspent and nothing stored, and the same request then succeeds', async () => {
    const db = await sqliteDb();
    try {
      const s = await surveySetup(db, { overrides: { mode: 'anonymous' } });
      const { token } = await createInvitation(db, s.campaign);
      const before = await counts(db);
      // what a crash between the response and its receipt would leave, if they were apart
      await sql`create trigger fail_receipt before insert on idempotency_keys
                begin select raise(abort, 'the disk went away'); end`.execute(db.kysely);
      const request = () =>
        s.app.request(
          `/api/s/${token}/submit`,
          jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, { 'Idempotency-Key': 'last-step-0001' }),
        );
      expect((await request()).status).toBe(500);
      expect(await counts(db)).toEqual(before);
      await sql`drop trigger fail_receipt`.execute(db.kysely);
      expect((await request()).status).toBe(201);
      expect(await counts(db)).toEqual({
        spent: before.spent + 1,
        responses: before.responses + 1,
        receipts: before.receipts + 1,
      });
    } finally {
      await db.close();
    }
  });
});
