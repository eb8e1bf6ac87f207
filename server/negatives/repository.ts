import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Decision, DecisionChange } from '../contracts.js';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';
import { compiledOnce } from '../db/compiled.js';

/**
 * The one owner of `negative_reports` and `negative_decisions`. A merged report keeps its own
 * status (pending) and shows its primary's: `effective_status` below, so no decision is ever copied.
 */
export type Status = 'pending' | 'verified' | 'dismissed';

/** A negative report as the office's queue holds it (original text, redaction, decision, merging). */
export interface StoredReport {
  id: string;
  campaignId: string;
  responseId: string;
  department: { id: string; code: string; name: string };
  kind: number;
  matter: string;
  eventDate: string | null;
  description: string;
  contactAllowed: boolean;
  contact: string | null;
  status: Status;
  /** the primary's status for a merged report, its own otherwise */
  effectiveStatus: Status;
  /** the day the response was stored */
  reportedDay: string;
  /** the office's text for departments, once it redacted by hand (both set) */
  redacted: { matter: string; description: string } | null;
  decision: { by: string; at: string; reason: string } | null;
  mergedInto: string | null;
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

/** A decision's effect on its report: the status, who and why, and the text frozen for the department. */
export interface DecisionUpdate {
  status: Status;
  by: string;
  at: string;
  reason: string;
  redacted: { matter: string; description: string };
}

type Executor = Kysely<Database> | Transaction<Database>;

/** A reported negative situation's row, as `insertReported` stores it. */
const reportedRow = (r: ReportedNegative) => ({
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
});
type ReportedRow = ReturnType<typeof reportedRow>;
const REPORTED_COLUMNS = Object.keys(reportedRow({} as ReportedNegative)) as (keyof ReportedRow)[];
/** A submission's reports (a few at most) inserted by a statement compiled once per count (server/db/compiled.ts). */
const MAX_COMPILED_REPORTS = 16;
const insertReports = Array.from({ length: MAX_COMPILED_REPORTS + 1 }, (_, n) =>
  compiledOnce(`negative_reports.insert${n}`, (db, ...values: unknown[]) =>
    db
      .insertInto('negative_reports')
      .values(
        Array.from(
          { length: n },
          (_, i) =>
            Object.fromEntries(
              REPORTED_COLUMNS.map((c, k) => [c, values[i * REPORTED_COLUMNS.length + k]]),
            ) as unknown as ReportedRow,
        ),
      )
      .returning('id'),
  ),
);

const toDecision = (row: Selectable<Database['negative_decisions']>): Decision => ({
  id: row.id,
  reportId: row.report_id,
  at: row.at,
  actor: row.actor,
  action: row.action as Decision['action'],
  from: row.from_status,
  to: row.to_status,
  reason: row.reason,
  detail: JSON.parse(row.detail_json) as Record<string, unknown>,
});

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

  type QueueRow = Awaited<ReturnType<ReturnType<typeof selectQueueRows>['executeTakeFirstOrThrow']>>;
  const toReport = (row: QueueRow): StoredReport => ({
    id: row.id,
    campaignId: row.campaign_id,
    responseId: row.response_id,
    department: { id: row.department_id, code: row.department_code, name: row.department_name },
    kind: Number(row.kind),
    matter: row.matter,
    eventDate: row.event_date,
    description: row.description,
    contactAllowed: Number(row.contact_allowed) === 1,
    contact: row.contact,
    status: row.status as Status,
    effectiveStatus: row.effective_status as Status,
    reportedDay: row.created_day,
    redacted:
      row.redacted_matter !== null && row.redacted_description !== null
        ? { matter: row.redacted_matter, description: row.redacted_description }
        : null,
    decision:
      row.decided_at !== null && row.decided_by !== null
        ? { by: row.decided_by, at: row.decided_at, reason: row.decision_reason ?? '' }
        : null,
    mergedInto: row.merged_into,
    duplicates: Number(row.duplicates),
  });

  return {
    transaction: <T>(work: (trx: Transaction<Database>) => Promise<T>) => db.transaction().execute(work),

    /** Blank the contacts evaluators volunteered on a campaign's reports (the reports stay); `dryRun` only counts. */
    async purgeContacts(campaignId: string, dryRun: boolean): Promise<number> {
      if (dryRun)
        return Number(
          (
            await db
              .selectFrom('negative_reports')
              .select((eb) => eb.fn.countAll().as('n'))
              .where('campaign_id', '=', campaignId)
              .where('contact', 'is not', null)
              .executeTakeFirstOrThrow()
          ).n,
        );
      const result = await db
        .updateTable('negative_reports')
        .set({ contact: null })
        .where('campaign_id', '=', campaignId)
        .where('contact', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** In the submit (or import) transaction: one multi-row INSERT per 500 reports, as before. */
    async insertReported(trx: Executor, reports: readonly ReportedNegative[]): Promise<void> {
      if (reports.length === 0) return;
      if (reports.length <= MAX_COMPILED_REPORTS) {
        const rows = reports.map(reportedRow);
        await insertReports[reports.length]!(trx, ...rows.flatMap((row) => REPORTED_COLUMNS.map((c) => row[c])));
        return;
      }
      for (const chunk of chunks([...reports])) {
        await trx.insertInto('negative_reports').values(chunk.map(reportedRow)).returning('id').execute();
      }
    },

    async queue(
      campaignId: string,
      filter: QueueFilter,
      page: { offset: number; limit: number },
    ): Promise<{ reports: StoredReport[]; total: number }> {
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
      return { reports: rows.map(toReport), total: Number(total.n) };
    },

    /** The situations still to verify or dismiss (merged duplicates count with their primary only). */
    async pendingCount(campaignId: string): Promise<number> {
      const pending = await db
        .selectFrom('negative_reports')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('campaign_id', '=', campaignId)
        .where('status', '=', 'pending')
        .where('merged_into', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(pending.n);
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

    async find(executor: Executor, campaignId: string, id: string): Promise<StoredReport | undefined> {
      const row = await selectQueueRows(queueQuery(executor, campaignId, { includeMerged: true }))
        .where('n.id', '=', id)
        .executeTakeFirst();
      return row && toReport(row);
    },

    async findMany(executor: Executor, campaignId: string, ids: readonly string[]): Promise<StoredReport[]> {
      if (ids.length === 0) return [];
      const rows = await selectQueueRows(queueQuery(executor, campaignId, { includeMerged: true }))
        .where('n.id', 'in', [...ids])
        .execute();
      return rows.map(toReport);
    },

    async duplicatesOf(executor: Executor, campaignId: string, id: string): Promise<StoredReport[]> {
      const rows = await selectQueueRows(queueQuery(executor, campaignId, { includeMerged: true }))
        .where('n.merged_into', '=', id)
        .orderBy('n.created_day')
        .orderBy('n.id')
        .execute();
      return rows.map(toReport);
    },

    /** Decide only if the report is still in one of `from` and not merged: a concurrent decision makes this a no-op. */
    async decide(trx: Executor, id: string, from: readonly Status[], update: DecisionUpdate): Promise<boolean> {
      const result = await trx
        .updateTable('negative_reports')
        .set({
          status: update.status,
          decided_by: update.by,
          decided_at: update.at,
          decision_reason: update.reason,
          redacted_matter: update.redacted.matter,
          redacted_description: update.redacted.description,
        })
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
    async insertDecisions(trx: Executor, campaignId: string, decisions: readonly Decision[]): Promise<void> {
      let seq = await lastSeq(trx, campaignId);
      for (const chunk of chunks([...decisions])) {
        await trx
          .insertInto('negative_decisions')
          .values(
            chunk.map((d) => ({
              id: d.id,
              campaign_id: campaignId,
              report_id: d.reportId,
              seq: ++seq,
              at: d.at,
              actor: d.actor,
              action: d.action,
              from_status: d.from,
              to_status: d.to,
              reason: d.reason,
              detail_json: JSON.stringify(d.detail),
            })),
          )
          .returning('id')
          .execute();
      }
    },

    history: async (campaignId: string, reportIds: readonly string[]): Promise<Decision[]> =>
      reportIds.length === 0
        ? []
        : (
            await db
              .selectFrom('negative_decisions')
              .selectAll()
              .where('campaign_id', '=', campaignId)
              .where('report_id', 'in', [...reportIds])
              .orderBy('seq')
              .execute()
          ).map(toDecision),

    /** Decisions numbered after `after` up to `through`, with what a change list shows of their report. */
    decisionsBetween: async (campaignId: string, after: number, through: number): Promise<DecisionChange[]> =>
      (
        await db
          .selectFrom('negative_decisions as x')
          .innerJoin('negative_reports as n', 'n.id', 'x.report_id')
          .innerJoin('departments as d', 'd.id', 'n.department_id')
          .selectAll('x')
          .select(['n.kind', 'd.code as department_code', 'd.name as department_name'])
          .where('x.campaign_id', '=', campaignId)
          .where('x.seq', '>', after)
          .where('x.seq', '<=', through)
          .orderBy('x.seq')
          .execute()
      ).map((r) => ({
        report: r.report_id,
        department: { code: r.department_code, name: r.department_name },
        kind: Number(r.kind),
        action: r.action as Decision['action'],
        from: r.from_status,
        to: r.to_status,
        reason: r.reason,
        by: r.actor,
        at: r.at,
      })),

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
