import { sql, type Kysely } from 'kysely';

/**
 * Idempotency records used to be keyed by `<sha256 of the invitation token>:<client key>`, which
 * joined a submission's receipt (and, by order of insertion, its response) to the invitation.
 * They are now keyed by a hash of the plain token, which the database never holds. Old-format
 * rows only served retries of the moment: delete them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`delete from idempotency_keys where key like ${'%:%'}`.execute(db);
}

export async function down(): Promise<void> {
  // nothing to restore
}
