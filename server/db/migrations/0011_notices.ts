import type { Kysely } from 'kysely';

/**
 * Follow-up notices (点名挂号 → 对账销号): the office's review of negative reports, the sheets
 * (工作提示单) and their tracked items with an append-only history, evidence files, the
 * notifications a department sees in its portal and the outbox that mails them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // the office's review of a reported negative situation (待核实 → 核实 / 不予采纳)
  await db.schema.alterTable('negative_reports').addColumn('redacted_matter', 'text').execute();
  await db.schema.alterTable('negative_reports').addColumn('redacted_description', 'text').execute();
  await db.schema.alterTable('negative_reports').addColumn('decided_by', 'text').execute();
  await db.schema.alterTable('negative_reports').addColumn('decided_at', 'text').execute();
  await db.schema.alterTable('negative_reports').addColumn('decision_reason', 'text').execute();
  /** a report merged into another of the same matter: it follows that one's decision */
  await db.schema.alterTable('negative_reports').addColumn('merged_into', 'text').execute();
  await db.schema
    .createIndex('negative_reports_queue')
    .on('negative_reports')
    .columns(['campaign_id', 'status', 'department_id'])
    .execute();

  await db.schema
    .createTable('notice_sheets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('serial_number', 'integer', (c) => c.notNull())
    /** e.g. 评议提示〔2026〕第015号, from the configured pattern */
    .addColumn('serial_text', 'text', (c) => c.notNull())
    /** draft | issued */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('requirement', 'text', (c) => c.notNull())
    /** why the sheet exists: the snapshot figures quoted when drafted on publication, JSON */
    .addColumn('basis_json', 'text', (c) => c.notNull())
    .addColumn('snapshot_id', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text')
    .addColumn('issued_by', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('acknowledged_by', 'text')
    .addUniqueConstraint('notice_sheets_one_per_department', ['campaign_id', 'department_id'])
    .addUniqueConstraint('notice_sheets_serial', ['campaign_id', 'serial_number'])
    .execute();

  await db.schema
    .createTable('tracked_items')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** null for a task that belongs to no campaign (a responsibility list) */
    .addColumn('campaign_id', 'text', (c) => c.references('campaigns.id').onDelete('cascade'))
    .addColumn('sheet_id', 'text', (c) => c.references('notice_sheets.id').onDelete('cascade'))
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id').onDelete('cascade'))
    /** position on its sheet: 1, 2, … → 015-01, 015-02 */
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('number_text', 'text', (c) => c.notNull())
    /** negative | problem | rectification | list */
    .addColumn('source', 'text', (c) => c.notNull())
    /** the negative report, problem id or list entry the item comes from */
    .addColumn('source_ref', 'text')
    /** the negative situation kind or the work-style problem id: what 回头看 matches on */
    .addColumn('kind', 'integer')
    .addColumn('title', 'text', (c) => c.notNull())
    /** redacted before it reaches the department */
    .addColumn('evidence', 'text', (c) => c.notNull())
    .addColumn('requirement', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'text')
    .addColumn('due_at', 'text')
    .addColumn('acknowledged_at', 'text')
    .addColumn('plan_json', 'text')
    .addColumn('response_text', 'text')
    .addColumn('responded_by', 'text')
    .addColumn('responded_at', 'text')
    /** 0/1: the latest response came in by the deadline then in force */
    .addColumn('responded_on_time', 'integer')
    .addColumn('closed_by', 'text')
    .addColumn('closed_at', 'text')
    .addColumn('extension_pending_days', 'integer')
    .addColumn('extension_granted_days', 'integer')
    .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
    /** highest overdue escalation sent for the current deadline: 0 none, 1 提醒, 2 催办, 3 督办 */
    .addColumn('escalation', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('tracked_items_sheet').on('tracked_items').columns(['sheet_id', 'seq']).execute();
  await db.schema
    .createIndex('tracked_items_department')
    .on('tracked_items')
    .columns(['department_id', 'state'])
    .execute();
  await db.schema.createIndex('tracked_items_due').on('tracked_items').columns(['state', 'due_at']).execute();

  /** append-only: who, when, from, to, why, which evidence */
  await db.schema
    .createTable('item_history')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull().references('tracked_items.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_name', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('from_state', 'text', (c) => c.notNull())
    .addColumn('to_state', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    /** sha256 of each evidence file, JSON array */
    .addColumn('evidence_json', 'text', (c) => c.notNull())
    .addColumn('detail_json', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('item_history_item').on('item_history').columns(['item_id', 'at']).execute();

  await db.schema
    .createTable('evidence_files')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('item_id', 'text', (c) => c.notNull().references('tracked_items.id').onDelete('cascade'))
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    /** detected from the content, not taken from the upload */
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    /** base64: portable across both databases and carried by every backup */
    .addColumn('content_base64', 'text', (c) => c.notNull())
    .addColumn('uploaded_by', 'text', (c) => c.notNull())
    .addColumn('uploaded_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('evidence_files_item').on('evidence_files').columns(['item_id']).execute();

  /** what a department sees in its portal, whether or not mail is configured */
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    /** one notification per event: e.g. escalation:<item>:<level>:<due> */
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('department_id', 'text', (c) => c.references('departments.id').onDelete('cascade'))
    .addColumn('item_id', 'text', (c) => c.references('tracked_items.id').onDelete('cascade'))
    .addColumn('sheet_id', 'text', (c) => c.references('notice_sheets.id').onDelete('cascade'))
    /** info | blue | orange | red */
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('read_at', 'text')
    .execute();
  await db.schema
    .createIndex('notifications_department')
    .on('notifications')
    .columns(['department_id', 'created_at'])
    .execute();

  /** mail to send: written in the same transaction as the event, sent at most once by the scheduler */
  await db.schema
    .createTable('outbox')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    /** pending | sending | sent | failed */
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    /** who claimed it for sending and until when (a crashed sender's claim expires) */
    .addColumn('claimed_by', 'text')
    .addColumn('claimed_until', 'text')
    .addColumn('sent_at', 'text')
    .addColumn('last_error', 'text')
    .execute();
  await db.schema.createIndex('outbox_due').on('outbox').columns(['state', 'next_attempt_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['outbox', 'notifications', 'evidence_files', 'item_history', 'tracked_items', 'notice_sheets'])
    await db.schema.dropTable(table).ifExists().execute();
  await db.schema.dropIndex('negative_reports_queue').ifExists().execute();
  for (const column of [
    'merged_into',
    'decision_reason',
    'decided_at',
    'decided_by',
    'redacted_description',
    'redacted_matter',
  ])
    await db.schema.alterTable('negative_reports').dropColumn(column).execute();
}
