/**
 * The questionnaire as SurveyJS JSON: loaded and linted once, served with the campaign's choices
 * injected, and its answers converted to the canonical record that `compileRecordValidator`
 * checks. Pure JSON manipulation: never build a survey-core `Model` on the server (it leaks
 * memory per instance and its validation accepts values outside the choices).
 *
 * Answer shape of the default questionnaire (what the browser sends):
 *   { category, organisation?, departments: [{ dept, efficiency, quality, problems?,
 *     negatives?: [{ kind, matter, date?, description, contactAllowed?, contact? }], suggestion? }],
 *     overall, suggestion? }
 * `departments` is shared by the tag box (valuePropertyName "dept") and the dynamic panel
 * (valueName "departments"), so each chosen department carries its own answers.
 */
import { readFileSync } from 'node:fs';
import type { CampaignConfig } from './campaign-config.js';
import { EXTRA_TYPES, type ExtraQuestion, type ExtraQuestions, extraQuestionOf, NO_EXTRAS } from './extras.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
export type QuestionnaireDefinition = JsonObject;

/** Value names the conversion knows, per scope. Every answer key must be one of these. */
export const TOP_LEVEL_NAMES = ['category', 'organisation', 'departments', 'overall', 'suggestion'] as const;
export const DEPARTMENT_NAMES = ['dept', 'problems', 'negatives', 'suggestion'] as const;
export const NEGATIVE_NAMES = ['kind', 'matter', 'date', 'description', 'contactAllowed', 'contact'] as const;
/** Names no question may take: the record keeps the office's own answers under `extra`. */
const RESERVED_NAMES = ['extra', 'code', 'durationSeconds'];
/** Must be present: without them no valid record can be produced. */
const REQUIRED_TOP = ['category', 'departments', 'overall'];
const REQUIRED_NEGATIVE = ['kind', 'matter', 'description'];

/** Element types that hold no value of their own. */
const VALUELESS = new Set(['html', 'image', 'panel']);
/** Question types that can rate a department item on the scale. */
const RATING_TYPES = new Set(['radiogroup', 'dropdown', 'rating', 'buttongroup']);

export interface LintIssue {
  path: string;
  message: string;
  /** a question type nothing here reads (matrix, file …): survey-core need not build it to refuse it */
  refusedType?: true;
}

/** Every type a questionnaire may hold: the questions', the layout's and the two dynamic panels'. */
const KNOWN_TYPES: ReadonlySet<string> = new Set([...EXTRA_TYPES, ...VALUELESS, 'paneldynamic']);

export class QuestionnaireError extends Error {
  constructor(readonly issues: LintIssue[]) {
    super(`问卷定义有误：${issues.map((i) => `${i.path}：${i.message}`).join('；')}`);
    this.name = 'QuestionnaireError';
  }
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Scoped {
  element: JsonObject;
  path: string;
}

/** Elements of one value scope: descends into plain panels, not into dynamic panels. */
function scopeElements(elements: unknown, path: string, issues: LintIssue[]): Scoped[] {
  if (elements === undefined) return [];
  if (!Array.isArray(elements)) {
    issues.push({ path, message: '应为元素数组' });
    return [];
  }
  const out: Scoped[] = [];
  elements.forEach((element, i) => {
    const at = `${path}.${i}`;
    if (!isObject(element) || typeof element.type !== 'string') {
      issues.push({ path: at, message: '元素缺少 type' });
      return;
    }
    if (!KNOWN_TYPES.has(element.type)) {
      issues.push({
        path: at,
        message: `不支持题型 ${element.type}（可用 ${EXTRA_TYPES.join('、')}；说明文字用 html，分组用 panel）`,
        refusedType: true,
      });
      return;
    }
    if (element.type === 'panel') out.push(...scopeElements(element.elements, `${at}.elements`, issues));
    else out.push({ element, path: at });
  });
  return out;
}

const valueName = (e: JsonObject): string =>
  typeof e.valueName === 'string' && e.valueName ? e.valueName : String(e.name ?? '');

function checkNoExtras(e: JsonObject, path: string, issues: LintIssue[]) {
  for (const flag of [
    'showOtherItem',
    'hasOther',
    'showCommentArea',
    'hasComment',
    'showNoneItem',
    'hasNone',
    'showSelectAllItem',
    'hasSelectAll',
  ]) {
    if (e[flag] === true) issues.push({ path, message: `不支持 ${flag}：答案会多出无法校验的字段` });
  }
}

interface Located {
  top: Map<string, Scoped>;
  departmentPanel: Scoped | undefined;
  department: Map<string, Scoped>;
  /** the department panel's slots for rated items: named after one, or a choice question without choices */
  ratings: Scoped[];
  negativePanel: Scoped | undefined;
  negative: Map<string, Scoped>;
  /** the office's own questions */
  extras: { record: Scoped[]; department: Scoped[] };
  extraQuestions: ExtraQuestions;
}

/** What shapes a questionnaire's answers: the campaign's rated items and its text limits. */
export type QuestionnaireRules = Pick<CampaignConfig, 'items' | 'limits'>;

const DEFAULT_LIMITS = { shortText: 100, longText: 1000, maxNegativesPerDepartment: 8 };

/**
 * A choice question of the department panel that is a rated item's slot (named after an item, or
 * with its choices left for the campaign's scale to fill), not one of the office's own.
 */
const isItemSlot = (e: JsonObject, name: string, itemCodes: Set<string>) =>
  itemCodes.has(name) ||
  (RATING_TYPES.has(String(e.type)) && !hasEntries(e.choices) && !hasEntries(e.rateValues) && e.rateMax === undefined);

const hasEntries = (list: Json | undefined) => Array.isArray(list) && list.length > 0;

/** An extra question of `scope`, or an issue at its path; names are unique within the scope. */
function addExtra(
  s: Scoped,
  name: string,
  into: { scoped: Scoped[]; questions: ExtraQuestion[] },
  rules: QuestionnaireRules | undefined,
  issues: LintIssue[],
) {
  if (RESERVED_NAMES.includes(name)) {
    issues.push({ path: s.path, message: `问题名 ${name} 是保留字，请换一个名字` });
    return;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name)) {
    issues.push({
      path: s.path,
      message: `问题名 ${name || '（空）'} 应由字母、数字、下划线组成（不以数字开头，最多 64 个）`,
    });
    return;
  }
  if (into.questions.some((q) => q.name === name)) {
    issues.push({ path: s.path, message: `问题名 ${name} 重复` });
    return;
  }
  const question = extraQuestionOf(s.element, name, rules?.limits ?? DEFAULT_LIMITS);
  if (typeof question === 'string') {
    issues.push({ path: s.path, message: question });
    return;
  }
  into.scoped.push(s);
  into.questions.push(question);
}

function locate(definition: unknown, issues: LintIssue[], rules?: QuestionnaireRules): Located {
  const found: Located = {
    top: new Map(),
    departmentPanel: undefined,
    department: new Map(),
    ratings: [],
    negativePanel: undefined,
    negative: new Map(),
    extras: { record: [], department: [] },
    extraQuestions: { record: [], department: [] },
  };
  const itemCodes = new Set(rules?.items.map((i) => i.code) ?? []);
  const recordExtras = { scoped: found.extras.record, questions: found.extraQuestions.record };
  const departmentExtras = { scoped: found.extras.department, questions: found.extraQuestions.department };
  if (!isObject(definition)) {
    issues.push({ path: '', message: '问卷应为 SurveyJS JSON 对象' });
    return found;
  }
  if (!Array.isArray(definition.pages) || definition.pages.length === 0) {
    issues.push({ path: 'pages', message: '问卷至少要有一页' });
    return found;
  }
  const top: Scoped[] = [];
  definition.pages.forEach((p, i) => {
    if (!isObject(p)) issues.push({ path: `pages.${i}`, message: '页面应为对象' });
    else top.push(...scopeElements(p.elements, `pages.${i}.elements`, issues));
  });

  for (const s of top) {
    const { element: e, path } = s;
    if (VALUELESS.has(String(e.type))) continue;
    checkNoExtras(e, path, issues);
    const name = valueName(e);
    if (e.type === 'paneldynamic' && name === 'departments') {
      if (found.departmentPanel) issues.push({ path, message: '只能有一个部门动态面板' });
      found.departmentPanel = s;
      continue;
    }
    if (!(TOP_LEVEL_NAMES as readonly string[]).includes(name)) {
      addExtra(s, name, recordExtras, rules, issues);
      continue;
    }
    if (found.top.has(name)) issues.push({ path, message: `问题名 ${name} 重复` });
    found.top.set(name, s);
  }
  for (const name of REQUIRED_TOP)
    if (!found.top.has(name)) issues.push({ path: 'pages', message: `缺少问题 ${name}` });
  const picker = found.top.get('departments');
  if (picker && picker.element.valuePropertyName !== 'dept') {
    issues.push({ path: picker.path, message: '部门选择题应设置 valuePropertyName: "dept"' });
  }
  if (!found.departmentPanel) {
    issues.push({ path: 'pages', message: '缺少 valueName 为 departments 的动态面板（逐个评价部门）' });
    return found;
  }

  const panel = found.departmentPanel;
  for (const s of scopeElements(panel.element.templateElements, `${panel.path}.templateElements`, issues)) {
    const { element: e, path } = s;
    if (VALUELESS.has(String(e.type))) continue;
    checkNoExtras(e, path, issues);
    const name = valueName(e);
    if (name === 'negatives' && e.type === 'paneldynamic') {
      found.negativePanel = s;
      found.department.set(name, s);
      continue;
    }
    if ((DEPARTMENT_NAMES as readonly string[]).includes(name)) {
      if (found.department.has(name)) issues.push({ path, message: `问题名 ${name} 重复` });
      found.department.set(name, s);
      continue;
    }
    if (name === 'code') {
      issues.push({ path, message: '问题名 code 保留给部门代码，请用 dept' });
      continue;
    }
    if (isItemSlot(e, name, itemCodes)) found.ratings.push(s);
    else addExtra(s, name, departmentExtras, rules, issues);
  }
  if (!found.department.has('dept'))
    issues.push({ path: panel.path, message: '部门面板缺少隐藏的 dept 问题（显示部门名称）' });

  const negatives = found.negativePanel;
  if (negatives) {
    for (const s of scopeElements(negatives.element.templateElements, `${negatives.path}.templateElements`, issues)) {
      const { element: e, path } = s;
      if (VALUELESS.has(String(e.type))) continue;
      checkNoExtras(e, path, issues);
      const name = valueName(e);
      if (!(NEGATIVE_NAMES as readonly string[]).includes(name)) {
        issues.push({ path, message: `未知的问题名 ${name}：允许 ${NEGATIVE_NAMES.join(', ')}` });
        continue;
      }
      found.negative.set(name, s);
    }
    for (const name of REQUIRED_NEGATIVE)
      if (!found.negative.has(name)) issues.push({ path: negatives.path, message: `负面情形面板缺少问题 ${name}` });
  }
  return found;
}

/**
 * Check a definition: the required questions are present and every question that holds a value
 * maps to a canonical field (otherwise nobody could submit). With a campaign config, every rated
 * item of the campaign must have a rating question (or be added when served: see serveDefinition).
 */
/**
 * How large a questionnaire may be, checked before any other work on it: the default one is
 * 10 KB, 4 pages, 18 elements and no choices of its own (the campaign fills them when served);
 * 20,000 questions (717 KB) held the server for tens of seconds in survey-core's checks. Room for
 * an office's own questions and texts (about 8× the default's questions) that an evaluator still
 * answers in one sitting; the choices are capped apart, since 256 KB holds tens of thousands of
 * short ones, each built by survey-core and drawn on the evaluator's phone.
 */
export const QUESTIONNAIRE_LIMITS = { kilobytes: 256, pages: 30, elements: 150, choices: 1000 } as const;

/**
 * A questionnaire's size as QUESTIONNAIRE_LIMITS counts it: its JSON, its pages, its elements and
 * their choices (`choices`, `rateValues`) at every depth.
 */
export function questionnaireSize(definition: unknown): {
  kilobytes: number;
  pages: number;
  elements: number;
  choices: number;
} {
  let elements = 0;
  let choices = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (isObject(value)) {
      for (const key of ['choices', 'rateValues']) if (Array.isArray(value[key])) choices += value[key].length;
      for (const key of ['elements', 'templateElements', 'questions'])
        if (Array.isArray(value[key])) {
          elements += value[key].length;
          value[key].forEach(walk);
        }
    }
  };
  const pages = isObject(definition) && Array.isArray(definition.pages) ? definition.pages : [];
  pages.forEach(walk);
  return {
    kilobytes: Math.ceil(Buffer.byteLength(JSON.stringify(definition) ?? '') / 1024),
    pages: pages.length,
    elements,
    choices,
  };
}

export function lintQuestionnaire(definition: unknown, rules?: QuestionnaireRules): LintIssue[] {
  const issues: LintIssue[] = [];
  locate(definition, issues, rules);
  return issues;
}

/** The office's own questions of a (linted) definition, as the record validator checks them. */
export function extraQuestions(definition: unknown, rules: QuestionnaireRules): ExtraQuestions {
  const issues: LintIssue[] = [];
  const found = locate(definition, issues, rules);
  return issues.length ? NO_EXTRAS : found.extraQuestions;
}

/** Read and lint a questionnaire file; throws QuestionnaireError listing every problem. */
export function loadQuestionnaire(path: string): QuestionnaireDefinition {
  let definition: unknown;
  try {
    definition = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new QuestionnaireError([{ path, message: `无法读取：${(error as Error).message}` }]);
  }
  const issues = lintQuestionnaire(definition);
  if (issues.length) throw new QuestionnaireError(issues);
  return definition as QuestionnaireDefinition;
}

export interface ServedCampaign {
  name: string;
  config: CampaignConfig;
}

export interface ServedDepartment {
  code: string;
  name: string;
}

export interface ServeOptions {
  /** the invitation's evaluator category: preset and read-only */
  category?: string;
  /** the days (YYYY-MM-DD) a negative situation's date may fall between, as the server checks them */
  negativeDates?: { earliest: string; latest: string };
}

const localized = (zh: string, en: string | undefined): Json => ({ default: zh, en: en || zh });

/**
 * The definition as the browser gets it: choices filled from the campaign (categories, scale,
 * departments, problems, negative kinds), limits from its config, rating questions matching its
 * items. The stored definition is not modified.
 */
export function serveDefinition(
  definition: QuestionnaireDefinition,
  campaign: ServedCampaign,
  departments: readonly ServedDepartment[],
  options: ServeOptions = {},
): QuestionnaireDefinition {
  const served = structuredClone(definition);
  const issues: LintIssue[] = [];
  const found = locate(served, issues, campaign.config);
  if (issues.length) throw new QuestionnaireError(issues);
  const { config } = campaign;
  const { shortText, longText, maxNegativesPerDepartment } = config.limits;
  const scale: Json[] = config.scale.map((l) => ({ value: l.code, text: localized(l.label, l.english) }));
  const departmentChoices: Json[] = departments.map((d) => ({ value: d.code, text: d.name }));

  served.title = localized(
    campaign.name,
    isObject(served.title) && typeof served.title.en === 'string' ? served.title.en : undefined,
  );

  const category = found.top.get('category')!.element;
  category.choices = config.categories.map((c) => ({ value: c.code, text: localized(c.label, c.english) }));
  if (options.category && config.categories.some((c) => c.code === options.category)) {
    category.defaultValue = options.category;
    category.readOnly = true;
  }
  const organisation = found.top.get('organisation')?.element;
  if (organisation) organisation.maxLength = shortText;
  found.top.get('departments')!.element.choices = departmentChoices;
  const overall = found.top.get('overall')!.element;
  overall.choices = scale;
  const suggestion = found.top.get('suggestion')?.element;
  if (suggestion) suggestion.maxLength = longText;

  // department panel: one rating question per campaign item, in the definition's order
  const panel = found.departmentPanel!.element;
  found.department.get('dept')!.element.choices = departmentChoices;
  const template = panel.templateElements as Json[];
  const itemCodes = new Set(config.items.map((i) => i.code));
  for (const { element } of found.ratings) {
    if (!itemCodes.has(valueName(element))) removeElement(template, element);
  }
  const present = new Set(found.ratings.map((r) => valueName(r.element)));
  let insertAt = Math.max(
    0,
    ...found.ratings.filter((r) => itemCodes.has(valueName(r.element))).map((r) => template.indexOf(r.element) + 1),
  );
  if (insertAt === 0) insertAt = template.indexOf(found.department.get('dept')!.element) + 1;
  for (const item of config.items) {
    if (present.has(item.code)) continue;
    template.splice(insertAt++, 0, {
      type: 'radiogroup',
      name: item.code,
      title: localized(item.label, item.english),
      isRequired: true,
      colCount: 0,
    });
  }
  for (const element of template) {
    if (isObject(element) && itemCodes.has(valueName(element))) {
      element.choices = scale;
      element.isRequired = true;
    }
  }

  const problems = found.department.get('problems')?.element;
  if (problems) {
    problems.choices = config.problems.map((p) => ({ value: p.id, text: localized(p.label, p.english) }));
    problems.maxSelectedChoices = config.maxProblemsPerDepartment;
    problems.description = localized(
      `最多选 ${config.maxProblemsPerDepartment} 项；没有可不选。`,
      `Up to ${config.maxProblemsPerDepartment}; leave empty if none.`,
    );
  }
  const negatives = found.negativePanel?.element;
  if (negatives) {
    negatives.maxPanelCount = maxNegativesPerDepartment;
    // an office's own definition without these texts would get SurveyJS's bare "删除"/"新添"
    negatives.panelRemoveText ??= localized('删除这一条', 'Remove this one');
    negatives.panelAddText ??= localized('添加一条负面情形', 'Add a negative situation');
    found.negative.get('kind')!.element.choices = config.negatives.map((n) => ({
      value: n.id,
      text: localized(n.label, n.english),
    }));
    const date = found.negative.get('date')?.element;
    if (date && options.negativeDates && (date.inputType === 'month' || date.inputType === 'date')) {
      // the browser refuses a month the server would refuse, on the department's own page
      const length = date.inputType === 'month' ? 7 : 10;
      const { earliest, latest } = options.negativeDates;
      date.min = earliest.slice(0, length);
      date.max = latest.slice(0, length);
      date.minErrorText = localized('太早了：应在 {0} 或以后', 'Too early: {0} or later');
      date.maxErrorText = localized(
        length === 7 ? '不能晚于本月（{0}）' : '不能晚于今天（{0}）',
        length === 7 ? 'Cannot be after this month ({0})' : 'Cannot be after today ({0})',
      );
    }
    for (const [name, max] of [
      ['matter', shortText],
      ['description', longText],
      ['contact', shortText],
    ] as const) {
      const q = found.negative.get(name)?.element;
      if (q) q.maxLength = max;
    }
  }
  const deptSuggestion = found.department.get('suggestion')?.element;
  if (deptSuggestion) deptSuggestion.maxLength = longText;
  // the office's texts get the lengths the server checks, so the browser stops the typing there
  const questions = [...found.extraQuestions.record, ...found.extraQuestions.department];
  for (const [i, { element }] of [...found.extras.record, ...found.extras.department].entries())
    if (questions[i].maxLength !== undefined) element.maxLength = questions[i].maxLength;
  return served;
}

function removeElement(list: Json[], element: JsonObject) {
  const i = list.indexOf(element);
  if (i >= 0) list.splice(i, 1);
}

export type ConversionResult = { ok: true; input: Record<string, unknown> } | { ok: false; issues: LintIssue[] };

/**
 * SurveyJS answers → canonical record input (unvalidated: the compiled record validator is the
 * only gate). Renames `dept` → `code`, adds the duration, and passes every other key through
 * unchanged so the strict validator rejects unknown keys with their path. A contact given without
 * consent to be contacted is dropped, never stored.
 */
export function toCanonicalInput(
  answers: unknown,
  elapsedSeconds: number | null | undefined,
  extras: ExtraQuestions = NO_EXTRAS,
): ConversionResult {
  if (!isObject(answers)) return { ok: false, issues: [{ path: '', message: '答案应为对象' }] };
  const issues: LintIssue[] = [];
  for (const name of ['durationSeconds', 'extra'])
    if (name in answers) issues.push({ path: name, message: `未知字段 ${name}` });
  const input: Record<string, unknown> = {
    ...gatherExtra(answers, extras.record),
    durationSeconds: elapsedSeconds ?? null,
  };
  if (Array.isArray(answers.departments)) {
    input.departments = answers.departments.map((d, i) => {
      if (!isObject(d)) return d;
      for (const name of ['code', 'extra'])
        if (name in d) issues.push({ path: `departments.${i}.${name}`, message: `未知字段 ${name}` });
      const { dept, ...rest } = gatherExtra(d, extras.department);
      const out: Record<string, unknown> = { code: dept, ...rest };
      if (Array.isArray(d.negatives)) out.negatives = d.negatives.map(toCanonicalNegative);
      return out;
    });
  }
  return issues.length ? { ok: false, issues } : { ok: true, input };
}

/** The answers with the office's own questions moved under `extra` (left out when none was answered). */
function gatherExtra(answers: JsonObject, questions: ExtraQuestion[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...answers };
  const extra: Record<string, unknown> = {};
  for (const { name } of questions) {
    if (!(name in out)) continue;
    extra[name] = out[name];
    delete out[name];
  }
  if (Object.keys(extra).length) out.extra = extra;
  return out;
}

function toCanonicalNegative(n: Json): unknown {
  if (!isObject(n)) return n;
  const out: Record<string, unknown> = { ...n };
  if (n.contactAllowed !== true) delete out.contact;
  return out;
}
