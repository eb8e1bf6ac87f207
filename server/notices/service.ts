import type { Kysely } from 'kysely';
import type { AuditService } from '../accounts/audit.js';
import type { NoticeDraftOutcome } from '../contracts.js';
import { campaignsRepository } from '../campaigns/repository.js';
import { unsettledIn, type Campaign } from '../campaigns/service.js';
import type { AppDeps } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError } from '../errors.js';
import { withheld, type CampaignResult } from '../../scoring/index.js';
import { fillPattern, noticesConfigSchema, type NoticesConfig } from '../../surveys/campaign-config.js';
import { bottomProbabilityPhrase, tooFewForBottom } from '../../web/lib/format.js';
import { DEFAULT_TIME_ZONE, dayInZone } from '../../web/lib/time.js';
import { countdown, type Countdown } from './countdown.js';
import { itemsToReopen, reopenReason } from './lookback.js';
import { decisionNotice, isDecision, itemNotice, liaisonDepartmentIds, notify, sheetIssuedNotice } from './notify.js';
import type { UploadedFile } from '../http/forms.js';
import { checkEvidence } from './evidence.js';
import {
  ACTION_LABELS,
  RESPOND_DAYS,
  transition,
  TransitionRefused,
  type Action,
  type Actor,
  type DeadlineCalendar,
  type ItemFacts,
} from './machine.js';
import {
  noticesRepository,
  type EvidenceFile,
  type HistoryEntry,
  type Item,
  type ItemFilter,
  type ItemPatch,
  type ItemSource,
  type Notification,
  type NoticesRepository,
  type Sheet,
  type SheetBasis,
} from './repository.js';

export type { EvidenceFile, HistoryEntry, Item, ItemFilter, Notification, Sheet, SheetBasis };

/** Deadlines as of now by a campaign's working-day calendar, for pages that count them down. */
export interface Deadlines {
  now: string;
  countdown(dueAt: string): Countdown;
  /** the end of the n-th working day after `from` */
  deadline(from: string, workingDays: number): string;
}

/** Who acts: the machine's actor plus the username the audit log records. */
export interface NoticeActor extends Actor {
  username: string;
}

/** Work done without a session (the CLI, a publication run from the CLI). */
export const cliActor: NoticeActor = {
  userId: 'cli',
  username: 'cli',
  name: '命令行',
  role: 'office',
  departmentIds: [],
};

/** An office user known by username only (publication records its publisher so). */
export const officeActor = (username: string): NoticeActor => ({
  userId: username,
  username,
  name: username,
  role: 'office',
  departmentIds: [],
});

/** A negative report the office verified, with its text as redacted for the department. */
export interface VerifiedNegative {
  id: string;
  campaignId: string;
  departmentId: string;
  kind: number;
  matter: string;
  description: string;
  /** the approximate date the evaluator gave (e.g. 2026-06), if any */
  eventDate: string | null;
}

/** What drafting on publication reads of a published snapshot. */
export interface PublishedResult {
  campaignId: string;
  campaignName: string;
  snapshotId: string;
  publishedAt: string;
  result: Pick<CampaignResult, 'departments' | 'method'>;
  catalogs: { groups: { code: string; label: string }[]; problems: { id: number; label: string }[] };
}

/** Where `draft` finds the latest published snapshot of a campaign (the results service). */
export interface PublishedResults {
  latest(campaignId: string): Promise<PublishedResult | null>;
}

export interface ItemDetail extends Item {
  history: HistoryEntry[];
  files: EvidenceFile[];
}

export interface SheetDetail extends Sheet {
  items: Item[];
}

/** Loads the deadline calendar of a campaign's time zone (holidays and local overrides), within `trx`. */
export type CalendarSource = (trx: Kysely<Database>, timeZone: string) => Promise<DeadlineCalendar>;

/** The notices settings of a campaign: configs stored before the block existed get its defaults. */
export function noticesSettings(campaign: Campaign): NoticesConfig {
  return noticesConfigSchema.parse((campaign.config as { notices?: unknown }).notices ?? {});
}

/** {year} of the numbering: the campaign's year, the day it closes in its time zone. */
const campaignYear = (campaign: Campaign) => Number(dayInZone(campaign.closesAt, campaign.config.timeZone).slice(0, 4));

const DEFAULT_ITEM_REQUIREMENT = '请查明原因，立行立改，举一反三，按期反馈整改情况并附佐证材料。';

const refusalCode = { forbidden: 'FORBIDDEN', conflict: 'CONFLICT', invalid: 'VALIDATION_FAILED' } as const;

function factsOf(item: Item): ItemFacts {
  return {
    state: item.state,
    departmentId: item.departmentId,
    issuedAt: item.issuedAt,
    dueAt: item.dueAt,
    respondDays: item.respondDays,
    responseDueAt: item.responseDueAt,
    planFiled: item.plan !== null,
    respondedBy: item.respondedBy,
    respondedOnTime: item.respondedOnTime,
    extensionPendingDays: item.extensionPendingDays,
    extensionGrantedDays: item.extensionGrantedDays,
    acknowledgedAt: item.acknowledgedAt,
    appealedAt: item.appealedAt,
    reopenCount: item.reopenCount,
  };
}

/** The action's own data for the history row's detail (the reason and evidence have columns of their own). */
function actionDetail(action: Action): Record<string, unknown> {
  const {
    type: _type,
    reason: _reason,
    evidence: _evidence,
    ...detail
  } = action as Action & { reason?: string; evidence?: string[] };
  return detail;
}

const toPercent = (share: number) => Math.round(share * 1000) / 10;

/** Why a department is among the last of its group, honestly: a group of no more than the last places has no probability to quote. */
function lastPlaces(p: number, groupSize: number, rule: { bottomCount: number; maxScore: number }): string {
  return tooFewForBottom(groupSize, rule.bottomCount)
    ? `本组参评部门不多于 ${rule.bottomCount} 个，得分低于 ${rule.maxScore} 分`
    : `排在本组后 ${rule.bottomCount} 名的概率${bottomProbabilityPhrase(p)}`;
}

function itemsBySheet(items: Item[]): Map<string | null, Item[]> {
  const bySheet = new Map<string | null, Item[]>();
  for (const item of items) bySheet.set(item.sheetId, [...(bySheet.get(item.sheetId) ?? []), item]);
  return bySheet;
}

export function noticesService(
  { db, clock, config }: AppDeps,
  auditLog: AuditService,
  published: PublishedResults,
  calendars: CalendarSource,
) {
  const now = () => clock.now().toISOString();

  const audit = (
    trx: Kysely<Database>,
    actor: NoticeActor,
    action: string,
    campaignId: string | null,
    detail: Record<string, unknown>,
  ) => auditLog.record(trx, { actor: actor.username, action, campaignId, detail });

  async function campaignById(trx: Kysely<Database>, id: string): Promise<Campaign> {
    const campaign = await campaignsRepository(trx).findById(id);
    if (!campaign) throw new AppError('NOT_FOUND', '没有这个评议活动');
    return campaign;
  }

  async function campaignBySlug(trx: Kysely<Database>, slug: string): Promise<Campaign> {
    const campaign = await campaignsRepository(trx).findBySlug(slug);
    if (!campaign) throw new AppError('NOT_FOUND', `没有代码为 ${slug} 的评议活动`);
    return campaign;
  }

  /** The department's sheet for the campaign, drafted (with the next serial number) if it has none yet. */
  async function sheetFor(
    trx: Kysely<Database>,
    campaign: Campaign,
    department: { id: string; name: string },
    actor: NoticeActor,
  ): Promise<{ sheet: Sheet; created: boolean }> {
    const repo = noticesRepository(trx);
    const settings = noticesSettings(campaign);
    for (let attempt = 0; attempt < 5; attempt++) {
      const existing = await repo.findSheetOf(campaign.id, department.id);
      if (existing) return { sheet: existing, created: false };
      const serialNumber = Math.max((await repo.maxSerial(campaign.id)) ?? 0, settings.firstSerial - 1) + 1;
      const id = await repo.insertSheet({
        campaignId: campaign.id,
        departmentId: department.id,
        serialNumber,
        serialText: fillPattern(settings.serialPattern, { year: campaignYear(campaign), serial: serialNumber }),
        title: settings.title,
        issuer: settings.office,
        addressee: department.name,
        requirement: settings.requirement,
        basis: {},
        snapshotId: null,
        createdAt: now(),
        createdBy: actor.username,
      });
      if (id) {
        await audit(trx, actor, 'notice_sheet_draft', campaign.id, { sheet: id, serialNumber });
        return { sheet: (await repo.findSheet(id)) as Sheet, created: true };
      }
      // another transaction drafted this department's sheet or took the serial number: look again
    }
    throw new AppError('CONFLICT', '工作提示单编号分配冲突，请重试');
  }

  /**
   * Transition one (locked) item through the machine and store the result: the item's new
   * fields, its history row and the audit row, all in `trx`. A refusal changes nothing.
   */
  async function applyLoaded(
    trx: Kysely<Database>,
    item: Item,
    action: Action,
    actor: NoticeActor,
    campaign: Campaign | null,
    /** loaded once by a caller moving many items (a sheet's issue or signature) */
    loaded?: DeadlineCalendar,
  ): Promise<Item> {
    const repo = noticesRepository(trx);
    const at = now();
    const calendar = loaded ?? (await calendars(trx, campaign?.config.timeZone ?? DEFAULT_TIME_ZONE));
    let next: ReturnType<typeof transition>;
    try {
      next = transition(factsOf(item), action, actor, at, calendar);
    } catch (error) {
      if (error instanceof TransitionRefused) throw new AppError(refusalCode[error.kind], error.message);
      throw error;
    }
    if (action.type === 'plan') {
      // "today" is the campaign's day; a date after the response deadline is allowed (the pages warn):
      // a plan filed after the deadline passed could name no other date
      const today = dayInZone(at, campaign?.config.timeZone ?? DEFAULT_TIME_ZONE);
      if (action.plan.date < today)
        throw new AppError('VALIDATION_FAILED', `计划完成日期不能早于今天（${today}）`, [
          { path: 'date', message: `计划完成日期不能早于今天（${today}）` },
        ]);
    }
    const { plan, responseText, respondedAt, closedBy, closedAt, ...facts } = next.patch;
    const patch: ItemPatch = { ...facts, state: next.to, plan, responseText, respondedAt, closedBy, closedAt };
    // a new deadline starts its escalation afresh
    if (patch.dueAt !== undefined && patch.dueAt !== item.dueAt) patch.escalation = 0;
    await repo.updateItem(item.id, patch, at);
    const detail = actionDetail(action);
    const history = await repo.appendHistory({
      itemId: item.id,
      at,
      actorId: actor.userId,
      actorName: actor.name,
      action: next.history.action,
      from: next.history.from,
      to: next.history.to,
      reason: next.history.reason,
      evidence: next.history.evidence,
      // what the ledger reads any period's figures from: the deadline in force after this step
      // and, for a response, whether it came in by the response deadline then in force
      detail: {
        ...detail,
        dueAt: patch.dueAt === undefined ? item.dueAt : patch.dueAt,
        ...(typeof patch.respondedOnTime === 'boolean' ? { onTime: patch.respondedOnTime } : {}),
      },
    });
    await audit(trx, actor, `notice_item_${action.type}`, item.campaignId, {
      item: item.id,
      number: item.number,
      from: next.history.from,
      to: next.history.to,
      ...detail,
    });
    const after = (await repo.findItem(item.id)) as Item;
    // the department hears of every office decision on its item, in the decision's transaction
    if (isDecision(action))
      await notify(
        trx,
        config,
        decisionNotice(after, action, history.id, campaign?.config.timeZone ?? DEFAULT_TIME_ZONE),
        at,
      );
    return after;
  }

  /** A liaison reaches only their own department's issued items: 403 for another's, 404 for what isn't issued. */
  function assertVisible(item: Item, actor: NoticeActor) {
    if (actor.role !== 'liaison') return;
    if (!actor.departmentIds.includes(item.departmentId))
      throw new AppError('FORBIDDEN', '这不是您所在部门的事项，无权查看或办理');
    if (item.issuedAt === null) throw new AppError('NOT_FOUND', '没有这个事项');
  }

  function assertSheetVisible(sheet: Sheet, actor: NoticeActor) {
    if (actor.role !== 'liaison') return;
    if (!actor.departmentIds.includes(sheet.departmentId))
      throw new AppError('FORBIDDEN', '这不是您所在部门的工作提示单，无权查看或办理');
    if (sheet.state !== 'issued') throw new AppError('NOT_FOUND', '没有这个工作提示单');
  }

  /**
   * The item locked for a change, with its campaign (none for a responsibility list's task)
   * locked before it and refused once settled; the viewer's access is checked first.
   */
  async function lockedItem(
    trx: Kysely<Database>,
    itemId: string,
    actor: NoticeActor,
    what: string,
  ): Promise<{ item: Item; campaign: Campaign | null }> {
    const repo = noticesRepository(trx);
    const found = await repo.findItem(itemId);
    if (!found) throw new AppError('NOT_FOUND', '没有这个事项');
    assertVisible(found, actor);
    const campaign = found.campaignId ? await unsettledIn(trx, found.campaignId, what) : null;
    return { item: (await repo.lockItem(itemId)) as Item, campaign };
  }

  async function apply(trx: Kysely<Database>, itemId: string, action: Action, actor: NoticeActor): Promise<Item> {
    const { item, campaign } = await lockedItem(trx, itemId, actor, `不能${ACTION_LABELS[action.type]}`);
    return applyLoaded(trx, item, action, actor, campaign);
  }

  /**
   * Put an item on the department's sheet unless the sheet already has one from this source.
   * On a sheet already issued the item is issued at once.
   */
  async function addItem(
    trx: Kysely<Database>,
    campaign: Campaign,
    sheet: Sheet,
    item: { source: ItemSource; sourceRef: string; kind: number | null; title: string; evidence: string },
    actor: NoticeActor,
  ): Promise<{ item: Item; created: boolean }> {
    const repo = noticesRepository(trx);
    await repo.lockSheet(sheet.id);
    const existing = await repo.findItemBySource(sheet.id, item.source, item.sourceRef);
    if (existing) return { item: existing, created: false };
    const seq = (await repo.maxSeq(sheet.id)) + 1;
    const settings = noticesSettings(campaign);
    const at = now();
    const id = (await repo.insertItem({
      campaignId: campaign.id,
      sheetId: sheet.id,
      departmentId: sheet.departmentId,
      seq,
      number: fillPattern(settings.itemPattern, { year: campaignYear(campaign), serial: sheet.serialNumber, seq }),
      ...item,
      requirement: DEFAULT_ITEM_REQUIREMENT,
      createdAt: at,
    })) as string;
    await repo.appendHistory({
      itemId: id,
      at,
      actorId: actor.userId,
      actorName: actor.name,
      action: 'create',
      from: 'draft',
      to: 'draft',
      reason: null,
      evidence: [],
      detail: { source: item.source, sourceRef: item.sourceRef },
    });
    await audit(trx, actor, 'notice_item_create', campaign.id, { item: id, sheet: sheet.id, source: item.source });
    let created = (await repo.findItem(id)) as Item;
    if (sheet.state === 'issued') {
      created = await applyLoaded(trx, created, { type: 'issue' }, actor, campaign);
      const notice = itemNotice(
        created,
        {
          key: `item-issued:${created.id}`,
          level: 'info',
          title: `【工作提示单】${sheet.serialText} 新增事项 ${created.number}`,
          lead: `评议办在工作提示单 ${sheet.serialText} 上新增了`,
          step: '签收',
        },
        campaign.config.timeZone,
      );
      await notify(trx, config, notice, at);
    }
    return { item: created, created: true };
  }

  /** 回头看: the department's closed items of the new item's kind reopen (server/notices/lookback.ts). */
  async function reopenLookingBack(trx: Kysely<Database>, campaign: Campaign, newItem: Item, actor: NoticeActor) {
    const at = now();
    for (const closed of await itemsToReopen(trx, campaign, newItem, at)) {
      const reason = reopenReason(campaign, newItem, closed.campaignId === campaign.id);
      const reopened = await apply(trx, closed.id, { type: 'reopen', reason }, actor);
      const notice = itemNotice(
        reopened,
        {
          key: `reopen:${reopened.id}:${reopened.reopenCount}`,
          level: 'orange',
          title: `【回头看】事项 ${reopened.number} 重新挂号`,
          lead: `${reason}，已销号的`,
          step: '重新反馈整改情况',
        },
        (closed.campaignId ? await campaignById(trx, closed.campaignId) : campaign).config.timeZone,
      );
      await notify(trx, config, notice, at);
    }
  }

  function negativeEvidence(report: VerifiedNegative): string {
    return [
      `办理事项：${report.matter.trim()}`,
      report.eventDate ? `发生时间：${report.eventDate}` : '',
      `反映情况：${report.description.trim()}`,
    ]
      .filter(Boolean)
      .join('\n');
  }

  async function draftIn(
    trx: Kysely<Database>,
    input: PublishedResult,
    actor: NoticeActor,
  ): Promise<NoticeDraftOutcome> {
    const campaign = await unsettledIn(trx, input.campaignId, '不能起草工作提示单');
    const repo = noticesRepository(trx);
    const departments = new Map((await campaignsRepository(trx).departments(campaign.id)).map((d) => [d.code, d]));
    const { method } = input.result;
    const groupLabel = new Map(input.catalogs.groups.map((g) => [g.code, g.label]));
    const problemLabel = new Map(input.catalogs.problems.map((p) => [p.id, p.label]));
    const outcome: NoticeDraftOutcome = {
      snapshotId: input.snapshotId,
      sheetsCreated: 0,
      itemsCreated: 0,
      sheetIds: [],
    };

    for (const d of input.result.departments) {
      const department = departments.get(d.code);
      if (!department) continue;
      // a cell too small to publish is too small to name to the department
      const problems = withheld(d.raters, method)
        ? []
        : d.problems.filter((p) => p.mentions > 0 && p.share !== null && p.share >= method.problemShareThreshold);
      if (!d.rectification && problems.length === 0) continue;

      const groupSize = input.result.departments.filter((x) => x.group === d.group && x.ranked).length;
      const basis: SheetBasis = {
        snapshot: {
          id: input.snapshotId,
          publishedAt: input.publishedAt,
          campaignName: input.campaignName,
          finalScore: d.finalScore,
          rank: d.rank,
          tied: d.tied,
          groupLabel: groupLabel.get(d.group) ?? d.group,
          groupSize,
          grade: d.grade,
          rectification: d.rectification,
          bottomProbability: d.uncertainty.bottomProbability,
          problems: problems.map((p) => ({
            id: p.problem,
            label: problemLabel.get(p.problem) ?? `作风问题 ${p.problem}`,
            mentions: p.mentions,
            share: p.share as number,
          })),
        },
      };
      const { sheet, created } = await sheetFor(trx, campaign, department, actor);
      outcome.sheetIds.push(sheet.id);
      if (created) outcome.sheetsCreated++;
      // a draft quotes the latest published figures; an issued sheet stays as it was issued
      const newer = (sheet.basis.snapshot?.publishedAt ?? '') <= input.publishedAt;
      // an issue committed meanwhile keeps the sheet as it was issued
      if (sheet.state === 'draft' && newer)
        await repo.updateDraftSheet(sheet.id, { basis, snapshotId: input.snapshotId });

      const quoted = basis.snapshot as NonNullable<SheetBasis['snapshot']>;
      const wanted: { source: ItemSource; sourceRef: string; kind: number | null; title: string; evidence: string }[] =
        [];
      if (d.rectification)
        wanted.push({
          source: 'rectification',
          sourceRef: 'rectification',
          kind: null,
          title: '列为重点整改单位',
          evidence: `${input.campaignName}中，你单位最终得分 ${d.finalScore?.toFixed(2)} 分，在${quoted.groupLabel} ${groupSize} 个参评部门中排名第 ${d.rank} 位${d.tied ? '（并列）' : ''}${d.grade ? `，等级“${d.grade}”` : ''}；${lastPlaces(d.uncertainty.bottomProbability ?? 0, groupSize, method.rectification)}，列为重点整改单位。`,
        });
      for (const p of quoted.problems)
        wanted.push({
          source: 'problem',
          sourceRef: String(p.id),
          kind: p.id,
          title: p.label,
          evidence: `${input.campaignName}中，评议你单位的 ${d.raters} 名评议代表中有 ${p.mentions} 名（${toPercent(p.share)}%）认为存在“${p.label}”问题，达到 ${toPercent(method.problemShareThreshold)}% 的提示线。`,
        });
      for (const w of wanted) {
        const added = await addItem(trx, campaign, sheet, w, actor);
        if (added.created) outcome.itemsCreated++;
        else if (added.item.state === 'draft' && newer && added.item.evidence !== w.evidence)
          await repo.updateDraftItem(added.item.id, { evidence: w.evidence }, now());
      }
    }
    if (outcome.sheetIds.length)
      await audit(trx, actor, 'notices_draft', campaign.id, {
        snapshot: input.snapshotId,
        sheetsCreated: outcome.sheetsCreated,
        itemsCreated: outcome.itemsCreated,
      });
    return outcome;
  }

  async function sheetInCampaign(repo: NoticesRepository, campaign: Campaign, sheetId: string): Promise<Sheet> {
    const sheet = await repo.findSheet(sheetId);
    if (!sheet || sheet.campaignId !== campaign.id) throw new AppError('NOT_FOUND', '没有这个工作提示单');
    return sheet;
  }

  async function itemDetail(repo: NoticesRepository, item: Item): Promise<ItemDetail> {
    return { ...item, history: await repo.history([item.id]), files: await repo.evidence(item.id) };
  }

  return {
    /**
     * A verified negative report becomes an item (挂号) on its department's sheet for the
     * campaign, drafted if needed; on an issued sheet it is issued at once. Idempotent per report.
     * Runs in the caller's transaction (the verification that decided it).
     */
    async registerVerifiedNegative(trx: Kysely<Database>, report: VerifiedNegative, actor: NoticeActor): Promise<Item> {
      const campaign = await campaignById(trx, report.campaignId);
      const department = (await campaignsRepository(trx).departments(campaign.id)).find(
        (d) => d.id === report.departmentId,
      );
      if (!department) throw new AppError('NOT_FOUND', '没有这个部门');
      const kind = campaign.config.negatives.find((n) => n.id === report.kind);
      const { sheet } = await sheetFor(trx, campaign, department, actor);
      const { item, created } = await addItem(
        trx,
        campaign,
        sheet,
        {
          source: 'negative',
          sourceRef: report.id,
          kind: report.kind,
          title: kind?.label ?? `办事负面情形 ${report.kind}`,
          evidence: negativeEvidence(report),
        },
        actor,
      );
      if (created) await reopenLookingBack(trx, campaign, item, actor);
      return item;
    },

    /** Draft sheets for a published snapshot (called by publication, in its transaction). Idempotent. */
    draftFromSnapshot: (trx: Kysely<Database>, input: PublishedResult, actor: NoticeActor) =>
      draftIn(trx, input, actor),

    /** Draft sheets again from the campaign's latest published snapshot. Idempotent. */
    async draft(slug: string, actor: NoticeActor): Promise<NoticeDraftOutcome> {
      const campaign = await campaignBySlug(db.kysely, slug);
      const latest = await published.latest(campaign.id);
      if (!latest) throw new AppError('CONFLICT', `评议活动 ${campaign.name} 还没有发布结果，无法起草工作提示单`);
      return db.kysely.transaction().execute((trx) => draftIn(trx, latest, actor));
    },

    /** The campaign's sheets (office), each with its items. */
    async sheets(slug: string): Promise<SheetDetail[]> {
      const repo = noticesRepository(db.kysely);
      const campaign = await campaignBySlug(db.kysely, slug);
      const items = await repo.listItems({ campaignId: campaign.id });
      const bySheet = itemsBySheet(items);
      return (await repo.listSheets({ campaignId: campaign.id }))
        .sort((a, b) => a.serialNumber - b.serialNumber)
        .map((s) => ({ ...s, items: bySheet.get(s.id) ?? [] }));
    },

    async sheet(slug: string, sheetId: string): Promise<SheetDetail> {
      const repo = noticesRepository(db.kysely);
      const sheet = await sheetInCampaign(repo, await campaignBySlug(db.kysely, slug), sheetId);
      return { ...sheet, items: await repo.listItems({ sheetId }) };
    },

    /** The office changes what a draft sheet asks of the department as a whole. */
    async editSheet(slug: string, sheetId: string, change: { requirement: string }, actor: NoticeActor) {
      return db.kysely.transaction().execute(async (trx) => {
        const repo = noticesRepository(trx);
        const campaign = await unsettledIn(trx, (await campaignBySlug(trx, slug)).id, '不能修改工作提示单');
        const sheet = await sheetInCampaign(repo, campaign, sheetId);
        const issued = new AppError('CONFLICT', '工作提示单已印发，不能再修改');
        if (sheet.state !== 'draft') throw issued;
        if (!(await repo.updateDraftSheet(sheet.id, { requirement: change.requirement }))) throw issued;
        await audit(trx, actor, 'notice_sheet_edit', campaign.id, { sheet: sheet.id });
        return { ...((await repo.findSheet(sheet.id)) as Sheet), items: await repo.listItems({ sheetId }) };
      });
    },

    /** The office sets a draft item's requirement and response period (working days from issue). */
    async editItem(itemId: string, change: { requirement?: string; respondDays?: number }, actor: NoticeActor) {
      return db.kysely.transaction().execute(async (trx) => {
        const repo = noticesRepository(trx);
        const { item } = await lockedItem(trx, itemId, actor, '不能修改事项');
        if (item.state !== 'draft') throw new AppError('CONFLICT', '只能修改草拟中的事项，该事项已印发');
        if (
          change.respondDays !== undefined &&
          (change.respondDays < RESPOND_DAYS.min || change.respondDays > RESPOND_DAYS.max)
        )
          throw new AppError('VALIDATION_FAILED', `反馈期限应为 ${RESPOND_DAYS.min}–${RESPOND_DAYS.max} 个工作日`);
        await repo.updateItem(item.id, change, now());
        await audit(trx, actor, 'notice_item_edit', item.campaignId, { item: item.id, ...change });
        return (await repo.findItem(item.id)) as Item;
      });
    },

    /**
     * Issue a draft sheet: its draft items are numbered 01, 02 … in order (items withdrawn from
     * the draft never reached the department and lose their number), registered with their
     * deadlines, and the sheet's title, office and addressee are frozen as printed.
     */
    async issueSheet(slug: string, sheetId: string, actor: NoticeActor): Promise<SheetDetail> {
      if (actor.role !== 'office') throw new AppError('FORBIDDEN', '只有评议办可以印发工作提示单');
      return db.kysely.transaction().execute(async (trx) => {
        const repo = noticesRepository(trx);
        const campaign = await unsettledIn(trx, (await campaignBySlug(trx, slug)).id, '不能印发工作提示单');
        const sheet = await sheetInCampaign(repo, campaign, sheetId);
        await repo.lockSheet(sheet.id);
        const current = (await repo.findSheet(sheet.id)) as Sheet;
        if (current.state !== 'draft') throw new AppError('CONFLICT', '该工作提示单已经印发');
        const items = await repo.listItems({ sheetId });
        const drafts = items.filter((i) => i.state === 'draft');
        if (drafts.length === 0) throw new AppError('CONFLICT', '工作提示单上没有事项，不能印发');
        const settings = noticesSettings(campaign);
        const at = now();
        for (const withdrawn of items.filter((i) => i.state === 'withdrawn' && i.issuedAt === null))
          await repo.updateItem(withdrawn.id, { seq: 0, number: '' }, at);
        const calendar = await calendars(trx, campaign.config.timeZone);
        for (const [index, item] of drafts.entries()) {
          const seq = index + 1;
          const number = fillPattern(settings.itemPattern, {
            year: campaignYear(campaign),
            serial: sheet.serialNumber,
            seq,
          });
          if (item.seq !== seq) await repo.updateItem(item.id, { seq, number }, at);
          await applyLoaded(trx, { ...item, seq, number }, { type: 'issue' }, actor, campaign, calendar);
        }
        const department = (await campaignsRepository(trx).departments(campaign.id)).find(
          (d) => d.id === sheet.departmentId,
        );
        await repo.updateSheet(sheet.id, {
          state: 'issued',
          issuedAt: at,
          issuedBy: actor.username,
          title: settings.title,
          issuer: settings.office,
          addressee: department?.name ?? sheet.addressee,
        });
        await audit(trx, actor, 'notice_sheet_issue', campaign.id, {
          sheet: sheet.id,
          serial: sheet.serialText,
          items: drafts.length,
        });
        const issued = await repo.listItems({ sheetId });
        const notice = sheetIssuedNotice(
          { ...sheet, title: settings.title },
          department?.name ?? sheet.addressee,
          issued.filter((i) => i.state === 'registered'),
          campaign.config.timeZone,
        );
        await notify(trx, config, notice, at);
        return { ...((await repo.findSheet(sheet.id)) as Sheet), items: issued };
      });
    },

    /** A liaison signs for a sheet: every item on it not yet signed for. Twice is refused. */
    async acknowledgeSheet(sheetId: string, actor: NoticeActor): Promise<SheetDetail> {
      return db.kysely.transaction().execute(async (trx) => {
        const repo = noticesRepository(trx);
        const sheet = await repo.findSheet(sheetId);
        if (!sheet) throw new AppError('NOT_FOUND', '没有这个工作提示单');
        assertSheetVisible(sheet, actor);
        if (actor.role !== 'liaison') throw new AppError('FORBIDDEN', '只有部门联络员可以签收');
        const campaign = await unsettledIn(trx, sheet.campaignId, '不能签收');
        await repo.lockSheet(sheet.id);
        const waiting = (await repo.listItems({ sheetId, states: ['registered'] })).filter(
          (i) => i.acknowledgedAt === null,
        );
        if (waiting.length === 0) throw new AppError('CONFLICT', '该工作提示单已经签收过了，不需要再次签收');
        const calendar = await calendars(trx, campaign.config.timeZone);
        for (const item of waiting) {
          const locked = (await repo.lockItem(item.id)) as Item;
          await applyLoaded(trx, locked, { type: 'acknowledge' }, actor, campaign, calendar);
        }
        const at = now();
        if (!sheet.acknowledgedAt)
          await repo.updateSheet(sheet.id, { acknowledgedAt: at, acknowledgedBy: actor.username });
        return {
          ...((await repo.findSheet(sheet.id)) as Sheet),
          items: await repo.listItems({ sheetId, issuedOnly: true }),
        };
      });
    },

    /**
     * Any transition of one item (close, return, extension decisions, appeals, plans …), with
     * its history and audit rows in one transaction; a refusal is a 403/409/422 and changes nothing.
     */
    act(itemId: string, action: Exclude<Action, { type: 'respond' | 'issue' }>, actor: NoticeActor): Promise<Item> {
      return db.kysely.transaction().execute((trx) => apply(trx, itemId, action, actor));
    },

    /**
     * The department's response: text and evidence files, each checked by content and size and
     * stored with its sha256, which the history row lists. Nothing is stored if anything is refused.
     */
    async respond(itemId: string, text: string, files: UploadedFile[], actor: NoticeActor): Promise<ItemDetail> {
      const checked = checkEvidence(files);
      return db.kysely.transaction().execute(async (trx) => {
        const repo = noticesRepository(trx);
        const item = await apply(trx, itemId, { type: 'respond', text, evidence: checked.map((f) => f.sha256) }, actor);
        const at = now();
        for (const file of checked)
          await repo.insertEvidence({
            itemId,
            sha256: file.sha256,
            fileName: file.fileName,
            mediaType: file.mediaType,
            size: file.size,
            content: file.content,
            uploadedBy: actor.userId,
            uploadedAt: at,
          });
        return itemDetail(repo, item);
      });
    },

    /** For jobs and other services that already hold a transaction (e.g. 回头看 reopening an item). */
    applyIn: (trx: Kysely<Database>, itemId: string, action: Action, actor: NoticeActor) =>
      apply(trx, itemId, action, actor),

    /** One item with its history and evidence files; a liaison only their own department's issued ones. */
    async item(itemId: string, actor: NoticeActor): Promise<ItemDetail> {
      const repo = noticesRepository(db.kysely);
      const item = await repo.findItem(itemId);
      if (!item) throw new AppError('NOT_FOUND', '没有这个事项');
      assertVisible(item, actor);
      return itemDetail(repo, item);
    },

    async evidenceFile(itemId: string, fileId: string, actor: NoticeActor) {
      const repo = noticesRepository(db.kysely);
      const item = await repo.findItem(itemId);
      if (!item) throw new AppError('NOT_FOUND', '没有这个事项');
      assertVisible(item, actor);
      const file = await repo.evidenceContent(itemId, fileId);
      if (!file) throw new AppError('NOT_FOUND', '没有这个证明材料');
      return file;
    },

    /** Items by campaign, sheet, department and state: for the ledger, the scheduler and the pages. */
    items: (filter: ItemFilter, trx: Kysely<Database> = db.kysely) => noticesRepository(trx).listItems(filter),

    /**
     * The escalation job's record that it sent `level` (1 提醒, 2 催办, 3 督办) for the deadline
     * `dueAt`: true for the one caller that raised it, false if it was raised already or the
     * deadline has moved. A new deadline starts again at 0.
     */
    raiseEscalation: (trx: Kysely<Database>, itemId: string, level: number, dueAt: string) =>
      noticesRepository(trx).raiseEscalation(itemId, level, dueAt, now()),

    /** The history rows of these items, oldest first. */
    history: (itemIds: string[], trx: Kysely<Database> = db.kysely) => noticesRepository(trx).history(itemIds),

    /** A liaison's issued sheets across campaigns, newest first, each with its issued items. */
    async mySheets(actor: NoticeActor): Promise<SheetDetail[]> {
      const departmentIds = liaisonDepartmentIds(actor);
      const repo = noticesRepository(db.kysely);
      const items = await repo.listItems({ departmentIds, issuedOnly: true });
      const bySheet = itemsBySheet(items);
      return (await repo.listSheets({ departmentIds, state: 'issued' })).map((s) => ({
        ...s,
        items: bySheet.get(s.id) ?? [],
      }));
    },

    /** One sheet as its viewer may see it: the office any, a liaison their department's issued ones. */
    async sheetById(sheetId: string, actor: NoticeActor): Promise<SheetDetail> {
      const repo = noticesRepository(db.kysely);
      const sheet = await repo.findSheet(sheetId);
      if (!sheet) throw new AppError('NOT_FOUND', '没有这个工作提示单');
      assertSheetVisible(sheet, actor);
      return { ...sheet, items: await repo.listItems({ sheetId, issuedOnly: actor.role === 'liaison' }) };
    },

    campaignOf: (id: string) => campaignById(db.kysely, id),

    /** The time zone an item's or sheet's deadlines are in: its campaign's (a task of a responsibility list has none). */
    timeZoneOf: async (campaignId: string | null) =>
      campaignId ? (await campaignById(db.kysely, campaignId)).config.timeZone : DEFAULT_TIME_ZONE,

    /** The working-day calendar of a time zone as of now (the one transitions use). */
    async deadlines(timeZone: string): Promise<Deadlines> {
      const calendar = await calendars(db.kysely, timeZone);
      const at = now();
      return {
        now: at,
        countdown: (dueAt) => countdown(calendar, at, dueAt),
        deadline: (from, workingDays) => calendar.deadline(from, workingDays),
      };
    },

    /** A liaison's department's newest notifications (reminders and escalations), whether or not mail went out. */
    async myNotifications(actor: NoticeActor, limit = 20): Promise<Notification[]> {
      return noticesRepository(db.kysely).notificationsOf(liaisonDepartmentIds(actor), limit);
    },
  };
}

export type NoticesService = ReturnType<typeof noticesService>;
