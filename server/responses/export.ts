/**
 * The raw data of a campaign for the office: every stored response as the canonical record holds
 * it, one sheet of responses and one of department ratings, with the questionnaire version
 * answered and the answers to the office's own questions (never scored) beside the rest.
 * No names, links, times or network keys: the rows can't be joined to evaluators.
 */
import ExcelJS from 'exceljs';
import {
  type ExtraQuestion,
  type ExtraQuestions,
  type ExtraValue,
  extraAnswerText,
  extraHeader,
} from '../../surveys/extras.js';
import { safeCell } from '../../web/lib/csv-guard.js';
import type { Campaign } from '../campaigns/service.js';
import type { StoredRecord } from './repository.js';

export interface RawData {
  campaign: Campaign;
  departmentNames: ReadonlyMap<string, string>;
  extras: ExtraQuestions;
  records: StoredRecord[];
}

const SOURCE_LABELS: Record<string, string> = { web: '网上提交', import: '导入' };

/** An answer to the office's question as the evaluator read it (a choice's text); no text runs as a formula. */
function cellOf(q: ExtraQuestion, value: ExtraValue | undefined): string | number {
  if (value === undefined) return '';
  const shown = extraAnswerText(q, value);
  return typeof shown === 'string' ? safeCell(shown) : shown;
}

function sheetOf(book: ExcelJS.Workbook, name: string, headers: string[], rows: (string | number | boolean)[][]) {
  const sheet = book.addWorksheet(name);
  sheet.addRow(headers);
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of rows) sheet.addRow(row);
  sheet.columns.forEach((column, i) => {
    column.width = Math.min(40, Math.max(10, headers[i].length * 2 + 2));
  });
}

export async function rawDataXlsx({ campaign, departmentNames, extras, records }: RawData): Promise<Uint8Array> {
  const { config } = campaign;
  const levels = new Map(config.scale.map((l) => [l.code, l.label]));
  const categories = new Map(config.categories.map((c) => [c.code, c.label]));
  const book = new ExcelJS.Workbook();
  book.creator = 'minping';
  book.title = `${campaign.name} 原始数据`;
  sheetOf(
    book,
    '答卷',
    ['答卷序号', '问卷版本', '来源', '评议代表类别', '总体评价', '评价部门数', ...extras.record.map(extraHeader)],
    records.map(({ record, questionnaireVersion, source }, i) => [
      i + 1,
      questionnaireVersion,
      SOURCE_LABELS[source] ?? source,
      categories.get(record.category) ?? record.category,
      levels.get(record.overall) ?? record.overall,
      record.departments.length,
      ...extras.record.map((q) => cellOf(q, record.extra?.[q.name])),
    ]),
  );
  sheetOf(
    book,
    '部门评价',
    [
      '答卷序号',
      '部门代码',
      '部门名称',
      ...config.items.map((item) => item.label),
      '作风问题（编号）',
      '负面情形（条）',
      ...extras.department.map(extraHeader),
    ],
    records.flatMap(({ record }, i) =>
      record.departments.map((d) => [
        i + 1,
        d.code,
        departmentNames.get(d.code) ?? '',
        ...config.items.map((item) => levels.get(d.ratings[item.code]) ?? d.ratings[item.code] ?? ''),
        d.problems.join('；'),
        d.negatives.length,
        ...extras.department.map((q) => cellOf(q, d.extra?.[q.name])),
      ]),
    ),
  );
  return new Uint8Array(await book.xlsx.writeBuffer());
}
