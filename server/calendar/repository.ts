import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';

export type CalendarOverrideRow = Selectable<Database['calendar_overrides']>;

export function calendarRepository(db: Kysely<Database>) {
  return {
    list: () => db.selectFrom('calendar_overrides').selectAll().orderBy('day').execute(),

    /** One override per day: setting a day again replaces what it said. */
    upsert: (row: CalendarOverrideRow) =>
      db
        .insertInto('calendar_overrides')
        .values(row)
        .onConflict((oc) =>
          oc.column('day').doUpdateSet({
            working: row.working,
            note: row.note,
            created_at: row.created_at,
            created_by: row.created_by,
          }),
        )
        .returningAll()
        .executeTakeFirstOrThrow(),

    remove: (day: string) =>
      db.deleteFrom('calendar_overrides').where('day', '=', day).returningAll().executeTakeFirst(),
  };
}
