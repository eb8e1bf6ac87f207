import type { Kysely } from 'kysely';

/** One invitation per evaluator: two concurrent "generate" calls can't both invite the same person. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('invitations_evaluator_unique')
    .on('invitations')
    .column('evaluator_id')
    .unique()
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('invitations_evaluator_unique').execute();
}
