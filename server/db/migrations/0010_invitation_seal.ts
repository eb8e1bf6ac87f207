import type { Kysely } from 'kysely';

/**
 * On PostgreSQL the row written when an invitation is spent carries the id of the transaction that
 * also stored its response (xmin), which joins the two. Spent invitations of anonymous campaigns
 * are marked `unsealed` until a later transaction rewrites a batch of them together, in random
 * order, so they share one transaction id that no single response has.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('invitations')
    .addColumn('unsealed', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('invitations').dropColumn('unsealed').execute();
}
