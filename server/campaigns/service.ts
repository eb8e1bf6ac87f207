import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuditService } from '../accounts/audit.js';
import { accountsRepository } from '../accounts/repository.js';
import { invitationsRepository } from '../invitations/repository.js';
import type { CampaignState, CampaignStatus, SettlementPreview } from '../contracts.js';
import { OPEN_STATES, STATE_LABELS } from '../notices/machine.js';
import type { AppDeps } from '../context.js';
import { isUniqueViolation } from '../db/connect.js';
import { AppError, parseOrThrow } from '../errors.js';
import { type ImportBudget, runImportTask } from '../imports/worker.js';
import { parseCampaignConfig } from './config-errors.js';
import { newId } from '../shared/ids.js';
import { jsonSyntaxReason } from '../shared/json.js';
import type { Database } from '../db/schema.js';
import { findBadText, shownName } from '../../surveys/text.js';
import {
  campaignSlug,
  isoDateTime,
  resolveQuestionnairePath,
  type CampaignConfig,
} from '../../surveys/campaign-config.js';
import { compileRecordValidator, type RecordRules, type RecordValidator } from '../../surveys/record.js';
import { dayInZone } from '../../web/lib/time.js';
import { questionnairePlace } from '../../surveys/places.js';
import {
  extraQuestions,
  lintQuestionnaire,
  QUESTIONNAIRE_LIMITS,
  questionnaireSize,
} from '../../surveys/questionnaire.js';
import { type ExtraQuestions, NO_EXTRAS } from '../../surveys/extras.js';
import { campaignsRepository, type Campaign, type CampaignPatch, type Questionnaire } from './repository.js';
import {
  assertNotSettled,
  campaignStatus,
  campaignTime,
  isBeforeClose,
  isRunning,
  refusal,
  STATUS_LABELS,
} from './lifecycle.js';
import { rosterRepository, type Department } from '../roster/repository.js';

export type { Campaign, Department };

export interface DepartmentIndex {
  validate: RecordValidator;
  /** what `validate` was compiled from, for a check elsewhere (an import's worker thread) */
  rules: RecordRules;
  idByCode: ReadonlyMap<string, string>;
  /** the office's own questions of the campaign's questionnaire, answered under `extra` */
  extras: ExtraQuestions;
}

/** The label of an evaluator category code (the code itself if the config has no such category). */
/** What a page or an evaluator's link is told of a campaign (`CampaignState`). */
export const campaignState = (campaign: Campaign, status: CampaignStatus): CampaignState => ({
  slug: campaign.slug,
  name: campaign.name,
  status,
  opensAt: campaign.opensAt,
  closesAt: campaign.closesAt,
  mode: campaign.mode,
  timeZone: campaign.config.timeZone,
});

export function categoryLabel(campaign: Campaign, code: string): string {
  return campaign.config.categories.find((c) => c.code === code)?.label ?? code;
}

/**
 * How a letter names the part an evaluator is invited in: 作为“社会公众”代表, but 作为“服务对象代表”
 * and 作为“特邀监督员” — a label that already names a person takes no second 代表.
 */
export function invitedAs(campaign: Campaign, code: string): string {
  const label = categoryLabel(campaign, code);
  return `作为“${label}”${/(代表|员|人|者)$/.test(label) ? '' : '代表'}`;
}

/** New dates: both editable in a draft; while open, the deadline only (never before now). */
export const datesInputSchema = z.strictObject({
  opensAt: isoDateTime.optional(),
  closesAt: isoDateTime.optional(),
});
export type DatesInput = z.output<typeof datesInputSchema>;
const DATES_FIELDS = { opensAt: '开始时间', closesAt: '截止时间' };

/** A settlement's request: the count of unverified negative reports the office knows it leaves so. */
export const settleInputSchema = z.strictObject({ unverified: z.number().int().min(0).max(1_000_000).optional() });
export const SETTLE_FIELDS = { unverified: '确认的未核实负面情形条数' };

/**
 * In `trx`, the campaign `id` with its row locked until the commit, refused (409, naming `what`)
 * once settled: a settlement then waits for this transaction, or committed before it read. Taken
 * before any sheet, item or report row, so the writers of the follow-up lock in the same order.
 */
export async function unsettledIn(trx: Kysely<Database>, id: string, what: string): Promise<Campaign> {
  const repo = campaignsRepository(trx);
  await repo.lock(id);
  const campaign = await repo.findById(id);
  if (!campaign) throw new AppError('NOT_FOUND', '没有这个评议活动');
  assertNotSettled(campaign, what);
  return campaign;
}

export interface CreateCampaignInput {
  /** the parsed JSON/YAML config, not yet validated */
  raw: unknown;
  /** folder of the config file, where a relative questionnaire path is looked up first */
  configDir?: string;
  /** the questionnaire JSON itself (e.g. uploaded through the API); otherwise read from the config's path */
  questionnaire?: unknown;
  /** the config file's name, for the audit log */
  file?: string;
}

/** The fields of a clone, as the office's form and the refusals name them (the CLI names its flags). */
export const CLONE_FIELDS = {
  from: '来源活动',
  slug: '活动代码',
  name: '活动名称',
  opensAt: '开始时间',
  closesAt: '截止时间',
  withRoster: '同时复制评议代表名单',
} as const;
export type CloneField = keyof typeof CLONE_FIELDS;

const cloneInputSchema = z.strictObject({
  slug: campaignSlug,
  name: z.string({ message: '请填写活动名称' }).trim().pipe(shownName(200)),
  opensAt: isoDateTime.optional(),
  closesAt: isoDateTime.optional(),
  withRoster: z.boolean().default(false),
});

/** A new campaign made from an earlier one; dates left out are the source's, a year later. */
export type CloneInput = z.output<typeof cloneInputSchema>;

/** A refusal naming the field: `活动代码：评议活动 x 已存在`, with the field in its detail. */
export function cloneRefusal(code: 'VALIDATION_FAILED' | 'NOT_FOUND' | 'CONFLICT', field: string, message: string) {
  const label = CLONE_FIELDS[field as CloneField];
  return new AppError(code, label ? `${label}：${message}` : message, [{ field, message }]);
}

/** A clone's input from a request body or the CLI's flags, or a refusal naming the first bad field. */
export function parseCloneInput(raw: unknown): CloneInput {
  const result = cloneInputSchema.safeParse(raw);
  if (result.success) return result.data;
  const details = result.error.issues.map((issue) => ({
    field: issue.path.length ? String(issue.path[0]) : undefined,
    message: issue.message,
  }));
  const first = details[0];
  const label = first.field ? CLONE_FIELDS[first.field as CloneField] : undefined;
  throw new AppError('VALIDATION_FAILED', label ? `${label}：${first.message}` : first.message, details);
}

/** The same instant a year later (the default dates of a clone). */
const yearLater = (iso: string) => {
  const at = new Date(iso);
  at.setUTCFullYear(at.getUTCFullYear() + 1);
  return at.toISOString();
};

/** The dates a clone of `source` gets unless it is given others. */
export const cloneDefaults = (source: Pick<Campaign, 'opensAt' | 'closesAt'>) => ({
  opensAt: yearLater(source.opensAt),
  closesAt: yearLater(source.closesAt),
});

/** What a clone copied, for the answer, the CLI and the audit log. */
export interface CloneResult {
  campaign: Campaign;
  from: Campaign;
  copied: { groups: number; departments: number; evaluators: number; liaisonAccounts: number };
}

/** Questionnaire versions kept in memory: a few per campaign of a province's year. */
const MAX_VERSIONS = 1000;

/**
 * What else a close does in its own transaction: the invitations service erases the links a named
 * campaign held for downloading again (publication does the same in its own).
 */
export type OnClose = (trx: Kysely<Database>, campaignId: string, actor: string) => Promise<unknown>;

export function campaignsService({ db, clock, config: budget }: AppDeps, audit: AuditService, onClose: OnClose) {
  const repo = campaignsRepository(db.kysely);
  /** Per campaign: the record validator, compiled once per department list, and the department ids by code. */
  const indexes = new Map<string, { key: string; index: DepartmentIndex }>();
  /**
   * Questionnaire versions by `campaign id:version`, read and parsed once (every submission names
   * its version): a version's row is only ever inserted, never rewritten. The latest-version
   * lookup is not kept: a version added later would change it.
   */
  const versions = new Map<string, Questionnaire>();

  async function getBySlug(slug: string): Promise<Campaign> {
    const campaign = await repo.findBySlug(slug);
    if (!campaign) throw new AppError('NOT_FOUND', `没有代码为 ${slug} 的评议活动`);
    return campaign;
  }

  async function getById(id: string): Promise<Campaign> {
    const campaign = await repo.findById(id);
    if (!campaign) throw new AppError('NOT_FOUND', '没有这个评议活动');
    return campaign;
  }

  /**
   * The days a reported negative situation may have happened on: today at the latest, in the
   * campaign's time zone (a date in the future is a typo or made up), and from 1 January of the
   * second year before the campaign opened (the appraisal is of the last year or so).
   */
  function negativeDatesOf(campaign: Campaign) {
    const zone = campaign.config.timeZone;
    const openingYear = Number(dayInZone(campaign.opensAt, zone).slice(0, 4));
    return { earliest: `${openingYear - 2}-01-01`, latest: dayInZone(clock.now(), zone) };
  }

  /**
   * The department list's key read per call (an import may have added some since, in any
   * process), the list itself and a recompiled validator only when that key or the campaign's
   * revision (its config or questionnaire edited as a draft) changed.
   */
  async function departmentIndex(campaign: Campaign): Promise<DepartmentIndex> {
    const negativeDates = negativeDatesOf(campaign);
    const key = [campaign.revision, negativeDates.latest, await repo.departmentsKey(campaign.id)].join('\n');
    const cached = indexes.get(campaign.id);
    if (cached && cached.key === key) return cached.index;
    const rows = await repo.departments(campaign.id);
    // the questionnaire changes only with the revision (a draft's edit): read again only then, or with a changed department list
    const questionnaire = await repo.latestQuestionnaire(campaign.id);
    const extras = questionnaire ? extraQuestions(questionnaire.definition, campaign.config) : NO_EXTRAS;
    const rules: RecordRules = {
      config: campaign.config,
      departmentCodes: rows.map((d) => d.code),
      extras,
      negativeDates,
    };
    const index: DepartmentIndex = {
      validate: compileRecordValidator(rules),
      rules,
      idByCode: new Map(rows.map((d) => [d.code, d.id])),
      extras,
    };
    indexes.set(campaign.id, { key, index });
    return index;
  }

  /** A campaign and its first questionnaire version, in `trx`. */
  async function insertCampaign(trx: Kysely<Database>, config: CampaignConfig, definition: unknown) {
    const tx = campaignsRepository(trx);
    const now = clock.now().toISOString();
    const campaign = await tx.insert({
      id: newId(),
      slug: config.slug,
      name: config.name,
      opensAt: new Date(config.opensAt).toISOString(),
      closesAt: new Date(config.closesAt).toISOString(),
      mode: config.mode,
      config,
      createdAt: now,
    });
    await tx.insertQuestionnaire(campaign.id, { version: 1, definition }, now);
    return campaign;
  }

  async function departments(campaignId: string): Promise<Department[]> {
    return repo.departments(campaignId);
  }

  const status = (campaign: Campaign) => campaignStatus(campaign, clock.now());

  /**
   * `patch` written in `trx` over the campaign as it was read and checked; a 409 refusing `what`
   * if another change (a second click, another office user, a publication) came first.
   */
  async function updateAsRead(
    trx: Kysely<Database>,
    campaign: Campaign,
    patch: CampaignPatch,
    what: string,
  ): Promise<Campaign> {
    const tx = campaignsRepository(trx);
    const updated = await tx.update(campaign, patch);
    if (updated) return updated;
    const now = await tx.findById(campaign.id);
    throw refusal(what, [
      now
        ? `评议活动刚被另一操作改为“${STATUS_LABELS[status(now)]}”，请刷新页面查看现在的状态后再操作`
        : '评议活动已不存在',
    ]);
  }

  interface Change {
    /** what the office asked for, as a refusal names it (不能结算…) */
    what: string;
    action: string;
    actor: string;
    detail?: Record<string, unknown>;
    also?: (trx: Kysely<Database>) => Promise<unknown>;
  }

  /** Write `patch`, its audit row and what `also` writes in one transaction; the campaign as it is now. */
  async function change(campaign: Campaign, patch: CampaignPatch, { what, action, actor, detail, also }: Change) {
    return db.kysely.transaction().execute(async (trx) => {
      const updated = await updateAsRead(trx, campaign, patch, what);
      await also?.(trx);
      await audit.record(trx, {
        actor,
        action,
        campaignId: campaign.id,
        detail: { slug: campaign.slug, from: status(campaign), to: status(updated), ...detail },
      });
      return updated;
    });
  }

  const when = (campaign: Campaign, iso: string) => campaignTime(campaign, iso);
  const nowText = (campaign: Campaign) => when(campaign, clock.now().toISOString());

  async function settlementOf(campaign: Campaign, from = repo): Promise<SettlementPreview> {
    const current = status(campaign);
    const facts = await from.settlementFacts(campaign.id);
    const sum = (rows: { count: number }[]) => rows.reduce((total, r) => total + r.count, 0);
    const open = facts.items.filter((i) => (OPEN_STATES as readonly string[]).includes(i.state));
    const openByDepartment = new Map<string, { code: string; name: string; count: number }>();
    for (const i of open) {
      const d = openByDepartment.get(i.code) ?? { code: i.code, name: i.name, count: 0 };
      d.count += i.count;
      openByDepartment.set(i.code, d);
    }
    const openByState = OPEN_STATES.map((state) => ({
      state,
      label: STATE_LABELS[state],
      count: sum(open.filter((i) => i.state === state)),
    })).filter((s) => s.count > 0);
    const items = {
      issued: sum(facts.items.filter((i) => i.state !== 'draft')),
      drafted: sum(facts.items.filter((i) => i.state === 'draft')),
      closed: sum(facts.items.filter((i) => i.state === 'closed')),
      withdrawn: sum(facts.items.filter((i) => i.state === 'withdrawn')),
      open: sum(open),
      openByState,
      openByDepartment: [...openByDepartment.values()],
    };
    const refused =
      current === 'settled'
        ? '评议活动已经结算'
        : current !== 'published'
          ? `结果发布后才能结算（当前：${STATUS_LABELS[current]}）`
          : items.open > 0
            ? `还有 ${items.open} 项已下发的工作提示单事项未办结（${openByState.map((s) => `${s.label} ${s.count}`).join('，')}）：全部销号或撤销后才能结算`
            : null;
    return {
      campaign: campaign.slug,
      status: current,
      statusLabel: STATUS_LABELS[current],
      refused,
      items,
      unverifiedNegatives: facts.unverifiedNegatives,
    };
  }

  /** Why `campaign` can't open now (empty when it can). */
  /**
   * Why the questionnaire fails its checks (null: it passes), per campaign revision and version: the
   * check is survey-core's reading on the import thread, and a draft's page asks at every render and
   * redraw, while only a new config or questionnaire (a new revision) can change the answer.
   */
  const questionnaireRefusals = new Map<string, string | null>();
  async function questionnaireRefusal(campaign: Campaign, questionnaire: { version: number; definition: unknown }) {
    const key = `${campaign.id}:${campaign.revision}:${questionnaire.version}`;
    const known = questionnaireRefusals.get(key);
    if (known !== undefined) return known;
    let refused: string | null = null;
    try {
      await checkedQuestionnaire(questionnaire.definition, campaign.config, budget);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      // a verdict is kept; the import thread's running out of time or memory is said, not remembered
      if (error.code !== 'VALIDATION_FAILED') return error.message;
      refused = error.message;
    }
    if (questionnaireRefusals.size > 100) questionnaireRefusals.clear();
    questionnaireRefusals.set(key, refused);
    return refused;
  }

  async function openingProblems(campaign: Campaign): Promise<string[]> {
    const ready = await repo.readiness(campaign.id);
    const reasons: string[] = [];
    if (ready.departments === 0) reasons.push('还没有部门，请先导入部门');
    if (ready.evaluators === 0 && ready.invitations === 0) reasons.push('还没有评议代表，请先导入评议代表名单');
    const questionnaire = await repo.latestQuestionnaire(campaign.id);
    if (!questionnaire) reasons.push('还没有问卷');
    else {
      const refused = await questionnaireRefusal(campaign, questionnaire);
      if (refused) reasons.push(`问卷检查未通过：${refused}`);
    }
    if (Date.parse(campaign.closesAt) <= clock.now().getTime())
      reasons.push(`截止时间（${when(campaign, campaign.closesAt)}）已过：请先修改截止时间；往年补录的活动请直接截止`);
    return reasons;
  }

  /**
   * What opening would not stop but the office should know: in an anonymous campaign every answer
   * carries its evaluator's category, so a category of fewer evaluators than the small-cell size
   * makes its few answers recognisable by the category alone.
   */
  async function openingWarnings(campaign: Campaign): Promise<string[]> {
    if (campaign.mode === 'named') return [];
    const { minCellSize } = campaign.config.scoring;
    const roster = await invitationsRepository(db.kysely).evaluatorsByCategory(campaign.id);
    return campaign.config.categories.flatMap((c) => {
      const n = roster.find((r) => r.category === c.code)?.n ?? 0;
      return n > 0 && n < minCellSize
        ? [
            `“${c.label}”只有 ${n} 名评议代表（少于 ${minCellSize} 人）：匿名答卷带有类别，这一类的答卷可能被认出是谁填的；建议增加这一类的人数，或把它并入其他类别后再开启`,
          ]
        : [];
    });
  }

  /** Only a draft's config and questionnaire change: once opened, they stay as evaluators answer them. */
  function assertEditable(campaign: Campaign, what: string) {
    if (campaign.state !== 'draft')
      throw refusal(what, [
        `评议活动已开启（当前：${STATUS_LABELS[status(campaign)]}）：配置和问卷保持不变，以免改变已提交答卷的含义；要按新的规则评议，请以它为模板复制一个新活动`,
      ]);
  }

  /**
   * What a draft holds that `config` would no longer fit, each as the office fixes it: imported
   * answers (checked against the old config), departments of a group it drops (an import with
   * their new group moves them), evaluators of a category it drops (the roster has no deletion,
   * so the category stays), a new mode once links exist (anonymous and named links are kept
   * differently).
   */
  async function editConflicts(campaign: Campaign, config: CampaignConfig): Promise<string[]> {
    const reasons: string[] = [];
    const { responses, invitations } = await repo.readiness(campaign.id);
    if (responses > 0)
      reasons.push(
        `已导入 ${responses} 份答卷，它们按现在的配置和问卷校验过：配置和问卷不能再改；要按新的规则评议，请以本活动为模板复制一个新活动`,
      );
    const groups = new Set(config.groups.map((g) => g.code));
    const stranded = new Map<string, Department[]>();
    for (const d of await repo.departments(campaign.id))
      if (!groups.has(d.group)) stranded.set(d.group, [...(stranded.get(d.group) ?? []), d]);
    for (const [code, list] of stranded) {
      const label = campaign.config.groups.find((g) => g.code === code)?.label ?? code;
      const names = list.slice(0, 5).map((d) => `${d.name}（${d.code}）`);
      reasons.push(
        `部门分组“${label}”（${code}）还有 ${list.length} 个部门：${names.join('、')}${list.length > 5 ? '等' : ''}；请保留这个分组，或先重新导入这些部门并填写新配置中的分组`,
      );
    }
    const categories = new Set(config.categories.map((c) => c.code));
    for (const { category, count } of await repo.evaluatorCategories(campaign.id))
      if (!categories.has(category))
        reasons.push(
          `评议类别“${categoryLabel(campaign, category)}”（${category}）已有 ${count} 名评议代表：名单中的评议代表不能删除，请保留这个类别`,
        );
    if (config.mode !== campaign.mode && invitations > 0)
      reasons.push(
        `已生成 ${invitations} 个邀请链接，评议方式（${campaign.mode === 'named' ? '实名' : '匿名'}）不能再改：两种方式的链接保存方式不同`,
      );
    return reasons;
  }

  /** `definition` as the draft's only questionnaire version, unless it is the one stored; the new version, if any. */
  async function storeQuestionnaire(
    trx: Kysely<Database>,
    campaign: Campaign,
    current: Questionnaire | undefined,
    definition: unknown,
  ): Promise<number | undefined> {
    if (current && JSON.stringify(current.definition) === JSON.stringify(definition)) return undefined;
    const version = (current?.version ?? 0) + 1;
    await campaignsRepository(trx).replaceQuestionnaire(
      campaign.id,
      { version, definition },
      clock.now().toISOString(),
    );
    return version;
  }

  const lifecycle = {
    /** 草稿 → 进行中 (or 待开始 until its start): refused with every reason it can't. */
    async open(slug: string, actor: string): Promise<Campaign> {
      const campaign = await getBySlug(slug);
      if (campaign.state !== 'draft')
        throw refusal('不能开启', [
          isBeforeClose(status(campaign))
            ? `评议活动已开启（当前：${STATUS_LABELS[status(campaign)]}）`
            : `评议活动已截止，不能再开启（当前：${STATUS_LABELS[status(campaign)]}）`,
        ]);
      const reasons = await openingProblems(campaign);
      if (reasons.length) throw refusal('不能开启评议', reasons);
      return change(campaign, { state: 'open', paused: false }, { what: '不能开启', action: 'campaign_open', actor });
    },

    /**
     * → 已截止: an open (or paused, or not yet started) campaign closes now, its deadline moved to
     * now; a draft whose dates are past (an earlier year entered from paper) closes as it is. Either
     * way the held links go in the same transaction (`onClose`).
     */
    async close(slug: string, actor: string): Promise<Campaign> {
      const campaign = await getBySlug(slug);
      const erase = (trx: Kysely<Database>) => onClose(trx, campaign.id, actor);
      const now = clock.now();
      const current = status(campaign);
      if (current === 'draft') {
        if (Date.parse(campaign.closesAt) > now.getTime())
          throw refusal('不能截止', [
            `评议活动还是草稿，请先开启；只有截止时间（${when(campaign, campaign.closesAt)}）已过的往年补录活动可以直接截止`,
          ]);
        if ((await repo.readiness(campaign.id)).departments === 0)
          throw refusal('不能截止', ['还没有部门，请先导入部门和答卷']);
        return change(
          campaign,
          { state: 'closed' },
          { what: '不能截止', action: 'campaign_close', actor, detail: { pastDated: true }, also: erase },
        );
      }
      if (!isRunning(current)) throw refusal('不能截止', [`评议活动${STATUS_LABELS[current]}`]);
      const closesAt = now.toISOString();
      return change(
        campaign,
        { state: 'closed', paused: false, closesAt, config: { ...campaign.config, closesAt } },
        {
          what: '不能截止',
          action: 'campaign_close',
          actor,
          detail: { previousClosesAt: campaign.closesAt, closesAt },
          also: erase,
        },
      );
    },

    async pause(slug: string, actor: string): Promise<Campaign> {
      const campaign = await getBySlug(slug);
      const current = status(campaign);
      if (current !== 'open' && current !== 'scheduled')
        throw refusal('不能暂停', [`只有进行中的评议可以暂停（当前：${STATUS_LABELS[current]}）`]);
      return change(campaign, { paused: true }, { what: '不能暂停', action: 'campaign_pause', actor });
    },

    async resume(slug: string, actor: string): Promise<Campaign> {
      const campaign = await getBySlug(slug);
      const current = status(campaign);
      if (current !== 'paused') throw refusal('不能恢复', [`评议没有暂停（当前：${STATUS_LABELS[current]}）`]);
      return change(campaign, { paused: false }, { what: '不能恢复', action: 'campaign_resume', actor });
    },

    /**
     * New dates. A draft takes both; an opened campaign only a new deadline (extended or brought
     * forward, never before now); a closed one none.
     */
    async setDates(slug: string, raw: unknown, actor: string): Promise<Campaign> {
      const input = parseOrThrow(datesInputSchema, raw, '活动时间', DATES_FIELDS);
      if (!input.opensAt && !input.closesAt)
        throw new AppError('VALIDATION_FAILED', '截止时间：请给出新的截止时间', [
          { field: 'closesAt', message: '必填' },
        ]);
      const campaign = await getBySlug(slug);
      const current = status(campaign);
      const opensAt = input.opensAt ? new Date(input.opensAt).toISOString() : campaign.opensAt;
      const closesAt = input.closesAt ? new Date(input.closesAt).toISOString() : campaign.closesAt;
      if (current !== 'draft') {
        if (!isRunning(current)) throw refusal('不能修改时间', [`评议活动${STATUS_LABELS[current]}，时间不能再改`]);
        if (opensAt !== campaign.opensAt)
          throw refusal('不能修改时间', ['评议已开启，开始时间不能再改；可以延长或提前截止时间']);
        if (Date.parse(closesAt) <= clock.now().getTime())
          throw refusal('不能修改截止时间', [
            `新的截止时间（${when(campaign, closesAt)}）早于现在（${nowText(campaign)}）；要立即结束请用“提前截止”`,
          ]);
      }
      if (Date.parse(closesAt) <= Date.parse(opensAt))
        throw new AppError('VALIDATION_FAILED', `截止时间：必须晚于开始时间（${when(campaign, opensAt)}）`, [
          { field: 'closesAt', message: '必须晚于开始时间' },
        ]);
      return change(
        campaign,
        { opensAt, closesAt, config: { ...campaign.config, opensAt, closesAt } },
        {
          what: '不能修改时间',
          action: 'campaign_dates',
          actor,
          detail: { previous: { opensAt: campaign.opensAt, closesAt: campaign.closesAt }, opensAt, closesAt },
        },
      );
    },

    /** What settling now would end: the notice items still open and the unverified negative reports. */
    settlement: async (slug: string): Promise<SettlementPreview> => settlementOf(await getBySlug(slug)),

    /**
     * 已发布 → 已结算, the office's act that ends the campaign's follow-up: refused while an issued
     * notice item is open (items on sheets never issued don't count), and while negative-situation
     * reports are unverified unless `unverified` is their count (the office saw how many it leaves
     * so: a stale count is refused too). The count goes into the audit row. Checked in the settling
     * transaction with the campaign's row locked first, as every writer of the follow-up locks it
     * (`unsettledIn`): an item issued, reopened or answered at the same moment is committed before
     * the check reads, or its writer finds the campaign settled.
     */
    async settle(slug: string, actor: string, { unverified }: { unverified?: number } = {}): Promise<Campaign> {
      const { id } = await getBySlug(slug);
      return db.kysely.transaction().execute(async (trx) => {
        const tx = campaignsRepository(trx);
        await tx.lock(id);
        const campaign = await tx.findById(id);
        if (!campaign) throw new AppError('NOT_FOUND', '没有这个评议活动');
        const preview = await settlementOf(campaign, tx);
        if (preview.refused) throw refusal('不能结算', [preview.refused]);
        const n = preview.unverifiedNegatives;
        if (n > 0 && unverified !== n)
          throw refusal('不能结算', [
            unverified === undefined
              ? `还有 ${n} 条负面情形反映未核实：它们不计入已发布的结果，结算后也不能再发布更正；请确认知道这 ${n} 条后再结算`
              : `未核实的负面情形反映现在是 ${n} 条（确认的是 ${unverified} 条）：请重新查看后再确认`,
          ]);
        const updated = await updateAsRead(trx, campaign, { state: 'settled' }, '不能结算');
        await audit.record(trx, {
          actor,
          action: 'campaign_settle',
          campaignId: campaign.id,
          detail: { slug: campaign.slug, from: status(campaign), to: status(updated), unverifiedNegatives: n },
        });
        return updated;
      });
    },

    /**
     * A publication, in the publishing transaction `trx`: refused before the close; the campaign
     * becomes (or stays) 已发布. Its audit row is the publication's.
     */
    async assertPublishable(campaign: Campaign): Promise<void> {
      const current = status(campaign);
      if (current === 'closed' || current === 'published') return;
      throw refusal(
        '不能发布结果',
        current === 'settled'
          ? ['评议活动已结算']
          : [
              `评议尚未截止（当前：${STATUS_LABELS[current]}，截止时间 ${when(campaign, campaign.closesAt)}）；截止前只能查看中期结果`,
            ],
      );
    },
    /** In the publishing transaction: → 已发布 from the campaign `assertPublishable` passed, else a 409 (it rolls back). */
    markPublished: (trx: Kysely<Database>, checked: Campaign) =>
      updateAsRead(trx, checked, { state: 'published', paused: false }, '不能发布结果'),

    /**
     * In an import's transaction: the campaign still in the state its check read (no publication
     * or settlement came in between), its row locked until the commit so none can come now.
     */
    importableIn: (trx: Kysely<Database>, checked: Campaign) =>
      updateAsRead(trx, checked, { state: checked.state }, '不能导入答卷'),

    /** Responses collected elsewhere are imported until the results are published. */
    assertImportable(campaign: Campaign): void {
      const current = status(campaign);
      if (current === 'published' || current === 'settled')
        throw refusal('不能导入答卷', [`结果已经发布（${STATUS_LABELS[current]}），不能再导入答卷`]);
    },
  };

  return {
    getBySlug,
    getById,
    departments,
    status,
    list: () => repo.list(),
    ...lifecycle,
    /** Why the campaign can't open now (empty when it can), for the campaign page. */
    openingProblems,
    openingWarnings,
    /** A 409 unless the campaign is a draft (whose config and questionnaire may be edited). */
    assertEditable: (campaign: Campaign) => assertEditable(campaign, '不能修改配置'),
    /** A draft whose deadline is past (an earlier year entered from paper): it is closed, not opened. */
    pastDated: (campaign: Campaign) =>
      campaign.state === 'draft' && Date.parse(campaign.closesAt) <= clock.now().getTime(),

    /** Create a campaign with its first questionnaire version; `actor` is recorded in the audit log. */
    async create({ raw, configDir, questionnaire, file }: CreateCampaignInput, actor: string): Promise<Campaign> {
      refuseBadText(raw, '评议活动配置', '');
      const config = parseCampaignConfig(raw);
      if (await repo.findBySlug(config.slug)) {
        throw takenSlug(config.slug);
      }
      const definition = await checkedQuestionnaire(
        questionnaire ?? readQuestionnaire(config.questionnaire, configDir),
        config,
        budget,
      );
      return db.kysely
        .transaction()
        .execute(async (trx) => {
          const campaign = await insertCampaign(trx, config, definition);
          await audit.record(trx, {
            actor,
            action: 'campaign_create',
            campaignId: campaign.id,
            detail: { slug: campaign.slug, name: campaign.name, ...(file ? { file } : {}) },
          });
          return campaign;
        })
        .catch((error: unknown) => {
          // the same slug created by a concurrent request since the check above
          if (isUniqueViolation(error)) throw takenSlug(config.slug);
          throw error;
        });
    },

    /**
     * A new campaign made from `fromSlug` (last year's): its config with the new code, name and
     * dates, its groups, its departments with their codes (so results line up year over year, and
     * liaison accounts, which name a department by code, keep their department), and on request
     * its evaluators, without invitations, and the questionnaire the source's evaluators answered
     * last (an uploaded one too, with the office's own questions), checked again with the new
     * config. One transaction, one audit row.
     */
    async clone(fromSlug: string, input: CloneInput, actor: string): Promise<CloneResult> {
      const source = await repo.findBySlug(fromSlug);
      if (!source) throw cloneRefusal('NOT_FOUND', 'from', `没有代码为 ${fromSlug} 的评议活动`);
      if (await repo.findBySlug(input.slug)) throw cloneRefusal('CONFLICT', 'slug', `评议活动 ${input.slug} 已存在`);
      const defaults = cloneDefaults(source);
      const opensAt = input.opensAt ?? defaults.opensAt;
      const closesAt = input.closesAt ?? defaults.closesAt;
      if (Date.parse(closesAt) <= Date.parse(opensAt))
        throw cloneRefusal('VALIDATION_FAILED', 'closesAt', `必须晚于开始时间（${when(source, opensAt)}）`);
      // through the schema again: a config stored before a field existed gets its default
      const config = parseCampaignConfig(
        { ...configInput(source.config), slug: input.slug, name: input.name, opensAt, closesAt },
        `来源活动 ${source.slug} 的配置`,
      );
      const answered = await repo.latestQuestionnaire(source.id);
      const definition = await checkedQuestionnaire(
        answered?.definition ?? readQuestionnaire(config.questionnaire),
        config,
        budget,
      );
      const now = clock.now().toISOString();
      return db.kysely
        .transaction()
        .execute(async (trx) => {
          const campaign = await insertCampaign(trx, config, definition);
          const roster = rosterRepository(trx);
          const departments = await roster.departments(source.id);
          await roster.insertDepartments(campaign.id, departments, now);
          await accountsRepository(trx).copyLiaisonBindings(source.id, campaign.id);
          const evaluators = input.withRoster
            ? await roster.insertEvaluators(campaign.id, await roster.evaluatorRows(source.id), now)
            : 0;
          const codes = new Set(departments.map((d) => d.code));
          const liaisonAccounts = (await accountsRepository(trx).listUsers()).filter(
            (u) => u.role === 'liaison' && u.departmentCode !== null && codes.has(u.departmentCode),
          ).length;
          const copied = { groups: config.groups.length, departments: departments.length, evaluators, liaisonAccounts };
          await audit.record(trx, {
            actor,
            action: 'campaign_clone',
            campaignId: campaign.id,
            detail: {
              from: source.slug,
              slug: campaign.slug,
              name: campaign.name,
              withRoster: input.withRoster,
              ...copied,
            },
          });
          return { campaign, from: source, copied };
        })
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw cloneRefusal('CONFLICT', 'slug', `评议活动 ${input.slug} 已存在`);
          throw error;
        });
    },

    /**
     * A draft's config replaced (the form, an upload, the command line): checked as a new one is,
     * with its questionnaire (the one given, else the config's file if it names another, else the
     * stored one) checked again against it. Refused once opened, and while the draft holds what
     * the new config would no longer fit (see editConflicts). The questionnaire, if it changed,
     * becomes the draft's only version (nothing was answered on the old one).
     */
    async editConfig(slug: string, { raw, configDir, questionnaire, file }: CreateCampaignInput, actor: string) {
      const campaign = await getBySlug(slug);
      assertEditable(campaign, '不能修改配置');
      refuseBadText(raw, '评议活动配置', '');
      const config = parseCampaignConfig(raw);
      if (config.slug !== campaign.slug && (await repo.findBySlug(config.slug))) throw slugTaken(config.slug);
      const current = await repo.latestQuestionnaire(campaign.id);
      const kept = questionnaire === undefined && current && config.questionnaire === campaign.config.questionnaire;
      const definition = await checkedQuestionnaire(
        kept ? current.definition : (questionnaire ?? readQuestionnaire(config.questionnaire, configDir)),
        config,
        budget,
      ).catch((error: unknown) => {
        if (kept && error instanceof AppError)
          throw new AppError(error.code, `现有问卷与新配置不符，请一并上传改好的问卷。${error.message}`, error.details);
        throw error;
      });
      const reasons = await editConflicts(campaign, config);
      if (reasons.length) throw refusal('不能修改配置', reasons);
      const changed = Object.keys({ ...campaign.config, ...config }).filter(
        (key) =>
          JSON.stringify(campaign.config[key as keyof CampaignConfig]) !==
          JSON.stringify(config[key as keyof CampaignConfig]),
      );
      const opensAt = new Date(config.opensAt).toISOString();
      const closesAt = new Date(config.closesAt).toISOString();
      return db.kysely
        .transaction()
        .execute(async (trx) => {
          const version = await storeQuestionnaire(trx, campaign, current, definition);
          const updated = await updateAsRead(
            trx,
            campaign,
            {
              slug: config.slug,
              name: config.name,
              mode: config.mode,
              opensAt,
              closesAt,
              config: { ...config, opensAt, closesAt },
            },
            '不能修改配置',
          );
          await audit.record(trx, {
            actor,
            action: 'campaign_edit',
            campaignId: campaign.id,
            detail: {
              slug: updated.slug,
              ...(updated.slug !== campaign.slug ? { previousSlug: campaign.slug } : {}),
              changed,
              ...(version ? { questionnaireVersion: version } : {}),
              ...(file ? { file } : {}),
            },
          });
          return updated;
        })
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw slugTaken(config.slug);
          throw error;
        });
    },

    /** A draft's questionnaire replaced by `definition`, checked against its config; refused once opened. */
    async replaceQuestionnaire(slug: string, definition: unknown, actor: string, file?: string) {
      const campaign = await getBySlug(slug);
      assertEditable(campaign, '不能更换问卷');
      const checked = await checkedQuestionnaire(definition, campaign.config, budget);
      const reasons = await editConflicts(campaign, campaign.config);
      if (reasons.length) throw refusal('不能更换问卷', reasons);
      const current = await repo.latestQuestionnaire(campaign.id);
      return db.kysely.transaction().execute(async (trx) => {
        const version = await storeQuestionnaire(trx, campaign, current, checked);
        const updated = await updateAsRead(trx, campaign, { questionnaire: true }, '不能更换问卷');
        await audit.record(trx, {
          actor,
          action: 'campaign_questionnaire',
          campaignId: campaign.id,
          detail: { slug: campaign.slug, questionnaireVersion: version ?? current?.version, ...(file ? { file } : {}) },
        });
        return { campaign: updated, questionnaireVersion: version ?? current?.version ?? 1 };
      });
    },

    /** A version of a campaign's questionnaire (the latest without one); shared with other callers, not to be changed. */
    async questionnaire(campaignId: string, version?: number): Promise<Questionnaire> {
      const key = `${campaignId}:${version}`;
      const known = version === undefined ? undefined : versions.get(key);
      if (known) return known;
      const questionnaire =
        version === undefined
          ? await repo.latestQuestionnaire(campaignId)
          : await repo.questionnaireVersion(campaignId, version);
      if (!questionnaire) throw new AppError('NOT_FOUND', '没有这个问卷版本');
      if (version !== undefined) {
        if (versions.size >= MAX_VERSIONS) versions.clear();
        versions.set(key, questionnaire);
      }
      return questionnaire;
    },

    /**
     * The canonical record validator of a campaign and its department ids, compiled once and
     * reused until its department list changes (an import adds departments).
     */
    departmentIndex,
  };
}

export type CampaignsService = ReturnType<typeof campaignsService>;

/**
 * A config uploaded again under a campaign's code: refused, never applied. The campaign's config
 * and questionnaire stay as its evaluators answer them (fixed once it opens).
 */
const takenSlug = (slug: string) =>
  new AppError(
    'CONFLICT',
    `评议活动 ${slug} 已存在：不能用同一个活动代码再创建一次，已有活动的配置和问卷保持不变（活动开始后不能再修改）；要按新的规则评议，请换一个活动代码，或以它为模板复制`,
  );

/** A draft's edit giving it the code of another campaign: the form shows it beside 活动代码. */
const slugTaken = (slug: string) =>
  new AppError('CONFLICT', `活动代码：评议活动 ${slug} 已存在，请换一个活动代码`, [
    { path: 'slug', field: '活动代码', message: `评议活动 ${slug} 已存在` },
  ]);

/**
 * A config or questionnaire with text that can't be stored (NUL, lone surrogates): a 422 naming
 * where, by `place` when given (a questionnaire's 第N页第M题), else by its key path.
 */
function refuseBadText(value: unknown, what: string, prefix: string, place?: (path: string) => string) {
  const bad = findBadText(value);
  if (bad) {
    const path = `${prefix}${bad.path}`;
    const where = place ? place(bad.path) : path;
    throw new AppError('VALIDATION_FAILED', `${what}：${where ? `${where}：` : ''}${bad.message}`, [
      { ...(path ? { path } : {}), ...(place && where ? { field: where } : {}), message: bad.message },
    ]);
  }
}

/** A stored config as the schema takes it again (the scale was stored as its levels). */
export const configInput = (config: CampaignConfig) => ({ ...config, scale: { levels: config.scale } });

/** A questionnaire over QUESTIONNAIRE_LIMITS: a 413 before any check that grows with its size. */
function refuseOversized(definition: unknown) {
  const size = questionnaireSize(definition);
  const max = QUESTIONNAIRE_LIMITS;
  const over =
    size.kilobytes > max.kilobytes
      ? `问卷有 ${size.kilobytes} KB，超过上限 ${max.kilobytes} KB`
      : size.pages > max.pages
        ? `问卷有 ${size.pages} 页，超过上限 ${max.pages} 页`
        : size.elements > max.elements
          ? `问卷有 ${size.elements} 个问题，超过上限 ${max.elements} 个`
          : size.choices > max.choices
            ? `问卷的选项共有 ${size.choices} 个，超过上限 ${max.choices} 个`
            : null;
  if (over)
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `${over}（示例问卷约 10 KB、4 页、18 个问题）：请删去不需要的题目、选项和说明文字，问卷没有保存`,
      [{ path: 'questionnaire', message: over }],
    );
}

/**
 * A questionnaire fit to store with `config`, or a 422 listing what is wrong with it. survey-core's
 * reading runs in the import thread, within `budget`: at the size caps it takes seconds.
 */
async function checkedQuestionnaire(
  definition: unknown,
  config: CampaignConfig,
  budget: ImportBudget,
): Promise<unknown> {
  refuseOversized(definition);
  const place = (path: string) => questionnairePlace(definition, path);
  refuseBadText(definition, '问卷定义', 'questionnaire.', place);
  // every problem in one round: survey-core's reading too, unless it could not read the definition
  // at all (a shape ours already names), or ours refuses a question type (a matrix's cells are
  // survey-core's slowest work, for a question refused anyway)
  const ours = lintQuestionnaire(definition, config);
  const theirs = ours.some((i) => i.refusedType)
    ? []
    : (await runImportTask({ kind: 'questionnaire', definition }, budget)).filter(
        (i) => !(ours.length && i.unreadable),
      );
  const issues = [...ours, ...theirs.filter((i) => !ours.some((o) => o.path === i.path && o.message === i.message))];
  if (issues.length) {
    // the office reads 第3页第6题「…」 (a question without a title by its name); the key path stays beside it for the CLI
    const placed = issues.map((i) => ({
      path: `questionnaire.${i.path}`,
      field: place(i.path) || '问卷',
      message: i.message,
    }));
    throw new AppError(
      'VALIDATION_FAILED',
      `问卷定义有误${issues.length > 1 ? `（共 ${issues.length} 处）` : ''}：${placed[0].field}：${placed[0].message}`,
      placed,
    );
  }
  return definition;
}

function readQuestionnaire(name: string, configDir?: string): unknown {
  const path = resolveQuestionnairePath(name, configDir);
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
    return JSON.parse(text);
  } catch (error) {
    // the reason, without the server's path
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? '文件不存在'
        : code === 'EISDIR'
          ? '这是一个目录'
          : error instanceof SyntaxError
            ? `不是有效的 JSON（${jsonSyntaxReason(text, error)}）`
            : (code ?? '无法读取');
    throw new AppError('VALIDATION_FAILED', `问卷文件 ${name} 无法读取：${reason}`, [
      { path: 'questionnaire', message: reason },
    ]);
  }
}
