import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';

export type LeaseRow = Selectable<Database['scheduler_leases']>;

/** Never held: an expired lease from the start. */
const NEVER = new Date(0).toISOString();

/**
 * One lease row per job. Every change is one conditional statement, so on SQLite and on PostgreSQL
 * alike only one process's UPDATE matches (PostgreSQL re-checks the WHERE of a row another
 * transaction just changed). Times are ISO-8601 UTC text, which orders as the instants do.
 */
export function schedulerRepository(db: Kysely<Database>) {
  return {
    ensure: (job: string) =>
      db
        .insertInto('scheduler_leases')
        .values({ job, holder: '', lease_until: NEVER, last_slot: null, last_run_at: null, last_error: null })
        .onConflict((oc) => oc.column('job').doNothing())
        .returning('job')
        .executeTakeFirst(),

    /** Take the job's lease for `slot` if nobody holds it and the slot is not done yet. */
    acquire: (job: string, holder: string, slot: string, now: string, leaseUntil: string) =>
      db
        .updateTable('scheduler_leases')
        .set({ holder, lease_until: leaseUntil })
        .where('job', '=', job)
        .where('lease_until', '<=', now)
        .where((eb) => eb.or([eb('last_slot', 'is', null), eb('last_slot', '<', slot)]))
        .returning('job')
        .executeTakeFirst(),

    /** Mark the slot done and let go, unless the lease has passed to someone else meanwhile. */
    complete: (job: string, holder: string, slot: string, now: string) =>
      db
        .updateTable('scheduler_leases')
        .set({ holder: '', lease_until: now, last_slot: slot, last_run_at: now, last_error: null })
        .where('job', '=', job)
        .where('holder', '=', holder)
        .returning('job')
        .executeTakeFirst(),

    /** Let go after a failed run; nobody retries before `retryAt`. */
    fail: (job: string, holder: string, retryAt: string, error: string) =>
      db
        .updateTable('scheduler_leases')
        .set({ holder: '', lease_until: retryAt, last_error: error })
        .where('job', '=', job)
        .where('holder', '=', holder)
        .returning('job')
        .executeTakeFirst(),

    list: () => db.selectFrom('scheduler_leases').selectAll().orderBy('job').execute(),
  };
}
