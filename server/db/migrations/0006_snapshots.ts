import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('snapshots')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('method_json', 'text', (c) => c.notNull())
    .addColumn('inputs_hash', 'text', (c) => c.notNull())
    .addColumn('counts_json', 'text', (c) => c.notNull())
    .addColumn('result_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('snapshots_campaign').on('snapshots').columns(['campaign_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('snapshots').execute();
}
