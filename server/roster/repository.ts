import { sql, type ExpressionBuilder, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';
import { newId } from '../shared/ids.js';

/**
 * Evaluators whose name or organisation contains `text` as typed: % _ and \ are characters
 * searched for, not LIKE's wildcards (an office looking for 10% or a_b finds only those).
 */
const nameOrOrganisationContains = (text: string) => {
  const pattern = `%${text.replace(/[%_\\]/g, '\\$&')}%`;
  return (eb: ExpressionBuilder<Database, 'evaluators'>) =>
    eb.or(
      (['evaluators.name', 'evaluators.organisation'] as const).map(
        (column) => sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`,
      ),
    );
};

/** A department of a campaign as the roster lists it. */
export interface Department {
  id: string;
  code: string;
  name: string;
  group: string;
  /** 简称, in the order the import gave them */
  shortNames: string[];
  liaisonName: string | null;
  liaisonEmail: string | null;
}

/** What an import may change of a department (its code is its identity). */
export type DepartmentFields = Omit<Department, 'id' | 'code'>;

export const toDepartment = (row: Selectable<Database['departments']>): Department => ({
  id: row.id,
  code: row.code,
  name: row.name,
  group: row.group_code,
  shortNames: row.short_name ? row.short_name.split('、') : [],
  liaisonName: row.liaison_name,
  liaisonEmail: row.liaison_email,
});

const departmentColumns = (d: DepartmentFields) => ({
  name: d.name,
  group_code: d.group,
  short_name: d.shortNames.length ? d.shortNames.join('、') : null,
  liaison_name: d.liaisonName,
  liaison_email: d.liaisonEmail,
});

/** An evaluator of the roster: the personal data an invitation letter needs. */
export interface Evaluator {
  id: string;
  name: string;
  organisation: string | null;
  category: string;
  phone: string | null;
  email: string | null;
}

/** The evaluator columns every roster and invitation query selects (`Evaluator` once read). */
export const evaluatorColumns = [
  'evaluators.id',
  'evaluators.name',
  'evaluators.organisation',
  'evaluators.category',
  'evaluators.phone',
  'evaluators.email',
] as const;

/** An evaluator with where their invitation stands, for the office's list. */
export interface EvaluatorListing extends Evaluator {
  invited: boolean;
  opened: boolean;
  draftSaved: boolean;
  used: boolean;
}

/** An imported evaluator row, identified within the campaign by `rowKey` (see rows.ts). */
export interface NewEvaluator extends Omit<Evaluator, 'id'> {
  rowKey: string;
}

/** What a purged row's unique secret or key becomes: the prefix and the row's own id (unique, derived from nothing personal). */
export const PURGED_PREFIX = 'purged:';

/** A campaign's evaluators that still hold personal data, or the row key hashed from it. */
const holdingPersonalData = (campaignId: string) => (eb: ExpressionBuilder<Database, 'evaluators'>) =>
  eb.and([
    eb('campaign_id', '=', campaignId),
    eb.or([
      eb('name', '!=', ''),
      eb('organisation', 'is not', null),
      eb('phone', 'is not', null),
      eb('email', 'is not', null),
      eb('row_key', 'not like', `${PURGED_PREFIX}%`),
    ]),
  ]);

/** The one repository that writes `departments` and `evaluators`. */
export function rosterRepository(db: Kysely<Database>) {
  return {
    departments: async (campaignId: string): Promise<Department[]> =>
      (
        await db.selectFrom('departments').selectAll().where('campaign_id', '=', campaignId).orderBy('code').execute()
      ).map(toDepartment),

    async insertDepartments(
      campaignId: string,
      departments: readonly (DepartmentFields & { code: string })[],
      createdAt: string,
    ): Promise<number> {
      let n = 0;
      for (const chunk of chunks([...departments])) {
        const rows = chunk.map((d) => ({
          id: newId(),
          campaign_id: campaignId,
          code: d.code,
          created_at: createdAt,
          ...departmentColumns(d),
        }));
        n += (await db.insertInto('departments').values(rows).returning('id').execute()).length;
      }
      return n;
    },

    updateDepartment: (id: string, fields: DepartmentFields) =>
      db.updateTable('departments').set(departmentColumns(fields)).where('id', '=', id).execute(),

    evaluatorKeys: async (campaignId: string) =>
      new Set(
        (await db.selectFrom('evaluators').select('row_key').where('campaign_id', '=', campaignId).execute()).map(
          (r) => r.row_key,
        ),
      ),

    /** Inserts new rows; a row another import stored meanwhile is skipped. Returns how many were new. */
    async insertEvaluators(
      campaignId: string,
      evaluators: readonly NewEvaluator[],
      createdAt: string,
    ): Promise<number> {
      let n = 0;
      for (const chunk of chunks([...evaluators])) {
        n += (
          await db
            .insertInto('evaluators')
            .values(
              chunk.map(({ rowKey, ...e }) => ({
                id: newId(),
                campaign_id: campaignId,
                row_key: rowKey,
                ...e,
                created_at: createdAt,
              })),
            )
            .onConflict((oc) => oc.columns(['campaign_id', 'row_key']).doNothing())
            .returning('id')
            .execute()
        ).length;
      }
      return n;
    },

    /** The roster as imported (row identities included), for a campaign cloned from this one. */
    evaluatorRows: async (campaignId: string): Promise<NewEvaluator[]> =>
      (
        await db
          .selectFrom('evaluators')
          .select(['row_key', 'name', 'organisation', 'category', 'phone', 'email'])
          .where('campaign_id', '=', campaignId)
          .orderBy('created_at')
          .orderBy('id')
          .execute()
      ).map(({ row_key, ...e }) => ({ rowKey: row_key, ...e })),

    /** The campaign's evaluators, or those `q` finds (as listEvaluators finds them). */
    countEvaluators: async (campaignId: string, q?: string) => {
      let query = db
        .selectFrom('evaluators')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('evaluators.campaign_id', '=', campaignId);
      if (q) query = query.where(nameOrOrganisationContains(q));
      return Number((await query.executeTakeFirstOrThrow()).n);
    },

    /**
     * Blank the personal data of a campaign's roster in place (the rows stay: invitations and the
     * progress counts by category refer to them); `dryRun` only counts. Returns the rows concerned.
     */
    purgeEvaluators: async (campaignId: string, dryRun: boolean): Promise<number> => {
      if (dryRun)
        return Number(
          (
            await db
              .selectFrom('evaluators')
              .select((eb) => eb.fn.countAll().as('n'))
              .where(holdingPersonalData(campaignId))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const result = await db
        .updateTable('evaluators')
        .set({
          name: '',
          organisation: null,
          phone: null,
          email: null,
          row_key: sql<string>`${sql.lit(PURGED_PREFIX)} || id`,
        })
        .where(holdingPersonalData(campaignId))
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** Evaluators with their invitation state, for the office's list (search by name or organisation). */
    listEvaluators: async (
      campaignId: string,
      options: { q?: string; limit: number; offset: number },
    ): Promise<EvaluatorListing[]> => {
      let q = db
        .selectFrom('evaluators')
        .leftJoin('invitations', 'invitations.evaluator_id', 'evaluators.id')
        .select(evaluatorColumns)
        .select([
          'invitations.id as invitation_id',
          'invitations.opened_at',
          'invitations.draft_saved_at',
          'invitations.used',
        ])
        .where('evaluators.campaign_id', '=', campaignId);
      if (options.q) q = q.where(nameOrOrganisationContains(options.q));
      const rows = await q
        .orderBy('evaluators.name')
        .orderBy('evaluators.id')
        .limit(options.limit)
        .offset(options.offset)
        .execute();
      return rows.map(({ invitation_id, opened_at, draft_saved_at, used, ...evaluator }) => ({
        ...evaluator,
        invited: invitation_id !== null,
        opened: opened_at !== null,
        draftSaved: draft_saved_at !== null,
        used: Number(used ?? 0) === 1,
      }));
    },
  };
}

export type RosterRepository = ReturnType<typeof rosterRepository>;
