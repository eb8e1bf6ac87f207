import type { Kysely } from 'kysely';

/**
 * The campaign an invitation or reminder message belongs to (null for the office's own notices):
 * a purge deletes its messages (addresses, names, units) and the sender drops those of a campaign
 * that has closed. Messages queued before are matched afterwards: a reminder by the invitation
 * id in its key, an invitation by its subject (`<campaign name>邀请函`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('campaign_id', 'text').execute();
  await db.schema.createIndex('outbox_campaign').on('outbox').column('campaign_id').execute();
  const k = db as Kysely<{
    outbox: { id: string; dedupe_key: string; subject: string; campaign_id: string | null };
    invitations: { id: string; campaign_id: string };
    campaigns: { id: string; name: string };
  }>;
  const campaigns = await k.selectFrom('campaigns').select(['id', 'name']).execute();
  const bySubject = new Map(campaigns.map((c) => [`${c.name}邀请函`, c.id]));
  const rows = await k
    .selectFrom('outbox')
    .select(['id', 'dedupe_key', 'subject'])
    .where((eb) => eb.or([eb('dedupe_key', 'like', 'reminder:%'), eb('dedupe_key', 'like', 'invitation:%')]))
    .execute();
  for (const row of rows) {
    let campaignId: string | undefined;
    if (row.dedupe_key.startsWith('reminder:')) {
      const invitationId = row.dedupe_key.split(':')[2];
      campaignId = (
        await k.selectFrom('invitations').select('campaign_id').where('id', '=', invitationId).executeTakeFirst()
      )?.campaign_id;
    } else campaignId = bySubject.get(row.subject);
    if (campaignId) await k.updateTable('outbox').set({ campaign_id: campaignId }).where('id', '=', row.id).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('outbox_campaign').execute();
  await db.schema.alterTable('outbox').dropColumn('campaign_id').execute();
}
