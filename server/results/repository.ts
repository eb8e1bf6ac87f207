import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, SnapshotsTable } from '../db/schema.js';
import type { DepartmentInfo, ResponseDepartment, ResponseRecord } from '../../scoring/index.js';

export type SnapshotRow = Selectable<SnapshotsTable>;
export type SnapshotSummaryRow = Omit<SnapshotRow, 'result_json' | 'method_json'>;

export interface ScoringInputs {
  departments: DepartmentInfo[];
  responses: ResponseRecord[];
}

/** Responses per page when reading answers: bounds memory (≈ 100k answer rows) on every dialect. */
const PAGE = 2500;

export function resultsRepository(db: Kysely<Database>) {
  return {
    /**
     * Everything scoring reads for a campaign, as ResponseRecords: one query per table (responses,
     * answers, problem mentions, negative reports), each joined to departments for the code and
     * folded into the records in one pass. Negative reports with status 'verified' count as verified.
     */
    async loadInputs(campaignId: string): Promise<ScoringInputs> {
      const departments = (
        await db
          .selectFrom('departments')
          .select(['code', 'name', 'group_code'])
          .where('campaign_id', '=', campaignId)
          .orderBy('code')
          .execute()
      ).map((d) => ({ code: d.code, name: d.name, group: d.group_code }));

      const byId = new Map<string, ResponseRecord>();
      const responseRows = await db
        .selectFrom('responses')
        .select(['id', 'category', 'duration_seconds', 'network_key', 'submitted_day'])
        .where('campaign_id', '=', campaignId)
        .orderBy('id')
        .execute();
      const responses: ResponseRecord[] = responseRows.map((r) => {
        const record: ResponseRecord = {
          id: r.id,
          category: r.category,
          durationSeconds: r.duration_seconds === null ? null : Number(r.duration_seconds),
          networkKey: r.network_key,
          submittedAt: r.submitted_day,
          departments: [],
        };
        byId.set(r.id, record);
        return record;
      });

      // the department entries of the record last touched: rows of one response come together
      let lastRecord: ResponseRecord | undefined;
      let lastEntries = new Map<string, ResponseDepartment>();
      const entry = (responseId: string, code: string): ResponseDepartment | undefined => {
        if (lastRecord?.id !== responseId) {
          const record = byId.get(responseId);
          if (!record) return undefined;
          lastRecord = record;
          lastEntries = new Map(record.departments.map((e) => [e.code, e]));
        }
        let e = lastEntries.get(code);
        if (!e) {
          e = { code, ratings: {}, problems: [], negatives: [] };
          lastEntries.set(code, e);
          lastRecord.departments.push(e);
        }
        return e;
      };

      // answers and problem mentions, driven from the campaign's responses a page of ids at a time:
      // the primary keys start with response_id, so each page is an index range, read once
      for (let i = 0; i < responses.length; i += PAGE) {
        const lo = responses[i].id;
        const hi = responses[Math.min(responses.length, i + PAGE) - 1].id;
        const answers = await db
          .selectFrom('responses as r')
          .innerJoin('answers as a', 'a.response_id', 'r.id')
          .innerJoin('departments as d', 'd.id', 'a.department_id')
          .select(['a.response_id', 'd.code', 'a.item', 'a.level'])
          .where('r.campaign_id', '=', campaignId)
          .where('r.id', '>=', lo)
          .where('r.id', '<=', hi)
          .execute();
        for (const a of answers) {
          const e = entry(a.response_id, a.code);
          if (e) e.ratings[a.item] = a.level;
        }
        const mentions = await db
          .selectFrom('responses as r')
          .innerJoin('problem_mentions as p', 'p.response_id', 'r.id')
          .innerJoin('departments as d', 'd.id', 'p.department_id')
          .select(['p.response_id', 'd.code', 'p.problem'])
          .where('r.campaign_id', '=', campaignId)
          .where('r.id', '>=', lo)
          .where('r.id', '<=', hi)
          .execute();
        for (const p of mentions) {
          const e = entry(p.response_id, p.code);
          if (e) e.problems.push(Number(p.problem));
        }
      }

      const negatives = await db
        .selectFrom('negative_reports as n')
        .innerJoin('departments as d', 'd.id', 'n.department_id')
        .select(['n.response_id', 'd.code', 'n.kind', 'n.status'])
        .where('n.campaign_id', '=', campaignId)
        .execute();
      for (const n of negatives) {
        const e = entry(n.response_id, n.code);
        if (e) e.negatives.push({ kind: Number(n.kind), verified: n.status === 'verified' });
      }

      for (const r of responses) if (r.departments.length > 1) r.departments.sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0));
      return { departments, responses };
    },

    /** Simulation only: mark the negative reports with these descriptions verified (as the office would). */
    async markVerified(campaignId: string, descriptions: string[]): Promise<number> {
      let n = 0;
      for (let i = 0; i < descriptions.length; i += 500) {
        const result = await db
          .updateTable('negative_reports')
          .set({ status: 'verified' })
          .where('campaign_id', '=', campaignId)
          .where('description', 'in', descriptions.slice(i, i + 500))
          .executeTakeFirst();
        n += Number(result.numUpdatedRows);
      }
      return n;
    },

    /** Snapshots are insert-only: there is no update or delete here on purpose. */
    insertSnapshot: (row: Insertable<SnapshotsTable>) => db.insertInto('snapshots').values(row).returningAll().executeTakeFirstOrThrow(),

    findSnapshot: (id: string) => db.selectFrom('snapshots').selectAll().where('id', '=', id).executeTakeFirst(),

    listSnapshots: (campaignId: string): Promise<SnapshotSummaryRow[]> =>
      db
        .selectFrom('snapshots')
        .select(['id', 'campaign_id', 'created_at', 'created_by', 'inputs_hash', 'counts_json'])
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
        .select(['s.id', 's.campaign_id', 's.created_at', 's.created_by', 's.inputs_hash', 's.counts_json', 'c.slug', 'c.name as campaign_name'])
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
