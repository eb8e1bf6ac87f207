/**
 * The office's own questions: any question of a questionnaire that is not one of the canonical
 * fields, before or after the department pages or inside each department's panel. Their answers
 * are stored in the canonical record under `extra` (the record's and each department's), checked
 * as strictly as the rest (choices, required, lengths) and never scored.
 */
import { z } from 'zod';
import type { CampaignConfig } from './campaign-config.js';
import { text } from './text.js';

/** What an extra question may hold: a text, a number, a yes/no, one choice or several. */
export type ExtraValue = string | number | boolean | (string | number)[];
export type ExtraAnswers = Record<string, ExtraValue>;

export type ExtraKind = 'text' | 'number' | 'comment' | 'choice' | 'choices' | 'boolean';

/** An extra question as the validator needs it: plain data, so it crosses to the import worker. */
export interface ExtraQuestion {
  name: string;
  /** the question as the office wrote it (its Chinese text), for the exports' headers */
  title?: string;
  kind: ExtraKind;
  required: boolean;
  /** the values a choice may take (choice, choices) */
  values?: (string | number)[];
  /** the text shown for a value, where it differs from the value (choice, choices) */
  texts?: Record<string, string>;
  maxLength?: number;
  min?: number;
  max?: number;
  minSelected?: number;
  maxSelected?: number;
}

export interface ExtraQuestions {
  /** on the questionnaire's pages, beside category, organisation, overall … */
  record: ExtraQuestion[];
  /** in each department's panel, beside its ratings and problems */
  department: ExtraQuestion[];
}

export const NO_EXTRAS: ExtraQuestions = { record: [], department: [] };

/** The names of the office's questions answered in words of the evaluator's own (text, comment): they may name people. */
export interface FreeTextExtras {
  record: ReadonlySet<string>;
  department: ReadonlySet<string>;
}

const typedFreely = (questions: ExtraQuestion[]) =>
  new Set(questions.filter((q) => q.kind === 'text' || q.kind === 'comment').map((q) => q.name));

export const freeTextExtras = (extras: ExtraQuestions): FreeTextExtras => ({
  record: typedFreely(extras.record),
  department: typedFreely(extras.department),
});

/** `answers` with the free-text ones among `names` blanked, or null when none held any text. */
export function withoutFreeText(answers: ExtraAnswers | undefined, names: ReadonlySet<string>): ExtraAnswers | null {
  if (!answers || !Object.entries(answers).some(([name, value]) => names.has(name) && value !== '')) return null;
  return Object.fromEntries(Object.entries(answers).map(([name, value]) => [name, names.has(name) ? '' : value]));
}

type JsonObject = { [key: string]: unknown };
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The question types an office's own question may be (and the canonical fields are among them). */
export const EXTRA_TYPES = [
  'text',
  'comment',
  'boolean',
  'radiogroup',
  'dropdown',
  'buttongroup',
  'checkbox',
  'tagbox',
  'rating',
] as const;

/** Properties whose answers come from elsewhere, or that make answers the server can't check. */
const UNCHECKABLE = ['choicesByUrl', 'choicesFromQuestion', 'valueTrue', 'valueFalse', 'defaultValueExpression'];

const choiceValue = (choice: unknown): unknown => (isObject(choice) ? choice.value : choice);

/** A SurveyJS text as the evaluator reads it in Chinese: the string, or a localized one's default. */
const chineseText = (text: unknown): string | undefined => {
  const value = isObject(text) ? (text.default ?? text['zh-cn']) : text;
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
};

/** The texts of the choices that show one other than their value. */
function choiceTexts(choices: unknown[]): Record<string, string> | undefined {
  const texts: Record<string, string> = {};
  for (const choice of choices) {
    const text = isObject(choice) ? chineseText(choice.text) : undefined;
    if (text !== undefined && text !== String(choiceValue(choice))) texts[String(choiceValue(choice))] = text;
  }
  return Object.keys(texts).length ? texts : undefined;
}

/** An extra question's header in the exports: `您从哪里得知本次评议？（heardFrom）`, or its name without a title. */
export const extraHeader = (q: ExtraQuestion) => (q.title ? `${q.title}（${q.name}）` : q.name);

/** An extra answer as the evaluator read it: a choice's text, several joined by `；`. */
export function extraAnswerText(q: ExtraQuestion, value: ExtraValue): string | number {
  const text = (v: string | number) => q.texts?.[String(v)] ?? v;
  if (Array.isArray(value)) return value.map(text).join('；');
  // a yes/no question reads as the office would write it, not as a spreadsheet's TRUE/FALSE
  return typeof value === 'boolean' ? (value ? '是' : '否') : text(value);
}

/**
 * The extra question of one SurveyJS element, or the reason it can't be one. `limits` give the
 * lengths of texts that set none.
 */
export function extraQuestionOf(
  element: JsonObject,
  name: string,
  limits: Pick<CampaignConfig['limits'], 'shortText' | 'longText'>,
): ExtraQuestion | string {
  const question = checkedQuestion(element, name, limits);
  if (typeof question === 'string') return question;
  const title = chineseText(element.title);
  const listed = [element.choices, element.rateValues].find((list) => Array.isArray(list) && list.length);
  const texts = choiceTexts((listed as unknown[] | undefined) ?? []);
  return { ...question, ...(title ? { title } : {}), ...(texts ? { texts } : {}) };
}

/** What the validator checks of an extra question, or the reason it can't be one. */
function checkedQuestion(
  element: JsonObject,
  name: string,
  limits: Pick<CampaignConfig['limits'], 'shortText' | 'longText'>,
): ExtraQuestion | string {
  const type = String(element.type);
  for (const property of UNCHECKABLE)
    if (element[property] !== undefined) return `自定义问题不支持 ${property}：答案无法在服务器上核对`;
  // a question shown or required only under a condition is checked as optional: the browser decides
  const required =
    element.isRequired === true &&
    element.visibleIf === undefined &&
    element.enableIf === undefined &&
    element.requiredIf === undefined;
  const number = (key: string) => (typeof element[key] === 'number' ? (element[key] as number) : undefined);
  const choices = () => {
    if (!Array.isArray(element.choices) || element.choices.length === 0) return '选择题需要列出选项（choices）';
    const values = element.choices.map(choiceValue);
    if (!values.every((v) => typeof v === 'string' || typeof v === 'number')) return '选项的值应为文字或数字';
    if (new Set(values).size !== values.length) return '选项的值不能重复';
    return values as (string | number)[];
  };
  switch (type) {
    case 'text': {
      if (element.inputType === 'number' || element.inputType === 'range')
        return { name, kind: 'number', required, min: number('min'), max: number('max') };
      if (
        element.inputType !== undefined &&
        !['text', 'tel', 'email', 'date', 'month'].includes(String(element.inputType))
      )
        return `自定义文字题不支持 inputType ${String(element.inputType)}`;
      return { name, kind: 'text', required, maxLength: number('maxLength') ?? limits.shortText };
    }
    case 'comment':
      return { name, kind: 'comment', required, maxLength: number('maxLength') ?? limits.longText };
    case 'boolean':
      return { name, kind: 'boolean', required };
    case 'radiogroup':
    case 'dropdown':
    case 'buttongroup': {
      const values = choices();
      return typeof values === 'string' ? values : { name, kind: 'choice', required, values };
    }
    case 'checkbox':
    case 'tagbox': {
      const values = choices();
      if (typeof values === 'string') return values;
      return {
        name,
        kind: 'choices',
        required,
        values,
        minSelected: number('minSelectedChoices'),
        maxSelected: number('maxSelectedChoices') || undefined,
      };
    }
    case 'rating': {
      if (Array.isArray(element.rateValues) && element.rateValues.length) {
        const values = element.rateValues.map(choiceValue);
        if (!values.every((v) => typeof v === 'string' || typeof v === 'number')) return '评分值应为文字或数字';
        return { name, kind: 'choice', required, values: values as (string | number)[] };
      }
      const min = number('rateMin') ?? 1;
      const max = number('rateMax') ?? 5;
      const step = number('rateStep') ?? 1;
      if (!(step > 0) || max < min || (max - min) / step > 100) return '评分范围（rateMin、rateMax、rateStep）无效';
      const values: number[] = [];
      for (let v = min; v <= max + 1e-9; v += step) values.push(Math.round(v * 1e6) / 1e6);
      return { name, kind: 'choice', required, values };
    }
    default:
      return `自定义问题不支持题型 ${type}（可用 ${EXTRA_TYPES.join('、')}）`;
  }
}

const isEmpty = (v: unknown) =>
  v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);

function valueSchema(q: ExtraQuestion): z.ZodType {
  const allowed = q.values ?? [];
  const oneOf = z
    .union([z.string(), z.number()])
    .refine((v) => allowed.includes(v), `应为以下之一：${allowed.join(', ')}`);
  switch (q.kind) {
    case 'text':
    case 'comment':
      return text()
        .max(q.maxLength!, `不能超过 ${q.maxLength} 个字`)
        .transform((s) => s.trim());
    case 'number': {
      let n = z.number({ message: '应为数字' }).finite();
      if (q.min !== undefined) n = n.min(q.min, `不能小于 ${q.min}`);
      if (q.max !== undefined) n = n.max(q.max, `不能大于 ${q.max}`);
      return n;
    }
    case 'boolean':
      return z.boolean({ message: '应为 true 或 false' });
    case 'choice':
      return oneOf;
    case 'choices': {
      let list = z.array(oneOf).refine((vs) => new Set(vs).size === vs.length, '选项不能重复');
      if (q.maxSelected !== undefined)
        list = list.refine((vs) => vs.length <= q.maxSelected!, `最多选 ${q.maxSelected} 项`);
      if (q.minSelected !== undefined)
        list = list.refine((vs) => vs.length >= q.minSelected!, `至少选 ${q.minSelected} 项`);
      return list;
    }
  }
}

/**
 * The schema of an `extra` object: every key one of the questions, every value checked, required
 * ones present; empty answers are left out and an empty object is no `extra` at all.
 */
export function extraAnswersSchema(questions: ExtraQuestion[]) {
  const shape: Record<string, z.ZodType> = {};
  for (const q of questions) shape[q.name] = valueSchema(q).optional();
  const byName = new Map(questions.map((q) => [q.name, q]));
  return (
    z
      // zod's record drops a `__proto__` key without a word: name it like any unknown question
      .unknown()
      .superRefine((raw, ctx) => {
        if (typeof raw === 'object' && raw !== null && Object.hasOwn(raw, '__proto__'))
          ctx.addIssue({ code: 'custom', path: ['__proto__'], message: '问卷里没有问题 __proto__' });
      })
      .pipe(z.record(z.string(), z.unknown()))
      .transform((answers) => Object.fromEntries(Object.entries(answers).filter(([, v]) => !isEmpty(v))))
      .superRefine((answers, ctx) => {
        for (const key of Object.keys(answers))
          if (!byName.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: `问卷里没有问题 ${key}` });
        for (const q of questions)
          if (q.required && !(q.name in answers)) ctx.addIssue({ code: 'custom', path: [q.name], message: '此题必答' });
      })
      .pipe(z.object(shape))
      .transform((answers) => {
        const kept = Object.fromEntries(Object.entries(answers).filter(([, v]) => !isEmpty(v)));
        return Object.keys(kept).length ? (kept as ExtraAnswers) : undefined;
      })
      .optional()
  );
}

/**
 * For the object holding an `extra` (a record, a department): with no `extra` at all, its required
 * questions are left out too (the `extra` schema is not run on an absent key).
 */
export const requiredExtrasAnswered =
  (questions: ExtraQuestion[]) => (value: { extra?: unknown }, ctx: z.RefinementCtx) => {
    if (value.extra !== undefined) return;
    for (const q of questions)
      if (q.required) ctx.addIssue({ code: 'custom', path: ['extra', q.name], message: '此题必答' });
  };
