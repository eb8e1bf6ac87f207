import type { Kysely } from 'kysely';

/**
 * The scheduler's lease rows (server/scheduler/): one per job, so that of several processes on one
 * database exactly one runs each slot of a job, and a slot done is not run again after a restart.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('scheduler_leases')
    .addColumn('job', 'text', (c) => c.primaryKey())
    /** the process running the job now; '' when free */
    .addColumn('holder', 'text', (c) => c.notNull())
    /** until when the holder may run it; others take it over after that (a crashed holder) */
    .addColumn('lease_until', 'text', (c) => c.notNull())
    /** the start of the last interval run to completion */
    .addColumn('last_slot', 'text')
    .addColumn('last_run_at', 'text')
    /** the error of the last failed run, until a run succeeds */
    .addColumn('last_error', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('scheduler_leases').execute();
}
