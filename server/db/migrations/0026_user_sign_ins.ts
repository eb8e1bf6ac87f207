import type { Kysely } from 'kysely';

/**
 * When each account last signed in (the office's users page lists it, to spot accounts nobody
 * uses); null until the first sign-in.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('last_login_at', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('last_login_at').execute();
}
