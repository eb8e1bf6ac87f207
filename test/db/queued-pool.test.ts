import pg from 'pg';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { databaseFailure } from '../../server/db/health.js';
import { queuedPool } from '../../server/db/queued-pool.js';
import { PG_TEST_URL, postgresAvailable } from '../helpers/db.js';

const hasPostgres = await postgresAvailable();

/** A pool of one connection whose own wait-for-a-connection limit is short, as pg's 5 s is under a rush. */
const onePool = () => new pg.Pool({ connectionString: PG_TEST_URL, max: 1, connectionTimeoutMillis: 200 });

describe.runIf(hasPostgres)('requests waiting for a pooled PostgreSQL connection', () => {
  let pool: pg.Pool;
  beforeAll(() => {
    // a direct pg.Pool shows the failure queuedPool exists for
    pool = onePool();
  });
  afterEach(async () => {
    await pool.end();
    pool = onePool();
  });

  it('are refused by pg itself after its connect timeout although the server is up', async () => {
    const holder = await pool.connect();
    await expect(pool.connect()).rejects.toThrow(/timeout exceeded when trying to connect/);
    holder.release();
  });

  it('wait in line past pg’s connect timeout and are served in arrival order', async () => {
    const queued = queuedPool(pool, 1, 5_000);
    const holder = await queued.connect();
    const served: number[] = [];
    const waiters = [1, 2, 3].map((n) =>
      queued.connect().then(async (client) => {
        served.push(n);
        await client.query('select 1', []);
        client.release();
      }),
    );
    // longer than the pool's own 200 ms limit: a plain pool would have refused them by now
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(served).toEqual([]);
    holder.release();
    await Promise.all(waiters);
    expect(served).toEqual([1, 2, 3]);
  });

  it('refuse a request as busy, not unreachable, once it has waited the limit, and serve the next', async () => {
    const queued = queuedPool(pool, 1, 300);
    const holder = await queued.connect();
    const error = await queued.connect().catch((caught: unknown) => caught);
    expect(databaseFailure(error)?.cause).toBe('busy');
    holder.release();
    const next = await queued.connect();
    next.release();
  });

  it('give the place back when connecting fails, so later requests are not stuck behind it', async () => {
    const unreachable = new pg.Pool({ connectionString: 'postgres://postgres@127.0.0.1:1/test', max: 1 });
    const queued = queuedPool(unreachable, 1, 1_000);
    await expect(queued.connect()).rejects.toThrow();
    const second = await queued.connect().catch((caught: unknown) => caught);
    expect(databaseFailure(second)?.cause).toBe('unreachable');
    await unreachable.end();
  });
});
