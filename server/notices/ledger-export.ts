import { AlignmentType, LineRuleType, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import ExcelJS from 'exceljs';
import type { Campaign } from '../campaigns/service.js';
import type { LedgerRow, NoticeLedger, SettlementRow, StatementItem, StatementRow } from '../contracts.js';
import { safeCell } from '../../web/lib/csv-guard.js';
import { formatLongDate, formatLongDateTime, zoneLabel } from '../../web/lib/time.js';
import { fonts, officialDocument, paragraph } from './docx.js';
import { ESCALATION, ITEM_STATES, STATE_LABELS } from './machine.js';
import { noticesSettings } from './service.js';

/**
 * The ledger's tables, defined once and laid out four ways: the office's page, the .xlsx, the
 * .docx (GB/T 9704 page, the notices' building blocks) and the CLI.
 */

export type Cell = string | number;
export interface LedgerColumn<Row> {
  head: string;
  value: (row: Row) => Cell;
}
export interface LedgerTable<Row> {
  title: string;
  columns: LedgerColumn<Row>[];
  rows: Row[];
  /** the totals row, last */
  total?: Row;
}

export const LEVEL_LABELS = [
  '—',
  ...ESCALATION.map((e) => `${{ blue: '蓝色', orange: '橙色', red: '红色' }[e.colour]}${e.label}`),
];

const ledgerColumns = (head: string): LedgerColumn<LedgerRow>[] => [
  { head, value: (r) => r.label },
  { head: '挂号总数', value: (r) => r.total },
  ...ITEM_STATES.filter((s) => s !== 'draft').map((s) => ({
    head: STATE_LABELS[s],
    value: (r: LedgerRow) => r.states[s],
  })),
  { head: '未办结', value: (r) => r.open },
  { head: '逾期', value: (r) => r.overdue },
  { head: '逾期·未发提醒', value: (r) => r.overdueByLevel.none },
  { head: LEVEL_LABELS[1], value: (r) => r.overdueByLevel.blue },
  { head: LEVEL_LABELS[2], value: (r) => r.overdueByLevel.orange },
  { head: LEVEL_LABELS[3], value: (r) => r.overdueByLevel.red },
];

const statementColumns: LedgerColumn<StatementRow>[] = [
  { head: '部门', value: (r) => r.label },
  { head: '期初未办结', value: (r) => r.openAtStart },
  { head: '本期挂号', value: (r) => r.registered },
  { head: '回头看重新挂号', value: (r) => r.reopened },
  { head: '本期销号', value: (r) => r.closed },
  { head: '其中按期', value: (r) => r.closedOnTime },
  { head: '其中逾期', value: (r) => r.closedLate },
  { head: '撤销', value: (r) => r.withdrawn },
  { head: '期末未办结', value: (r) => r.openAtEnd },
  { head: '其中逾期', value: (r) => r.overdueAtEnd },
  { head: '对账', value: (r) => (r.balanced ? '相符' : '不符') },
];

const settlementColumns: LedgerColumn<SettlementRow>[] = [
  { head: '部门', value: (r) => r.label },
  { head: '按期销号', value: (r) => r.closedOnTime },
  { head: '逾期销号', value: (r) => r.closedLate },
  { head: '未办结', value: (r) => r.open },
  { head: '回头看重新挂号', value: (r) => r.reopened },
];

const openItemColumns = (zone: string): LedgerColumn<StatementItem>[] => [
  { head: '编号', value: (i) => i.number },
  { head: '事项', value: (i) => i.title },
  { head: '部门', value: (i) => i.departmentName },
  { head: '期末状态', value: (i) => STATE_LABELS[i.state] },
  { head: '期末办理期限', value: (i) => (i.dueAt ? formatLongDate(i.dueAt, zone) : '—') },
  { head: '逾期工作日', value: (i) => (i.overdue ? i.overdueWorkingDays : '—') },
  { head: '督办等级', value: (i) => LEVEL_LABELS[i.level] },
];

/** The ledger's tables in the order every rendering shows them. */
export function ledgerTables(view: NoticeLedger) {
  const { ledger, statement, settlement } = view;
  const zone = view.campaign.timeZone;
  return {
    statement: {
      title: `对账单（${statement.period.label}）`,
      columns: statementColumns,
      rows: statement.byDepartment,
      total: statement.total,
    } satisfies LedgerTable<StatementRow>,
    forCirculation: {
      title: `期末逾期未办结、列入通报的事项（${statement.forCirculation.length} 项）`,
      columns: openItemColumns(zone),
      rows: statement.forCirculation,
    } satisfies LedgerTable<StatementItem>,
    openAtEnd: {
      title: `期末未办结事项（${statement.openAtEnd.length} 项）`,
      columns: openItemColumns(zone),
      rows: statement.openAtEnd,
    } satisfies LedgerTable<StatementItem>,
    settlement: {
      title: `${settlement.year}年度结算`,
      columns: settlementColumns,
      rows: settlement.byDepartment,
      total: settlement.total,
    } satisfies LedgerTable<SettlementRow>,
    byDepartment: {
      title: '台账（按部门）',
      columns: ledgerColumns('部门'),
      rows: ledger.byDepartment,
      total: ledger.total,
    } satisfies LedgerTable<LedgerRow>,
    byKind: {
      title: '台账（按类别）',
      columns: ledgerColumns('类别'),
      rows: ledger.byKind,
      total: ledger.total,
    } satisfies LedgerTable<LedgerRow>,
  };
}

/** A table's rows as cells, the totals row last. */
export function tableCells<Row>(table: LedgerTable<Row>): Cell[][] {
  return [...table.rows, ...(table.total ? [table.total] : [])].map((row) => table.columns.map((c) => c.value(row)));
}

/** `评议台账 test-2026 2027年第一季度.xlsx`, without characters file systems refuse. */
export const ledgerFileName = (view: NoticeLedger, ext: 'xlsx' | 'docx') =>
  `评议台账 ${view.campaign.slug} ${view.statement.period.label}.${ext}`.replace(/[\\/:*?"<>|\r\n]/g, '_');

const asOfText = (view: NoticeLedger) =>
  `统计时间：${formatLongDateTime(view.asOf, view.campaign.timeZone)}（${zoneLabel(view.campaign.timeZone)}）`;

export async function ledgerXlsx(view: NoticeLedger): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.title = `${view.campaign.name} 工作提示单台账 ${view.statement.period.label}`;
  const addSheet = <Row>(name: string, table: LedgerTable<Row>) => {
    const sheet = book.addWorksheet(name);
    sheet.addRow([safeCell(`${view.campaign.name} ${table.title}`)]).font = { bold: true };
    sheet.addRow([asOfText(view)]);
    sheet.addRow(table.columns.map((c) => c.head)).font = { bold: true };
    for (const cells of tableCells(table)) sheet.addRow(cells.map(safeCell));
    if (table.total) (sheet.lastRow as ExcelJS.Row).font = { bold: true };
    table.columns.forEach((c, index) => {
      sheet.getColumn(index + 1).width = index === 0 || c.head === '事项' ? 28 : 12;
    });
  };
  const tables = ledgerTables(view);
  addSheet('对账单', tables.statement);
  addSheet('期末未办结', tables.openAtEnd);
  addSheet('年度结算', tables.settlement);
  addSheet('台账-部门', tables.byDepartment);
  addSheet('台账-类别', tables.byKind);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** 五号 仿宋 in the tables: an A4 text block holds eleven columns of it. */
const TABLE_SIZE = 21;

function docxTable<Row>(table: LedgerTable<Row>): Table {
  const cell = (value: Cell, bold = false) =>
    new TableCell({
      children: [
        new Paragraph({
          alignment: typeof value === 'number' ? AlignmentType.RIGHT : AlignmentType.LEFT,
          spacing: { line: 276, lineRule: LineRuleType.AUTO },
          children: [new TextRun({ text: String(value), font: fonts('仿宋'), size: TABLE_SIZE, bold })],
        }),
      ],
    });
  const rows = tableCells(table);
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: table.columns.map((c) => cell(c.head, true)) }),
      ...rows.map(
        (cells, i) => new TableRow({ children: cells.map((v) => cell(v, !!table.total && i === rows.length - 1)) }),
      ),
    ],
  });
}

/** The statement as a Word document on the GB/T 9704 page, signed by the office. */
export async function ledgerDocx(view: NoticeLedger, campaign: Campaign): Promise<Buffer> {
  const { office, titleFont } = noticesSettings(campaign);
  const tables = ledgerTables(view);
  const { period, total } = view.statement;
  const p = (kind: 'title' | 'heading' | 'body' | 'signatureOffice' | 'signatureDate', text: string) =>
    paragraph({ kind, text }, titleFont);
  const title = `${campaign.name}工作提示单办理情况对账单`;
  return officialDocument({ creator: office, title }, [
    p('title', title),
    p(
      'body',
      `对账期间：${period.label}（${formatLongDate(period.start, view.campaign.timeZone)}至${formatLongDate(period.end, view.campaign.timeZone)}）。期初未办结 ${total.openAtStart} 项，本期挂号 ${total.registered} 项、回头看重新挂号 ${total.reopened} 项，销号 ${total.closed} 项（按期 ${total.closedOnTime} 项、逾期 ${total.closedLate} 项），撤销 ${total.withdrawn} 项，期末未办结 ${total.openAtEnd} 项（其中逾期 ${total.overdueAtEnd} 项），账目${total.balanced ? '相符' : '不符'}。${asOfText(view)}。`,
    ),
    p('heading', `一、${tables.statement.title}`),
    docxTable(tables.statement),
    p('heading', `二、${tables.forCirculation.title}`),
    ...(tables.forCirculation.rows.length ? [docxTable(tables.forCirculation)] : [p('body', '无。')]),
    p('heading', `三、${tables.settlement.title}`),
    docxTable(tables.settlement),
    p('heading', `四、${tables.byDepartment.title}`),
    docxTable(tables.byDepartment),
    p('signatureOffice', office),
    p('signatureDate', formatLongDate(view.asOf, view.campaign.timeZone)),
  ]);
}
