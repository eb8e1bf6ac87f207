/**
 * Exports of a result view: CSV (one row per department) and XLSX (one sheet per group, a problems
 * sheet, a method sheet). Both are built from the suppressed view: a cell withheld by the small-cell
 * rule reads "人数不足（少于5人）"; every other cell has its figure, small tick counts included.
 */
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import { safeCell, spreadsheetSafe } from '../../web/lib/csv-guard.js';
import {
  bottomProbabilityOf,
  formatShare,
  INTERIM_NOTE,
  RATERS_DEFINITION,
  RATERS_LABEL,
  tooFewForBottom,
  tooFewForBottomNote,
  VALID_RATERS_LABEL,
  validRatersDefinition,
  withheldText,
} from '../../web/lib/format.js';
import { groupsOf, reportsUnfavourable } from '../../web/lib/result-groups.js';
import { formatDateTime, zoneLabel } from '../../web/lib/time.js';
import type { DepartmentView, ResultView } from '../contracts.js';

type Cell = string | number | null;

interface Column {
  header: string;
  value(d: DepartmentView): Cell;
  width?: number;
}

const pct = (x: number | null | undefined) => (x === null || x === undefined ? null : x);

/** The columns of a department row, shared by the CSV and the group sheets. */
export function rankingColumns(view: ResultView): Column[] {
  const hidden = withheldText(view.method.minCellSize);
  const fig = (suppressed: boolean, x: number | null): Cell => (suppressed ? hidden : x);
  const rankedIn = (group: string) => view.departments.filter((x) => x.group === group && x.ranked).length;
  const cols: Column[] = [
    { header: '分组', value: (d) => d.groupLabel, width: 16 },
    { header: '排名', value: (d) => d.rank, width: 6 },
    { header: '备注', value: (d) => d.rankNote ?? '', width: 18 },
    { header: '部门代码', value: (d) => d.code, width: 10 },
    { header: '部门名称', value: (d) => d.name, width: 24 },
    { header: VALID_RATERS_LABEL, value: (d) => d.validRaters },
    { header: RATERS_LABEL, value: (d) => d.raters },
    { header: '知晓率(%)', value: (d) => fig(d.suppressed, pct(d.awareness)) },
  ];
  for (const item of view.catalogs.items) {
    cols.push({
      header: `${item.label}得分`,
      value: (d) => fig(d.items[item.code]?.suppressed ?? false, d.items[item.code]?.score ?? null),
    });
  }
  cols.push(
    { header: '测评得分', value: (d) => fig(d.suppressed, d.surveyScore) },
    { header: '满意率(%)', value: (d) => fig(d.suppressed, d.satisfactionRate) },
    ...(reportsUnfavourable(view)
      ? [{ header: '差评率(%)', value: (d: DepartmentView) => fig(d.suppressed, d.unfavourableRate ?? null) }]
      : []),
    { header: '核实负面情形', value: (d) => d.verifiedNegatives },
    { header: '扣分', value: (d) => d.deduction },
    { header: '最终得分', value: (d) => fig(d.suppressed, d.finalScore), width: 10 },
    { header: '得分95%区间下限', value: (d) => fig(d.suppressed, d.uncertainty.scoreInterval?.[0] ?? null) },
    { header: '得分95%区间上限', value: (d) => fig(d.suppressed, d.uncertainty.scoreInterval?.[1] ?? null) },
    {
      header: '排名95%区间',
      value: (d) =>
        d.uncertainty.rankInterval ? `${d.uncertainty.rankInterval[0]}–${d.uncertainty.rankInterval[1]}` : '',
    },
    {
      // as the dashboard shows it (a bootstrap share is never a certainty); the 0–1 figure is the JSON's
      header: '末位概率',
      value: (d) => bottomProbabilityOf(d, rankedIn(d.group), view.method.rectification.bottomCount),
    },
    { header: '统计上无差别', value: (d) => d.uncertainty.statisticallyTiedWith.join(' ') },
    { header: '等级', value: (d) => d.grade ?? '' },
    { header: '重点整改', value: (d) => (d.rectification ? '是' : '') },
  );
  for (const item of view.catalogs.items) {
    for (const cat of view.catalogs.categories) {
      const cell = (d: DepartmentView) => d.items[item.code]?.categoryBreakdown.find((c) => c.category === cat.code);
      cols.push(
        { header: `${item.label}·${cat.label}·有效答复`, value: (d) => cell(d)?.validAnswers ?? 0 },
        {
          header: `${item.label}·${cat.label}·均值`,
          value: (d) => fig(cell(d)?.suppressed ?? true, cell(d)?.mean ?? null),
        },
      );
    }
  }
  return cols;
}

function problemColumns(view: ResultView): Column[] {
  const hidden = withheldText(view.method.minCellSize);
  const cols: Column[] = [
    { header: '部门代码', value: (d) => d.code, width: 10 },
    { header: '部门名称', value: (d) => d.name, width: 24 },
    { header: '分组', value: (d) => d.groupLabel, width: 16 },
    { header: RATERS_LABEL, value: (d) => d.raters },
  ];
  for (const p of view.catalogs.problems) {
    cols.push({
      header: `作风问题${p.id} ${p.label}`,
      value: (d) =>
        cellOf(
          d.problems.find((x) => x.problem === p.id),
          'mentions',
          hidden,
        ),
      width: 14,
    });
  }
  for (const n of view.catalogs.negatives) {
    cols.push(
      {
        header: `负面情形${n.id} ${n.label}·反映`,
        value: (d) =>
          cellOf(
            d.negatives.find((x) => x.kind === n.id),
            'reported',
            hidden,
          ),
        width: 14,
      },
      {
        header: `负面情形${n.id}·核实`,
        value: (d) =>
          cellOf(
            d.negatives.find((x) => x.kind === n.id),
            'verified',
            hidden,
          ),
        width: 10,
      },
    );
  }
  return cols;
}

function cellOf<T extends { suppressed: boolean }>(cell: T | undefined, key: keyof T, hidden: string): Cell {
  if (!cell) return 0;
  if (cell.suppressed) return hidden;
  return (cell[key] as number | null) ?? null;
}

export function resultCsv(view: ResultView): string {
  // the problems' code, name, group and 评议人数 are in the ranking's columns already
  const cols = rankingColumns(view).concat(problemColumns(view).slice(4));
  // names and labels come from imports and configs: no cell may run as a formula
  const rows = view.departments.map((d) => cols.map((c) => safeCell(c.value(d) ?? '')));
  // BOM so that Excel opens the UTF-8 file with the right encoding
  return `\ufeff${stringify([cols.map((c) => spreadsheetSafe(c.header)), ...rows])}`;
}

/** `第 1 版 40 份；第 2 版 5 份`: the questionnaire versions the responses answered. */
const versionsText = (view: ResultView) =>
  view.questionnaireVersions
    ? view.questionnaireVersions.map((v) => `第 ${v.version} 版 ${v.responses} 份`).join('；')
    : '（发布时未记录）';

function methodRows(view: ResultView): [string, Cell][] {
  const m = view.method;
  const zone = zoneLabel(view.campaign.timeZone);
  const rows: [string, Cell][] = [
    ['评议活动', view.campaign.name],
    ['活动代码', view.campaign.slug],
    ['结果性质', view.snapshot ? '已发布的结果快照' : `${INTERIM_NOTE}：实时计算，不是最终结果`],
    ['快照编号', view.snapshot?.id ?? '—'],
    view.snapshot
      ? [`发布时间（${zone}）`, formatDateTime(view.snapshot.createdAt, view.campaign.timeZone)]
      : [`计算时间（${zone}）`, view.computedAt ? formatDateTime(view.computedAt, view.campaign.timeZone) : ''],
    ['答卷总数', view.inputs.responses],
    ['问卷版本（答卷数）', versionsText(view)],
    ['纳入计分', view.inputs.included],
    ['剔除（过快且全部同一等级）', view.inputs.excluded],
    ['标记提示', view.inputs.flagged],
    ['输入数据摘要 (sha256)', view.inputs.hash],
    ['抽样次数 (bootstrap)', view.bootstrapSamples],
    ['', ''],
    ['计分等级', m.levels.map((l) => `${l.label} ${l.points === null ? '不计分' : l.points}`).join('；')],
    ['评议项目（权重）', m.items.map((i) => `${i.label} ${i.weight}`).join('；')],
    ['代表类别（权重）', m.categories.map((c) => `${c.label} ${c.weight}`).join('；')],
    [VALID_RATERS_LABEL, `${validRatersDefinition(m.minRankedRaters)}；不计剔除的答卷`],
    [RATERS_LABEL, `${RATERS_DEFINITION}；不计剔除的答卷`],
    ['类别参与计分最少有效答复', m.minCategoryAnswers],
    ['排名最少有效评议人数', m.minRankedRaters],
    ['每项核实负面情形扣分', m.deductionPerNegative],
    ['扣分上限', m.maxDeduction],
    ['等级', m.grades.map((g) => `${g.label}${g.min === null ? '' : ` ≥ ${g.min}`}`).join('；')],
    ['过快答卷阈值（中位用时的比例）', m.screening.speederFraction],
    ['全部同一等级的最少评价数', m.screening.minStraightRatings],
    ['抽样种子', m.bootstrap.seed],
    ['重点整改：得分低于', m.rectification.maxScore],
    ['重点整改：末位名次数', m.rectification.bottomCount],
    ['重点整改：末位概率不低于', formatShare(m.rectification.minProbability, 0)],
    [
      '末位概率的显示',
      `抽样中排在本组后 ${m.rectification.bottomCount} 名的比例，取整到 1%，两端显示为 <1% 和 >99%；未参与排名的部门为 —；原始值（0–1）见结果的 JSON 数据`,
    ],
    ...groupsOf(view)
      .map((g) => ({ g, ranked: g.departments.filter((d) => d.ranked).length }))
      .filter(({ ranked }) => ranked > 0 && tooFewForBottom(ranked, m.rectification.bottomCount))
      .map(({ g, ranked }): [string, Cell] => [
        `末位概率（${g.label}）`,
        tooFewForBottomNote(ranked, m.rectification.bottomCount),
      ]),
    ['作风问题提示比例', m.problemShareThreshold],
    ['小样本抑制：单元格最少评议人数', m.minCellSize],
  ];
  return rows;
}

export async function resultXlsx(view: ResultView): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'minping';
  const sheetNames = new Set<string>();
  const sheetName = (name: string) => {
    // Excel: at most 31 characters, none of []:*?/\ , unique
    let base = name.replace(/[[\]:*?/\\]/g, '·').slice(0, 31) || 'Sheet';
    let n = 2;
    while (sheetNames.has(base)) base = `${name.slice(0, 28)}(${n++})`;
    sheetNames.add(base);
    return base;
  };
  const addTable = (name: string, cols: Column[], departments: DepartmentView[]) => {
    const ws = wb.addWorksheet(sheetName(name), { views: [{ state: 'frozen', ySplit: 1, xSplit: 0 }] });
    ws.columns = cols.map((c) => ({ header: c.header, width: c.width ?? 12 }));
    for (const d of departments) ws.addRow(cols.map((c) => c.value(d) ?? null));
    ws.getRow(1).font = { bold: true };
  };
  const ranking = rankingColumns(view);
  for (const g of groupsOf(view)) addTable(g.label, ranking, g.departments);
  addTable('作风问题与负面情形', problemColumns(view), view.departments);
  const ws = wb.addWorksheet(sheetName('计分方法'));
  ws.columns = [
    { header: '参数', width: 32 },
    { header: '值', width: 80 },
  ];
  ws.getRow(1).font = { bold: true };
  for (const row of methodRows(view)) ws.addRow(row);
  return Buffer.from(await wb.xlsx.writeBuffer());
}
