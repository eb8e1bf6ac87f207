import ExcelJS from 'exceljs';
import type { CampaignConfig } from '../../surveys/campaign-config.js';
import { type ColumnSpec, DEPARTMENT_COLUMNS, EVALUATOR_COLUMNS, exampleRow, type RosterTable } from './rows.js';

/** Rows of a template that offer the drop-down lists (an import takes up to 200,000; a city's roster is ~20,000). */
export const TEMPLATE_ROWS = 50_000;

const HELP_SHEET = '填写说明';

interface Template {
  sheet: string;
  columns: ColumnSpec[];
  /** the fields filled from a list of the campaign's config, with its labels */
  lists(config: CampaignConfig): Record<string, string[]>;
  /** fields kept as text (codes and phone numbers: no dropped leading zeros, no 1.38E+10) */
  text: string[];
  help: string[];
}

const TEMPLATES: Record<RosterTable, Template> = {
  departments: {
    sheet: '部门',
    columns: DEPARTMENT_COLUMNS,
    lists: (config) => ({ group: config.groups.map((g) => g.label) }),
    text: ['code'],
    help: [
      '部门代码：字母、数字、下划线或连字符，1–40 个字符；同一代码再次导入时更新该部门。',
      '部门简称：评议代表查找部门时也能搜到，几个简称用“、”隔开。',
      '联络员、联络员邮箱：填写联络员时，导入后为其建立部门联络员账号。',
    ],
  },
  evaluators: {
    sheet: '评议代表',
    columns: EVALUATOR_COLUMNS,
    lists: (config) => ({ category: config.categories.map((c) => c.label) }),
    text: ['phone'],
    help: ['单位/项目：列必须有，内容可以不填。', '完全相同的行再次导入不会重复添加。'],
  },
};

const columnLetter = (n: number) => {
  let letters = '';
  for (let i = n; i > 0; i = Math.floor((i - 1) / 26)) letters = String.fromCharCode(65 + ((i - 1) % 26)) + letters;
  return letters;
};

/** A worksheet's data validations by range (exceljs has them, its types don't): one range, not a cell each. */
const validations = (sheet: ExcelJS.Worksheet) =>
  (sheet as unknown as { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } })
    .dataValidations;

/**
 * The .xlsx template of a roster import: one sheet with the headers in the office's words and one
 * example row, the campaign's groups or categories as a drop-down list on their column, and a
 * sheet that says how to fill it in and holds the lists. Filled in, it imports as it is; the
 * example row left unchanged is refused (it would add a made-up department or evaluator).
 */
export async function rosterTemplate(table: RosterTable, config: CampaignConfig): Promise<Uint8Array> {
  const template = TEMPLATES[table];
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(template.sheet, { views: [{ state: 'frozen', ySplit: 1 }] });
  const help = workbook.addWorksheet(HELP_SHEET);
  const example = exampleRow(table, config);
  const lists = Object.entries(template.lists(config));

  sheet.addRow(template.columns.map((c) => c.label)).font = { bold: true };
  sheet.addRow(template.columns.map((c) => example[c.field] ?? ''));
  template.columns.forEach((spec, index) => {
    const column = sheet.getColumn(index + 1);
    column.width = Math.max(14, spec.label.length * 2 + 4, (example[spec.field] ?? '').length * 2 + 2);
    if (template.text.includes(spec.field)) column.numFmt = '@';
  });

  const required = template.columns.filter((c) => c.required).map((c) => c.label);
  const optional = template.columns.filter((c) => !c.required).map((c) => c.label);
  const lines = [
    `第 1 行是表头，请不要修改；第 2 行是示例，请改成实际内容或删除（原样留下的示例行会被退回，不会导入）。`,
    `必填的列：${required.join('、')}；选填：${optional.join('、')}。`,
    ...lists.map(([field]) => {
      const label = template.columns.find((c) => c.field === field)!.label;
      return `${label}：请从下拉列表中选择（本活动的${label}见右侧）。`;
    }),
    ...template.help,
    '支持 .xlsx 和 .csv；文件有任何错误时不导入任何数据，并列出每一行的每一处错误。',
  ];
  help.getColumn(1).width = 80;
  help.getCell('A1').value = '填写说明';
  help.getCell('A1').font = { bold: true };
  lines.forEach((line, i) => {
    help.getCell(i + 2, 1).value = line;
  });

  lists.forEach(([field, labels], i) => {
    const spec = template.columns.find((c) => c.field === field)!;
    const helpColumn = 3 + i;
    help.getColumn(helpColumn).width = 24;
    help.getCell(1, helpColumn).value = spec.label;
    help.getCell(1, helpColumn).font = { bold: true };
    labels.forEach((label, j) => {
      help.getCell(j + 2, helpColumn).value = label;
    });
    const letter = columnLetter(helpColumn);
    const target = columnLetter(template.columns.indexOf(spec) + 1);
    validations(sheet).add(`${target}2:${target}${TEMPLATE_ROWS + 1}`, {
      type: 'list',
      allowBlank: !spec.required,
      formulae: [`'${HELP_SHEET}'!$${letter}$2:$${letter}$${labels.length + 1}`],
      showErrorMessage: true,
      errorStyle: 'stop',
      errorTitle: `不是本活动的${spec.label}`,
      error: `请从下拉列表中选择${spec.label}（见“${HELP_SHEET}”）`,
    });
  });
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** The imports that have a template. */
export const TEMPLATE_TABLES = Object.keys(TEMPLATES) as RosterTable[];

/** What a template is of, in the office's words: 部门, 评议代表. */
export const templateTitle = (table: RosterTable) => TEMPLATES[table].sheet;

/** The file name a template downloads as: 部门导入模板-demo-2026.xlsx */
export const templateFileName = (table: RosterTable, slug: string) => `${templateTitle(table)}导入模板-${slug}.xlsx`;
