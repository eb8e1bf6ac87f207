import { z } from 'zod';
import type { CampaignConfig } from './campaign-config.js';
import {
  type ExtraAnswers,
  type ExtraQuestion,
  type ExtraQuestions,
  extraAnswersSchema,
  requiredExtrasAnswered,
  type FreeTextExtras,
  NO_EXTRAS,
  withoutFreeText,
} from './extras.js';
import { monthOrDay, text } from './text.js';

/**
 * The canonical response record: what a web submission is converted to and what
 * `minping import responses` reads, one per line. One key per rated item code per department.
 *
 * {"category":"project","durationSeconds":420,"overall":"basically_satisfied",
 *  "departments":[{"code":"D001","efficiency":"satisfied","quality":"fairly_satisfied",
 *   "problems":[2,5],"negatives":[{"kind":3,"matter":"…","date":"2026-06","description":"…"}],
 *   "suggestion":"…"}],"suggestion":"…"}
 *
 * The office's own questions (surveys/extras.ts) answer under `extra`, the record's and each
 * department's: {"extra":{"heardFrom":"media"}, "departments":[{…, "extra":{"visits":3}}]}.
 */
export interface CanonicalNegative {
  kind: number;
  matter: string;
  date: string | null;
  description: string;
  contactAllowed: boolean;
  contact: string | null;
}

export interface CanonicalDepartment {
  code: string;
  /** item code → level code */
  ratings: Record<string, string>;
  problems: number[];
  negatives: CanonicalNegative[];
  suggestion: string | null;
  /** answers to the office's own questions of the department panel; never scored */
  extra?: ExtraAnswers;
}

export interface CanonicalRecord {
  category: string;
  organisation: string | null;
  durationSeconds: number | null;
  overall: string;
  departments: CanonicalDepartment[];
  suggestion: string | null;
  /** answers to the office's own questions outside the department panels; never scored */
  extra?: ExtraAnswers;
}

/**
 * What makes two spellings one department code, wherever a code is matched to a campaign's list
 * (the department import, an answer file): full-width ｄ００１ and d001 are D001, since offices
 * type codes in Word or Excel with any input method. Codes are ASCII after NFKC (their rule).
 */
export const departmentCodeKey = (code: string) => code.normalize('NFKC').trim().toUpperCase();

/** What a campaign allows: read from its config and department list, compiled once. */
export interface RecordRules {
  config: CampaignConfig;
  departmentCodes: readonly string[];
  /** the office's own questions of the questionnaire version answered */
  extras?: ExtraQuestions;
  /** the days (YYYY-MM-DD) a negative situation's date may fall between; unchecked without */
  negativeDates?: { earliest: string; latest: string };
}

export type RecordValidator = (
  input: unknown,
) => { ok: true; record: CanonicalRecord } | { ok: false; error: z.ZodError };

/**
 * Compile the validator of a campaign's canonical records. Build it once per campaign and
 * questionnaire version and reuse it: it holds the sets of allowed codes.
 */
export function compileRecordValidator({
  config,
  departmentCodes,
  extras = NO_EXTRAS,
  negativeDates,
}: RecordRules): RecordValidator {
  const levelCodes = config.scale.map((l) => l.code);
  const levelByAlias = new Map<string, string>();
  for (const level of config.scale) {
    levelByAlias.set(level.code, level.code);
    levelByAlias.set(level.label, level.code);
  }
  const level = z.preprocess(
    (v) => (typeof v === 'string' ? (levelByAlias.get(v.trim()) ?? v) : v),
    z.enum(levelCodes as [string, ...string[]], { message: `应为以下之一：${levelCodes.join(', ')}` }),
  );
  const codeByKey = new Map(departmentCodes.map((c) => [departmentCodeKey(c), c]));
  const problemIds = new Set(config.problems.map((p) => p.id));
  const negativeIds = new Set(config.negatives.map((n) => n.id));
  const categoryCodes = config.categories.map((c) => c.code);
  const { shortText, longText, maxNegativesPerDepartment } = config.limits;
  const optionalText = (max: number) =>
    text()
      .max(max, `不能超过 ${max} 个字`)
      .nullish()
      .transform((s) => (s?.trim() ? s.trim() : null));

  const negative = z
    .strictObject({
      kind: z
        .number()
        .int()
        .refine((k) => negativeIds.has(k), '不是有效的负面情形编号'),
      matter: text().trim().min(1, '请填写事项').max(shortText, `不能超过 ${shortText} 个字`),
      // a month is compared with the month of each bound, a day with the day
      // the bound as precise as the answer: a month is told this month, a day today
      date: monthOrDay()
        .refine((d) => !negativeDates || d <= negativeDates.latest.slice(0, d.length), {
          error: (issue) =>
            `不能晚于今天（${negativeDates?.latest.slice(0, String(issue.input).length === 7 ? 7 : 10)}）`,
        })
        .refine(
          (d) => !negativeDates || d >= negativeDates.earliest.slice(0, d.length),
          `太早了：应在 ${negativeDates?.earliest.slice(0, 7)} 或以后`,
        )
        .nullish()
        .transform((d) => d ?? null),
      description: text().trim().min(1, '请填写经过').max(longText, `不能超过 ${longText} 个字`),
      contactAllowed: z.boolean().default(false),
      contact: optionalText(shortText),
    })
    .refine((n) => !n.contactAllowed || n.contact !== null, {
      message: '同意联系核实时请留下联系方式',
      path: ['contact'],
    })
    // a contact given without consent to be contacted is dropped, never stored (not even in the record)
    .transform((n) => ({ ...n, contact: n.contactAllowed ? n.contact : null }));

  const departmentShape: Record<string, z.ZodType> = {
    // stored as the campaign spells it, however the answer spelled it
    code: z.string().transform((c, ctx) => {
      const stored = codeByKey.get(departmentCodeKey(c));
      if (stored === undefined) ctx.addIssue({ code: 'custom', message: '不是本次评议的部门代码' });
      return stored ?? c;
    }),
    problems: z
      .array(
        z
          .number()
          .int()
          .refine((p) => problemIds.has(p), '不是有效的作风问题编号'),
      )
      .max(config.maxProblemsPerDepartment, `最多选择 ${config.maxProblemsPerDepartment} 项`)
      .refine((ps) => new Set(ps).size === ps.length, '作风问题不能重复')
      .default([]),
    negatives: z.array(negative).max(maxNegativesPerDepartment).default([]),
    suggestion: optionalText(longText),
    extra: extraAnswersSchema(extras.department),
  };
  for (const item of config.items) departmentShape[item.code] = level;

  const department = z
    .strictObject(departmentShape)
    .superRefine(requiredExtrasAnswered(extras.department))
    .transform((d): CanonicalDepartment => {
      const ratings: Record<string, string> = {};
      for (const item of config.items) ratings[item.code] = d[item.code] as string;
      return {
        code: d.code as string,
        ratings,
        problems: [...(d.problems as number[])].sort((a, b) => a - b),
        negatives: d.negatives as CanonicalNegative[],
        suggestion: d.suggestion as string | null,
        ...(d.extra ? { extra: d.extra as ExtraAnswers } : {}),
      };
    });

  const record = z
    .strictObject({
      category: z.enum(categoryCodes as [string, ...string[]], {
        message: `应为以下之一：${categoryCodes.join(', ')}`,
      }),
      organisation: optionalText(shortText),
      durationSeconds: z
        .number()
        .int()
        .min(0)
        .max(60 * 60 * 24 * 60)
        .nullish()
        .transform((s) => s ?? null),
      overall: level,
      departments: z
        .array(department)
        .min(1, '请至少选择一个打过交道的部门')
        .max(departmentCodes.length)
        .refine((ds) => new Set(ds.map((d) => d.code)).size === ds.length, '同一部门不能重复评价'),
      suggestion: optionalText(longText),
      extra: extraAnswersSchema(extras.record),
    })
    .superRefine(requiredExtrasAnswered(extras.record));

  return (input) => {
    const result = record.safeParse(input);
    if (!result.success) return { ok: false, error: result.error };
    const { extra, ...rest } = result.data;
    return { ok: true, record: (extra ? { ...rest, extra } : rest) as CanonicalRecord };
  };
}

const TOP_FIELDS: Record<string, string> = {
  category: '评议代表类别',
  organisation: '工作单位',
  durationSeconds: '答题时长',
  overall: '总体评价',
  departments: '评价的部门',
  suggestion: '意见建议',
};
const DEPARTMENT_FIELDS: Record<string, string> = {
  code: '部门代码',
  problems: '作风问题',
  negatives: '负面情形',
  suggestion: '意见建议',
};
const NEGATIVE_FIELDS: Record<string, string> = {
  kind: '类型',
  matter: '事项',
  date: '大约时间',
  description: '经过',
  contactAllowed: '是否同意联系核实',
  contact: '联系方式',
};

/**
 * A record field in the office's words, for an import's refusal: `departments.0.negatives.1.date`
 * → 第 1 个部门的第 2 条负面情形的大约时间, an item code by its label, an own question by its text.
 * A key the record does not have is named as written.
 */
export function recordFieldLabel(path: string, { config, extras = NO_EXTRAS }: RecordRules): string {
  const [top, index, field, entry, sub] = path.split('.');
  const asWritten = (key: string) => `“${key}”`;
  const own = (questions: ExtraQuestion[], name: string | undefined) => {
    const question = questions.find((q) => q.name === name);
    return name === undefined ? '其他问题' : `问题“${question?.title ?? name}”`;
  };
  if (top === 'extra') return own(extras.record, index);
  if (top !== 'departments' || index === undefined) return TOP_FIELDS[top] ?? asWritten(top);
  const department = `第 ${Number(index) + 1} 个部门`;
  if (field === undefined) return department;
  if (field === 'extra') return `${department}的${own(extras.department, entry)}`;
  if (entry !== undefined && field === 'negatives') {
    const negative = `${department}的第 ${Number(entry) + 1} 条负面情形`;
    return sub === undefined ? negative : `${negative}的${NEGATIVE_FIELDS[sub] ?? asWritten(sub)}`;
  }
  if (entry !== undefined && field === 'problems') return `${department}的第 ${Number(entry) + 1} 个作风问题`;
  const item = config.items.find((i) => i.code === field)?.label;
  return `${department}的${item ?? DEPARTMENT_FIELDS[field] ?? asWritten(field)}`;
}

/**
 * A submission's field as its evaluator answered it, for the page's refusal:
 * `departments.0.negatives.0.date` → 市住房和城乡建设局 · 负面情形1 · 大约时间 (the department by
 * its name, `departmentName` of its code); a record-wide field by recordFieldLabel's words.
 */
export function answerPlace(
  path: string,
  rules: RecordRules,
  input: unknown,
  departmentName: (code: string) => string | undefined,
): string {
  const [top, index, field, entry, sub] = path.split('.');
  if (top !== 'departments' || index === undefined) return recordFieldLabel(path, rules);
  const answered = (input as { departments?: { code?: unknown }[] } | null)?.departments?.[Number(index)];
  const name = typeof answered?.code === 'string' ? departmentName(answered.code) : undefined;
  if (!name) return recordFieldLabel(path, rules);
  const parts = [name];
  if (field === 'negatives' && entry !== undefined) {
    parts.push(`负面情形${Number(entry) + 1}`);
    if (sub !== undefined) parts.push(NEGATIVE_FIELDS[sub] ?? sub);
  } else if (field !== undefined) {
    const own = field === 'extra' ? rules.extras?.department.find((q) => q.name === entry)?.title : undefined;
    parts.push(own ?? rules.config.items.find((i) => i.code === field)?.label ?? DEPARTMENT_FIELDS[field] ?? field);
  }
  return parts.join(' · ');
}

const NO_FREE_TEXT: FreeTextExtras = { record: new Set(), department: new Set() };

/**
 * A stored record without what names its evaluator: the organisation and the contacts volunteered
 * on negative reports become null, the answers to the office's free-text questions (`freeText`)
 * empty; everything else, and the order of every key, stays as it was (scoring reads ratings and
 * problems only). Null when the record holds none of them.
 */
export function withoutPersonalData(
  record: CanonicalRecord,
  freeText: FreeTextExtras = NO_FREE_TEXT,
): CanonicalRecord | null {
  const extra = withoutFreeText(record.extra, freeText.record);
  const departmentExtras = record.departments.map((d) => withoutFreeText(d.extra, freeText.department));
  const personal =
    record.organisation !== null ||
    extra !== null ||
    departmentExtras.some((e) => e !== null) ||
    record.departments.some((d) => d.negatives.some((n) => n.contact !== null));
  if (!personal) return null;
  return {
    ...record,
    organisation: null,
    departments: record.departments.map((d, i) => ({
      ...d,
      negatives: d.negatives.map((n) => ({ ...n, contact: null })),
      ...(departmentExtras[i] ? { extra: departmentExtras[i] } : {}),
    })),
    ...(extra ? { extra } : {}),
  };
}
