import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliError, writeOutput, type Command } from '../cli/framework.js';
import { tableLines } from '../cli/table.js';
import { formatLongDate } from '../../web/lib/time.js';
import { sheetDocx, sheetFileName } from './docx.js';
import { STATE_LABELS, type ItemState } from './machine.js';
import { cliActor } from './service.js';

export const noticesDraftCommand: Command = {
  name: 'notices draft',
  usage: 'notices draft --campaign SLUG',
  summary: '按最新发布的结果为重点整改部门和作风问题比例超过提示线的部门起草工作提示单（可重复运行，不会重复起草）',
  options: { campaign: { type: 'string' } },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const slug = values.campaign as string;
    const outcome = await (await ctx.services()).notices.draft(slug, cliActor);
    ctx.io.out(
      `已按结果快照 ${outcome.snapshotId} 起草：新建工作提示单 ${outcome.sheetsCreated} 份、事项 ${outcome.itemsCreated} 个（涉及 ${outcome.sheetIds.length} 个部门）`,
    );
  },
};

export const noticesListCommand: Command = {
  name: 'notices list',
  usage: 'notices list --campaign SLUG [--json]',
  summary: '列出评议活动的工作提示单：编号、部门、状态、事项及其办理状态；--json 输出完整数据',
  options: { campaign: { type: 'string' }, json: { type: 'boolean' } },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const slug = values.campaign as string;
    const services = await ctx.services();
    const sheets = await services.notices.sheets(slug);
    if (values.json) {
      ctx.io.out(JSON.stringify(sheets, null, 2));
      return;
    }
    if (sheets.length === 0) {
      ctx.io.out(`${slug} 还没有工作提示单（发布结果后运行 minping notices draft --campaign ${slug}）`);
      return;
    }
    const zone = (await services.campaigns.getBySlug(slug)).config.timeZone;
    const rows = sheets.map((s) => {
      const counts = new Map<ItemState, number>();
      for (const item of s.items) counts.set(item.state, (counts.get(item.state) ?? 0) + 1);
      return [
        s.serialText,
        `${s.departmentName}（${s.departmentCode}）`,
        s.state === 'issued' ? `已印发 ${formatLongDate(s.issuedAt as string, zone)}` : '草拟',
        String(s.items.length),
        [...counts].map(([state, n]) => `${STATE_LABELS[state]} ${n}`).join('，'),
      ];
    });
    for (const line of tableLines(['编号', '部门', '状态', '事项', '办理情况'], rows, new Set([3]))) ctx.io.out(line);
  },
};

export const noticesExportCommand: Command = {
  name: 'notices export',
  usage: 'notices export --campaign SLUG --out DIR',
  summary: '把每份已印发的工作提示单导出为 .docx（公文格式），每份一个文件',
  options: { campaign: { type: 'string' }, out: { type: 'string' } },
  required: { campaign: '评议活动代码', out: '导出目录' },
  async run({ values }, ctx) {
    const slug = values.campaign as string;
    const dir = values.out as string;
    const existing = statSync(dir, { throwIfNoEntry: false });
    if (existing && !existing.isDirectory()) throw new CliError(`--out ${dir}：这是一个文件，请给出目录`);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (error) {
      throw new CliError(
        `--out ${dir}：无法创建目录（${(error as NodeJS.ErrnoException).code ?? (error as Error).message}）`,
      );
    }
    const services = await ctx.services();
    const campaign = await services.campaigns.getBySlug(slug);
    const issued = (await services.notices.sheets(slug)).filter((s) => s.state === 'issued');
    for (const sheet of issued) {
      const path = join(dir, sheetFileName(sheet));
      await writeOutput(path, await sheetDocx(sheet, campaign), '--out');
      ctx.io.out(path);
    }
    ctx.io.err(
      issued.length
        ? `已导出 ${issued.length} 份工作提示单`
        : `${campaign.name} 还没有已印发的工作提示单，未导出任何文件`,
    );
  },
};

export const noticesCommands: Command[] = [noticesDraftCommand, noticesListCommand, noticesExportCommand];
