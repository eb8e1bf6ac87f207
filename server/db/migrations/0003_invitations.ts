import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('invitations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('evaluator_id', 'text', (c) => c.notNull().references('evaluators.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'text')
    .addColumn('draft_saved_at', 'text')
    .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_at', 'text')
    .execute();
  await db.schema.createIndex('invitations_campaign').on('invitations').columns(['campaign_id', 'category']).execute();
  await db.schema.createIndex('invitations_evaluator').on('invitations').column('evaluator_id').execute();

  await db.schema
    .createTable('drafts')
    .addColumn('invitation_id', 'text', (c) => c.primaryKey().references('invitations.id').onDelete('cascade'))
    .addColumn('answers_json', 'text', (c) => c.notNull())
    .addColumn('elapsed_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('drafts').execute();
  await db.schema.dropTable('invitations').execute();
}
