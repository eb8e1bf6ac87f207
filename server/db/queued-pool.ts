import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** How long a request waits in line for one of the pool's connections before it is told the database is busy. */
export const POOL_WAIT_LIMIT_MS = 30_000;

/** The code of a request that waited `POOL_WAIT_LIMIT_MS` for a connection (health.ts reads it as "busy"). */
export const POOL_WAIT_CODE = 'POOL_WAIT_LIMIT';

interface Waiter {
  grant(): void;
}

/**
 * node-postgres applies `connectionTimeoutMillis` to the wait for a free pooled connection as well as
 * to connecting: under a deadline rush, 200 requests sharing 10 busy connections were answered
 * "database unreachable" (503) after 5 s while PostgreSQL was fine. Requests queue here instead, in
 * arrival order, and the pool is asked only when one of its connections is free, so its timeout
 * measures connecting alone. A request that waits `waitLimitMs` is refused as busy.
 */
export function queuedPool(pool: pg.Pool, size: number, waitLimitMs = POOL_WAIT_LIMIT_MS): PostgresPool {
  let free = size;
  const waiting: Waiter[] = [];
  const handOn = () => {
    const next = waiting.shift();
    if (next) next.grant();
    else free++;
  };
  // every client checked out through `connect` below comes back through the pool's release
  pool.on('release', handOn);

  const slot = () =>
    new Promise<void>((resolve, reject) => {
      if (free > 0) {
        free--;
        resolve();
        return;
      }
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiting.splice(waiting.indexOf(waiter), 1);
        reject(
          Object.assign(new Error(`no database connection free after ${waitLimitMs} ms in line`), {
            code: POOL_WAIT_CODE,
          }),
        );
      }, waitLimitMs);
      waiting.push(waiter);
    });

  return {
    async connect(): Promise<PostgresPoolClient> {
      await slot();
      try {
        return await pool.connect();
      } catch (error) {
        handOn();
        throw error;
      }
    },
    end: () => pool.end(),
  };
}
