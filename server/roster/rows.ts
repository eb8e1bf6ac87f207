import { z } from 'zod';
import type { CampaignConfig } from '../../surveys/campaign-config.js';
import { departmentCodeKey } from '../../surveys/record.js';
import { text } from '../../surveys/text.js';
import type { ErrorDetail } from '../contracts.js';
import { MAX_ERROR_DETAILS } from '../errors.js';
import { sha256 } from '../shared/ids.js';
import { readSheet, type SheetRow } from './table.js';

/**
 * The columns of the two roster files, with the Chinese headers offices actually use.
 * Headers are matched after normalising (full-width → half-width, case, spaces, a trailing
 * "*" or "(选填)" note).
 */
export interface ColumnSpec {
  field: string;
  /** the column in the office's words: the template's header, and how a missing column is named */
  label: string;
  required: boolean;
  aliases: string[];
}

export const DEPARTMENT_COLUMNS: ColumnSpec[] = [
  {
    field: 'code',
    label: '部门代码',
    required: true,
    aliases: ['code', '代码', '编码', '部门代码', '部门编码', '单位代码'],
  },
  { field: 'name', label: '部门名称', required: true, aliases: ['name', '名称', '部门名称', '部门', '单位名称'] },
  {
    field: 'group',
    label: '部门分组',
    required: true,
    aliases: ['group', '分组', '类别', '部门分组', '部门类别', '组别'],
  },
  {
    field: 'short_name',
    label: '部门简称',
    required: false,
    aliases: ['short_name', '简称', '部门简称', '单位简称', 'short_names'],
  },
  {
    field: 'liaison_name',
    label: '联络员',
    required: false,
    aliases: ['liaison_name', 'liaison', '联络员', '联络员姓名'],
  },
  {
    field: 'liaison_email',
    label: '联络员邮箱',
    required: false,
    aliases: ['liaison_email', '联络员邮箱', '联络员电子邮箱', '邮箱', 'email'],
  },
];

export const EVALUATOR_COLUMNS: ColumnSpec[] = [
  { field: 'name', label: '姓名', required: true, aliases: ['name', '姓名', '名字'] },
  {
    field: 'organisation',
    label: '单位/项目',
    required: true,
    aliases: [
      'organisation',
      'organization',
      '单位/项目',
      '单位',
      '项目',
      '工作单位',
      '单位或项目',
      '单位(项目)',
      '所在单位',
    ],
  },
  {
    field: 'category',
    label: '代表类别',
    required: true,
    aliases: ['category', '类别', '代表类别', '评议代表类别'],
  },
  {
    field: 'phone',
    label: '手机号码',
    required: false,
    aliases: ['phone', '电话', '手机', '手机号', '手机号码', '联系电话'],
  },
  { field: 'email', label: '邮箱', required: false, aliases: ['email', '邮箱', '电子邮箱', 'e-mail'] },
];

export function normaliseHeader(header: string): string {
  return header
    .normalize('NFKC')
    .replace(/^\uFEFF/, '')
    .trim()
    .replace(/[*＊]+$/, '')
    .replace(/\((选填|可选|必填|optional|required)\)$/i, '')
    .replace(/\s+/g, '')
    .toLowerCase();
}

/** Cell text as stored: NFKC (full-width digits and letters become ASCII), trimmed, inner spaces collapsed. */
export function normaliseCell(value: string | undefined): string {
  return (value ?? '').normalize('NFKC').replace(/\s+/g, ' ').trim();
}

export interface MappedSheet {
  headerLine: number;
  /** field → column index */
  columns: Map<string, number>;
  /** field → its header as the uploaded sheet spells it, to name the column in errors */
  headers: Map<string, string>;
  /** headers that match no column (ignored) */
  ignored: string[];
  rows: SheetRow[];
  errors: ErrorDetail[];
}

/** The headers a missing column may have, in Chinese first: 部门分组 / 分组 / 类别. */
const columnList = (spec: ColumnSpec) =>
  [spec.label, ...spec.aliases.filter((a) => a !== spec.label && /[^\x00-\x7f]/.test(a))].slice(0, 3).join(' / ');

/**
 * Find the header row (the first of the first 10 rows naming every required column, so a title
 * row above it is fine) and map its headers to fields.
 */
export function mapColumns(rows: SheetRow[], specs: ColumnSpec[]): MappedSheet {
  const lookup = new Map<string, string>();
  for (const spec of specs) for (const alias of spec.aliases) lookup.set(normaliseHeader(alias), spec.field);
  const required = specs.filter((s) => s.required).map((s) => s.field);

  const candidates = rows.slice(0, 10);
  const headerIndex = Math.max(
    0,
    candidates.findIndex((row) => {
      const fields = new Set(row.cells.map((c) => lookup.get(normaliseHeader(c))));
      return required.every((f) => fields.has(f));
    }),
  );
  const header = rows[headerIndex];
  const errors: ErrorDetail[] = [];
  const columns = new Map<string, number>();
  const headers = new Map<string, string>();
  const ignored: string[] = [];
  if (!header) {
    return {
      headerLine: 1,
      columns,
      headers,
      ignored,
      rows: [],
      errors: [{ line: 1, message: '文件是空的：第一行应为表头' }],
    };
  }
  header.cells.forEach((cell, index) => {
    const text = cell.trim();
    if (!text) return;
    const field = lookup.get(normaliseHeader(cell));
    if (!field) {
      ignored.push(text);
      return;
    }
    const earlier = headers.get(field);
    if (earlier !== undefined) {
      errors.push({
        line: header.line,
        field: text,
        message: `表头中「${earlier}」（第 ${columns.get(field)! + 1} 列）和「${text}」（第 ${index + 1} 列）是同一列，请删去一列`,
      });
      return;
    }
    columns.set(field, index);
    headers.set(field, text);
  });
  for (const spec of specs) {
    if (spec.required && !columns.has(spec.field)) {
      errors.push({
        line: header.line,
        field: spec.label,
        message: `缺少列「${spec.label}」（表头可写：${columnList(spec)}）`,
      });
    }
  }
  return { headerLine: header.line, columns, headers, ignored, rows: rows.slice(headerIndex + 1), errors };
}

/** The cells of a row by field, normalised; empty optional cells become undefined. */
export function rowRecord(row: SheetRow, columns: Map<string, number>): Record<string, string | undefined> {
  const record: Record<string, string | undefined> = {};
  for (const [field, index] of columns) {
    const value = normaliseCell(row.cells[index]);
    record[field] = value === '' ? undefined : value;
  }
  return record;
}

const required = (max: number) => text({ message: '不能为空' }).min(1, '不能为空').max(max, `不能超过 ${max} 个字`);
const optional = (max: number) => text().max(max, `不能超过 ${max} 个字`).optional();

/** A code or label of the campaign's list, mapped to the code. */
function choice(entries: { code: string; label: string }[], message: string) {
  const byAlias = new Map<string, string>();
  for (const e of entries) {
    byAlias.set(e.code.toLowerCase(), e.code);
    byAlias.set(e.label.normalize('NFKC').toLowerCase(), e.code);
  }
  // the office's labels only: a code (economic) is the config's word, though either is taken
  const hint = entries.map((e) => e.label).join('、');
  return z
    .string({ message: '不能为空' })
    .min(1, '不能为空')
    .transform((value, ctx) => {
      const code = byAlias.get(value.toLowerCase());
      if (!code) {
        ctx.addIssue({ code: 'custom', message: `${message}（应为：${hint}）` });
        return z.NEVER;
      }
      return code;
    });
}

/** 简称: several allowed, separated by 、 , ; or / (kept in that order, without repeats). */
const MAX_SHORT_NAMES = 5;
const MAX_SHORT_NAME = 20;
const shortNames = text()
  .transform((value, ctx) => {
    const names = [...new Set(value.split(/[、,;/]+/).map((n) => n.trim()))].filter(Boolean);
    const long = names.find((n) => n.length > MAX_SHORT_NAME);
    if (long) ctx.addIssue({ code: 'custom', message: `简称“${long}”超过 ${MAX_SHORT_NAME} 个字` });
    if (names.length > MAX_SHORT_NAMES)
      ctx.addIssue({ code: 'custom', message: `简称最多 ${MAX_SHORT_NAMES} 个（用“、”隔开）` });
    return names;
  })
  .optional();

const email = z
  .email({ message: '不是有效的邮箱地址' })
  .max(200)
  .transform((e) => e.toLowerCase());

export function departmentRowSchema(config: CampaignConfig) {
  return z.object({
    code: z
      .string({ message: '不能为空' })
      .regex(/^[A-Za-z0-9_-]{1,40}$/, '部门代码只能包含字母、数字、下划线和连字符（1–40 个字符）'),
    name: required(100),
    group: choice(config.groups, '不是本活动的部门分组'),
    short_name: shortNames,
    liaison_name: optional(50),
    liaison_email: email.optional(),
  });
}
export type DepartmentImportRow = z.output<ReturnType<typeof departmentRowSchema>>;

/** Local numbers never start with 1 in China: one that does is a mobile, 11 digits, or it can't get the SMS. */
function phoneIssue(phone: string, ctx: z.RefinementCtx) {
  const national = phone.replace(/^\+?86(?=1)/, '');
  if (!/^\+?\d{5,20}$/.test(phone)) ctx.addIssue({ code: 'custom', message: '不是有效的电话号码' });
  else if (national.startsWith('1') && !/^1\d{10}$/.test(national))
    ctx.addIssue({ code: 'custom', message: '手机号码应为 11 位' });
}

export function evaluatorRowSchema(config: CampaignConfig) {
  return z.object({
    name: required(50),
    organisation: optional(200),
    category: choice(config.categories, '不是本活动的评议代表类别'),
    phone: z
      .string()
      .transform((p) => p.replace(/[\s()（）-]/g, ''))
      .pipe(z.string().superRefine((phone, ctx) => phoneIssue(phone, ctx)))
      .optional(),
    email: email.optional(),
  });
}
export type EvaluatorImportRow = z.output<ReturnType<typeof evaluatorRowSchema>>;

/** The identity of an evaluator row: same person, same row, whatever the file. */
export function evaluatorRowKey(row: EvaluatorImportRow): string {
  return sha256(
    [row.name, row.organisation ?? '', row.category, row.phone ?? '', row.email ?? '']
      .map((v) => v.normalize('NFKC').trim().toLowerCase())
      .join('|'),
  );
}

/** What makes two rows of a file the same row, reported on the later one under `field`. */
interface RowIdentity<T> {
  field: string;
  /** from the cells as read (so a row with other errors is checked too) or, if it passed, the checked row */
  key(record: Record<string, string | undefined>, data: T | undefined): string | undefined;
  message(record: Record<string, string | undefined>, earlier: number): string;
}

/**
 * Validate every row against a schema: valid rows with their line, and every error of a bad row
 * (each field's, and a repeat of an earlier row), named by the sheet's own header, in column order.
 * Stops at MAX_ERROR_DETAILS errors (the file is refused anyway, and the answer stays small).
 */
export function validateRows<T extends z.ZodType>(
  mapped: MappedSheet,
  schema: T,
  identity: RowIdentity<z.output<T>>,
): { rows: { line: number; data: z.output<T> }[]; errors: ErrorDetail[] } {
  const rows: { line: number; data: z.output<T> }[] = [];
  const errors: ErrorDetail[] = [];
  const seen = new Map<string, number>();
  const column = (field: string | undefined) => (field === undefined ? -1 : (mapped.columns.get(field) ?? -1));
  for (const row of mapped.rows) {
    if (errors.length >= MAX_ERROR_DETAILS) break;
    const record = rowRecord(row, mapped.columns);
    const result = schema.safeParse(record);
    const problems = result.success
      ? []
      : result.error.issues.map((issue) => ({ field: issue.path.map(String)[0], message: issue.message }));
    const key = identity.key(record, result.success ? result.data : undefined);
    const earlier = key === undefined ? undefined : seen.get(key);
    if (earlier !== undefined) problems.push({ field: identity.field, message: identity.message(record, earlier) });
    else if (key !== undefined) seen.set(key, row.line);
    if (!problems.length && result.success) {
      rows.push({ line: row.line, data: result.data });
      continue;
    }
    problems.sort((a, b) => column(a.field) - column(b.field));
    for (const { field, message } of problems) {
      const header = field === undefined ? undefined : mapped.headers.get(field);
      errors.push({ line: row.line, ...(header ? { field: header } : {}), message });
    }
  }
  return { rows, errors };
}

const ROSTER_FILES = {
  departments: {
    columns: DEPARTMENT_COLUMNS,
    schema: departmentRowSchema,
    example: (config: CampaignConfig): Record<string, string> => ({
      code: 'D001',
      name: '市发展和改革委员会',
      group: config.groups[0].label,
      short_name: '发改委、发改',
      liaison_name: '张三',
      liaison_email: 'zhangsan@example.gov.cn',
    }),
    identity: {
      field: 'code',
      key: (record) => (record.code === undefined ? undefined : departmentCodeKey(record.code)),
      message: (record, earlier) => `部门代码 ${record.code} 与第 ${earlier} 行重复`,
    } satisfies RowIdentity<DepartmentImportRow>,
  },
  evaluators: {
    columns: EVALUATOR_COLUMNS,
    schema: evaluatorRowSchema,
    example: (config: CampaignConfig): Record<string, string> => ({
      name: '王建国',
      organisation: '市轨道交通二号线项目部',
      category: config.categories[0].label,
      phone: '13800138000',
      email: 'wangjianguo@example.com',
    }),
    identity: {
      field: 'name',
      key: (_, data) => (data ? evaluatorRowKey(data) : undefined),
      message: (_, earlier) => `与第 ${earlier} 行重复（姓名、单位、类别、电话、邮箱都相同）`,
    } satisfies RowIdentity<EvaluatorImportRow>,
  },
} as const;

export type RosterTable = keyof typeof ROSTER_FILES;

/** The example row of an import's template, by field (the template offers it; an import refuses it left unchanged). */
export const exampleRow = (table: RosterTable, config: CampaignConfig) => ROSTER_FILES[table].example(config);

/** The lines that are still the template's example row, every cell of it unchanged. */
function exampleRowErrors(table: RosterTable, mapped: MappedSheet, config: CampaignConfig): ErrorDetail[] {
  const example = Object.entries(exampleRow(table, config));
  const header = mapped.headers.get(example[0][0]);
  return mapped.rows
    .filter((row) => {
      const record = rowRecord(row, mapped.columns);
      return example.every(([field, value]) => record[field] === value);
    })
    .map((row) => ({
      line: row.line,
      ...(header ? { field: header } : {}),
      message: '这一行是导入模板的示例，请改成实际内容或删除这一行',
    }));
}
export type RosterRow<T extends RosterTable> = z.output<ReturnType<(typeof ROSTER_FILES)[T]['schema']>>;

export interface CheckedRoster<T extends RosterTable> {
  headerLine: number;
  ignored: string[];
  rows: { line: number; data: RosterRow<T> }[];
  /** the header's errors, or the rows' (the file is refused with them) */
  errors: ErrorDetail[];
}

/** Read a roster file and check its header and every row: the part of an import that costs memory and CPU. */
export async function checkRosterFile<T extends RosterTable>(
  table: T,
  file: { bytes: Uint8Array; filename?: string },
  config: CampaignConfig,
): Promise<CheckedRoster<T>> {
  const { columns, schema, identity } = ROSTER_FILES[table];
  const mapped = mapColumns((await readSheet(file.bytes, file.filename)).rows, columns);
  const checked = { headerLine: mapped.headerLine, ignored: mapped.ignored };
  if (mapped.errors.length) return { ...checked, rows: [], errors: mapped.errors };
  const { rows, errors } = validateRows(
    mapped,
    schema(config) as unknown as z.ZodType<RosterRow<T>>,
    identity as RowIdentity<RosterRow<T>>,
  );
  const examples = exampleRowErrors(table, mapped, config);
  return { ...checked, rows, errors: [...examples, ...errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}
