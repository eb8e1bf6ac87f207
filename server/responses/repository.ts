import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';
import { compiledOnce } from '../db/compiled.js';
import type { FreeTextExtras } from '../../surveys/extras.js';
import { withoutPersonalData, type CanonicalRecord } from '../../surveys/record.js';
import type { Receipt } from '../contracts.js';

export type ResponseRow = Selectable<Database['responses']>;
export type NewResponse = Insertable<Database['responses']>;
export type NewProblemMention = Insertable<Database['problem_mentions']>;

type Executor = Kysely<Database> | Transaction<Database>;

/** A submission's statements, compiled once (server/db/compiled.ts). */
const findReceipt = compiledOnce('idempotency_keys.find', (db, key: string) =>
  db.selectFrom('idempotency_keys').select(['body_json', 'request_hash']).where('key', '=', key),
);
const insertReceipt = compiledOnce(
  'idempotency_keys.insert',
  (db, key: string, bodyJson: string, createdAt: string, requestHash: string | null) =>
    db
      .insertInto('idempotency_keys')
      .values({ key, status_code: 201, body_json: bodyJson, created_at: createdAt, request_hash: requestHash })
      .returning('key'),
);
/** The columns of a response, in the order a compiled insert takes them. */
const RESPONSE_COLUMNS = [
  'id',
  'campaign_id',
  'questionnaire_version',
  'invitation_id',
  'category',
  'organisation',
  'duration_seconds',
  'overall',
  'suggestion',
  'record_json',
  'source',
  'network_key',
  'submitted_day',
] as const satisfies readonly (keyof NewResponse)[];
const insertResponse = compiledOnce('responses.insertOne', (db, ...values: unknown[]) =>
  db
    .insertInto('responses')
    .values(Object.fromEntries(RESPONSE_COLUMNS.map((c, i) => [c, values[i]])) as NewResponse)
    .returning('id'),
);
/** One compiled insert per number of a response's problem mentions (a few dozen at most). */
const MAX_COMPILED_MENTIONS = 64;
const insertMentions = Array.from({ length: MAX_COMPILED_MENTIONS + 1 }, (_, n) =>
  compiledOnce(`problem_mentions.insert${n}`, (db, ...values: unknown[]) =>
    db
      .insertInto('problem_mentions')
      .values(
        Array.from({ length: n }, (_, i) => ({
          response_id: values[3 * i] as string,
          department_id: values[3 * i + 1] as string,
          problem: values[3 * i + 2] as number,
        })),
      )
      .returning('response_id'),
  ),
);

async function insertBatched<T extends 'responses' | 'problem_mentions'>(
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

/** A response's rows in this repository's tables (its negative reports belong to the negatives domain). */
export interface Suggestion {
  /** a department code, or null for the overall suggestion */
  department: string | null;
  text: string;
}

/** A file imported before, as the refusal of a second import names it. */
/** A stored response as the raw-data export reads it. */
export interface StoredRecord {
  questionnaireVersion: number;
  /** web | import */
  source: string;
  record: CanonicalRecord;
}

export interface EarlierImport {
  fileName: string | null;
  importedAt: string;
  records: number;
}

/** The receipt a submission got, kept for retries with the same Idempotency-Key. */
export interface StoredReceipt {
  receipt: Receipt;
  /** what the first request asked to store (`requestFingerprint`); null for keys stored before it was kept */
  requestHash: string | null;
}

export interface ResponseRows {
  responses: NewResponse[];
  problems: NewProblemMention[];
}

/** Rows read at a time by a purge: a city's 20,000 records never sit in memory at once. */
const PURGE_PAGE = 500;

export function responsesRepository(db: Kysely<Database>) {
  return {
    transaction: <T>(work: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(work),

    async insertAll(trx: Executor, rows: ResponseRows): Promise<void> {
      // a web submission: one response, a few mentions, by statements compiled once
      if (rows.responses.length === 1 && rows.problems.length <= MAX_COMPILED_MENTIONS) {
        const response = rows.responses[0]!;
        await insertResponse(trx, ...RESPONSE_COLUMNS.map((c) => response[c] ?? null));
        if (rows.problems.length > 0) {
          await insertMentions[rows.problems.length]!(
            trx,
            ...rows.problems.flatMap((p) => [p.response_id, p.department_id, p.problem]),
          );
        }
        return;
      }
      await insertBatched(trx, 'responses', rows.responses, 'id');
      await insertBatched(trx, 'problem_mentions', rows.problems, 'response_id');
    },

    insertImport: (trx: Executor, row: Insertable<Database['response_imports']>) =>
      trx.insertInto('response_imports').values(row).returning('id').executeTakeFirstOrThrow(),

    findImport: async (campaignId: string, contentHash: string): Promise<EarlierImport | undefined> => {
      const row = await db
        .selectFrom('response_imports')
        .select(['file_name', 'imported_at', 'records'])
        .where('campaign_id', '=', campaignId)
        .where('content_hash', '=', contentHash)
        .executeTakeFirst();
      return row && { fileName: row.file_name, importedAt: row.imported_at, records: Number(row.records) };
    },

    /** Remember a submission's receipt under its idempotency scope (a retry gets it back). */
    insertReceipt: async (trx: Executor, stored: StoredReceipt & { key: string; createdAt: string }) => {
      await insertReceipt(trx, stored.key, JSON.stringify(stored.receipt), stored.createdAt, stored.requestHash);
    },

    findCredentialKey: async (campaignId: string, category: string) => {
      const row = await db
        .selectFrom('credential_keys')
        .select(['public_key', 'private_key'])
        .where('campaign_id', '=', campaignId)
        .where('category', '=', category)
        .executeTakeFirst();
      return row && { publicKey: row.public_key, privateKey: row.private_key };
    },

    /** A new key pair; one made by a concurrent first use wins. */
    insertCredentialKey: async (
      campaignId: string,
      category: string,
      pair: { publicKey: string; privateKey: string },
    ) => {
      await db
        .insertInto('credential_keys')
        .values({ campaign_id: campaignId, category, public_key: pair.publicKey, private_key: pair.privateKey })
        .onConflict((oc) => oc.columns(['campaign_id', 'category']).doNothing())
        .execute();
    },

    findReceipt: async (key: string): Promise<StoredReceipt | undefined> => {
      const row = (await findReceipt(db, key)).rows[0];
      return row && { receipt: JSON.parse(row.body_json) as Receipt, requestHash: row.request_hash };
    },

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

    /**
     * Blank the organisation (column and record) and the volunteered contacts (record) of a
     * campaign's responses, a page of rows at a time; `dryRun` only counts. Only rows whose text
     * may hold either are read (JSON.stringify writes `"organisation":"` or `"contact":"` for a
     * non-null one only); the record itself decides.
     */
    async purgePersonalData(campaignId: string, dryRun: boolean, freeText: FreeTextExtras): Promise<number> {
      const answersFreeText = freeText.record.size > 0 || freeText.department.size > 0;
      let changed = 0;
      for (let after = ''; ; ) {
        const rows = await db
          .selectFrom('responses')
          .select(['id', 'organisation', 'record_json'])
          .where('campaign_id', '=', campaignId)
          .where('id', '>', after)
          .where((eb) =>
            eb.or([
              eb('organisation', 'is not', null),
              eb('record_json', 'like', '%"organisation":"%'),
              eb('record_json', 'like', '%"contact":"%'),
              ...(answersFreeText ? [eb('record_json', 'like', '%"extra":{%')] : []),
            ]),
          )
          .orderBy('id')
          .limit(PURGE_PAGE)
          .execute();
        for (const row of rows) {
          const blanked = withoutPersonalData(JSON.parse(row.record_json) as CanonicalRecord, freeText);
          if (!blanked && row.organisation === null) continue;
          changed++;
          if (dryRun) continue;
          await db
            .updateTable('responses')
            .set({ organisation: null, ...(blanked ? { record_json: JSON.stringify(blanked) } : {}) })
            .where('id', '=', row.id)
            .execute();
        }
        if (rows.length < PURGE_PAGE) return changed;
        after = rows[rows.length - 1].id;
      }
    },

    /** Every stored record with the questionnaire version answered and its source, in an order unrelated to submission. */
    async records(campaignId: string): Promise<StoredRecord[]> {
      const rows = await db
        .selectFrom('responses')
        .select(['id', 'questionnaire_version', 'source', 'record_json'])
        .where('campaign_id', '=', campaignId)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        questionnaireVersion: r.questionnaire_version,
        source: r.source,
        record: JSON.parse(r.record_json) as CanonicalRecord,
      }));
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
