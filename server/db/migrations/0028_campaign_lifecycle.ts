import { type Kysely, sql } from 'kysely';

/**
 * A campaign's stored lifecycle state (server/campaigns/lifecycle.ts): draft | open | closed |
 * published | settled, and whether an open campaign is paused (0/1). Until now the status was
 * derived from the dates only; existing campaigns get the state their data shows:
 * - one with a published snapshot is `published` (never `settled`: the office settles it, so a
 *   campaign whose notices are still being worked on is not declared done by a migration);
 * - one with invitations or responses is `open`: its dates then say, as before, whether it is
 *   scheduled, open or (its deadline past) closed;
 * - any other (no invitations, no responses: nothing has been sent out) is a `draft`, to be
 *   opened by the office once its departments and evaluators are in.
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
    where exists (select 1 from invitations i where i.campaign_id = campaigns.id)
       or exists (select 1 from responses r where r.campaign_id = campaigns.id)`.execute(db);
  await sql`update campaigns set state = 'published'
    where exists (select 1 from snapshots s where s.campaign_id = campaigns.id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('campaigns').dropColumn('paused').execute();
  await db.schema.alterTable('campaigns').dropColumn('state').execute();
}
