import type { z } from 'zod';
import { type CampaignConfig, campaignConfigSchema, ConfigNestingError } from '../../surveys/campaign-config.js';
import type { ErrorDetail } from '../contracts.js';
import { AppError } from '../errors.js';
import { MAX_JSON_DEPTH } from '../shared/json.js';

/**
 * A campaign config's fields in the office's words, for every refusal of a config (the form, the
 * YAML/JSON upload and `minping campaign create`): `categories.2.weight` → 第 3 个评议类别的权重.
 */
interface FieldNames {
  /** the field itself */
  label: string;
  /** a list's entries: 第 N 个 … */
  entry?: string;
  /** the fields of the object (or of each entry) */
  fields?: Record<string, FieldNames>;
}

const leaf = (label: string): FieldNames => ({ label });

const ENTRY_FIELDS: Record<string, FieldNames> = {
  code: leaf('代码'),
  label: leaf('名称'),
  english: leaf('英文名称'),
  weight: leaf('权重'),
  id: leaf('编号'),
  kind: leaf('中梗阻类型'),
  points: leaf('分值'),
  satisfied: leaf('是否计入满意率'),
  unfavourable: leaf('是否计入差评率'),
  min: leaf('最低分'),
};

const list = (label: string, entry: string): FieldNames => ({ label, entry, fields: ENTRY_FIELDS });

const CONFIG_FIELDS: FieldNames = {
  label: '活动配置',
  fields: {
    slug: leaf('活动代码'),
    name: leaf('活动名称'),
    opensAt: leaf('开始时间'),
    closesAt: leaf('截止时间'),
    mode: leaf('评议方式'),
    timeZone: leaf('时区'),
    questionnaire: leaf('问卷文件'),
    scale: { label: '计分等级', fields: { levels: list('计分等级', '计分等级') } },
    allowPositiveFloor: leaf('允许最低计分等级高于 0 分'),
    items: list('评议项目', '评议项目'),
    categories: list('评议类别', '评议类别'),
    groups: list('部门分组', '部门分组'),
    problems: list('作风问题目录', '作风问题'),
    negatives: list('负面情形目录', '负面情形'),
    maxProblemsPerDepartment: leaf('每个部门最多可选的作风问题数'),
    limits: {
      label: '填写限制',
      fields: {
        shortText: leaf('简短文字的字数上限'),
        longText: leaf('长文字的字数上限'),
        maxNegativesPerDepartment: leaf('每个部门最多可报的负面情形数'),
      },
    },
    scoring: {
      label: '计分规则',
      fields: {
        minCategoryAnswers: leaf('每个类别计分所需的最少答卷数'),
        minRankedRaters: leaf('参加排名所需的最少评议人数'),
        deductionPerNegative: leaf('每条核实负面情形的扣分'),
        maxDeduction: leaf('扣分上限'),
        grades: list('等次', '等次'),
        screening: {
          label: '答卷筛查',
          fields: {
            speederFraction: leaf('过快答卷的时长比例'),
            minStraightRatings: leaf('一律同档所需的最少评价数'),
            burstWindowMinutes: leaf('集中提交的时间窗（分钟）'),
            burstSize: leaf('集中提交的份数'),
            nearIdenticalThreshold: leaf('雷同答卷的相似度'),
          },
        },
        bootstrap: { label: '抽样区间', fields: { samples: leaf('抽样次数'), seed: leaf('随机种子') } },
        rectification: {
          label: '重点整改',
          fields: {
            maxScore: leaf('得分线'),
            bottomCount: leaf('倒数名次'),
            minProbability: leaf('最低概率'),
          },
        },
        problemShareThreshold: leaf('作风问题提示线'),
        minCellSize: leaf('单元格最少人数'),
      },
    },
    notices: {
      label: '工作提示单',
      fields: {
        office: leaf('发文机关'),
        title: leaf('标题'),
        serialPattern: leaf('文号格式'),
        itemPattern: leaf('事项编号格式'),
        firstSerial: leaf('起始文号'),
        requirement: leaf('整改要求'),
        titleFont: leaf('标题字体'),
      },
    },
  },
};

/**
 * The office's name of a config field: `['categories', 2, 'weight']` → 第 3 个评议类别的权重,
 * `['scoring', 'bootstrap', 'samples']` → 计分规则 · 抽样区间 · 抽样次数. A key the config does
 * not have is named as written.
 */
export function configFieldLabel(path: readonly PropertyKey[]): string {
  const parts: string[] = [];
  let names: FieldNames | undefined = CONFIG_FIELDS;
  let pendingEntry = '';
  for (const key of path) {
    if (typeof key === 'number' && names?.entry) {
      parts.pop();
      pendingEntry = `第 ${key + 1} 个${names.entry}`;
      parts.push(pendingEntry);
      continue;
    }
    const next: FieldNames | undefined = names?.fields?.[String(key)];
    const label = next?.label ?? `“${String(key)}”`;
    if (pendingEntry) parts[parts.length - 1] = `${pendingEntry}的${label}`;
    else if (!(key === 'levels' && parts.at(-1) === label)) parts.push(label);
    pendingEntry = '';
    names = next;
  }
  return parts.join(' · ') || CONFIG_FIELDS.label;
}

type Issue = z.core.$ZodIssue;

const SCALE_NAMES =
  'four-level（四级）、three-level（三级）或 five-level-haochaping（好差评五级），或用 levels 列出各等级';

/**
 * One message per problem, in the office's words. A union (the scale: a preset's name or its
 * levels) is explained by the branch the value was meant for.
 */
function issueDetails(issue: Issue, prefix: readonly PropertyKey[] = []): ErrorDetail[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union') {
    // the branch of the value's shape: its problems are inside it, not the value itself
    const meant = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
    if (meant) return meant.flatMap((i) => issueDetails(i as Issue, path));
    return [detail(path, path.at(-1) === 'scale' ? `应为 ${SCALE_NAMES}` : '格式不对')];
  }
  if (issue.code === 'unrecognized_keys')
    return issue.keys.map((key) => detail(path, `不认识的字段“${key}”：请检查拼写，或删去这一项`));
  return [detail(path, issue.message)];
}

function detail(path: readonly PropertyKey[], message: string): ErrorDetail {
  const where = path.map(String).join('.');
  return { ...(where ? { path: where } : {}), field: configFieldLabel(path), message };
}

/** Every problem of a config, each naming its field in the office's words. */
export function configIssues(error: z.ZodError): ErrorDetail[] {
  return error.issues.flatMap((issue) => issueDetails(issue as Issue));
}

const SHOWN_IN_MESSAGE = 3;

/** The refusal of a config: one detail per problem, the first few in the message. */
export function configRefusal(details: ErrorDetail[], what = '评议活动配置'): AppError {
  const first = details
    .slice(0, SHOWN_IN_MESSAGE)
    .map((d) => `${d.field}：${d.message}`)
    .join('；');
  const count = details.length > 1 ? `有 ${details.length} 处错误` : '有误';
  return new AppError(
    'VALIDATION_FAILED',
    `${what}${count}：${first}${details.length > SHOWN_IN_MESSAGE ? '……' : ''}`,
    details,
  );
}

/**
 * Where a problem's field is in the config as given: at each step the key's place among its
 * object's keys (a key not given after those that are), or the entry's index in its list.
 */
function placeOf(raw: unknown, path: string | undefined): number[] {
  const place: number[] = [];
  let value = raw;
  for (const key of path ? path.split('.') : []) {
    if (Array.isArray(value)) {
      place.push(Number(key));
      value = value[Number(key)];
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      place.push(keys.includes(key) ? keys.indexOf(key) : keys.length);
      value = (value as Record<string, unknown>)[key];
    } else break;
  }
  return place;
}

function comesFirst(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * A config's problems in the order its fields were given, not the schema's (whose cross-field
 * checks, such as 截止时间, come last): a file's keys come in the order of its lines, the form's
 * in the order of its fields (configFromForm), so the list reads top to bottom like what it names.
 */
export function inGivenOrder(details: ErrorDetail[], raw: unknown): ErrorDetail[] {
  const places = new Map(details.map((d) => [d, placeOf(raw, d.path)]));
  return [...details].sort((a, b) => comesFirst(places.get(a)!, places.get(b)!));
}

/** A config as the schema takes it, or a VALIDATION_FAILED naming every bad field in the office's words. */
export function parseCampaignConfig(raw: unknown, what?: string): CampaignConfig {
  const result = campaignConfigSchema.safeParse(raw);
  if (!result.success) throw configRefusal(inGivenOrder(configIssues(result.error), raw), what);
  return result.data;
}

/**
 * Why a config's text can't be read, in Chinese, with its line (and column) where the parser
 * knows it: the YAML and JSON parsers' own words are English.
 */
export function configSyntaxProblem(error: unknown, text: string): { line?: number; message: string } {
  if (error instanceof ConfigNestingError)
    return {
      message: `嵌套超过 ${MAX_JSON_DEPTH} 层${error.path ? `（在 ${error.path} 处）` : ''}，不像是评议活动配置`,
    };
  const yaml = (error as { linePos?: { line: number; col: number }[] }).linePos?.[0];
  if (yaml)
    return {
      line: yaml.line,
      message: `第 ${yaml.line} 行第 ${yaml.col} 列的 YAML 格式有误（常见原因：缩进不一致、冒号后缺少空格、引号或括号不成对）`,
    };
  const position = /at position (\d+)/.exec((error as Error).message)?.[1];
  if (error instanceof SyntaxError && position !== undefined) {
    const before = text.slice(0, Number(position)).split('\n');
    const line = before.length;
    return {
      line,
      message: `第 ${line} 行第 ${before[line - 1].length + 1} 列的 JSON 格式有误（常见原因：缺少逗号或引号、多了结尾的逗号）`,
    };
  }
  return { message: error instanceof SyntaxError ? 'JSON 格式有误：内容不完整' : 'YAML 或 JSON 格式有误' };
}
