import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/schema.js';

/** A key's attempts in its current window. */
export interface Attempts {
  failures: number;
  windowStartedAt: string;
  lockedUntil: string | null;
}

const toAttempts = (row: Selectable<Database['login_attempts']>): Attempts => ({
  failures: Number(row.failures),
  windowStartedAt: row.window_started_at,
  lockedUntil: row.locked_until,
});

/**
 * Attempt counters, one row per throttled key (a username, a network), in the database so every
 * server process counts together. Each change is one statement: concurrent requests can't both
 * read the same count.
 */
export function throttleRepository(db: Kysely<Database>) {
  return {
    /**
     * Count one attempt under `key` and return the row as it is now. A window that ended, or a
     * lock that ran out, starts over at 1.
     */
    reserve: async (key: string, now: string, windowStart: string): Promise<Attempts> => {
      const stale = sql<boolean>`(login_attempts.locked_until is not null and login_attempts.locked_until <= ${now})
        or (login_attempts.locked_until is null and login_attempts.window_started_at <= ${windowStart})`;
      const row = await db
        .insertInto('login_attempts')
        .values({ key, failures: 1, window_started_at: now, locked_until: null })
        .onConflict((oc) =>
          oc.column('key').doUpdateSet({
            failures: sql<number>`case when ${stale} then 1 else login_attempts.failures + 1 end`,
            window_started_at: sql<string>`case when ${stale} then ${now} else login_attempts.window_started_at end`,
            locked_until: sql<string | null>`case when ${stale} then null else login_attempts.locked_until end`,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow();
      return toAttempts(row);
    },

    /** Give back one reserved attempt (a refused or successful one). */
    release: (key: string) =>
      db
        .updateTable('login_attempts')
        .set({ failures: sql<number>`failures - 1` })
        .where('key', '=', key)
        .where('failures', '>', 0)
        .execute(),

    /** Lock a key that has used its allowance. */
    lockIfReached: (key: string, maxFailures: number, until: string) =>
      db
        .updateTable('login_attempts')
        .set({ locked_until: until })
        .where('key', '=', key)
        .where('failures', '>=', maxFailures)
        .execute(),

    forget: (key: string) => db.deleteFrom('login_attempts').where('key', '=', key).execute(),

    /**
     * Forget the counters of every key starting with one of `prefixes`, but a lock still in force
     * (it ends within its window; lifting it would hand a guesser a fresh allowance); `dryRun` only counts.
     */
    forgetPrefixed: async (prefixes: readonly string[], now: string, dryRun: boolean): Promise<number> => {
      const matching = (eb: ExpressionBuilder<Database, 'login_attempts'>) =>
        eb.and([
          eb.or(prefixes.map((p) => eb('key', 'like', `${p}%`))),
          eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]),
        ]);
      if (dryRun)
        return Number(
          (
            await db
              .selectFrom('login_attempts')
              .select((eb) => eb.fn.countAll().as('n'))
              .where(matching)
              .executeTakeFirstOrThrow()
          ).n,
        );
      return Number((await db.deleteFrom('login_attempts').where(matching).executeTakeFirst()).numDeletedRows);
    },

    /** Forget windows that ended and locks that ran out, so sprayed keys don't pile up. */
    prune: (windowStart: string, now: string) =>
      db
        .deleteFrom('login_attempts')
        .where('window_started_at', '<', windowStart)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
        .execute(),
  };
}
