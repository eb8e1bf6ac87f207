import type { Kysely } from 'kysely';

/**
 * The office's own days off and working days, over the national calendar (server/calendar/): one
 * row per day, which wins over the national data for that day.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('calendar_overrides')
    .addColumn('day', 'text', (c) => c.primaryKey())
    /** 0/1 */
    .addColumn('working', 'integer', (c) => c.notNull())
    .addColumn('note', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('calendar_overrides').execute();
}
