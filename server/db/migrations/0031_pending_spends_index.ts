import { sql, type Kysely } from 'kysely';

/**
 * Flagging spent invitations (migration 0023) looks for a campaign's spent links still pending
 * after every anonymous submission: without this index it read every spent link of the campaign,
 * so a submission cost more the more had been made. Partial: only the few pending rows are in it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('spent_links_pending')
    .on('spent_links')
    .column('campaign_id')
    .where(sql.ref('pending'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('spent_links_pending').execute();
}
