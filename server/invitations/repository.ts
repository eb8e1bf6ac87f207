import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';

export function invitationsRepository(db: Kysely<Database>) {
  return {
    /** Evaluators of the campaign that have no invitation yet, in a stable order. */
    evaluatorsWithoutInvitation: (campaignId: string) =>
      db
        .selectFrom('evaluators')
        .leftJoin('invitations', 'invitations.evaluator_id', 'evaluators.id')
        .select([
          'evaluators.id',
          'evaluators.name',
          'evaluators.organisation',
          'evaluators.category',
          'evaluators.phone',
          'evaluators.email',
        ])
        .where('evaluators.campaign_id', '=', campaignId)
        .where('invitations.id', 'is', null)
        .orderBy('evaluators.category')
        .orderBy('evaluators.organisation')
        .orderBy('evaluators.name')
        .orderBy('evaluators.id')
        .execute(),

    evaluator: (campaignId: string, evaluatorId: string) =>
      db
        .selectFrom('evaluators')
        .leftJoin('invitations', 'invitations.evaluator_id', 'evaluators.id')
        .select([
          'evaluators.id',
          'evaluators.name',
          'evaluators.organisation',
          'evaluators.category',
          'evaluators.phone',
          'evaluators.email',
          'invitations.id as invitation_id',
          'invitations.used',
        ])
        .where('evaluators.campaign_id', '=', campaignId)
        .where('evaluators.id', '=', evaluatorId)
        .executeTakeFirst(),

    /** Inserts invitations; one already made for the same evaluator (a concurrent call) is skipped. Returns the evaluator ids invited. */
    async insertInvitations(rows: Insertable<Database['invitations']>[]): Promise<Set<string>> {
      const invited = new Set<string>();
      for (const chunk of chunks(rows)) {
        const done = await db
          .insertInto('invitations')
          .values(chunk)
          .onConflict((oc) => oc.column('evaluator_id').doNothing())
          .returning('evaluator_id')
          .execute();
        for (const r of done) invited.add(r.evaluator_id);
      }
      return invited;
    },

    /** Replace an unused invitation's token; returns whether it was replaced. */
    replaceToken: async (invitationId: string, tokenHash: string) =>
      Number(
        (
          await db
            .updateTable('invitations')
            .set({ token_hash: tokenHash })
            .where('id', '=', invitationId)
            .where('used', '=', 0)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,

    evaluatorsByCategory: (campaignId: string) =>
      db
        .selectFrom('evaluators')
        .select(['category', (eb) => eb.fn.countAll().as('n')])
        .where('campaign_id', '=', campaignId)
        .groupBy('category')
        .execute(),

    invitationsByCategory: (campaignId: string) =>
      db
        .selectFrom('invitations')
        .select([
          'category',
          (eb) => eb.fn.countAll().as('invited'),
          // a cumulative funnel: a used invitation was opened and answered (anonymous submission clears the times)
          sql<number>`sum(case when opened_at is not null or draft_saved_at is not null or used = 1 then 1 else 0 end)`.as(
            'opened',
          ),
          sql<number>`sum(case when draft_saved_at is not null or used = 1 then 1 else 0 end)`.as('draft_saved'),
          sql<number>`sum(used)`.as('submitted'),
        ])
        .where('campaign_id', '=', campaignId)
        .groupBy('category')
        .execute(),

    responsesByCategory: (campaignId: string) =>
      db
        .selectFrom('responses')
        .select(['category', (eb) => eb.fn.countAll().as('n')])
        .where('campaign_id', '=', campaignId)
        .groupBy('category')
        .execute(),

    responsesByDay: (campaignId: string) =>
      db
        .selectFrom('responses')
        .select(['submitted_day', 'category', (eb) => eb.fn.countAll().as('n')])
        .where('campaign_id', '=', campaignId)
        .groupBy(['submitted_day', 'category'])
        .orderBy('submitted_day')
        .orderBy('category')
        .execute(),
  };
}

export type InvitationsRepository = ReturnType<typeof invitationsRepository>;
