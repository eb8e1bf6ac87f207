import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, SnapshotsTable } from '../db/schema.js';
import type { DepartmentInfo, ResponseDepartment, ResponseRecord } from '../../scoring/index.js';
import type { CanonicalRecord } from '../contracts.js';

export type SnapshotRow = Selectable<SnapshotsTable>;
export type SnapshotSummaryRow = Omit<SnapshotRow, 'result_json' | 'method_json'>;

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

export function resultsRepository(db: Kysely<Database>) {
  return {
    /**
     * Everything scoring reads for a campaign, as ResponseRecords. Ratings and problem mentions come
     * from each response's canonical record (written in the same transaction as its answer rows):
     * one JSON document per response parses far faster than 400k answer rows cross the driver.
     * Negatives are the negative reports as the negatives domain gives them (the office's decisions).
     */
    async loadInputs(campaignId: string, negatives: readonly ScoringNegative[]): Promise<ScoringInputs> {
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
        .select(['id', 'category', 'duration_seconds', 'network_key', 'submitted_day', 'record_json'])
        .where('campaign_id', '=', campaignId)
        .orderBy('id')
        .execute();
      const entries = new Map<string, Map<string, ResponseDepartment>>();
      const responses: ResponseRecord[] = rows.map((r) => {
        const stored = JSON.parse(r.record_json) as CanonicalRecord;
        const byCode = new Map<string, ResponseDepartment>();
        const record: ResponseRecord = {
          id: r.id,
          category: r.category,
          durationSeconds: r.duration_seconds === null ? null : Number(r.duration_seconds),
          networkKey: r.network_key,
          submittedAt: r.submitted_day,
          departments: stored.departments
            .map((d) => {
              const entry: ResponseDepartment = {
                code: d.code,
                ratings: d.ratings,
                problems: d.problems,
                negatives: [],
              };
              byCode.set(d.code, entry);
              return entry;
            })
            .sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0)),
        };
        entries.set(r.id, byCode);
        return record;
      });

      for (const n of negatives) {
        entries.get(n.responseId)?.get(n.departmentCode)?.negatives.push({ kind: n.kind, verified: n.verified });
      }
      return { departments, responses };
    },

    /** Snapshots are insert-only: there is no update or delete here on purpose. */
    insertSnapshot: (row: Insertable<SnapshotsTable>) =>
      db.insertInto('snapshots').values(row).returningAll().executeTakeFirstOrThrow(),

    findSnapshot: (id: string) => db.selectFrom('snapshots').selectAll().where('id', '=', id).executeTakeFirst(),

    listSnapshots: (campaignId: string): Promise<SnapshotSummaryRow[]> =>
      db
        .selectFrom('snapshots')
        .select([
          'id',
          'campaign_id',
          'created_at',
          'created_by',
          'inputs_hash',
          'counts_json',
          'decisions_through',
          'changes_json',
        ])
        .where('campaign_id', '=', campaignId)
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute(),

    /** The latest snapshot of every campaign (for trends across campaigns), oldest campaign first. */
    async latestSnapshots(): Promise<(SnapshotRow & { slug: string; campaign_name: string; opens_at: string })[]> {
      const rows = await db
        .selectFrom('snapshots as s')
        .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
        .select(['s.id', 's.campaign_id', 's.created_at'])
        .orderBy('s.created_at', 'desc')
        .execute();
      const latest = new Map<string, string>();
      for (const r of rows) if (!latest.has(r.campaign_id)) latest.set(r.campaign_id, r.id);
      if (latest.size === 0) return [];
      return db
        .selectFrom('snapshots as s')
        .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
        .selectAll('s')
        .select(['c.slug', 'c.name as campaign_name', 'c.opens_at'])
        .where('s.id', 'in', [...latest.values()])
        .orderBy('c.opens_at')
        .execute();
    },

    /** Every snapshot of every campaign, without the results: for choosing what to compare. */
    allSnapshots: () =>
      db
        .selectFrom('snapshots as s')
        .innerJoin('campaigns as c', 'c.id', 's.campaign_id')
        .select([
          's.id',
          's.campaign_id',
          's.created_at',
          's.created_by',
          's.inputs_hash',
          's.counts_json',
          's.decisions_through',
          's.changes_json',
          'c.slug',
          'c.name as campaign_name',
        ])
        .orderBy('c.opens_at', 'desc')
        .orderBy('s.created_at', 'desc')
        .execute(),

    latestSnapshot: (campaignId: string) =>
      db
        .selectFrom('snapshots')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst(),
  };
}

export type ResultsRepository = ReturnType<typeof resultsRepository>;
