import type { Kysely } from 'kysely';

/**
 * The office's decisions on negative reports, append-only (核实, 不予采纳, 合并, 取消合并): each with
 * who, when, from which state to which and why, numbered 1, 2, … per campaign. A snapshot records
 * the number of the last decision its figures include, and what changed since the previous
 * snapshot (`changes_json`): a correction is a new snapshot that says what changed and why.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('negative_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('report_id', 'text', (c) => c.notNull().references('negative_reports.id').onDelete('cascade'))
    /** 1, 2, … within the campaign: orders decisions exactly, where two can share a millisecond */
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor', 'text', (c) => c.notNull())
    /** verify | dismiss | merge | unmerge */
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text', (c) => c.notNull())
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    /** e.g. the primary report of a merge, JSON */
    .addColumn('detail_json', 'text', (c) => c.notNull())
    .addUniqueConstraint('negative_decisions_seq', ['campaign_id', 'seq'])
    .execute();
  await db.schema
    .createIndex('negative_decisions_report')
    .on('negative_decisions')
    .columns(['report_id', 'seq'])
    .execute();
  await db.schema.createIndex('negative_reports_merged').on('negative_reports').columns(['merged_into']).execute();
  /** the queue reads a campaign's reports oldest first */
  await db.schema
    .createIndex('negative_reports_age')
    .on('negative_reports')
    .columns(['campaign_id', 'created_day', 'id'])
    .execute();
  /** the last decision (seq) the snapshot's figures include */
  await db.schema
    .alterTable('snapshots')
    .addColumn('decisions_through', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  /** null for a campaign's first publication; else what changed since the one before, JSON */
  await db.schema.alterTable('snapshots').addColumn('changes_json', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('snapshots').dropColumn('changes_json').execute();
  await db.schema.alterTable('snapshots').dropColumn('decisions_through').execute();
  await db.schema.dropIndex('negative_reports_age').ifExists().execute();
  await db.schema.dropIndex('negative_reports_merged').ifExists().execute();
  await db.schema.dropTable('negative_decisions').execute();
}
