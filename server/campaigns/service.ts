import { readFileSync } from 'node:fs';
import type { AuditService } from '../accounts/audit.js';
import type { CampaignStatus } from '../contracts.js';
import type { AppDeps } from '../context.js';
import { isUniqueViolation } from '../db/connect.js';
import { AppError, parseOrThrow } from '../errors.js';
import { newId } from '../shared/ids.js';
import { findBadText } from '../../surveys/text.js';
import { campaignConfigSchema, resolveQuestionnairePath } from '../../surveys/campaign-config.js';
import { compileRecordValidator, type RecordValidator } from '../../surveys/record.js';
import { extraQuestions, lintQuestionnaire } from '../../surveys/questionnaire.js';
import { type ExtraQuestions, NO_EXTRAS } from '../../surveys/extras.js';
import { surveyCoreIssues } from '../../surveys/survey-core-check.js';
import { campaignsRepository, type Campaign } from './repository.js';
import type { Department } from '../roster/repository.js';

export type { Campaign, Department };

export interface DepartmentIndex {
  validate: RecordValidator;
  idByCode: ReadonlyMap<string, string>;
  /** the office's own questions of the campaign's questionnaire, answered under `extra` */
  extras: ExtraQuestions;
}

/** The label of an evaluator category code (the code itself if the config has no such category). */
export function categoryLabel(campaign: Campaign, code: string): string {
  return campaign.config.categories.find((c) => c.code === code)?.label ?? code;
}

export function campaignStatus(campaign: Pick<Campaign, 'opensAt' | 'closesAt'>, now: Date): CampaignStatus {
  const t = now.getTime();
  if (t < Date.parse(campaign.opensAt)) return 'scheduled';
  if (t >= Date.parse(campaign.closesAt)) return 'closed';
  return 'open';
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

export function campaignsService({ db, clock }: AppDeps, audit: AuditService) {
  const repo = campaignsRepository(db.kysely);
  /** Per campaign: the record validator, compiled once per department list, and the department ids by code. */
  const indexes = new Map<string, { key: string; index: DepartmentIndex }>();

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
   * One read of the department list per call (an import may have added some since), and a
   * recompiled validator only when that list changed.
   */
  async function departmentIndex(campaign: Campaign): Promise<DepartmentIndex> {
    const rows = await repo.departments(campaign.id);
    const key = rows.map((d) => `${d.code}\t${d.id}`).join('\n');
    const cached = indexes.get(campaign.id);
    if (cached && cached.key === key) return cached.index;
    // a campaign's questionnaire is fixed with it: read again only with a changed department list
    const questionnaire = await repo.latestQuestionnaire(campaign.id);
    const extras = questionnaire ? extraQuestions(questionnaire.definition, campaign.config) : NO_EXTRAS;
    const index: DepartmentIndex = {
      validate: compileRecordValidator({ config: campaign.config, departmentCodes: rows.map((d) => d.code), extras }),
      idByCode: new Map(rows.map((d) => [d.code, d.id])),
      extras,
    };
    indexes.set(campaign.id, { key, index });
    return index;
  }

  async function departments(campaignId: string): Promise<Department[]> {
    return repo.departments(campaignId);
  }

  return {
    getBySlug,
    getById,
    departments,
    /** A department's name as its latest campaign lists it (a liaison's account names only the code). */
    departmentName: async (code: string) => (await repo.latestDepartmentByCode(code))?.name ?? null,
    status: (campaign: Campaign) => campaignStatus(campaign, clock.now()),
    list: () => repo.list(),

    /** Create a campaign with its first questionnaire version; `actor` is recorded in the audit log. */
    async create({ raw, configDir, questionnaire, file }: CreateCampaignInput, actor: string): Promise<Campaign> {
      refuseBadText(raw, '评议活动配置', '');
      const config = parseOrThrow(campaignConfigSchema, raw, '评议活动配置');
      if (await repo.findBySlug(config.slug)) {
        throw new AppError('CONFLICT', `评议活动 ${config.slug} 已存在`);
      }
      const definition = questionnaire ?? readQuestionnaire(config.questionnaire, configDir);
      refuseBadText(definition, '问卷定义', 'questionnaire.');
      // survey-core reads only a definition of the right shape (it throws on others)
      const ours = lintQuestionnaire(definition, config);
      const issues = ours.length ? ours : await surveyCoreIssues(definition);
      if (issues.length) {
        throw new AppError(
          'VALIDATION_FAILED',
          `问卷定义有误${issues.length > 1 ? `（共 ${issues.length} 处，见 details）` : ''}：${issues[0].path}：${issues[0].message}`,
          issues.map((i) => ({ path: `questionnaire.${i.path}`, message: i.message })),
        );
      }
      const now = clock.now().toISOString();
      const id = newId();
      return db.kysely
        .transaction()
        .execute(async (trx) => {
          const tx = campaignsRepository(trx);
          const campaign = await tx.insert({
            id,
            slug: config.slug,
            name: config.name,
            opensAt: new Date(config.opensAt).toISOString(),
            closesAt: new Date(config.closesAt).toISOString(),
            mode: config.mode,
            config,
            createdAt: now,
          });
          await tx.insertQuestionnaire(id, { version: 1, definition }, now);
          await audit.record(trx, {
            actor,
            action: 'campaign_create',
            campaignId: id,
            detail: { slug: campaign.slug, name: campaign.name, ...(file ? { file } : {}) },
          });
          return campaign;
        })
        .catch((error: unknown) => {
          // the same slug created by a concurrent request since the check above
          if (isUniqueViolation(error)) throw new AppError('CONFLICT', `评议活动 ${config.slug} 已存在`);
          throw error;
        });
    },

    async questionnaire(campaignId: string, version?: number) {
      const questionnaire =
        version === undefined
          ? await repo.latestQuestionnaire(campaignId)
          : await repo.questionnaireVersion(campaignId, version);
      if (!questionnaire) throw new AppError('NOT_FOUND', '没有这个问卷版本');
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

/** A config or questionnaire with text that can't be stored (NUL, lone surrogates): a 422 naming where. */
function refuseBadText(value: unknown, what: string, prefix: string) {
  const bad = findBadText(value);
  if (bad) {
    const path = `${prefix}${bad.path}`;
    throw new AppError('VALIDATION_FAILED', `${what}：${path ? `${path}：` : ''}${bad.message}`, [
      { ...(path ? { path } : {}), message: bad.message },
    ]);
  }
}

function readQuestionnaire(name: string, configDir?: string): unknown {
  const path = resolveQuestionnairePath(name, configDir);
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    // the reason, without the server's path
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? '文件不存在'
        : code === 'EISDIR'
          ? '这是一个目录'
          : error instanceof SyntaxError
            ? `不是有效的 JSON（${error.message}）`
            : (code ?? '无法读取');
    throw new AppError('VALIDATION_FAILED', `问卷文件 ${name} 无法读取：${reason}`, [
      { path: 'questionnaire', message: reason },
    ]);
  }
}
