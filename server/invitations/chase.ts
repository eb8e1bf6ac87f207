/**
 * The chasing list (催报名单): per 单位 of the roster, who or how many have not submitted.
 *
 * Named mode lists the people. Anonymous mode gives counts only, per category and unit, and a
 * unit's counts follow the small-cell rule of scoring/small-cells.ts over its invitees: within each
 * category, units of fewer than minCellSize invitees are pooled into one row 其他单位（合并）, and
 * while that pool is still under minCellSize the smallest unit shown is moved into it, so the
 * pool's count can't be had by subtracting the shown rows from the category's totals (which the
 * progress page shows) either. Nothing is invented to fill a pool: it holds real units only
 * (docs/SECURITY.md, "Progress and the chasing list").
 */
import { stringify } from 'csv-stringify/sync';
import { withheld } from '../../scoring/index.js';
import type { Chase, OrganisationProgress, Progress } from '../contracts.js';
import { spreadsheetSafe } from '../../web/lib/csv-guard.js';
import { withheldText } from '../../web/lib/format.js';
import { tableWorkbookOffThread } from '../shared/table-workbook.js';
import { campaignFileNames, type ExportFile, fileStamp } from './export.js';

export const CHASE_FORMATS = ['xlsx', 'csv'] as const;
export type ChaseFormat = (typeof CHASE_FORMATS)[number];

export const STAGE_LABELS = {
  not_invited: '未生成链接',
  invited: '未打开',
  opened: '已打开未提交',
  draft_saved: '已存草稿未提交',
} as const;

/** The row of a category's pooled small units. */
export const POOLED_UNITS = '其他单位（合并）';

/** How a unit of the roster reads on pages and files. */
export const unitLabel = (row: Pick<OrganisationProgress, 'organisation' | 'pooled'>) =>
  row.pooled ? POOLED_UNITS : (row.organisation ?? '（未填单位）');

/** Why the pool is there, said once under the units' counts. */
export const pooledNote = (minCellSize: number) =>
  `匿名评议：只给出各单位的人数，不列出姓名，以免看出谁已提交。每个类别中邀请不足 ${minCellSize} 人的单位合并为“${POOLED_UNITS}”一行（与结果中的小样本规则相同）；合并后仍不足 ${minCellSize} 人时，再并入该类别人数最少的单位。`;

const chinese = new Intl.Collator('zh-CN');

export interface UnitCounts {
  organisation: string | null;
  /** the evaluators' category (a unit whose people are of two categories has a row in each) */
  category: string;
  evaluators: number;
  invited: number;
  submitted: number;
}

type Category = { code: string; label: string };

const row = (
  u: Omit<UnitCounts, 'category'>,
  category: Category | null,
  pooled = false,
  units = 1,
): OrganisationProgress => ({
  organisation: pooled ? null : u.organisation,
  category: category?.code ?? null,
  categoryLabel: category?.label ?? null,
  pooled,
  units,
  evaluators: u.evaluators,
  invited: u.invited,
  submitted: u.submitted,
  notSubmitted: u.invited - u.submitted,
});

/** By unit in pinyin order, the one without a unit last. */
const byUnit = (a: Pick<UnitCounts, 'organisation'>, b: Pick<UnitCounts, 'organisation'>) =>
  Number(a.organisation === null) - Number(b.organisation === null) ||
  chinese.compare(a.organisation ?? '', b.organisation ?? '');

const sum = (list: Omit<UnitCounts, 'category'>[], k: 'evaluators' | 'invited' | 'submitted') =>
  list.reduce((n, u) => n + u[k], 0);

/** Named mode: one row per unit, its categories together. */
function namedRows(units: UnitCounts[]): OrganisationProgress[] {
  const byName = new Map<string | null, UnitCounts[]>();
  for (const u of units) {
    const parts = byName.get(u.organisation);
    if (parts) parts.push(u);
    else byName.set(u.organisation, [u]);
  }
  return [...byName.entries()]
    .map(([organisation, parts]) => ({
      organisation,
      evaluators: sum(parts, 'evaluators'),
      invited: sum(parts, 'invited'),
      submitted: sum(parts, 'submitted'),
    }))
    .sort(byUnit)
    .map((u) => row(u, null));
}

/** One category's units in anonymous mode: the small ones pooled, the pool last and withheld while under minCellSize. */
function pooledRows(units: UnitCounts[], category: Category, minCellSize: number): OrganisationProgress[] {
  const method = { minCellSize };
  const small = (u: UnitCounts) => u.invited > 0 && withheld(u.invited, method);
  const sorted = [...units].sort(byUnit);
  const shown = sorted.filter((u) => !small(u));
  const pool = sorted.filter(small);
  while (pool.length && withheld(sum(pool, 'invited'), method)) {
    const candidates = shown.filter((u) => u.invited > 0);
    if (!candidates.length) break;
    const smallest = candidates.reduce((a, b) => (b.invited < a.invited ? b : a));
    shown.splice(shown.indexOf(smallest), 1);
    pool.push(smallest);
  }
  const rows = shown.map((u) => row(u, category));
  if (pool.length) {
    const pooled = row(
      {
        organisation: null,
        evaluators: sum(pool, 'evaluators'),
        invited: sum(pool, 'invited'),
        submitted: sum(pool, 'submitted'),
      },
      category,
      true,
      pool.length,
    );
    if (withheld(pooled.invited, method)) Object.assign(pooled, { submitted: null, notSubmitted: null });
    rows.push(pooled);
  }
  return rows;
}

/**
 * The units' rows: named mode, each unit; anonymous mode, per category in the config's order
 * (`categories`, then any other code met), each category's small units pooled. A unit nobody is
 * invited from yet has no submission to reveal and stays a row of its own.
 */
export function unitRows(
  units: UnitCounts[],
  options: { anonymous: boolean; minCellSize: number; categories: readonly Category[] },
): OrganisationProgress[] {
  if (!options.anonymous) return namedRows(units);
  const categories = [...options.categories];
  for (const u of units)
    if (!categories.some((c) => c.code === u.category)) categories.push({ code: u.category, label: u.category });
  return categories.flatMap((c) =>
    pooledRows(
      units.filter((u) => u.category === c.code),
      c,
      options.minCellSize,
    ),
  );
}

const PEOPLE_HEADERS = ['单位/项目', '姓名', '类别', '电话', '邮箱', '进度'];
const UNIT_HEADERS = ['类别', '单位/项目', '名单人数', '已邀请', '已提交（网上）', '未提交', '提交率'];

/** submitted / invited, e.g. `42.5%`; `—` with nobody invited or the count withheld. */
export const submissionRate = (submitted: number | null, invited: number) =>
  submitted !== null && invited > 0 ? `${((100 * submitted) / invited).toFixed(1)}%` : '—';

/** The imported responses, a line of their own: they answer no invitation and never enter the rate. */
export function importedText(progress: Progress): string {
  const by = progress.categories.filter((c) => c.imported > 0).map((c) => `${c.label} ${c.imported}`);
  return `导入答卷（纸质录入或其他系统收集，不对应邀请，不计入提交率）：${progress.totals.imported} 份${by.length ? `（${by.join('，')}）` : ''}`;
}

/** The rows of the file: the people (named mode), or the units' counts (anonymous mode). */
function chaseTable(chase: Chase): { sheet: string; headers: string[]; rows: (string | number)[][] } {
  if (chase.people)
    return {
      sheet: '未提交名单',
      headers: PEOPLE_HEADERS,
      rows: chase.people.map((p) => [
        p.organisation ?? '',
        p.name,
        p.categoryLabel,
        p.phone ?? '',
        p.email ?? '',
        STAGE_LABELS[p.stage],
      ]),
    };
  const hidden = withheldText(chase.minCellSize);
  return {
    sheet: '各单位未提交人数',
    headers: UNIT_HEADERS,
    rows: chase.organisations.map((u) => [
      u.categoryLabel ?? '',
      unitLabel(u),
      u.evaluators,
      u.invited,
      u.submitted ?? hidden,
      u.notSubmitted ?? hidden,
      submissionRate(u.submitted, u.invited),
    ]),
  };
}

/** The chasing list as a file; named after the campaign and the time in its zone. */
export async function chaseFile(chase: Chase, format: ChaseFormat, now: Date): Promise<ExportFile> {
  const { sheet, headers, rows } = chaseTable(chase);
  const stamp = fileStamp(now, chase.campaign.timeZone);
  if (format === 'csv') {
    const cells = [headers, ...rows].map((r) => r.map((c) => (typeof c === 'number' ? String(c) : spreadsheetSafe(c))));
    return {
      body: new TextEncoder().encode(`\uFEFF${stringify(cells, { record_delimiter: '\r\n' })}`),
      contentType: 'text/csv; charset=utf-8',
      ...campaignFileNames(chase.campaign, '催办名单', stamp, 'csv'),
    };
  }
  const columns = headers.map((header, i) => ({ header, width: i === 0 ? 30 : 14 }));
  return {
    body: await tableWorkbookOffThread({ name: sheet, columns, rows }),
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ...campaignFileNames(chase.campaign, '催办名单', stamp, 'xlsx'),
  };
}
