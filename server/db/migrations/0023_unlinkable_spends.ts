import { sql, type Kysely } from 'kysely';

/**
 * What an anonymous evaluator does is no longer written on the invitation's row, where anyone
 * holding a copy of the database files (its WAL, a backup, PostgreSQL's row versions) could line
 * it up with the response stored in the same commit:
 *
 * - `spent_links`: a spent link, keyed by a hash of the plain token (which the database never
 *   holds), so the commit that stores a response names no invitation. `pending` holds the
 *   invitation's id sealed with the server's secret (NETWORK_SALT) until a later transaction flags
 *   ten spent invitations at once, in random order; then it is cleared.
 * - `drafts` is keyed the same way and its content sealed with a key derived from the plain
 *   token: a draft names no invitation, and its answers can't be compared with a response's.
 *   Drafts saved before this migration are kept under `legacy:<invitation id>`, readable once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('spent_links')
    .addColumn('spend_key', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('pending', 'text')
    .execute();
  await db.schema.createIndex('spent_links_campaign').on('spent_links').columns(['campaign_id', 'category']).execute();

  await db.schema
    .createTable('drafts_0023')
    .addColumn('draft_key', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('sealed', 'text', (c) => c.notNull())
    .execute();
  await sql`
    insert into drafts_0023 (draft_key, campaign_id, sealed)
    select 'legacy:' || d.invitation_id, i.campaign_id,
           'plain:' || d.elapsed_seconds || ':' || d.updated_at || ':' || d.answers_json
    from drafts d join invitations i on i.id = d.invitation_id
  `.execute(db);
  await db.schema.dropTable('drafts').execute();
  await db.schema.alterTable('drafts_0023').renameTo('drafts').execute();
  await db.schema.createIndex('drafts_campaign').on('drafts').column('campaign_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('drafts').execute();
  await db.schema
    .createTable('drafts')
    .addColumn('invitation_id', 'text', (c) => c.primaryKey().references('invitations.id').onDelete('cascade'))
    .addColumn('answers_json', 'text', (c) => c.notNull())
    .addColumn('elapsed_seconds', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.dropTable('spent_links').execute();
}
