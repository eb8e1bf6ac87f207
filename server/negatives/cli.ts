import { CliError, type Command } from '../cli/framework.js';
import { tableLines } from '../cli/table.js';
import { AppError } from '../errors.js';
import { cliActor } from '../notices/service.js';
import type { NegativeReport } from '../contracts.js';

const STATUS_LABELS: Record<NegativeReport['status'], string> = {
  pending: '待核实',
  verified: '已核实',
  dismissed: '不予采纳',
};

/** Queue filter fields and the options that give them. */
const LIST_OPTIONS: Record<string, string> = {
  department: '--department',
  kind: '--kind',
  state: '--state',
  overdue: '--overdue',
  minAgeDays: '--min-age',
  maxAgeDays: '--max-age',
  q: '--search',
  includeMerged: '--include-merged',
  page: '--page',
  pageSize: '--page-size',
};

/** A refused filter, told by the option that gave it (`--kind 9：…`), not by the API's field name. */
export function byOption(
  error: unknown,
  given: Record<string, unknown>,
  options: Record<string, string> = LIST_OPTIONS,
): never {
  if (!(error instanceof AppError) || error.code !== 'VALIDATION_FAILED') throw error;
  const lines = (error.details ?? []).map((d) => {
    const field = d.field ?? d.path ?? '';
    const option = options[field] ?? field;
    const value = given[field];
    return `${option}${value === undefined || value === true ? '' : ` ${String(value)}`}：${d.message}`;
  });
  throw new CliError(lines.length ? lines.join('\n') : error.message);
}

function reportLines(items: NegativeReport[]): string[] {
  return tableLines(
    ['编号', '部门', '情形', '事项', '反映日', '核实期限', '状态'],
    items.map((n) => [
      n.id,
      `${n.department.name}（${n.department.code}）`,
      String(n.kind),
      n.matter.length > 20 ? `${n.matter.slice(0, 20)}…` : n.matter,
      n.reportedDay,
      `${n.dueDay}${n.overdue ? ' 已逾期' : ''}`,
      `${STATUS_LABELS[n.status]}${n.mergedInto ? '（已合并）' : ''}${n.duplicates ? `（含合并 ${n.duplicates} 条）` : ''}`,
    ]),
  );
}

export const negativesListCommand: Command = {
  name: 'negatives list',
  usage:
    'negatives list --campaign SLUG [--department CODE] [--kind N] [--state pending|verified|dismissed] [--overdue] [--min-age DAYS] [--max-age DAYS] [--search TEXT] [--include-merged] [--page N] [--page-size N] [--json]',
  summary: '列出待核实队列中的负面情形（可按部门、情形、状态、逾期与天数筛选）；--json 输出完整内容',
  options: {
    campaign: { type: 'string' },
    department: { type: 'string' },
    kind: { type: 'string' },
    state: { type: 'string' },
    overdue: { type: 'boolean' },
    'min-age': { type: 'string' },
    'max-age': { type: 'string' },
    search: { type: 'string' },
    'include-merged': { type: 'boolean' },
    page: { type: 'string' },
    'page-size': { type: 'string' },
    json: { type: 'boolean' },
  },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const slug = values.campaign as string;
    const query: Record<string, string | undefined> = {
      department: values.department as string | undefined,
      kind: values.kind as string | undefined,
      state: values.state as string | undefined,
      overdue: values.overdue ? '1' : undefined,
      minAgeDays: values['min-age'] as string | undefined,
      maxAgeDays: values['max-age'] as string | undefined,
      q: values.search as string | undefined,
      includeMerged: values['include-merged'] ? '1' : undefined,
      page: values.page as string | undefined,
      pageSize: values['page-size'] as string | undefined,
    };
    for (const key of Object.keys(query)) if (query[key] === undefined) delete query[key];
    const services = await ctx.services();
    const page = await services.negatives.queue(slug, query).catch((error: unknown) => byOption(error, query));
    if (values.json) {
      ctx.io.out(JSON.stringify(page, null, 2));
      return;
    }
    const { counts } = page;
    ctx.io.out(
      `待核实 ${counts.pending}（逾期 ${counts.overdue}），已核实 ${counts.verified}，不予采纳 ${counts.dismissed}，已合并 ${counts.merged}；今天 ${page.today}`,
    );
    if (page.items.length === 0) {
      ctx.io.out('没有符合条件的负面情形');
      return;
    }
    for (const line of reportLines(page.items)) ctx.io.out(line);
    const pages = Math.ceil(page.total / page.pageSize);
    ctx.io.out(`共 ${page.total} 条，第 ${page.page}/${pages} 页`);
  },
};

function decisionCommand(to: 'verify' | 'dismiss'): Command {
  const label = to === 'verify' ? '核实' : '不予采纳';
  return {
    name: `negatives ${to}`,
    usage: `negatives ${to} --campaign SLUG --id REPORT --reason TEXT`,
    summary:
      to === 'verify'
        ? '核实一条负面情形（扣分并登记到部门的工作提示单），理由存档'
        : '对一条负面情形不予采纳，理由存档',
    options: { campaign: { type: 'string' }, id: { type: 'string' }, reason: { type: 'string' } },
    required: { campaign: '评议活动代码', id: '负面情形编号', reason: `${label}理由` },
    async run({ values }, ctx) {
      const [slug, id, reason] = [values.campaign, values.id, values.reason] as string[];
      const services = await ctx.services();
      const report = await services.negatives[to](slug, id, { reason }, cliActor);
      ctx.io.out(
        `已${label}：${report.department.name} · ${report.kindLabel} · ${report.matter}${report.duplicates ? `（含合并的 ${report.duplicates} 条）` : ''}`,
      );
    },
  };
}

export const negativesCommands: Command[] = [
  negativesListCommand,
  decisionCommand('verify'),
  decisionCommand('dismiss'),
];
