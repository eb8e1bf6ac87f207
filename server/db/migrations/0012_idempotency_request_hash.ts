import type { Kysely } from 'kysely';

/**
 * An Idempotency-Key reused with other answers must be refused, not answered with the first
 * receipt: each record keeps a fingerprint of the request it answered. It is keyed with the plain
 * token (never stored), so it can't be matched against stored responses. Older rows have none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').addColumn('request_hash', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('idempotency_keys').dropColumn('request_hash').execute();
}
