import type { Kysely } from 'kysely';

/**
 * When a closed campaign's personal data was purged (`minping purge`, server/privacy/): the roster,
 * contacts and network keys are blanked in place, and this says so on the office's page.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('campaigns').addColumn('purged_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('campaigns').dropColumn('purged_at').execute();
}
