import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../web/lib/time.js';
import { MAX_JSON_DEPTH, tooDeepAt } from '../server/shared/json.js';
import { projectRoot } from '../server/shared/paths.js';
import { DEFAULT_ITEMS, DEFAULT_NEGATIVES, DEFAULT_PROBLEMS, SCALE_PRESETS } from './catalogs.js';
import { shownName } from './text.js';

/** the questionnaires and the example configuration (beside the sources, also when run from dist/) */
export const SURVEYS_DIR = resolve(projectRoot(import.meta.url), 'surveys');

const code = z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, '只能包含字母、数字、下划线和连字符（1–40 个字符）');
/**
 * The years a campaign's times may fall in. A fixed range, not one around the clock's now: a
 * config is judged the same by the CLI, an upload and the form on any day, and earlier years
 * entered from paper are real campaigns. It still catches a slipped year (1900, 9999, 20266),
 * which would otherwise keep links alive for ever or sort a campaign before every other.
 */
export const CAMPAIGN_YEARS = { first: 2000, last: 2100 } as const;

export const isoDateTime = z.iso
  .datetime({
    offset: true,
    message: '应为 ISO-8601 时间，例如 2026-12-31T23:59:59+08:00',
  })
  .refine((text) => {
    const year = new Date(text).getUTCFullYear();
    // not a time at all: the format's message says so, alone
    return Number.isNaN(year) || (year >= CAMPAIGN_YEARS.first && year <= CAMPAIGN_YEARS.last);
  }, `应在 ${CAMPAIGN_YEARS.first} 年至 ${CAMPAIGN_YEARS.last} 年之间，请检查年份`);

/**
 * How long a config's lists may be: far beyond any city's (4 levels, 6 categories, 3 groups, 10
 * problems), short enough that a page listing them, or an import error naming the allowed groups,
 * stays a page (50,000 groups made one refusal 106 MB).
 */
const MAX_LIST = { levels: 10, categories: 30, groups: 50, catalog: 60 };
/** A label the pages, letters and charts show: a name, never a paragraph. */
const label = shownName(100);

const levelSchema = z.strictObject({
  code,
  label,
  english: z.string().default(''),
  points: z.number().min(0).max(100).nullable(),
  satisfied: z.boolean(),
  /** counts towards 差评率 */
  unfavourable: z.boolean().optional(),
});

const scaleSchema = z
  .union([
    z.enum(['four-level', 'three-level', 'five-level-haochaping']),
    z.strictObject({ levels: z.array(levelSchema).min(2).max(MAX_LIST.levels, `最多 ${MAX_LIST.levels} 个等级`) }),
  ])
  .default('four-level')
  .transform((scale) => (typeof scale === 'string' ? SCALE_PRESETS[scale] : scale.levels))
  .refine((levels) => new Set(levels.map((l) => l.code)).size === levels.length, '等级代码不能重复')
  .refine((levels) => levels.some((l) => l.points !== null), '至少要有一个计分等级');

const weighted = z.strictObject({
  code,
  label,
  english: z.string().default(''),
  weight: z.number().positive(),
});
const catalogEntry = z.strictObject({
  id: z.number().int().positive(),
  label,
  english: z.string().default(''),
  kind: z.enum(['思维', '责任', '禁令', '执行']).optional(),
});

const allDistinct = (keys: (string | number)[]) => new Set(keys).size === keys.length;

const gradeSchema = z.strictObject({ label, min: z.number().nullable() });

export const scoringConfigSchema = z
  .strictObject({
    minCategoryAnswers: z.number().int().min(1).default(5),
    minRankedRaters: z.number().int().min(1).default(30),
    deductionPerNegative: z.number().min(0).default(0.5),
    maxDeduction: z.number().min(0).default(5),
    grades: z
      .array(gradeSchema)
      .min(1)
      .default([
        { label: '好', min: 85 },
        { label: '较好', min: 75 },
        { label: '一般', min: 60 },
        { label: '差', min: null },
      ]),
    screening: z
      .strictObject({
        speederFraction: z
          .number()
          .min(0)
          .max(1)
          .default(1 / 3),
        minStraightRatings: z.number().int().min(1).default(6),
        burstWindowMinutes: z.number().positive().default(10),
        burstSize: z.number().int().min(2).default(20),
        nearIdenticalThreshold: z.number().min(0).max(1).default(0.95),
      })
      .prefault({}),
    bootstrap: z
      .strictObject({
        samples: z.number().int().min(0).max(100000).default(1000),
        seed: z.number().int().default(20261231),
      })
      .prefault({}),
    rectification: z
      .strictObject({
        maxScore: z.number().default(75),
        bottomCount: z.number().int().min(1).default(3),
        minProbability: z.number().min(0).max(1).default(0.8),
      })
      .prefault({}),
    problemShareThreshold: z.number().min(0).max(1).default(0.2),
    minCellSize: z.number().int().min(1).default(5),
  })
  .prefault({});

/** `{name}` or `{name:N}` (zero-padded to N digits): the placeholders a numbering pattern may use. */
const PLACEHOLDER = /\{([a-z]+)(?::(\d))?\}/g;

const numberingPattern = (allowed: string[], required: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .refine(
      (pattern) => [...pattern.matchAll(PLACEHOLDER)].every((m) => allowed.includes(m[1])),
      `只能使用占位符 ${allowed.map((a) => `{${a}}`).join('、')}（可写成 {${required}:3} 补零到 3 位）`,
    )
    .refine((pattern) => [...pattern.matchAll(PLACEHOLDER)].some((m) => m[1] === required), `必须包含 {${required}}`);

/** Fill a numbering pattern: `评议提示〔{year}〕第{serial:3}号` with serial 15 → 评议提示〔2026〕第015号. */
export function fillPattern(pattern: string, values: Record<string, number>): string {
  return pattern.replace(PLACEHOLDER, (_, name: string, width?: string) =>
    String(values[name]).padStart(Number(width ?? 0), '0'),
  );
}

/** 工作提示单: how the office numbers and signs them (GB/T 9704 layout in server/notices/docx.ts). */
export const noticesConfigSchema = z
  .strictObject({
    /** 发文机关: the issuing office, printed above the serial number and under the date */
    office: shownName(100).default('民主评议机关工作领导小组办公室'),
    title: shownName(100).default('民主评议机关工作提示单'),
    /** {year}: the campaign's year (its closing day in its time zone); {serial}: the sheet's number */
    serialPattern: numberingPattern(['year', 'serial'], 'serial').default('评议提示〔{year}〕第{serial:3}号'),
    /** an item's number on its sheet: 015-01, 015-02 … */
    itemPattern: numberingPattern(['year', 'serial', 'seq'], 'seq').default('{serial:3}-{seq:2}'),
    /** the office's numbering may continue from earlier notices of the year */
    firstSerial: z.number().int().min(1).default(1),
    /** what every sheet asks of the department; the office edits it per sheet and per item */
    requirement: z
      .string()
      .min(1)
      .max(2000)
      .default(
        '请你单位对照所列问题认真核查，逐项制定整改措施，明确责任人和完成时限，在规定期限内反馈整改情况并附佐证材料。',
      ),
    /** the title font (2号); without 小标宋 installed an office sets 宋体, which is then set in bold */
    titleFont: z.string().min(1).max(50).default('方正小标宋简体'),
  })
  .prefault({});

export type NoticesConfig = z.output<typeof noticesConfigSchema>;

/** A campaign's code, in its addresses: /admin/campaigns/demo-2026 */
export const campaignSlug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, '只能包含小写字母、数字和连字符');

export const campaignConfigSchema = z
  .strictObject({
    slug: campaignSlug,
    name: shownName(200),
    opensAt: isoDateTime,
    closesAt: isoDateTime,
    mode: z.enum(['anonymous', 'named']).default('anonymous'),
    /** every page, export, letter and chart shows times in it; deadlines end at midnight there */
    timeZone: z
      .string()
      .refine(
        isTimeZone,
        '不是有效的时区名称：请填写 IANA 时区名称，例如北京时间为 Asia/Shanghai、乌鲁木齐为 Asia/Urumqi',
      )
      .default(DEFAULT_TIME_ZONE),
    /** a SurveyJS JSON file: relative to the config file, or a name in surveys/ */
    questionnaire: z.string().min(1).default('questionnaire.default.json'),
    scale: scaleSchema,
    /** a scale whose lowest scoring level is above 0 compresses the differences between departments */
    allowPositiveFloor: z.boolean().optional(),
    items: z
      .array(weighted)
      .min(1)
      .max(6)
      .default(DEFAULT_ITEMS)
      .refine((list) => allDistinct(list.map((x) => x.code)), '评议项目代码不能重复'),
    categories: z
      .array(weighted)
      .min(1)
      .max(MAX_LIST.categories, `最多 ${MAX_LIST.categories} 个评议代表类别`)
      .refine((list) => allDistinct(list.map((x) => x.code)), '评议代表类别代码不能重复'),
    groups: z
      .array(z.strictObject({ code, label }))
      .min(1)
      .max(MAX_LIST.groups, `最多 ${MAX_LIST.groups} 个部门分组`)
      .refine((list) => allDistinct(list.map((x) => x.code)), '部门分组代码不能重复'),
    problems: z
      .array(catalogEntry)
      .min(1)
      .max(MAX_LIST.catalog, `最多 ${MAX_LIST.catalog} 项作风问题`)
      .default(DEFAULT_PROBLEMS)
      .refine((list) => allDistinct(list.map((x) => x.id)), '作风问题编号不能重复'),
    negatives: z
      .array(catalogEntry)
      .min(1)
      .max(MAX_LIST.catalog, `最多 ${MAX_LIST.catalog} 项负面情形`)
      .default(DEFAULT_NEGATIVES)
      .refine((list) => allDistinct(list.map((x) => x.id)), '负面情形编号不能重复'),
    maxProblemsPerDepartment: z.number().int().min(1).default(3),
    limits: z
      .strictObject({
        shortText: z.number().int().min(10).max(1000).default(100),
        longText: z.number().int().min(50).max(10000).default(1000),
        maxNegativesPerDepartment: z.number().int().min(1).default(8),
      })
      .prefault({}),
    scoring: scoringConfigSchema,
    notices: noticesConfigSchema,
  })
  // each refinement also runs over a config with other problems: it judges only what it can read
  .refine((c) => !(Date.parse(c.closesAt) <= Date.parse(c.opensAt)), {
    message: '必须晚于开始时间',
    path: ['closesAt'],
  })
  .refine((c) => c.allowPositiveFloor === true || !Array.isArray(c.scale) || scaleFloor(c.scale) <= 0, {
    message:
      '最低的计分等级高于 0 分，会压缩部门之间的得分差距：请让最低等级计 0 分，确需如此请同时设置 allowPositiveFloor: true',
    path: ['scale'],
  });

/** The points of the lowest scoring level (不了解 aside). */
const scaleFloor = (levels: { points: number | null }[]) =>
  Math.min(...levels.flatMap((l) => (l.points === null ? [] : [l.points])));

/** What the office should weigh about a valid config before it opens (a note of fact aside: configNotes). */
export function configWarnings(config: CampaignConfig): string[] {
  const warnings: string[] = [];
  const floor = scaleFloor(config.scale);
  if (floor > 0)
    warnings.push(
      `最低的计分等级计 ${floor} 分（高于 0）：各部门的得分会挤在 ${floor}–100 分之间，差距被压缩，排名更难分开。`,
    );
  return warnings;
}

/**
 * What the office may like to know, nothing to fix: weights that don't sum to 1 are taken as
 * proportions by the scoring (scoring/score.ts divides by the weights' sum), so the note gives the
 * shares they come to.
 */
export function configNotes(config: CampaignConfig): string[] {
  const shares = (what: string, entries: { label: string; weight: number }[]) => {
    const total = entries.reduce((sum, e) => sum + e.weight, 0);
    if (!(total > 0) || Math.abs(total - 1) <= 1e-9) return [];
    const each = entries.map((e) => `${e.label} ${Number(((100 * e.weight) / total).toFixed(2))}%`).join('，');
    return [`${what}的权重按比例计算（合计 ${Number(total.toFixed(6))}，不必为 1），各占：${each}。`];
  };
  return [...shares('评议类别', config.categories), ...shares('评议项目', config.items)];
}

export type CampaignConfigInput = z.input<typeof campaignConfigSchema>;
export type CampaignConfig = z.output<typeof campaignConfigSchema>;

/**
 * A config as stored with its campaign (validated when the campaign was created). Configs stored
 * before a field existed get the field's default here, on read: the stored text is never
 * rewritten, so nothing computed from it (the scoring method, published snapshots) changes.
 */
export function storedCampaignConfig(json: string): CampaignConfig {
  const stored = JSON.parse(json) as Omit<CampaignConfig, 'timeZone'> & { timeZone?: string };
  return { ...stored, timeZone: stored.timeZone ?? DEFAULT_TIME_ZONE };
}

/** A JSON config nested deeper than any config is: refused before JSON.parse builds it. */
export class ConfigNestingError extends Error {
  constructor(readonly path: string) {
    super(`nested deeper than ${MAX_JSON_DEPTH} levels at ${path}`);
  }
}

/**
 * Parse a JSON or YAML config text (by content). The JSON is checked for depth first, as every
 * JSON input is: 50,000 nested brackets parse, then take seconds to walk (SyntaxError, YAML's
 * errors and ConfigNestingError are what it throws).
 */
export function parseConfigText(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    const deep = tooDeepAt(text);
    if (deep !== null) throw new ConfigNestingError(deep);
    return JSON.parse(text);
  }
  return YAML.parse(text);
}

export function loadConfigFile(path: string): { raw: unknown; dir: string } {
  return { raw: parseConfigText(readFileSync(path, 'utf8')), dir: dirname(resolve(path)) };
}

/** Where a config's questionnaire file is: beside the config, else in surveys/. */
export function resolveQuestionnairePath(questionnaire: string, configDir?: string): string {
  if (isAbsolute(questionnaire)) return questionnaire;
  if (configDir) {
    const beside = resolve(configDir, questionnaire);
    try {
      readFileSync(beside);
      return beside;
    } catch {
      // fall through to the bundled questionnaires
    }
  }
  return resolve(SURVEYS_DIR, questionnaire);
}

export const EXAMPLE_CONFIG_PATH = resolve(SURVEYS_DIR, 'campaign.example.yaml');
