import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';

/**
 * The one owner of `negative_reports` and `negative_decisions`. A merged report keeps its own
 * status (pending) and shows its primary's: `effective_status` below, so no decision is ever copied.
 */
export type NegativeReportRow = Selectable<Database['negative_reports']>;
export type DecisionRow = Selectable<Database['negative_decisions']>;
type NewDecision = Omit<Insertable<Database['negative_decisions']>, 'seq'>;

export type Status = 'pending' | 'verified' | 'dismissed';

export interface QueueRow extends Omit<NegativeReportRow, 'status'> {
  status: Status;
  department_code: string;
  department_name: string;
  /** the primary's status for a merged report, its own otherwise */
  effective_status: Status;
  /** reports merged into this one */
  duplicates: number;
}

/** A negative situation as the evaluator reported it, stored in the submit transaction. */
export interface ReportedNegative {
  id: string;
  campaignId: string;
  responseId: string;
  departmentId: string;
  kind: number;
  matter: string;
  eventDate: string | null;
  description: string;
  contactAllowed: boolean;
  contact: string | null;
  /** the day only (anonymity): no time that could be lined up with an invitation */
  day: string;
}

export interface QueueFilter {
  departmentCode?: string;
  kind?: number;
  status?: Status;
  /** reported on or before this day (age at least …, or overdue) */
  reportedOnOrBefore?: string;
  /** reported on or after this day (age at most …) */
  reportedOnOrAfter?: string;
  /** substring of the matter or the description */
  text?: string;
  /** merged duplicates are listed under their primary unless asked for */
  includeMerged?: boolean;
}

export interface DecisionUpdate {
  status: Status;
  decided_by: string;
  decided_at: string;
  decision_reason: string;
  redacted_matter: string;
  redacted_description: string;
}

type Executor = Kysely<Database> | Transaction<Database>;

/** LIKE pattern for a literal substring: %, _ and the escape character itself escaped. */
const containing = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The number of the campaign's last decision, 0 before the first. */
async function lastSeq(executor: Executor, campaignId: string): Promise<number> {
  const row = await executor
    .selectFrom('negative_decisions')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('campaign_id', '=', campaignId)
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

export function negativesRepository(db: Kysely<Database>) {
  function queueQuery(executor: Executor, campaignId: string, filter: QueueFilter) {
    let q = executor
      .selectFrom('negative_reports as n')
      .innerJoin('departments as d', 'd.id', 'n.department_id')
      .leftJoin('negative_reports as p', 'p.id', 'n.merged_into')
      .where('n.campaign_id', '=', campaignId);
    if (filter.departmentCode !== undefined) q = q.where('d.code', '=', filter.departmentCode);
    if (filter.kind !== undefined) q = q.where('n.kind', '=', filter.kind);
    if (filter.status !== undefined)
      q = q.where((eb) => eb(eb.fn.coalesce('p.status', 'n.status'), '=', filter.status as Status));
    if (filter.reportedOnOrBefore !== undefined) q = q.where('n.created_day', '<=', filter.reportedOnOrBefore);
    if (filter.reportedOnOrAfter !== undefined) q = q.where('n.created_day', '>=', filter.reportedOnOrAfter);
    if (!filter.includeMerged) q = q.where('n.merged_into', 'is', null);
    if (filter.text) {
      const pattern = containing(filter.text);
      q = q.where(sql<boolean>`(n.matter like ${pattern} escape '\\' or n.description like ${pattern} escape '\\')`);
    }
    return q;
  }

  function selectQueueRows(q: ReturnType<typeof queueQuery>) {
    return q
      .selectAll('n')
      .select((eb) => [
        'd.code as department_code',
        'd.name as department_name',
        eb.fn.coalesce('p.status', 'n.status').as('effective_status'),
        eb
          .selectFrom('negative_reports as m')
          .select(eb.fn.countAll().as('c'))
          .whereRef('m.merged_into', '=', 'n.id')
          .as('duplicates'),
      ]);
  }

  const toQueueRow = (row: Record<string, unknown>): QueueRow =>
    ({ ...row, duplicates: Number(row.duplicates), kind: Number(row.kind) }) as QueueRow;

  return {
    transaction: <T>(work: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(work),

    /** In the submit (or import) transaction: one multi-row INSERT per 500 reports, as before. */
    async insertReported(trx: Executor, reports: readonly ReportedNegative[]): Promise<void> {
      for (const chunk of chunks([...reports])) {
        await trx
          .insertInto('negative_reports')
          .values(
            chunk.map((r) => ({
              id: r.id,
              campaign_id: r.campaignId,
              response_id: r.responseId,
              department_id: r.departmentId,
              kind: r.kind,
              matter: r.matter,
              event_date: r.eventDate,
              description: r.description,
              contact_allowed: r.contactAllowed ? 1 : 0,
              contact: r.contactAllowed ? r.contact : null,
              status: 'pending',
              created_day: r.day,
            })),
          )
          .returning('id')
          .execute();
      }
    },

    async queue(
      campaignId: string,
      filter: QueueFilter,
      page: { offset: number; limit: number },
    ): Promise<{ rows: QueueRow[]; total: number }> {
      const total = await queueQuery(db, campaignId, filter)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      const rows = await selectQueueRows(queueQuery(db, campaignId, filter))
        // oldest first: the nearest deadline on top
        .orderBy('n.created_day')
        .orderBy('n.id')
        .offset(page.offset)
        .limit(page.limit)
        .execute();
      return { rows: rows.map(toQueueRow), total: Number(total.n) };
    },

    /** Situations by state (merged duplicates count with their primary only), and pending ones reported by `overdueCutoff`. */
    async counts(campaignId: string, overdueCutoff: string) {
      const rows = await db
        .selectFrom('negative_reports')
        .select((eb) => [
          'status',
          eb.fn.countAll().as('n'),
          eb.fn.sum(eb.case().when('created_day', '<=', overdueCutoff).then(1).else(0).end()).as('reported_by_cutoff'),
        ])
        .where('campaign_id', '=', campaignId)
        .where('merged_into', 'is', null)
        .groupBy('status')
        .execute();
      const counts = { pending: 0, verified: 0, dismissed: 0, overdue: 0, merged: 0 };
      for (const r of rows) {
        counts[r.status as Status] = Number(r.n);
        if (r.status === 'pending') counts.overdue = Number(r.reported_by_cutoff ?? 0);
      }
      const merged = await db
        .selectFrom('negative_reports')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('campaign_id', '=', campaignId)
        .where('merged_into', 'is not', null)
        .executeTakeFirstOrThrow();
      counts.merged = Number(merged.n);
      return counts;
    },

    async find(executor: Executor, campaignId: string, id: string): Promise<QueueRow | undefined> {
      const row = await selectQueueRows(queueQuery(executor, campaignId, { includeMerged: true }))
        .where('n.id', '=', id)
        .executeTakeFirst();
      return row && toQueueRow(row);
    },

    async findMany(executor: Executor, campaignId: string, ids: readonly string[]): Promise<QueueRow[]> {
      if (ids.length === 0) return [];
      const rows = await selectQueueRows(queueQuery(executor, campaignId, { includeMerged: true }))
        .where('n.id', 'in', [...ids])
        .execute();
      return rows.map(toQueueRow);
    },

    async duplicatesOf(executor: Executor, campaignId: string, id: string): Promise<QueueRow[]> {
      const rows = await selectQueueRows(queueQuery(executor, campaignId, { includeMerged: true }))
        .where('n.merged_into', '=', id)
        .orderBy('n.created_day')
        .orderBy('n.id')
        .execute();
      return rows.map(toQueueRow);
    },

    /** Decide only if the report is still in one of `from` and not merged: a concurrent decision makes this a no-op. */
    async decide(trx: Executor, id: string, from: readonly Status[], update: DecisionUpdate): Promise<boolean> {
      const result = await trx
        .updateTable('negative_reports')
        .set(update)
        .where('id', '=', id)
        .where('status', 'in', [...from])
        .where('merged_into', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** The office's text for departments; only while the report is undecided. */
    async setRedaction(trx: Executor, id: string, matter: string, description: string): Promise<boolean> {
      const result = await trx
        .updateTable('negative_reports')
        .set({ redacted_matter: matter, redacted_description: description })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Point pending, unmerged-or-merged `duplicates` at `primaryId`, and whatever was merged into
     * them too (no chains). False when one of them was decided meanwhile.
     */
    async merge(trx: Executor, primaryId: string, duplicates: readonly string[]): Promise<boolean> {
      const result = await trx
        .updateTable('negative_reports')
        .set({ merged_into: primaryId })
        .where('id', 'in', [...duplicates])
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) !== duplicates.length) return false;
      await trx
        .updateTable('negative_reports')
        .set({ merged_into: primaryId })
        .where('merged_into', 'in', [...duplicates])
        .execute();
      return true;
    },

    async unmerge(trx: Executor, id: string, primaryId: string): Promise<boolean> {
      const result = await trx
        .updateTable('negative_reports')
        .set({ merged_into: null })
        .where('id', '=', id)
        .where('merged_into', '=', primaryId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Append decisions numbered after the campaign's last one. Two transactions numbering at once
     * clash on the unique (campaign, seq) key: the caller retries the later one.
     */
    async insertDecisions(trx: Executor, campaignId: string, rows: NewDecision[]): Promise<void> {
      let seq = await lastSeq(trx, campaignId);
      for (const chunk of chunks(rows)) {
        await trx
          .insertInto('negative_decisions')
          .values(chunk.map((row) => ({ ...row, seq: ++seq })))
          .returning('id')
          .execute();
      }
    },

    history: (campaignId: string, reportIds: readonly string[]): Promise<DecisionRow[]> =>
      reportIds.length === 0
        ? Promise.resolve([])
        : db
            .selectFrom('negative_decisions')
            .selectAll()
            .where('campaign_id', '=', campaignId)
            .where('report_id', 'in', [...reportIds])
            .orderBy('seq')
            .execute(),

    /** Decisions numbered after `after` up to `through`, with what a change list shows of their report. */
    decisionsBetween: (campaignId: string, after: number, through: number) =>
      db
        .selectFrom('negative_decisions as x')
        .innerJoin('negative_reports as n', 'n.id', 'x.report_id')
        .innerJoin('departments as d', 'd.id', 'n.department_id')
        .selectAll('x')
        .select(['n.kind', 'd.code as department_code', 'd.name as department_name'])
        .where('x.campaign_id', '=', campaignId)
        .where('x.seq', '>', after)
        .where('x.seq', '<=', through)
        .orderBy('x.seq')
        .execute(),

    lastSeq: (campaignId: string) => lastSeq(db, campaignId),

    /** The same by campaign slug: what the live results' cache compares on every read. */
    async lastSeqOfSlug(campaignSlug: string): Promise<number> {
      const row = await db
        .selectFrom('negative_decisions as x')
        .innerJoin('campaigns as c', 'c.id', 'x.campaign_id')
        .select((eb) => eb.fn.max('x.seq').as('seq'))
        .where('c.slug', '=', campaignSlug)
        .executeTakeFirst();
      return Number(row?.seq ?? 0);
    },

    /**
     * What scoring reads: every report with its department code; a situation deducts when it is
     * verified and not merged into another (duplicates of one matter are one situation).
     */
    scoringEntries: async (campaignId: string) =>
      (
        await db
          .selectFrom('negative_reports as n')
          .innerJoin('departments as d', 'd.id', 'n.department_id')
          .select(['n.response_id', 'd.code', 'n.kind', 'n.status', 'n.merged_into'])
          .where('n.campaign_id', '=', campaignId)
          .orderBy('n.id')
          .execute()
      ).map((n) => ({
        responseId: n.response_id,
        departmentCode: n.code,
        kind: Number(n.kind),
        verified: n.status === 'verified' && n.merged_into === null,
      })),

    /** The demo's pick of reports to verify, by their (unique, marked) descriptions. */
    async pendingIdsByDescription(campaignId: string, descriptions: readonly string[]): Promise<string[]> {
      const ids: string[] = [];
      for (const chunk of chunks([...descriptions])) {
        const rows = await db
          .selectFrom('negative_reports')
          .select('id')
          .where('campaign_id', '=', campaignId)
          .where('status', '=', 'pending')
          .where('merged_into', 'is', null)
          .where('description', 'in', chunk)
          .orderBy('id')
          .execute();
        ids.push(...rows.map((r) => r.id));
      }
      return ids;
    },
  };
}

export type NegativesRepository = ReturnType<typeof negativesRepository>;
