import type { Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';

export type InvitationRow = Selectable<Database['invitations']>;
export type DraftRow = Selectable<Database['drafts']>;

export function surveyRepository(db: Kysely<Database>) {
  return {
    findInvitationByHash: (tokenHash: string) =>
      db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst(),

    /** Record the first opening of a link (only while it is unused). */
    markOpened: (invitationId: string, at: string) =>
      db
        .updateTable('invitations')
        .set({ opened_at: at })
        .where('id', '=', invitationId)
        .where('opened_at', 'is', null)
        .where('used', '=', 0)
        .execute(),

    /** Campaigns closed by `now` that still hold drafts (of invitations never submitted). */
    closedCampaignsWithDrafts: async (now: string) =>
      (
        await db
          .selectFrom('drafts')
          .innerJoin('invitations', 'invitations.id', 'drafts.invitation_id')
          .innerJoin('campaigns', 'campaigns.id', 'invitations.campaign_id')
          .where('campaigns.closes_at', '<=', now)
          .select('campaigns.id')
          .distinct()
          .execute()
      ).map((r) => r.id),

    /** Delete every draft of a campaign; returns how many went. */
    deleteCampaignDrafts: async (campaignId: string) =>
      Number(
        (
          await db
            .deleteFrom('drafts')
            .where('invitation_id', 'in', (eb) =>
              eb.selectFrom('invitations').select('id').where('campaign_id', '=', campaignId),
            )
            .executeTakeFirst()
        ).numDeletedRows,
      ),

    findDraft: (invitationId: string) =>
      db.selectFrom('drafts').selectAll().where('invitation_id', '=', invitationId).executeTakeFirst(),

    /**
     * Save a draft only while the invitation is unused: the update takes the invitation's row
     * lock first, so a draft racing a submission can't outlive it. Returns false when used.
     */
    saveDraft: (invitationId: string, answersJson: string, elapsedSeconds: number, at: string) =>
      db.transaction().execute(async (trx) => {
        const result = await trx
          .updateTable('invitations')
          .set({ draft_saved_at: at })
          .where('id', '=', invitationId)
          .where('used', '=', 0)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) !== 1) return false;
        await trx
          .insertInto('drafts')
          .values({
            invitation_id: invitationId,
            answers_json: answersJson,
            elapsed_seconds: elapsedSeconds,
            updated_at: at,
          })
          .onConflict((oc) =>
            oc
              .column('invitation_id')
              .doUpdateSet({ answers_json: answersJson, elapsed_seconds: elapsedSeconds, updated_at: at }),
          )
          .returning('invitation_id')
          .execute();
        return true;
      }),
  };
}

export type SurveyRepository = ReturnType<typeof surveyRepository>;
