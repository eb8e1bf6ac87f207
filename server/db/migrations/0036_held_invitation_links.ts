import type { Kysely } from 'kysely';

/**
 * Named campaigns hold each unused link's plain token sealed (AES-256-GCM under the invitation key,
 * which no database file holds) so the office can download the links again until the close;
 * erased at the close and at publication. Anonymous campaigns never fill it (docs/SECURITY.md).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invitations').addColumn('token_sealed', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invitations').dropColumn('token_sealed').execute();
}
