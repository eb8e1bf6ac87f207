import { assertWritable, CliError, writeOutput, type Command } from '../cli/framework.js';
import { tableLines } from '../cli/table.js';
import { resultCsv, resultXlsx } from './export.js';
import { runSimulation } from '../demo/simulate.js';
import type { ResultView } from '../contracts.js';
import { INTERIM_NOTE, withheldText } from '../../web/lib/format.js';
import { groupsOf } from '../../web/lib/result-groups.js';

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(2));

/** The ranking tables of a view, one per group, as terminal lines. */
export function rankingTable(view: ResultView): string[] {
  const lines: string[] = [];
  lines.push(
    `${view.campaign.name}（${view.campaign.slug}）${view.snapshot ? `  快照 ${view.snapshot.id}` : `  ${INTERIM_NOTE}：实时计算`}`,
  );
  lines.push(
    `答卷 ${view.inputs.responses}，纳入 ${view.inputs.included}，剔除 ${view.inputs.excluded}，标记 ${view.inputs.flagged}；抽样 ${view.bootstrapSamples} 次；输入摘要 ${view.inputs.hash.slice(0, 16)}…`,
  );
  const header = ['排名', '部门', '最终得分', '95%区间', '等级', '有效评议人数', '备注'];
  for (const group of groupsOf(view)) {
    const rows = group.departments.map((d) => [
      d.rank === null ? '—' : `${d.rank}${d.tied ? ' 并列' : ''}`,
      `${d.name}（${d.code}）`,
      fmt(d.finalScore),
      d.uncertainty.scoreInterval
        ? `${fmt(d.uncertainty.scoreInterval[0])}–${fmt(d.uncertainty.scoreInterval[1])}`
        : '',
      d.grade ?? '',
      String(d.validRaters),
      [
        d.ranked ? '' : d.rankNote,
        d.rectification ? '重点整改' : '',
        d.suppressed ? withheldText(view.method.minCellSize) : '',
      ]
        .filter(Boolean)
        .join('；'),
    ]);
    lines.push('', `【${group.label}】`, ...tableLines(header, rows, new Set([2, 5])));
  }
  return lines;
}

export const scoreCommand: Command = {
  name: 'score',
  usage: 'score --campaign SLUG [--json] [--csv FILE] [--xlsx FILE] [--fast]',
  summary: '计算评议结果并按分组打印排名表；--json 输出完整结果，--csv / --xlsx 导出（--fast 不计算抽样区间）',
  options: {
    campaign: { type: 'string' },
    json: { type: 'boolean' },
    csv: { type: 'string' },
    xlsx: { type: 'string' },
    fast: { type: 'boolean' },
  },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const slug = values.campaign as string;
    if (values.csv) assertWritable(values.csv as string, '--csv');
    if (values.xlsx) assertWritable(values.xlsx as string, '--xlsx');
    const services = await ctx.services();
    const view = await services.results.live(slug, { uncertainty: !values.fast });
    if (values.csv) await writeOutput(values.csv as string, resultCsv(view), '--csv');
    if (values.xlsx) await writeOutput(values.xlsx as string, await resultXlsx(view), '--xlsx');
    if (values.json) {
      ctx.io.out(JSON.stringify(view, null, 2));
      return;
    }
    for (const line of rankingTable(view)) ctx.io.out(line);
    if (values.csv) ctx.io.out(`\n已导出 ${values.csv as string}`);
    if (values.xlsx) ctx.io.out(`${values.csv ? '' : '\n'}已导出 ${values.xlsx as string}`);
  },
};

export const publishCommand: Command = {
  name: 'publish',
  usage: 'publish --campaign SLUG',
  summary: '发布结果：保存不可更改的结果快照（计分方法、输入计数、输入摘要、完整结果）并打印快照编号',
  options: { campaign: { type: 'string' } },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const slug = values.campaign as string;
    const services = await ctx.services();
    const snapshot = await services.results.publish(slug, 'cli');
    const campaign = await services.campaigns.getBySlug(slug);
    ctx.io.out(snapshot.id);
    ctx.io.err(
      `已发布 ${campaign.name} 的结果快照：答卷 ${snapshot.counts.responses}，纳入 ${snapshot.counts.included}，剔除 ${snapshot.counts.excluded}，输入摘要 ${snapshot.inputsHash}`,
    );
  },
};

export const simulateCommand: Command = {
  name: 'simulate',
  usage: 'simulate --campaign SLUG [--evaluators N] [--seed S]',
  summary: '为评议活动生成模拟答卷（演示用；同一种子结果相同）',
  options: { campaign: { type: 'string' }, evaluators: { type: 'string' }, seed: { type: 'string' } },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const slug = values.campaign as string;
    const evaluators = Number(values.evaluators ?? 3000);
    const seed = Number(values.seed ?? 1);
    if (!Number.isInteger(evaluators) || evaluators < 1 || evaluators > 1_000_000)
      throw new CliError('--evaluators 应为 1 到 1000000 之间的整数');
    if (!Number.isSafeInteger(seed)) throw new CliError('--seed 应为整数');
    const deps = await ctx.deps();
    const services = await ctx.services();
    const t0 = performance.now();
    const r = await runSimulation(deps, services, slug, { evaluators, seed });
    ctx.io.out(
      `已为 ${slug} 生成 ${r.stored} 份模拟答卷（${r.days} 天），负面情形 ${r.negatives} 条，其中已核实 ${r.verified} 条；用时 ${((performance.now() - t0) / 1000).toFixed(1)} 秒`,
    );
  },
};

export const resultsCommands: Command[] = [scoreCommand, publishCommand, simulateCommand];
