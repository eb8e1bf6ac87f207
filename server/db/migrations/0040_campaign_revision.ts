import type { Kysely } from 'kysely';

/**
 * A campaign's revision: counted up by every change of its config or questionnaire (a draft's
 * edit, new dates). What is kept in memory per campaign (record validators, served questionnaires,
 * department directories, live results) is keyed by it, so no process of the server serves the
 * old config after an edit made by another, without an extra read per request.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('campaigns')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('campaigns').dropColumn('revision').execute();
}
