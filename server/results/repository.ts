import { type Kysely, PostgresAdapter, type Selectable, sql } from 'kysely';
import type { Database, SnapshotsTable } from '../db/schema.js';
import type { CampaignResult, DepartmentInfo, ResponseDepartment, ResponseRecord } from '../../scoring/index.js';

import type {
  CanonicalRecord,
  Catalogs,
  QuestionnaireVersionCount,
  SnapshotChanges,
  SnapshotSummary,
} from '../contracts.js';

/** A snapshot's stored row, exactly as published (for audits: the text is what is kept forever). */
export type SnapshotRecord = Selectable<SnapshotsTable>;

/** What a snapshot's result_json holds: self-contained, so a published result reads the same forever. */
export interface StoredResult {
  campaign: { slug: string; name: string };
  catalogs: Catalogs;
  result: CampaignResult;
  /** the questionnaire versions the responses answered; absent from snapshots published before it was kept */
  questionnaireVersions?: QuestionnaireVersionCount[];
}

/** A published snapshot without its result. */
export interface SnapshotHead {
  id: string;
  campaignId: string;
  createdAt: string;
  createdBy: string;
  inputsHash: string;
  counts: SnapshotSummary['counts'];
  /** the last negative decision (seq) its figures include */
  decisionsThrough: number;
  /** what changed since the campaign's previous snapshot; null for the first */
  changes: SnapshotChanges | null;
}

/** A published snapshot with its stored result. */
export interface Snapshot extends SnapshotHead {
  stored: StoredResult;
}

const headColumns = [
  'id',
  'campaign_id',
  'created_at',
  'created_by',
  'inputs_hash',
  'counts_json',
  'decisions_through',
  'changes_json',
] as const;

type HeadRow = Pick<SnapshotRecord, (typeof headColumns)[number]>;

const toHead = (row: HeadRow): SnapshotHead => ({
  id: row.id,
  campaignId: row.campaign_id,
  createdAt: row.created_at,
  createdBy: row.created_by,
  inputsHash: row.inputs_hash,
  counts: JSON.parse(row.counts_json) as SnapshotSummary['counts'],
  decisionsThrough: Number(row.decisions_through),
  changes: row.changes_json === null ? null : (JSON.parse(row.changes_json) as SnapshotChanges),
});

const toSnapshot = (row: SnapshotRecord): Snapshot => ({
  ...toHead(row),
  stored: JSON.parse(row.result_json) as StoredResult,
});

/** A snapshot to store: its result as the domain holds it, written as JSON text here. */
export interface NewSnapshot extends SnapshotHead {
  method: unknown;
  stored: StoredResult;
}

/** A negative report as scoring reads it: it deducts when verified (and not merged into another). */
export interface ScoringNegative {
  responseId: string;
  departmentCode: string;
  kind: number;
  verified: boolean;
}

export interface ScoringInputs {
  departments: DepartmentInfo[];
  responses: ResponseRecord[];
}

/** One response's stored fields as scoring reads them. */
export interface InputRow {
  id: string;
  category: ResponseRecord['category'];
  durationSeconds: number | null;
  networkKey: ResponseRecord['networkKey'];
  day: ResponseRecord['submittedAt'];
  /** the canonical record, as stored (JSON text) */
  record: string;
  /** the questionnaire version answered (not scored: shown beside the results) */
  version: number;
}

/** The responses' stored fields, one array per column (index i is one response): cheap to copy between threads. */
export interface InputRows {
  departments: DepartmentInfo[];
  ids: string[];
  categories: ResponseRecord['category'][];
  durations: (number | null)[];
  networkKeys: ResponseRecord['networkKey'][];
  days: ResponseRecord['submittedAt'][];
  records: string[];
  versions: number[];
}

export const inputRow = (rows: InputRows, i: number): InputRow => ({
  id: rows.ids[i],
  category: rows.categories[i],
  durationSeconds: rows.durations[i],
  networkKey: rows.networkKeys[i],
  day: rows.days[i],
  record: rows.records[i],
  version: rows.versions[i],
});

/** How many responses answered each questionnaire version, oldest version first. */
export function questionnaireVersionCounts(versions: Iterable<number>): QuestionnaireVersionCount[] {
  const counts = new Map<number, number>();
  for (const version of versions) counts.set(version, (counts.get(version) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([version, responses]) => ({ version, responses }));
}

/** Negative reports by response id, then department code, as scoring reads them. */
export type NegativesByResponse = Map<string, Map<string, ResponseDepartment['negatives']>>;

export function negativesByResponse(negatives: readonly ScoringNegative[]): NegativesByResponse {
  const byResponse: NegativesByResponse = new Map();
  for (const n of negatives) {
    let byCode = byResponse.get(n.responseId);
    if (!byCode) byResponse.set(n.responseId, (byCode = new Map()));
    const list = byCode.get(n.departmentCode);
    const negative = { kind: n.kind, verified: n.verified };
    if (list) list.push(negative);
    else byCode.set(n.departmentCode, [negative]);
  }
  return byResponse;
}

/** One stored response as scoring reads it: its canonical record parsed, its negative reports attached. */
export function scoringRecord(row: InputRow, negatives: NegativesByResponse): ResponseRecord {
  const stored = JSON.parse(row.record) as CanonicalRecord;
  const reported = negatives.get(row.id);
  return {
    id: row.id,
    category: row.category,
    durationSeconds: row.durationSeconds,
    networkKey: row.networkKey,
    submittedAt: row.day,
    departments: stored.departments
      .map(
        (d): ResponseDepartment => ({
          code: d.code,
          ratings: d.ratings,
          problems: d.problems,
          negatives: reported?.get(d.code) ?? [],
        }),
      )
      .sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0)),
  };
}

/** Scoring's inputs from the stored rows: the canonical records parsed, the negatives attached. */
export function scoringInputs(rows: InputRows, negatives: readonly ScoringNegative[]): ScoringInputs {
  const byResponse = negativesByResponse(negatives);
  return {
    departments: rows.departments,
    responses: rows.ids.map((_, i) => scoringRecord(inputRow(rows, i), byResponse)),
  };
}

/** Responses read at a time: a batch's records are compiled and dropped before the next is read. */
const BATCH = 500;

export function resultsRepository(db: Kysely<Database>) {
  const onPostgres = () => db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    /**
     * Everything scoring reads for a campaign, as ResponseRecords (scoringInputs over loadInputRows).
     * Negatives are the negative reports as the negatives domain gives them (the office's decisions).
     */
    async loadInputs(campaignId: string, negatives: readonly ScoringNegative[]): Promise<ScoringInputs> {
      return scoringInputs(await this.loadInputRows(campaignId), negatives);
    },

    departments: async (campaignId: string): Promise<DepartmentInfo[]> =>
      (
        await db
          .selectFrom('departments')
          .select(['code', 'name', 'group_code'])
          .where('campaign_id', '=', campaignId)
          .orderBy('code')
          .execute()
      ).map((d) => ({ code: d.code, name: d.name, group: d.group_code })),

    /**
     * What scoring reads of the campaign's responses, as the stored text, in batches in id order,
     * from one query: on PostgreSQL a cursor (so call it inside a transaction), on SQLite a
     * statement stepped row by row. Ratings and problem mentions come from each response's
     * canonical record: one JSON document per response parses far faster than 400k answer rows
     * cross the driver.
     */
    async *inputRowBatches(campaignId: string): AsyncGenerator<InputRow[]> {
      const query = db
        .selectFrom('responses')
        .select([
          'id',
          'category',
          'duration_seconds',
          'network_key',
          'submitted_day',
          'record_json',
          'questionnaire_version',
        ])
        .where('campaign_id', '=', campaignId)
        .orderBy('id');
      type Row = Awaited<ReturnType<typeof query.executeTakeFirstOrThrow>>;
      const toRow = (r: Row): InputRow => ({
        id: r.id,
        category: r.category,
        durationSeconds: r.duration_seconds === null ? null : Number(r.duration_seconds),
        networkKey: r.network_key,
        day: r.submitted_day,
        record: r.record_json,
        version: Number(r.questionnaire_version),
      });
      if (onPostgres()) {
        await sql`declare scoring_rows no scroll cursor for ${query}`.execute(db);
        for (;;) {
          const { rows } = await sql<Row>`fetch ${sql.raw(String(BATCH))} from scoring_rows`.execute(db);
          if (rows.length > 0) yield rows.map(toRow);
          if (rows.length < BATCH) break;
        }
        await sql`close scoring_rows`.execute(db);
        return;
      }
      let batch: InputRow[] = [];
      for await (const r of query.stream()) {
        batch.push(toRow(r));
        if (batch.length === BATCH) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length > 0) yield batch;
    },

    /**
     * The departments and the responses' stored fields, one array per column (inputRowBatches;
     * on PostgreSQL in a transaction of its own unless in one already, for the cursor: SQLite's
     * would take the write lock, since its transactions begin immediate).
     */
    async loadInputRows(campaignId: string): Promise<InputRows> {
      if (onPostgres() && !db.isTransaction)
        return db.transaction().execute((trx) => resultsRepository(trx).loadInputRows(campaignId));
      const rows: InputRows = {
        departments: await this.departments(campaignId),
        ids: [],
        categories: [],
        durations: [],
        networkKeys: [],
        days: [],
        records: [],
        versions: [],
      };
      for await (const batch of this.inputRowBatches(campaignId))
        for (const r of batch) {
          rows.ids.push(r.id);
          rows.categories.push(r.category);
          rows.durations.push(r.durationSeconds);
          rows.networkKeys.push(r.networkKey);
          rows.days.push(r.day);
          rows.records.push(r.record);
          rows.versions.push(r.version);
        }
      return rows;
    },

    /** Snapshots are insert-only: there is no update or delete here on purpose. */
    insertSnapshot: async (snapshot: NewSnapshot): Promise<Snapshot> =>
      toSnapshot(
        await db
          .insertInto('snapshots')
          .values({
            id: snapshot.id,
            campaign_id: snapshot.campaignId,
            created_at: snapshot.createdAt,
            created_by: snapshot.createdBy,
            method_json: JSON.stringify(snapshot.method),
            inputs_hash: snapshot.inputsHash,
            counts_json: JSON.stringify(snapshot.counts),
            result_json: JSON.stringify(snapshot.stored),
            decisions_through: snapshot.decisionsThrough,
            changes_json: snapshot.changes && JSON.stringify(snapshot.changes),
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),

    /** The stored row as is (audits compare its text). */
    findRecord: (id: string) => db.selectFrom('snapshots').selectAll().where('id', '=', id).executeTakeFirst(),

    findSnapshot: async (id: string): Promise<Snapshot | undefined> => {
      const row = await db.selectFrom('snapshots').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toSnapshot(row);
    },

    listSnapshots: async (campaignId: string): Promise<SnapshotHead[]> =>
      (
        await db
          .selectFrom('snapshots')
          .select(headColumns)
          .where('campaign_id', '=', campaignId)
          .orderBy('created_at', 'desc')
          .orderBy('id')
          .execute()
      ).map(toHead),

    /** The latest snapshot of every campaign (for trends across campaigns), oldest campaign first. */
    async latestSnapshots(): Promise<Snapshot[]> {
      const rows = await db
        .selectFrom('snapshots as s')
        .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
        .select(['s.id', 's.campaign_id', 's.created_at'])
        .orderBy('s.created_at', 'desc')
        .execute();
      const latest = new Map<string, string>();
      for (const r of rows) if (!latest.has(r.campaign_id)) latest.set(r.campaign_id, r.id);
      if (latest.size === 0) return [];
      return (
        await db
          .selectFrom('snapshots as s')
          .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
          .selectAll('s')
          .where('s.id', 'in', [...latest.values()])
          .orderBy('c.opens_at')
          .execute()
      ).map(toSnapshot);
    },

    /** Every snapshot of every campaign, without the results: for choosing what to compare. */
    allSnapshots: async (): Promise<(SnapshotHead & { slug: string; campaignName: string })[]> =>
      (
        await db
          .selectFrom('snapshots as s')
          .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
          .select(headColumns.map((c) => `s.${c}` as const))
          .select(['c.slug', 'c.name as campaign_name'])
          .orderBy('c.opens_at', 'desc')
          .orderBy('s.created_at', 'desc')
          .execute()
      ).map((r) => ({ ...toHead(r), slug: r.slug, campaignName: r.campaign_name })),

    latestSnapshot: async (campaignId: string): Promise<Snapshot | undefined> => {
      const row = await db
        .selectFrom('snapshots')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row && toSnapshot(row);
    },
  };
}

export type ResultsRepository = ReturnType<typeof resultsRepository>;
