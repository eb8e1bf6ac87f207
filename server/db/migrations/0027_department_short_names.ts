import type { Kysely } from 'kysely';

/**
 * A department's short names (简称, e.g. 住建局 for 市住房和城乡建设局), from the optional column of
 * the department import: evaluators know departments by them and search for them. Several are
 * kept as one text, separated by 、 as the office typed them; null when the import had none.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('departments').addColumn('short_name', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('departments').dropColumn('short_name').execute();
}
