import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';

export type ResponseRow = Selectable<Database['responses']>;
export type NewResponse = Insertable<Database['responses']>;
export type NewAnswer = Insertable<Database['answers']>;
export type NewProblemMention = Insertable<Database['problem_mentions']>;
export type NewNegativeReport = Insertable<Database['negative_reports']>;
export type IdempotencyRow = Selectable<Database['idempotency_keys']>;

type Executor = Kysely<Database> | Transaction<Database>;

/** Rows per multi-row insert: well under SQLite's and PostgreSQL's bound-parameter limits. */
const BATCH = 500;

async function insertBatched<T extends 'responses' | 'answers' | 'problem_mentions' | 'negative_reports'>(
  db: Executor,
  table: T,
  rows: Insertable<Database[T]>[],
  returning: 'response_id' | 'id',
) {
  for (let i = 0; i < rows.length; i += BATCH) {
    const chunk = rows.slice(i, i + BATCH);
    // kysely's generic insert typing can't follow a table-name type parameter
    await (db.insertInto(table) as any).values(chunk).returning(returning).execute();
  }
}

export interface ResponseRows {
  responses: NewResponse[];
  answers: NewAnswer[];
  problems: NewProblemMention[];
  negatives: NewNegativeReport[];
}

export function responsesRepository(db: Kysely<Database>) {
  return {
    transaction: <T>(work: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(work),

    /**
     * Spend an invitation: only the first caller changes the row, so concurrent submissions
     * store exactly one response. Returns whether this call spent it.
     */
    async markUsed(trx: Executor, invitationId: string, usedAt: string | null, anonymous: boolean): Promise<boolean> {
      const result = await trx
        .updateTable('invitations')
        .set({
          used: 1,
          used_at: usedAt,
          // anonymous mode keeps only the fact of use: no time that could be lined up with responses
          ...(anonymous ? { opened_at: null, draft_saved_at: null } : {}),
        })
        .where('id', '=', invitationId)
        .where('used', '=', 0)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    deleteDraft: (trx: Executor, invitationId: string) => trx.deleteFrom('drafts').where('invitation_id', '=', invitationId).execute(),

    async insertAll(trx: Executor, rows: ResponseRows): Promise<void> {
      await insertBatched(trx, 'responses', rows.responses, 'id');
      await insertBatched(trx, 'answers', rows.answers, 'response_id');
      await insertBatched(trx, 'problem_mentions', rows.problems, 'response_id');
      await insertBatched(trx, 'negative_reports', rows.negatives, 'id');
    },

    insertImport: (trx: Executor, row: Insertable<Database['response_imports']>) =>
      trx.insertInto('response_imports').values(row).returning('id').executeTakeFirstOrThrow(),

    findImport: (campaignId: string, contentHash: string) =>
      db
        .selectFrom('response_imports')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .where('content_hash', '=', contentHash)
        .executeTakeFirst(),

    insertIdempotency: (trx: Executor, row: Insertable<Database['idempotency_keys']>) =>
      trx.insertInto('idempotency_keys').values(row).returning('key').executeTakeFirstOrThrow(),

    findIdempotency: (key: string) => db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst(),

    departmentIds: async (campaignId: string): Promise<Map<string, string>> => {
      const rows = await db.selectFrom('departments').select(['id', 'code']).where('campaign_id', '=', campaignId).execute();
      return new Map(rows.map((r) => [r.code, r.id]));
    },

    countByCampaign: async (campaignId: string): Promise<number> => {
      const row = await db
        .selectFrom('responses')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('campaign_id', '=', campaignId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    listByCampaign: (campaignId: string) =>
      db.selectFrom('responses').selectAll().where('campaign_id', '=', campaignId).orderBy('id').execute(),
  };
}

export type ResponsesRepository = ReturnType<typeof responsesRepository>;
