import { type Kysely, sql } from 'kysely';

/**
 * A campaign's stored lifecycle state (server/campaigns/lifecycle.ts): draft | open | closed |
 * published | settled, and whether an open campaign is paused (0/1). Until now the status was
 * derived from the dates only; existing campaigns keep working as they did:
 * - one with departments is `open`: its dates then say, as before, whether it is scheduled, open
 *   or (its deadline past) closed, so its links and imports go on as before;
 * - one published after its deadline is `published` (never `settled`: the office settles it, so a
 *   campaign whose notices are still being worked on is not declared done by a migration); one
 *   published before its deadline (an interim publication, allowed until now) stays `open`, its
 *   evaluators still able to answer, and is published again after the close;
 * - any other (no departments: nothing can have been answered) is a `draft`, opened by the office
 *   once its departments and evaluators are in.
 * ISO-8601 UTC text of one width compares as time on both dialects.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('campaigns')
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('draft'))
    .execute();
  await db.schema
    .alterTable('campaigns')
    .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update campaigns set state = 'open'
    where exists (select 1 from departments d where d.campaign_id = campaigns.id)`.execute(db);
  await sql`update campaigns set state = 'published'
    where exists (select 1 from snapshots s where s.campaign_id = campaigns.id and s.created_at >= campaigns.closes_at)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('campaigns').dropColumn('paused').execute();
  await db.schema.alterTable('campaigns').dropColumn('state').execute();
}
