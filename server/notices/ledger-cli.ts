import { assertWritable, writeOutput, type Command } from '../cli/framework.js';
import { tableLines } from '../cli/table.js';
import { byOption } from '../negatives/cli.js';
import { ledgerDocx, ledgerTables, ledgerXlsx, tableCells, type LedgerTable } from './ledger-export.js';

function lines<Row>(table: LedgerTable<Row>): string[] {
  const cells = tableCells(table);
  const numeric = new Set(
    table.columns.flatMap((_, i) => (cells.every((row) => typeof row[i] === 'number') ? [i] : [])),
  );
  return [
    `【${table.title}】`,
    ...(cells.length
      ? tableLines(
          table.columns.map((c) => c.head),
          cells.map((row) => row.map(String)),
          numeric,
        )
      : ['（无）']),
    '',
  ];
}

export const ledgerCommand: Command = {
  name: 'ledger',
  usage: 'ledger --campaign SLUG [--from YYYY-MM-DD --to YYYY-MM-DD] [--xlsx FILE] [--docx FILE] [--json]',
  summary:
    '工作提示单台账：各部门、各类别事项的办理状态和逾期督办等级，对账期间（默认本季度）的对账单和年度结算；可导出 .xlsx / .docx',
  options: {
    campaign: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    xlsx: { type: 'string' },
    docx: { type: 'string' },
    json: { type: 'boolean' },
  },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const slug = values.campaign as string;
    const [xlsx, docx] = [values.xlsx as string | undefined, values.docx as string | undefined];
    if (xlsx) assertWritable(xlsx, '--xlsx');
    if (docx) assertWritable(docx, '--docx');
    const services = await ctx.services();
    const given = { from: values.from, to: values.to };
    const view = await services.ledger
      .ledger(slug, given as { from?: string; to?: string })
      .catch((error) => byOption(error, given, { from: '--from', to: '--to' }));
    if (xlsx) {
      await writeOutput(xlsx, await ledgerXlsx(view), '--xlsx');
      ctx.io.err(`已写入 ${xlsx}`);
    }
    if (docx) {
      await writeOutput(docx, await ledgerDocx(view, await services.campaigns.getBySlug(slug)), '--docx');
      ctx.io.err(`已写入 ${docx}`);
    }
    if (values.json) {
      ctx.io.out(JSON.stringify(view, null, 2));
      return;
    }
    if (xlsx || docx) return;
    const tables = ledgerTables(view);
    ctx.io.out(
      `${view.campaign.name} · 对账期间 ${view.statement.period.label}（${view.statement.period.from} 至 ${view.statement.period.to}）`,
    );
    for (const line of [
      ...lines(tables.statement),
      ...lines(tables.forCirculation),
      ...lines(tables.settlement),
      ...lines(tables.byDepartment),
    ])
      ctx.io.out(line);
  },
};
