import type { Kysely } from 'kysely';

/**
 * `answers` (one row per department × item of every response, with its index on department, item
 * and level) was written by every submission and read by nothing: scoring, exports, suggestions
 * and the purge read `responses.record_json`. Its 20-odd rows landed on scattered index pages,
 * most of what a submission wrote (issue #11). A response's ratings stay in its record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('answers_department').ifExists().execute();
  await db.schema.dropTable('answers').execute();
}

/** The table comes back empty: its rows were copies of the records' ratings, never read. */
export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('answers')
    .addColumn('response_id', 'text', (c) => c.notNull().references('responses.id').onDelete('cascade'))
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('answers_pk', ['response_id', 'department_id', 'item'])
    .execute();
  await db.schema.createIndex('answers_department').on('answers').columns(['department_id', 'item', 'level']).execute();
}
