import type { ErrorBody } from '../../server/contracts.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { dialects, sqliteFileDb, sqlitePair, type DialectCase } from '../helpers/db.js';
import { createInvitation, jsonRequest, snapshotCounts, surveySetup, webAnswers } from './helpers.js';

/** SQLite as deployed (a WAL file, not memory) and PostgreSQL when reachable. */
async function stores(): Promise<DialectCase[]> {
  const file: DialectCase = { name: 'sqlite', open: sqliteFileDb, openPair: sqlitePair };
  return [file, ...(await dialects()).filter((d) => d.name === 'postgres')];
}

describe.each(await stores())('concurrent submissions with one token on $name', ({ open }) => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('stores exactly one of 50 simultaneous submissions; the others get 409 ALREADY_SUBMITTED', async () => {
    db = await open();
    const { app, campaign } = await surveySetup(db);
    const { token } = await createInvitation(db, campaign);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        app.request(
          `/api/s/${token}/submit`,
          jsonRequest(
            'POST',
            { answers: webAnswers(), elapsedSeconds: 300 + i },
            { 'Idempotency-Key': `concurrent-key-${i}` },
          ),
        ),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    for (const r of results.filter((r) => r.status === 409))
      expect(((await r.json()) as ErrorBody).error.code).toBe('ALREADY_SUBMITTED');
    const counts = await snapshotCounts(db);
    expect(counts).toMatchObject({
      responses: 1,
      problems: 2,
      negatives: 1,
      idempotency: 1,
      usedInvitations: 1,
    });
  });

  it('gives 20 simultaneous retries with the same Idempotency-Key the same receipt and stores one response', async () => {
    db = await open();
    const { app, campaign } = await surveySetup(db);
    const { token } = await createInvitation(db, campaign);
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.request(
          `/api/s/${token}/submit`,
          jsonRequest(
            'POST',
            { answers: webAnswers(), elapsedSeconds: 300 },
            { 'Idempotency-Key': 'same-key-for-all' },
          ),
        ),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const receipts = new Set(await Promise.all(results.map(async (r) => JSON.stringify(await r.json()))));
    expect(receipts.size).toBe(1);
    expect((await snapshotCounts(db)).responses).toBe(1);
  });
});
