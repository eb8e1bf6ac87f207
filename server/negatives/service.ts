/**
 * The verification queue (待核实): every reported negative situation, its redaction for the
 * department, and the office's decision — 核实 (verified: deducts, becomes an item on the
 * department's sheet) or 不予采纳 (dismissed) with a reason kept in an append-only history.
 *
 * Merging: reports of the same matter (same department) are merged into one primary. A merged
 * report follows the primary's decision and is never decided on its own; the situation counts
 * once: only the primary can deduct its 0.5 points (the brief deducts per verified negative
 * situation, and duplicates of one matter are one situation).
 */
import type { Transaction } from 'kysely';
import { z } from 'zod';
import { text } from '../../surveys/text.js';
import type { AuditService } from '../accounts/audit.js';
import type { NoticeActor, NoticesService } from '../notices/service.js';
import { unsettledIn, type Campaign, type CampaignsService } from '../campaigns/service.js';
import type { AppDeps } from '../context.js';
import type { Database } from '../db/schema.js';
import { isUniqueViolation } from '../db/connect.js';
import { AppError, parseOrThrow } from '../errors.js';
import { newId } from '../shared/ids.js';
import type { Decision, DecisionChange, NegativeReport, NegativeReportDetail, QueuePage } from '../contracts.js';
import { findSensitive, redact } from '../shared/redaction.js';
import type { CalendarService } from '../calendar/service.js';
import type { WorkingCalendar } from '../calendar/working-days.js';
import { addDays, daysBetween, overdueCutoff, reviewDeadline } from './deadline.js';
import {
  negativesRepository,
  type QueueFilter,
  type StoredReport,
  type ReportedNegative,
  type Status,
} from './repository.js';

export type { ReportedNegative, Status };

/** Who decides: a signed-in office user, or `cli` / `demo` (the actor notices record on the item too). */
export type Actor = NoticeActor;

const flag = z
  .enum(['1', 'true', '0', 'false'], { message: '应为 1 或 0' })
  .transform((v) => v === '1' || v === 'true');
const count = (max: number) =>
  z.coerce.number({ message: '应为整数' }).int('应为整数').min(0, '不能为负数').max(max, `不能超过 ${max}`);

/** The queue's filters, as an HTTP query (and the CLI's options) gives them: text values. */
export const queueQuerySchema = z.strictObject({
  department: z.string().trim().min(1).max(64).optional(),
  kind: z.coerce.number({ message: '应为负面情形编号' }).int('应为负面情形编号').optional(),
  state: z.enum(['pending', 'verified', 'dismissed'], { message: '应为 pending、verified 或 dismissed' }).optional(),
  overdue: flag.optional(),
  minAgeDays: count(3650).optional(),
  maxAgeDays: count(3650).optional(),
  q: z.string().trim().max(100, '不能超过 100 个字').optional(),
  includeMerged: flag.optional(),
  page: z.coerce.number({ message: '应为页码' }).int('应为页码').min(1, '页码从 1 开始').default(1),
  pageSize: z.coerce.number({ message: '应为整数' }).int('应为整数').min(1).max(200, '每页最多 200 条').default(50),
});
export type QueueQuery = z.output<typeof queueQuerySchema>;

const reason = text({ message: '请填写理由' }).trim().min(1, '请填写理由').max(1000, '不能超过 1000 个字');
export const decisionSchema = z.strictObject({ reason });
export const redactionSchema = z.strictObject({
  matter: text({ message: '事项不能为空' }).trim().min(1, '事项不能为空').max(2000, '不能超过 2000 个字'),
  description: text({ message: '经过不能为空' }).trim().min(1, '经过不能为空').max(20000, '不能超过 20000 个字'),
});
export const mergeSchema = z.strictObject({
  duplicates: z.array(z.string().min(1).max(64)).min(1, '请选择要合并的情形').max(200, '一次最多合并 200 条'),
  reason,
});
export type DecisionInput = z.input<typeof decisionSchema>;
export type RedactionInput = z.input<typeof redactionSchema>;
export type MergeInput = z.input<typeof mergeSchema>;

/** The text a department would read: frozen at the decision, else the office's edit, else automatic. */
function redactedOf(report: StoredReport) {
  return {
    matter: report.redacted?.matter ?? redact(report.matter).text,
    description: report.redacted?.description ?? redact(report.description).text,
    byHand: report.redacted !== null,
  };
}

export function negativesService(
  { db, clock }: AppDeps,
  campaigns: CampaignsService,
  audit: AuditService,
  notices: Pick<NoticesService, 'registerVerifiedNegative'>,
  calendars: Pick<CalendarService, 'forCampaign'>,
) {
  const repo = negativesRepository(db.kysely);

  /**
   * Today and the review deadlines in the campaign's working calendar, for one answer (read once:
   * the office may change its local overrides); deadlines are kept by report day, which most
   * reports of a queue share with others.
   */
  async function datingFor(campaign: Campaign) {
    const calendar: WorkingCalendar = await calendars.forCampaign(campaign);
    const today = calendar.dayOf(clock.now());
    const byDay = new Map<string, ReturnType<typeof reviewDeadline>>();
    return {
      today,
      overdueCutoff: () => overdueCutoff(calendar, today),
      deadlineOf(day: string) {
        let deadline = byDay.get(day);
        if (!deadline) byDay.set(day, (deadline = reviewDeadline(calendar, day, today)));
        return deadline;
      },
    };
  }
  type Dating = Awaited<ReturnType<typeof datingFor>>;

  function toReport(campaign: Campaign, report: StoredReport, dating: Dating): NegativeReport {
    const { today } = dating;
    const deadline = dating.deadlineOf(report.reportedDay);
    return {
      id: report.id,
      department: { code: report.department.code, name: report.department.name },
      kind: report.kind,
      kindLabel: campaign.config.negatives.find((n) => n.id === report.kind)?.label ?? `负面情形 ${report.kind}`,
      matter: report.matter,
      eventDate: report.eventDate,
      description: report.description,
      redacted: redactedOf(report),
      contactAllowed: report.contactAllowed,
      reportedDay: report.reportedDay,
      ageDays: daysBetween(report.reportedDay, today),
      dueDay: deadline.dueDay,
      workingDaysLeft: deadline.workingDaysLeft,
      overdue: report.effectiveStatus === 'pending' && deadline.overdue,
      status: report.effectiveStatus,
      mergedInto: report.mergedInto,
      duplicates: report.duplicates,
      decision: report.decision,
    };
  }

  async function filterOf(
    campaign: Campaign,
    query: QueueQuery,
    { today, overdueCutoff }: Dating,
  ): Promise<QueueFilter> {
    if (query.kind !== undefined && !campaign.config.negatives.some((n) => n.id === query.kind)) {
      throw new AppError('VALIDATION_FAILED', `不是有效的负面情形编号：${query.kind}`, [
        { field: 'kind', message: `应为 ${campaign.config.negatives.map((n) => n.id).join('、')} 之一` },
      ]);
    }
    if (query.department !== undefined) {
      const known = (await campaigns.departmentIndex(campaign)).idByCode.has(query.department);
      if (!known)
        throw new AppError('VALIDATION_FAILED', `不是本次评议的部门代码：${query.department}`, [
          { field: 'department', message: '没有这个部门' },
        ]);
    }
    const before = [
      query.overdue ? overdueCutoff() : undefined,
      query.minAgeDays !== undefined ? addDays(today, -query.minAgeDays) : undefined,
    ].filter((d): d is string => d !== undefined);
    return {
      departmentCode: query.department,
      kind: query.kind,
      status: query.overdue ? 'pending' : query.state,
      reportedOnOrBefore: before.length ? before.sort()[0] : undefined,
      reportedOnOrAfter: query.maxAgeDays !== undefined ? addDays(today, -query.maxAgeDays) : undefined,
      text: query.q || undefined,
      includeMerged: query.includeMerged,
    };
  }

  async function load(trx: Transaction<Database> | undefined, campaign: Campaign, id: string): Promise<StoredReport> {
    const row = await repo.find(trx ?? db.kysely, campaign.id, id);
    if (!row) throw new AppError('NOT_FOUND', '没有这条负面情形');
    return row;
  }

  const concurrent = () => new AppError('CONFLICT', '这条负面情形刚被其他人处理过，请刷新后查看');

  /** A transaction that records decisions: run again when a concurrent one took the same decision number. */
  async function deciding<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await repo.transaction(work);
      } catch (error) {
        if (attempt >= 5 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  function decisionOf(
    reportId: string,
    actor: Actor,
    fields: Omit<Decision, 'id' | 'reportId' | 'at' | 'actor'>,
  ): Decision {
    return { id: newId(), reportId, at: clock.now().toISOString(), actor: actor.username, ...fields };
  }

  /**
   * Decisions on `ids` in `trx`, all or none. 核实 from pending, or from dismissed (the office
   * changes its mind); 不予采纳 only from pending: a verified situation is already an item on a
   * department's sheet. The text a department reads is frozen with the decision.
   */
  async function decide(
    trx: Transaction<Database>,
    campaign: Campaign,
    ids: readonly string[],
    to: 'verified' | 'dismissed',
    why: string,
    actor: Actor,
  ): Promise<StoredReport[]> {
    await unsettledIn(trx, campaign.id, to === 'verified' ? '不能核实' : '不能作不予采纳处理');
    const rows = await repo.findMany(trx, campaign.id, ids);
    if (rows.length !== new Set(ids).size) throw new AppError('NOT_FOUND', '没有这条负面情形');
    const from: Status[] = to === 'verified' ? ['pending', 'dismissed'] : ['pending'];
    const now = clock.now().toISOString();
    for (const row of rows) {
      if (row.mergedInto !== null)
        throw new AppError('CONFLICT', '这条负面情形已合并到另一条，随那一条一并处理；如需单独处理请先取消合并');
      if (!from.includes(row.status)) {
        throw new AppError(
          'CONFLICT',
          row.status === 'verified' ? '这条负面情形已经核实，不能再改为不予采纳' : '这条负面情形已经不予采纳',
        );
      }
      const redacted = redactedOf(row);
      const changed = await repo.decide(trx, row.id, [row.status], {
        status: to,
        by: actor.username,
        at: now,
        reason: why,
        redacted: { matter: redacted.matter, description: redacted.description },
      });
      if (!changed) throw concurrent();
      // 点名挂号: a verified situation becomes an item on its department's sheet, with the redacted text
      if (to === 'verified') {
        await notices.registerVerifiedNegative(
          trx,
          {
            id: row.id,
            campaignId: campaign.id,
            departmentId: row.department.id,
            kind: row.kind,
            matter: redacted.matter,
            description: redacted.description,
            eventDate: row.eventDate,
          },
          actor,
        );
      }
    }
    await repo.insertDecisions(
      trx,
      campaign.id,
      rows.map((row) =>
        decisionOf(row.id, actor, {
          action: to === 'verified' ? 'verify' : 'dismiss',
          from: row.status,
          to,
          reason: why,
          detail: { duplicates: row.duplicates },
        }),
      ),
    );
    return rows;
  }

  async function detail(campaign: Campaign, id: string): Promise<NegativeReportDetail> {
    const row = await load(undefined, campaign, id);
    const dating = await datingFor(campaign);
    const report = toReport(campaign, row, dating);
    const duplicates = await repo.duplicatesOf(db.kysely, campaign.id, id);
    const history = await repo.history(campaign.id, [id, ...duplicates.map((d) => d.id)]);
    return {
      ...report,
      contact: row.contactAllowed ? row.contact : null,
      findings: { matter: findSensitive(row.matter), description: findSensitive(row.description) },
      remaining: {
        matter: findSensitive(report.redacted.matter),
        description: findSensitive(report.redacted.description),
      },
      duplicatesList: duplicates.map((d) => toReport(campaign, d, dating)),
      history,
    };
  }

  async function decideBy(
    slug: string,
    id: string,
    to: 'verified' | 'dismissed',
    input: unknown,
    actor: Actor,
  ): Promise<NegativeReportDetail> {
    const campaign = await campaigns.getBySlug(slug);
    const { reason: why } = parseOrThrow(decisionSchema, input, to === 'verified' ? '核实' : '不予采纳');
    await deciding(async (trx) => {
      const [row] = await decide(trx, campaign, [id], to, why, actor);
      await audit.record(trx, {
        actor: actor.username,
        action: to === 'verified' ? 'negative_verify' : 'negative_dismiss',
        campaignId: campaign.id,
        detail: { report: id, department: row.department.code, kind: row.kind, reason: why },
      });
    });
    return detail(campaign, id);
  }

  return {
    /** In the submit or import transaction of the responses service. */
    recordReported: (trx: Transaction<Database>, reports: readonly ReportedNegative[]) =>
      repo.insertReported(trx, reports),

    async queue(slug: string, query: unknown): Promise<QueuePage> {
      const campaign = await campaigns.getBySlug(slug);
      const q = parseOrThrow(queueQuerySchema, query, '筛选条件');
      const dating = await datingFor(campaign);
      const filter = await filterOf(campaign, q, dating);
      const { reports, total } = await repo.queue(campaign.id, filter, {
        offset: (q.page - 1) * q.pageSize,
        limit: q.pageSize,
      });
      const counts = await repo.counts(campaign.id, dating.overdueCutoff());
      return {
        items: reports.map((r) => toReport(campaign, r, dating)),
        total,
        page: q.page,
        pageSize: q.pageSize,
        today: dating.today,
        counts,
      };
    },

    async report(slug: string, id: string): Promise<NegativeReportDetail> {
      return detail(await campaigns.getBySlug(slug), id);
    },

    verify: (slug: string, id: string, input: unknown, actor: Actor) => decideBy(slug, id, 'verified', input, actor),
    dismiss: (slug: string, id: string, input: unknown, actor: Actor) => decideBy(slug, id, 'dismissed', input, actor),

    /** The office's own redaction of what a department will read; the original is kept and shown to the office only. */
    async redact(slug: string, id: string, input: unknown, actor: Actor): Promise<NegativeReportDetail> {
      const campaign = await campaigns.getBySlug(slug);
      const text = parseOrThrow(redactionSchema, input, '脱敏文本');
      await repo.transaction(async (trx) => {
        await unsettledIn(trx, campaign.id, '不能修改转交文本');
        const row = await load(trx, campaign, id);
        if (row.status !== 'pending')
          throw new AppError('CONFLICT', '已处理的负面情形不能再修改脱敏文本：转交部门的文本已随处理决定确定');
        if (!(await repo.setRedaction(trx, id, text.matter, text.description))) throw concurrent();
        await audit.record(trx, {
          actor: actor.username,
          action: 'negative_redact',
          campaignId: campaign.id,
          detail: { report: id },
        });
      });
      return detail(campaign, id);
    },

    /**
     * Merge pending reports of the same matter into `primaryId` (itself not merged; same
     * department). Whatever was merged into a duplicate moves to the primary too.
     */
    async merge(slug: string, primaryId: string, input: unknown, actor: Actor): Promise<NegativeReportDetail> {
      const campaign = await campaigns.getBySlug(slug);
      const body = parseOrThrow(mergeSchema, input, '合并');
      const duplicates = [...new Set(body.duplicates)];
      if (duplicates.includes(primaryId))
        throw new AppError('VALIDATION_FAILED', '不能把一条负面情形合并到它自己', [
          { field: 'duplicates', message: '不能包含要合并到的这一条' },
        ]);
      await deciding(async (trx) => {
        await unsettledIn(trx, campaign.id, '不能合并');
        const primary = await load(trx, campaign, primaryId);
        if (primary.mergedInto !== null)
          throw new AppError('CONFLICT', '这条负面情形本身已合并到另一条，请合并到那一条');
        const found = await repo.findMany(trx, campaign.id, duplicates);
        const missing = duplicates.filter((id) => !found.some((f) => f.id === id));
        if (missing.length) throw new AppError('NOT_FOUND', `没有这条负面情形：${missing[0]}`);
        for (const d of found) {
          if (d.department.id !== primary.department.id)
            throw new AppError('CONFLICT', `只能合并同一部门的同一事项：${d.id} 属于${d.department.name}`);
          if (d.status !== 'pending') throw new AppError('CONFLICT', `已处理的负面情形不能合并：${d.id}`);
        }
        if (!(await repo.merge(trx, primaryId, duplicates))) throw concurrent();
        await repo.insertDecisions(
          trx,
          campaign.id,
          duplicates.map((id) =>
            decisionOf(id, actor, {
              action: 'merge',
              from: 'pending',
              to: 'merged',
              reason: body.reason,
              detail: { into: primaryId },
            }),
          ),
        );
        await audit.record(trx, {
          actor: actor.username,
          action: 'negative_merge',
          campaignId: campaign.id,
          detail: { into: primaryId, duplicates, reason: body.reason },
        });
      });
      return detail(campaign, primaryId);
    },

    /** Take a merged report out of its primary: it is undecided again, to be decided on its own. */
    async unmerge(slug: string, id: string, input: unknown, actor: Actor): Promise<NegativeReportDetail> {
      const campaign = await campaigns.getBySlug(slug);
      const { reason: why } = parseOrThrow(decisionSchema, input, '取消合并');
      await deciding(async (trx) => {
        await unsettledIn(trx, campaign.id, '不能取消合并');
        const row = await load(trx, campaign, id);
        if (row.mergedInto === null) throw new AppError('CONFLICT', '这条负面情形没有合并到其他情形');
        if (!(await repo.unmerge(trx, id, row.mergedInto))) throw concurrent();
        await repo.insertDecisions(trx, campaign.id, [
          decisionOf(id, actor, {
            action: 'unmerge',
            from: 'merged',
            to: 'pending',
            reason: why,
            detail: { from: row.mergedInto },
          }),
        ]);
        await audit.record(trx, {
          actor: actor.username,
          action: 'negative_unmerge',
          campaignId: campaign.id,
          detail: { report: id, reason: why },
        });
      });
      return detail(campaign, id);
    },

    /** The demo verifies its chosen reports through the same decision as the office, in one transaction. */
    async verifyByDescription(campaign: Campaign, descriptions: readonly string[], why: string, actor: Actor) {
      const ids = await repo.pendingIdsByDescription(campaign.id, descriptions);
      await deciding(async (trx) => {
        await decide(trx, campaign, ids, 'verified', why, actor);
        await audit.record(trx, {
          actor: actor.username,
          action: 'negative_verify',
          campaignId: campaign.id,
          detail: { reports: ids.length, reason: why },
        });
      });
      return ids.length;
    },

    /** Decisions numbered after `after` up to `through`, in order: a correction's change list. */
    decisionsBetween: (campaignId: string, after: number, through: number): Promise<DecisionChange[]> =>
      repo.decisionsBetween(campaignId, after, through),

    /** The number of the campaign's last decision: a snapshot records it. */
    lastDecision: (campaignId: string) => repo.lastSeq(campaignId),
    /** How many situations wait for a decision: a publication leaves them out. */
    unverified: (campaignId: string) => repo.pendingCount(campaignId),

    /** The same by slug: the live results recompute when it moved (a decision in any process). */
    lastDecisionOf: (slug: string) => repo.lastSeqOfSlug(slug),

    scoringEntries: (campaignId: string) => repo.scoringEntries(campaignId),
  };
}

export type NegativesService = ReturnType<typeof negativesService>;
