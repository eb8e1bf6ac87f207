import { randomInt } from 'node:crypto';
import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';
import { newId } from '../shared/ids.js';
import { evaluatorColumns, PURGED_PREFIX, type Evaluator } from '../roster/repository.js';
import { compiledOnce } from '../db/compiled.js';

/** The statements a submission and a draft save run on the invitation, compiled once (server/db/compiled.ts). */
const byToken = compiledOnce('invitations.byToken', (db, tokenHash: string, spendKey: string) =>
  db
    .selectFrom('invitations')
    .leftJoin('spent_links', (join) => join.on('spent_links.spend_key', '=', spendKey))
    .selectAll('invitations')
    .select(['spent_links.spend_key', 'spent_links.blinded_hash'])
    .where('invitations.token_hash', '=', tokenHash),
);
const markDraftSaved = compiledOnce('invitations.markDraftSaved', (db, invitationId: string, at: string) =>
  db
    .updateTable('invitations')
    .set({ draft_saved_at: at })
    .where('id', '=', invitationId)
    .where('draft_saved_at', 'is', null)
    .where('used', '=', 0),
);
const markUsed = compiledOnce('invitations.markUsed', (db, invitationId: string, usedAt: string) =>
  db
    .updateTable('invitations')
    .set({ used: 1, used_at: usedAt, token_sealed: null })
    .where('id', '=', invitationId)
    .where('used', '=', 0),
);

/** An invitation as the evaluator's link finds it (the token's hash and times stay in the table). */
export interface Invitation {
  id: string;
  campaignId: string;
  category: string;
  opened: boolean;
  draftSaved: boolean;
  used: boolean;
}

const toInvitation = (row: Selectable<Database['invitations']>): Invitation => ({
  id: row.id,
  campaignId: row.campaign_id,
  category: row.category,
  opened: row.opened_at !== null,
  draftSaved: row.draft_saved_at !== null,
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
    /**
     * The invitation of a link's token hash and, in the same statement, the link's spent_links row
     * by its spend key (see migration 0023): both are looked up by what the token gives, never by
     * a column of the other, so reading them together joins nothing that is stored apart.
     */
    findByToken: async (
      tokenHash: string,
      spendKey: string,
    ): Promise<{ invitation: Invitation; spentLink: { blindedHash: string | null } | undefined } | undefined> => {
      const row = (await byToken(db, tokenHash, spendKey)).rows[0];
      if (!row) return undefined;
      const { spend_key, blinded_hash, ...invitation } = row;
      return {
        invitation: toInvitation(invitation),
        spentLink: spend_key === null ? undefined : { blindedHash: blinded_hash },
      };
    },

    /**
     * Replace the token hashes of a campaign's invitations by a value derived from nothing secret
     * (its links stop working; the rows stay for the progress counts) and forget when each was
     * reminded (who had not submitted by then); `dryRun` only counts.
     */
    retireTokens: async (campaignId: string, dryRun: boolean): Promise<number> => {
      const unpurged = (eb: ExpressionBuilder<Database, 'invitations'>) =>
        eb.or([eb('token_hash', 'not like', `${PURGED_PREFIX}%`), eb('reminded_at', 'is not', null)]);
      if (dryRun)
        return Number(
          (
            await db
              .selectFrom('invitations')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('campaign_id', '=', campaignId)
              .where(unpurged)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const result = await db
        .updateTable('invitations')
        .set({ token_hash: sql<string>`${sql.lit(PURGED_PREFIX)} || id`, token_sealed: null, reminded_at: null })
        .where('campaign_id', '=', campaignId)
        .where(unpurged)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
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
     * Note the first draft save, while the invitation is unused. Only the first: a row rewritten
     * at every save would carry the time (and on PostgreSQL the transaction) of the save just
     * before a submission.
     */
    markDraftSaved: async (invitationId: string, at: string): Promise<void> => {
      await markDraftSaved(db, invitationId, at);
    },

    /**
     * Spend a named campaign's invitation: only the first caller changes the row, so concurrent
     * submissions store exactly one response. Returns whether this call spent it.
     */
    async markUsed(invitationId: string, usedAt: string): Promise<boolean> {
      const result = await markUsed(db, invitationId, usedAt);
      return Number(result.numAffectedRows) === 1;
    },

    /**
     * Spend an anonymous campaign's link without touching its invitation (migration 0023): only the
     * first caller inserts the key, so concurrent submissions store exactly one response.
     * `pending` is the invitation's id, sealed by the caller. Returns whether this call spent it.
     */
    async spendLink(link: {
      spendKey: string;
      campaignId: string;
      category: string;
      pending: string;
      blindedHash: string | null;
    }): Promise<boolean> {
      const inserted = await db
        .insertInto('spent_links')
        .values({
          spend_key: link.spendKey,
          campaign_id: link.campaignId,
          category: link.category,
          pending: link.pending,
          blinded_hash: link.blindedHash,
        })
        .onConflict((oc) => oc.column('spend_key').doNothing())
        .returning('spend_key')
        .execute();
      return inserted.length === 1;
    },

    /** A spent link and the blinded message its credential was signed for (null: spent by a one-step submission). */
    findSpentLink: async (spendKey: string): Promise<{ blindedHash: string | null } | undefined> => {
      const row = await db
        .selectFrom('spent_links')
        .select('blinded_hash')
        .where('spend_key', '=', spendKey)
        .executeTakeFirst();
      return row && { blindedHash: row.blinded_hash };
    },

    /** The sealed invitation ids of a campaign's spent links not yet flagged, by category. */
    pendingSpent: (campaignId: string) =>
      db
        .selectFrom('spent_links')
        .select(['spend_key', 'category', 'pending'])
        .where('campaign_id', '=', campaignId)
        .where('pending', 'is not', null)
        .execute(),

    /**
     * Flag the invitations of a campaign's pending spent links as used, in one transaction, one row
     * at a time in random order, once at least `minimum` are waiting: the batch is the smallest
     * group a response hides in, on SQLite (one commit flags them all) and PostgreSQL (they share
     * this transaction's id, which no response has). Their opening, first draft and last reminder
     * times are cleared at the same time. `reveal` opens a sealed id (undefined: not ours, left waiting).
     * PostgreSQL skips links another process is flagging at the same moment.
     * Fewer than `minimum` waiting (nine submissions in ten) costs one count on the partial index
     * and no transaction: a submission is then one commit, and PostgreSQL locks no row.
     */
    async flagSpent(
      campaignId: string,
      options: { minimum: number; dialect: Dialect; reveal: (sealed: string) => string | undefined },
    ): Promise<number> {
      const { n } = await db
        .selectFrom('spent_links')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('campaign_id', '=', campaignId)
        .where('pending', 'is not', null)
        .executeTakeFirstOrThrow();
      if (Number(n) === 0 || Number(n) < options.minimum) return 0;
      return db.transaction().execute(async (trx) => {
        let waiting = trx
          .selectFrom('spent_links')
          .select(['spend_key', 'pending'])
          .where('campaign_id', '=', campaignId)
          .where('pending', 'is not', null);
        if (options.dialect === 'postgres') waiting = waiting.forUpdate().skipLocked();
        const batch = (await waiting.execute())
          .map((r) => ({ key: r.spend_key, id: options.reveal(r.pending!) }))
          .filter((r): r is { key: string; id: string } => r.id !== undefined);
        if (batch.length === 0 || batch.length < options.minimum) return 0;
        for (const { id } of shuffled(batch)) {
          await trx
            .updateTable('invitations')
            .set({ used: 1, used_at: null, unsealed: 0, opened_at: null, draft_saved_at: null, reminded_at: null })
            .where('id', '=', id)
            .executeTakeFirst();
        }
        await trx
          .updateTable('spent_links')
          .set({ pending: null })
          .where(
            'spend_key',
            'in',
            batch.map((r) => r.key),
          )
          .execute();
        return batch.length;
      });
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
      invitations: readonly { evaluatorId: string; category: string; tokenHash: string; tokenSealed: string | null }[],
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
              token_sealed: i.tokenSealed,
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

    /** Replace an unused invitation's token (and its held copy); returns whether it was replaced. */
    replaceToken: async (invitationId: string, tokenHash: string, tokenSealed: string | null) =>
      Number(
        (
          await db
            .updateTable('invitations')
            .set({ token_hash: tokenHash, token_sealed: tokenSealed })
            .where('id', '=', invitationId)
            .where('used', '=', 0)
            .executeTakeFirst()
        ).numUpdatedRows,
      ) === 1,

    /** The unused invitations of a campaign whose links are held (named mode), with their evaluators. */
    heldLinks: (campaignId: string) =>
      db
        .selectFrom('invitations')
        .innerJoin('evaluators', 'evaluators.id', 'invitations.evaluator_id')
        .select(evaluatorColumns)
        .select(['invitations.token_hash', 'invitations.token_sealed'])
        .where('invitations.campaign_id', '=', campaignId)
        .where('invitations.used', '=', 0)
        .where('invitations.token_sealed', 'is not', null)
        .execute(),

    /** Erase the held links of a campaign; how many. */
    eraseHeldLinks: async (campaignId: string): Promise<number> =>
      Number(
        (
          await db
            .updateTable('invitations')
            .set({ token_sealed: null })
            .where('campaign_id', '=', campaignId)
            .where('token_sealed', 'is not', null)
            .executeTakeFirst()
        ).numUpdatedRows,
      ),

    /**
     * Invitations of a campaign not flagged used and not reminded since `cutoff`, with their
     * evaluators. Spent links waiting for their batch are among them on purpose (docs/SECURITY.md).
     */
    toRemind: (campaignId: string, cutoff: string) =>
      db
        .selectFrom('invitations')
        .innerJoin('evaluators', 'evaluators.id', 'invitations.evaluator_id')
        .select(evaluatorColumns)
        .select('invitations.id as invitation_id')
        .where('invitations.campaign_id', '=', campaignId)
        .where('invitations.used', '=', 0)
        .where((eb) => eb.or([eb('invitations.reminded_at', 'is', null), eb('invitations.reminded_at', '<=', cutoff)]))
        .orderBy('invitations.id')
        .execute(),

    /** Note a reminder on those of `ids` still unused and not reminded since `cutoff`: the ids noted. */
    async markReminded(ids: readonly string[], at: string, cutoff: string): Promise<Set<string>> {
      const noted = new Set<string>();
      for (const chunk of chunks([...ids])) {
        const rows = await db
          .updateTable('invitations')
          .set({ reminded_at: at })
          .where('id', 'in', chunk)
          .where('used', '=', 0)
          .where((eb) => eb.or([eb('reminded_at', 'is', null), eb('reminded_at', '<=', cutoff)]))
          .returning('id')
          .execute();
        for (const r of rows) noted.add(r.id);
      }
      return noted;
    },

    /** Campaigns closed by `now` that still hold links. */
    closedCampaignsHoldingLinks: async (now: string): Promise<string[]> =>
      (
        await db
          .selectFrom('invitations')
          .innerJoin('campaigns', 'campaigns.id', 'invitations.campaign_id')
          .where('campaigns.closes_at', '<=', now)
          .where('invitations.token_sealed', 'is not', null)
          .select('campaigns.id')
          .distinct()
          .execute()
      ).map((r) => r.id),

    evaluatorsByCategory: async (campaignId: string) =>
      (
        await db
          .selectFrom('evaluators')
          .select(['category', (eb) => eb.fn.countAll().as('n')])
          .where('campaign_id', '=', campaignId)
          .groupBy('category')
          .execute()
      ).map((r) => ({ category: r.category, n: Number(r.n) })),

    /** The funnel per category; `spentIds` are invitations spent but not yet flagged (migration 0023). */
    invitationsByCategory: async (campaignId: string, spentIds: readonly string[]) => {
      const used = spentIds.length ? sql`(used = 1 or id in (${sql.join(spentIds)}))` : sql`used = 1`;
      return (
        await db
          .selectFrom('invitations')
          .select([
            'category',
            (eb) => eb.fn.countAll().as('invited'),
            // a cumulative funnel: a used invitation was opened and answered (anonymous submission clears the times)
            sql<number>`sum(case when opened_at is not null or draft_saved_at is not null or ${used} then 1 else 0 end)`.as(
              'opened',
            ),
            sql<number>`sum(case when draft_saved_at is not null or ${used} then 1 else 0 end)`.as('draft_saved'),
            sql<number>`sum(case when ${used} then 1 else 0 end)`.as('submitted'),
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
      }));
    },

    /** Responses not submitted through a link (imports; the demo's simulated ones) per category: they answer no invitation. */
    importedByCategory: async (campaignId: string) =>
      (
        await db
          .selectFrom('responses')
          .select(['category', (eb) => eb.fn.countAll().as('n')])
          .where('campaign_id', '=', campaignId)
          .where('source', '<>', 'web')
          .groupBy('category')
          .execute()
      ).map((r) => ({ category: r.category, n: Number(r.n) })),

    /** Web submissions per submission day (in the campaign's zone) and category, oldest day first. */
    responsesByDay: async (campaignId: string) =>
      (
        await db
          .selectFrom('responses')
          .select(['submitted_day', 'category', (eb) => eb.fn.countAll().as('n')])
          .where('campaign_id', '=', campaignId)
          .where('source', '=', 'web')
          .groupBy(['submitted_day', 'category'])
          .orderBy('submitted_day')
          .orderBy('category')
          .execute()
      ).map((r) => ({ day: r.submitted_day, category: r.category, n: Number(r.n) })),

    /** Evaluators, invited and submitted per roster unit (null: none given); `spentIds` as for the categories. */
    byOrganisation: async (campaignId: string, spentIds: readonly string[]) => {
      const used = spentIds.length
        ? sql`(invitations.used = 1 or invitations.id in (${sql.join(spentIds)}))`
        : sql`invitations.used = 1`;
      return (
        await db
          .selectFrom('evaluators')
          .leftJoin('invitations', 'invitations.evaluator_id', 'evaluators.id')
          .select([
            'evaluators.organisation',
            'evaluators.category',
            (eb) => eb.fn.countAll().as('evaluators'),
            (eb) => eb.fn.count('invitations.id').as('invited'),
            sql<number>`sum(case when ${used} then 1 else 0 end)`.as('submitted'),
          ])
          .where('evaluators.campaign_id', '=', campaignId)
          .groupBy(['evaluators.organisation', 'evaluators.category'])
          .execute()
      ).map((r) => ({
        organisation: r.organisation,
        category: r.category,
        evaluators: Number(r.evaluators),
        invited: Number(r.invited),
        submitted: Number(r.submitted ?? 0),
      }));
    },

    /** Named campaigns: the evaluators who have not submitted, with how far their invitation got. */
    notSubmitted: async (campaignId: string) =>
      (
        await db
          .selectFrom('evaluators')
          .leftJoin('invitations', 'invitations.evaluator_id', 'evaluators.id')
          .select(evaluatorColumns)
          .select(['invitations.id as invitation_id', 'invitations.opened_at', 'invitations.draft_saved_at'])
          .where('evaluators.campaign_id', '=', campaignId)
          .where((eb) => eb.or([eb('invitations.id', 'is', null), eb('invitations.used', '=', 0)]))
          .execute()
      ).map(({ invitation_id, opened_at, draft_saved_at, ...evaluator }) => ({
        ...evaluator,
        stage: !invitation_id
          ? ('not_invited' as const)
          : draft_saved_at
            ? ('draft_saved' as const)
            : opened_at
              ? ('opened' as const)
              : ('invited' as const),
      })),
  };
}

export type InvitationsRepository = ReturnType<typeof invitationsRepository>;
