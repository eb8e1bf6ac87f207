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
