import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { compiledOnce } from '../db/compiled.js';

/** An evaluator's saved partial answers. */
export interface Draft {
  answers: Record<string, unknown>;
  elapsedSeconds: number;
  savedAt: string;
}

/** Where a draft saved before migration 0023 (by invitation, in the clear) was carried over. */
export const legacyDraftKey = (invitationId: string) => `legacy:${invitationId}`;

/**
 * The one repository that writes `drafts` (the invitations themselves are the invitations
 * repository's). A draft is stored under a key derived from the plain token and its content is
 * sealed by the service: this repository never sees which invitation a draft belongs to.
 */
/**
 * The statements of a draft save and a submission, compiled once (server/db/compiled.ts), for the
 * one or two keys a link's drafts are under.
 */
const findDrafts = [1, 2].map((n) =>
  compiledOnce(`drafts.find${n}`, (db, ...keys: string[]) =>
    db.selectFrom('drafts').select(['draft_key', 'sealed']).where('draft_key', 'in', keys.slice(0, n)),
  ),
);
const deleteDrafts = [1, 2].map((n) =>
  compiledOnce(`drafts.delete${n}`, (db, ...keys: string[]) =>
    db.deleteFrom('drafts').where('draft_key', 'in', keys.slice(0, n)),
  ),
);
const saveDraft = compiledOnce('drafts.save', (db, key: string, campaignId: string, sealed: string) =>
  db
    .insertInto('drafts')
    .values({ draft_key: key, campaign_id: campaignId, sealed })
    .onConflict((oc) => oc.column('draft_key').doUpdateSet({ sealed }))
    .returning('draft_key'),
);

export function evaluatorRepository(db: Kysely<Database>) {
  return {
    /** Campaigns closed by `now` that still hold drafts (of links never submitted). */
    closedCampaignsWithDrafts: async (now: string) =>
      (
        await db
          .selectFrom('drafts')
          .innerJoin('campaigns', 'campaigns.id', 'drafts.campaign_id')
          .where('campaigns.closes_at', '<=', now)
          .select('campaigns.id')
          .distinct()
          .execute()
      ).map((r) => r.id),

    countCampaignDrafts: async (campaignId: string) =>
      Number(
        (
          await db
            .selectFrom('drafts')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('campaign_id', '=', campaignId)
            .executeTakeFirstOrThrow()
        ).n,
      ),

    /** Delete every draft of a campaign; returns how many went. */
    deleteCampaignDrafts: async (campaignId: string) =>
      Number((await db.deleteFrom('drafts').where('campaign_id', '=', campaignId).executeTakeFirst()).numDeletedRows),

    deleteDrafts: async (keys: readonly string[]): Promise<void> => {
      const compiled = deleteDrafts[keys.length - 1];
      if (compiled) await compiled(db, ...keys);
      else await db.deleteFrom('drafts').where('draft_key', 'in', keys).execute();
    },

    /** The sealed drafts under these keys (the first found wins: the caller lists them newest first). */
    findSealedDraft: async (keys: readonly string[]): Promise<{ key: string; sealed: string } | undefined> => {
      const compiled = findDrafts[keys.length - 1];
      const rows = compiled
        ? (await compiled(db, ...keys)).rows
        : await db.selectFrom('drafts').select(['draft_key', 'sealed']).where('draft_key', 'in', keys).execute();
      for (const key of keys) {
        const row = rows.find((r) => r.draft_key === key);
        if (row) return { key, sealed: row.sealed };
      }
      return undefined;
    },

    /** Store (or replace) a sealed draft. */
    saveSealedDraft: async (key: string, campaignId: string, sealed: string): Promise<void> => {
      await saveDraft(db, key, campaignId, sealed);
    },
  };
}

export type EvaluatorRepository = ReturnType<typeof evaluatorRepository>;
