import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** An evaluator's saved partial answers. */
export interface Draft {
  answers: Record<string, unknown>;
  elapsedSeconds: number;
  savedAt: string;
}

/** The one repository that writes `drafts` (the invitations themselves are the invitations repository's). */
export function evaluatorRepository(db: Kysely<Database>) {
  return {
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

    deleteDraft: async (invitationId: string): Promise<void> => {
      await db.deleteFrom('drafts').where('invitation_id', '=', invitationId).execute();
    },

    findDraft: async (invitationId: string): Promise<Draft | undefined> => {
      const row = await db
        .selectFrom('drafts')
        .selectAll()
        .where('invitation_id', '=', invitationId)
        .executeTakeFirst();
      return (
        row && {
          answers: JSON.parse(row.answers_json) as Record<string, unknown>,
          elapsedSeconds: Number(row.elapsed_seconds),
          savedAt: row.updated_at,
        }
      );
    },

    /** Store (or replace) an invitation's draft; the answers are stored as given, as JSON. */
    saveDraft: async (invitationId: string, draft: Draft): Promise<void> => {
      const values = {
        answers_json: JSON.stringify(draft.answers),
        elapsed_seconds: draft.elapsedSeconds,
        updated_at: draft.savedAt,
      };
      await db
        .insertInto('drafts')
        .values({ invitation_id: invitationId, ...values })
        .onConflict((oc) => oc.column('invitation_id').doUpdateSet(values))
        .returning('invitation_id')
        .execute();
    },
  };
}

export type EvaluatorRepository = ReturnType<typeof evaluatorRepository>;
