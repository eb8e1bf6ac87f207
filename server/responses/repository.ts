import { randomInt } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';
import type { CanonicalRecord } from '../../surveys/record.js';

export type ResponseRow = Selectable<Database['responses']>;
export type NewResponse = Insertable<Database['responses']>;
export type NewAnswer = Insertable<Database['answers']>;
export type NewProblemMention = Insertable<Database['problem_mentions']>;
export type IdempotencyRow = Selectable<Database['idempotency_keys']>;

type Executor = Kysely<Database> | Transaction<Database>;

async function insertBatched<T extends 'responses' | 'answers' | 'problem_mentions'>(
  db: Executor,
  table: T,
  rows: Insertable<Database[T]>[],
  returning: 'response_id' | 'id',
) {
  for (const chunk of chunks(rows)) {
    // biome-ignore lint/suspicious/noExplicitAny: kysely's generic insert typing can't follow a table-name type parameter
    await (db.insertInto(table) as any).values(chunk).returning(returning).execute();
  }
}

/** Fisher–Yates with a cryptographic source: the order must not be guessable. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A response's rows in this repository's tables (its negative reports belong to the negatives domain). */
export interface Suggestion {
  /** a department code, or null for the overall suggestion */
  department: string | null;
  text: string;
}

export interface ResponseRows {
  responses: NewResponse[];
  answers: NewAnswer[];
  problems: NewProblemMention[];
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

    deleteDraft: (trx: Executor, invitationId: string) =>
      trx.deleteFrom('drafts').where('invitation_id', '=', invitationId).execute(),

    async insertAll(trx: Executor, rows: ResponseRows): Promise<void> {
      await insertBatched(trx, 'responses', rows.responses, 'id');
      await insertBatched(trx, 'answers', rows.answers, 'response_id');
      await insertBatched(trx, 'problem_mentions', rows.problems, 'response_id');
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

    findIdempotency: (key: string) =>
      db.selectFrom('idempotency_keys').selectAll().where('key', '=', key).executeTakeFirst(),

    /**
     * Every free-text suggestion of a campaign, overall (department null) and per department code,
     * in a stable order unrelated to submission. Only records holding one are read and parsed
     * (JSON.stringify writes `"suggestion":"` for a non-null one only).
     */
    async suggestions(campaignId: string): Promise<Suggestion[]> {
      const rows = await db
        .selectFrom('responses')
        .select(['id', 'record_json'])
        .where('campaign_id', '=', campaignId)
        .where('record_json', 'like', '%"suggestion":"%')
        .orderBy('id')
        .execute();
      const out: Suggestion[] = [];
      for (const row of rows) {
        const record = JSON.parse(row.record_json) as CanonicalRecord;
        if (record.suggestion) out.push({ department: null, text: record.suggestion });
        for (const d of record.departments) if (d.suggestion) out.push({ department: d.code, text: d.suggestion });
      }
      return out;
    },

    countByCampaign: async (campaignId: string): Promise<number> => {
      const row = await db
        .selectFrom('responses')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('campaign_id', '=', campaignId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type ResponsesRepository = ReturnType<typeof responsesRepository>;
