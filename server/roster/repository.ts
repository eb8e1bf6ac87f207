import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';

export type EvaluatorRow = Selectable<Database['evaluators']>;

export function rosterRepository(db: Kysely<Database>) {
  return {
    departments: (campaignId: string) =>
      db.selectFrom('departments').selectAll().where('campaign_id', '=', campaignId).orderBy('code').execute(),

    async insertDepartments(rows: Insertable<Database['departments']>[]): Promise<number> {
      let n = 0;
      for (const chunk of chunks(rows))
        n += (await db.insertInto('departments').values(chunk).returning('id').execute()).length;
      return n;
    },

    updateDepartment: (
      id: string,
      set: { name: string; group_code: string; liaison_name: string | null; liaison_email: string | null },
    ) => db.updateTable('departments').set(set).where('id', '=', id).execute(),

    evaluatorKeys: async (campaignId: string) =>
      new Set(
        (await db.selectFrom('evaluators').select('row_key').where('campaign_id', '=', campaignId).execute()).map(
          (r) => r.row_key,
        ),
      ),

    /** Inserts new rows; a row another import stored meanwhile is skipped. Returns how many were new. */
    async insertEvaluators(rows: Insertable<Database['evaluators']>[]): Promise<number> {
      let n = 0;
      for (const chunk of chunks(rows)) {
        n += (
          await db
            .insertInto('evaluators')
            .values(chunk)
            .onConflict((oc) => oc.columns(['campaign_id', 'row_key']).doNothing())
            .returning('id')
            .execute()
        ).length;
      }
      return n;
    },

    countEvaluators: async (campaignId: string) =>
      Number(
        (
          await db
            .selectFrom('evaluators')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('campaign_id', '=', campaignId)
            .executeTakeFirstOrThrow()
        ).n,
      ),

    /** Evaluators with their invitation state, for the office's list (search by name or organisation). */
    listEvaluators: (campaignId: string, options: { q?: string; limit: number; offset: number }) => {
      let q = db
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
          'invitations.opened_at',
          'invitations.draft_saved_at',
          'invitations.used',
        ])
        .where('evaluators.campaign_id', '=', campaignId);
      if (options.q) {
        const like = `%${options.q.replace(/[%_\\]/g, '')}%`;
        q = q.where((eb) => eb.or([eb('evaluators.name', 'like', like), eb('evaluators.organisation', 'like', like)]));
      }
      return q
        .orderBy('evaluators.name')
        .orderBy('evaluators.id')
        .limit(options.limit)
        .offset(options.offset)
        .execute();
    },
  };
}

export type RosterRepository = ReturnType<typeof rosterRepository>;
