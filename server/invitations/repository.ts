import { randomInt } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';
import { newId } from '../shared/ids.js';
import { evaluatorColumns, type Evaluator } from '../roster/repository.js';

/** An invitation as the evaluator's link finds it (the token's hash and times stay in the table). */
export interface Invitation {
  id: string;
  campaignId: string;
  category: string;
  opened: boolean;
  used: boolean;
}

const toInvitation = (row: Selectable<Database['invitations']>): Invitation => ({
  id: row.id,
  campaignId: row.campaign_id,
  category: row.category,
  opened: row.opened_at !== null,
  used: Number(row.used) === 1,
});

/** Fisher–Yates with a cryptographic source: the order must not be guessable. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * The one repository that writes `invitations`: issuing (invitations service), the link's opening
 * and draft saves (evaluator service), spending and sealing (responses service). Give it the
 * caller's transaction to write inside it.
 */
export function invitationsRepository(db: Kysely<Database>) {
  return {
    findByTokenHash: async (tokenHash: string): Promise<Invitation | undefined> => {
      const row = await db.selectFrom('invitations').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
      return row && toInvitation(row);
    },

    /** Record the first opening of a link (only while it is unused). */
    markOpened: async (invitationId: string, at: string): Promise<void> => {
      await db
        .updateTable('invitations')
        .set({ opened_at: at })
        .where('id', '=', invitationId)
        .where('opened_at', 'is', null)
        .where('used', '=', 0)
        .execute();
    },

    /**
     * Note a draft save only while the invitation is unused; the update takes the invitation's row
     * lock, so a draft saved in the same transaction can't outlive a racing submission. Returns false when used.
     */
    markDraftSaved: async (invitationId: string, at: string): Promise<boolean> =>
      Number(
        (
          await db
            .updateTable('invitations')
            .set({ draft_saved_at: at })
            .where('id', '=', invitationId)
            .where('used', '=', 0)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,

    /**
     * Spend an invitation: only the first caller changes the row, so concurrent submissions
     * store exactly one response. Returns whether this call spent it.
     */
    async markUsed(invitationId: string, usedAt: string | null, anonymous: boolean): Promise<boolean> {
      const result = await db
        .updateTable('invitations')
        .set({
          used: 1,
          used_at: usedAt,
          unsealed: anonymous ? 1 : 0,
          // anonymous mode keeps only the fact of use: no time that could be lined up with responses
          ...(anonymous ? { opened_at: null, draft_saved_at: null } : {}),
        })
        .where('id', '=', invitationId)
        .where('used', '=', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Rewrite spent, unsealed invitations of a campaign in one transaction, one row at a time in
     * random order, so on PostgreSQL they share this transaction's id and a shuffled physical order.
     * Seals only when at least `minimum` are waiting (the anonymity set of the batch); `padding`
     * already-sealed ones are rewritten too, so a last small batch still hides among others.
     * PostgreSQL skips rows another process is sealing at the same moment.
     */
    async seal(campaignId: string, options: { minimum: number; padding: number; dialect: Dialect }): Promise<number> {
      return db.transaction().execute(async (trx) => {
        let waiting = trx
          .selectFrom('invitations')
          .select('id')
          .where('campaign_id', '=', campaignId)
          .where('unsealed', '=', 1);
        if (options.dialect === 'postgres') waiting = waiting.forUpdate().skipLocked();
        const ids = (await waiting.execute()).map((r) => r.id);
        if (ids.length === 0 || ids.length < options.minimum) return 0;
        if (options.padding > 0) {
          const cover = await trx
            .selectFrom('invitations')
            .select('id')
            .where('campaign_id', '=', campaignId)
            .where('used', '=', 1)
            .where('unsealed', '=', 0)
            .orderBy(sql`random()`)
            .limit(options.padding)
            .execute();
          ids.push(...cover.map((r) => r.id));
        }
        for (const id of shuffled(ids)) {
          await trx.updateTable('invitations').set({ unsealed: 0 }).where('id', '=', id).executeTakeFirst();
        }
        return ids.length;
      });
    },

    /** Evaluators of the campaign that have no invitation yet, in a stable order. */
    evaluatorsWithoutInvitation: (campaignId: string): Promise<Evaluator[]> =>
      db
        .selectFrom('evaluators')
        .leftJoin('invitations', 'invitations.evaluator_id', 'evaluators.id')
        .select(evaluatorColumns)
        .where('evaluators.campaign_id', '=', campaignId)
        .where('invitations.id', 'is', null)
        .orderBy('evaluators.category')
        .orderBy('evaluators.organisation')
        .orderBy('evaluators.name')
        .orderBy('evaluators.id')
        .execute(),

    /** An evaluator of the campaign with their invitation (id, whether used), if any. */
    async evaluator(
      campaignId: string,
      evaluatorId: string,
    ): Promise<(Evaluator & { invitation: { id: string; used: boolean } | null }) | undefined> {
      const row = await db
        .selectFrom('evaluators')
        .leftJoin('invitations', 'invitations.evaluator_id', 'evaluators.id')
        .select(evaluatorColumns)
        .select(['invitations.id as invitation_id', 'invitations.used'])
        .where('evaluators.campaign_id', '=', campaignId)
        .where('evaluators.id', '=', evaluatorId)
        .executeTakeFirst();
      if (!row) return undefined;
      const { invitation_id, used, ...evaluator } = row;
      return { ...evaluator, invitation: invitation_id ? { id: invitation_id, used: Number(used) === 1 } : null };
    },

    /**
     * Inserts invitations, unopened and unused; one already made for the same evaluator (a
     * concurrent call) is skipped. Returns the evaluator ids invited.
     */
    async insertInvitations(
      campaignId: string,
      createdAt: string,
      invitations: readonly { evaluatorId: string; category: string; tokenHash: string }[],
    ): Promise<Set<string>> {
      const invited = new Set<string>();
      for (const chunk of chunks([...invitations])) {
        const done = await db
          .insertInto('invitations')
          .values(
            chunk.map((i) => ({
              id: newId(),
              campaign_id: campaignId,
              evaluator_id: i.evaluatorId,
              category: i.category,
              token_hash: i.tokenHash,
              created_at: createdAt,
              opened_at: null,
              draft_saved_at: null,
              used: 0,
              used_at: null,
            })),
          )
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

    evaluatorsByCategory: async (campaignId: string) =>
      (
        await db
          .selectFrom('evaluators')
          .select(['category', (eb) => eb.fn.countAll().as('n')])
          .where('campaign_id', '=', campaignId)
          .groupBy('category')
          .execute()
      ).map((r) => ({ category: r.category, n: Number(r.n) })),

    /** The funnel per category: invited, opened, draft saved, submitted. */
    invitationsByCategory: async (campaignId: string) =>
      (
        await db
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
          .execute()
      ).map((r) => ({
        category: r.category,
        invited: Number(r.invited),
        opened: Number(r.opened),
        draftSaved: Number(r.draft_saved),
        submitted: Number(r.submitted),
      })),

    responsesByCategory: async (campaignId: string) =>
      (
        await db
          .selectFrom('responses')
          .select(['category', (eb) => eb.fn.countAll().as('n')])
          .where('campaign_id', '=', campaignId)
          .groupBy('category')
          .execute()
      ).map((r) => ({ category: r.category, n: Number(r.n) })),

    /** Responses per submission day (in the campaign's zone) and category, oldest day first. */
    responsesByDay: async (campaignId: string) =>
      (
        await db
          .selectFrom('responses')
          .select(['submitted_day', 'category', (eb) => eb.fn.countAll().as('n')])
          .where('campaign_id', '=', campaignId)
          .groupBy(['submitted_day', 'category'])
          .orderBy('submitted_day')
          .orderBy('category')
          .execute()
      ).map((r) => ({ day: r.submitted_day, category: r.category, n: Number(r.n) })),
  };
}

export type InvitationsRepository = ReturnType<typeof invitationsRepository>;
