import type { Kysely, Selectable } from 'kysely';
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

/** The responses' stored fields, one array per column (index i is one response). */
export interface InputRows {
  departments: DepartmentInfo[];
  ids: string[];
  categories: ResponseRecord['category'][];
  durations: (number | null)[];
  networkKeys: ResponseRecord['networkKey'][];
  days: ResponseRecord['submittedAt'][];
  records: string[];
  /** the questionnaire version each answered (not scored: shown beside the results) */
  versions: number[];
}

/** Scoring's inputs from the stored rows: the canonical records parsed, the negatives attached. */
export function scoringInputs(rows: InputRows, negatives: readonly ScoringNegative[]): ScoringInputs {
  const entries = new Map<string, Map<string, ResponseDepartment>>();
  const responses: ResponseRecord[] = rows.ids.map((id, i) => {
    const stored = JSON.parse(rows.records[i]) as CanonicalRecord;
    const byCode = new Map<string, ResponseDepartment>();
    const record: ResponseRecord = {
      id,
      category: rows.categories[i],
      durationSeconds: rows.durations[i],
      networkKey: rows.networkKeys[i],
      submittedAt: rows.days[i],
      departments: stored.departments
        .map((d) => {
          const entry: ResponseDepartment = { code: d.code, ratings: d.ratings, problems: d.problems, negatives: [] };
          byCode.set(d.code, entry);
          return entry;
        })
        .sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0)),
    };
    entries.set(id, byCode);
    return record;
  });
  for (const n of negatives) {
    entries.get(n.responseId)?.get(n.departmentCode)?.negatives.push({ kind: n.kind, verified: n.verified });
  }
  return { departments: rows.departments, responses };
}

export function resultsRepository(db: Kysely<Database>) {
  return {
    /**
     * Everything scoring reads for a campaign, as ResponseRecords (scoringInputs over loadInputRows).
     * Negatives are the negative reports as the negatives domain gives them (the office's decisions).
     */
    async loadInputs(campaignId: string, negatives: readonly ScoringNegative[]): Promise<ScoringInputs> {
      return scoringInputs(await this.loadInputRows(campaignId), negatives);
    },

    /**
     * What scoring reads, as the stored text: one column per field, so the server's thread hands
     * it to the scoring thread as a few arrays of strings (cheap to copy) and the thread parses it.
     * Ratings and problem mentions come from each response's canonical record (written in the same
     * transaction as its answer rows): one JSON document per response parses far faster than 400k
     * answer rows cross the driver.
     */
    async loadInputRows(campaignId: string): Promise<InputRows> {
      const departments = (
        await db
          .selectFrom('departments')
          .select(['code', 'name', 'group_code'])
          .where('campaign_id', '=', campaignId)
          .orderBy('code')
          .execute()
      ).map((d) => ({ code: d.code, name: d.name, group: d.group_code }));
      const rows = await db
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
        .orderBy('id')
        .execute();
      return {
        departments,
        ids: rows.map((r) => r.id),
        categories: rows.map((r) => r.category),
        durations: rows.map((r) => (r.duration_seconds === null ? null : Number(r.duration_seconds))),
        networkKeys: rows.map((r) => r.network_key),
        days: rows.map((r) => r.submitted_day),
        records: rows.map((r) => r.record_json),
        versions: rows.map((r) => Number(r.questionnaire_version)),
      };
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
