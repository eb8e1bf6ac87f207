import type { Kysely } from 'kysely';

/**
 * What an issued notice must keep as it was issued, and what drafting needs to stay idempotent:
 * - items: the response period the office set (working days from issue), the response deadline
 *   in force (stored, so a later calendar change never rewrites an issued deadline), when the
 *   department appealed (once per item);
 * - one item per sheet and source (report, problem, rectification), so drafting twice or two
 *   processes drafting at once never duplicate;
 * - sheets: the title, issuing office and addressee as printed, frozen at issue;
 * - history rows numbered per item: several rows of one item may share an instant.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('tracked_items')
    .addColumn('respond_days', 'integer', (c) => c.notNull().defaultTo(15))
    .execute();
  await db.schema.alterTable('tracked_items').addColumn('response_due_at', 'text').execute();
  await db.schema.alterTable('tracked_items').addColumn('appealed_at', 'text').execute();
  await db.schema
    .createIndex('tracked_items_one_per_source')
    .on('tracked_items')
    .columns(['sheet_id', 'source', 'source_ref'])
    .unique()
    .execute();

  await db.schema
    .alterTable('item_history')
    .addColumn('seq', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('item_history_order').on('item_history').columns(['item_id', 'seq']).unique().execute();

  for (const column of ['title', 'issuer', 'addressee'])
    await db.schema
      .alterTable('notice_sheets')
      .addColumn(column, 'text', (c) => c.notNull().defaultTo(''))
      .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const column of ['addressee', 'issuer', 'title'])
    await db.schema.alterTable('notice_sheets').dropColumn(column).execute();
  await db.schema.dropIndex('item_history_order').ifExists().execute();
  await db.schema.alterTable('item_history').dropColumn('seq').execute();
  await db.schema.dropIndex('tracked_items_one_per_source').ifExists().execute();
  for (const column of ['appealed_at', 'response_due_at', 'respond_days'])
    await db.schema.alterTable('tracked_items').dropColumn(column).execute();
}
