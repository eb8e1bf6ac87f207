import type { Kysely } from 'kysely';

/** One row per imported response file, so the same file can't be loaded twice and double its votes. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('response_imports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text')
    .addColumn('records', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('response_imports_campaign_hash', ['campaign_id', 'content_hash'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('response_imports').execute();
}
