import { assertWritable, CliError, writeOutput, type Command } from '../cli/framework.js';
import type { Services } from '../services.js';
import { chosenChannels } from './messages.js';
import { type ExportFormat, exportInvitations, formatOfFile, hasLetters, OUT_EXTENSIONS } from './export.js';
import { tableLines } from '../cli/table.js';
import type { Chase, Progress } from '../contracts.js';
import { chaseFile, importedText, pooledNote, STAGE_LABELS, submissionRate, unitLabel } from './chase.js';
import { withheldText } from '../../web/lib/format.js';
import { reminderOutcome } from '../../web/lib/reminders.js';

/**
 * The format of an --out file, checked before any work: its name, a writable place, and for
 * letters an address the evaluators can open (or --allow-loopback).
 */
export function linksOut(out: string, allowLoopback: boolean, services: Services): ExportFormat {
  const format = formatOfFile(out);
  if (!format) throw new CliError(OUT_EXTENSIONS);
  assertWritable(out, '--out');
  if (hasLetters(format)) services.invitations.assertLettersReachable({ allowLoopback });
  return format;
}

export const invitationsExportCommand: Command = {
  name: 'invitations export',
  usage: 'invitations export --campaign SLUG --out LINKS.zip|.xlsx|.csv|.html [--allow-loopback]',
  summary: '实名评议：截止前再次导出还没有使用的邀请链接（.zip：邀请函、Excel 和 CSV 清单一起）',
  options: { campaign: { type: 'string' }, out: { type: 'string' }, 'allow-loopback': { type: 'boolean' } },
  async run({ values }, ctx) {
    const slug = values.campaign as string | undefined;
    const out = values.out as string | undefined;
    if (!slug || !out) throw new CliError('用法：minping invitations export --campaign SLUG --out LINKS.zip');
    const services = await ctx.services();
    const format = linksOut(out, !!values['allow-loopback'], services);
    const campaign = await services.campaigns.getBySlug(slug);
    const links = await services.invitations.download(campaign, {
      actor: 'cli',
      format,
    });
    const file = await exportInvitations(campaign, links, format, (await ctx.deps()).clock.now());
    await writeOutput(out, file.body, '--out');
    ctx.io.out(`已导出 ${links.length} 个未使用的邀请链接，写入 ${out}`);
  },
};

/** The progress per category and per 单位 as terminal lines; the imported responses on a line of their own. */
export function progressLines(progress: Progress, chase: Chase): string[] {
  const t = progress.totals;
  const hidden = withheldText(chase.minCellSize);
  const categories = [...progress.categories, { label: '合计', ...t }].map((c) => [
    c.label,
    String(c.evaluators),
    String(c.invited),
    String(c.submitted),
    submissionRate(c.submitted, c.invited),
  ]);
  const numbers = new Set([1, 2, 3, 4]);
  return [
    `${progress.campaign.name}（${progress.campaign.slug}）${progress.campaign.mode === 'named' ? '实名' : '匿名'}评议`,
    '',
    '【各类别】提交率 = 网上已提交 / 已邀请',
    ...tableLines(['类别', '名单', '已邀请', '网上已提交', '提交率'], categories, numbers),
    importedText(progress),
    '',
    '【各单位】',
    ...(chase.people
      ? tableLines(
          ['单位/项目', '名单', '已邀请', '已提交', '未提交', '提交率'],
          chase.organisations.map((u) => unitCells(u, hidden)),
          new Set([1, 2, 3, 4, 5]),
        )
      : tableLines(
          ['类别', '单位/项目', '名单', '已邀请', '已提交', '未提交', '提交率'],
          chase.organisations.map((u) => [u.categoryLabel ?? '', ...unitCells(u, hidden)]),
          new Set([2, 3, 4, 5, 6]),
        )),
  ];
}

const unitCells = (u: Chase['organisations'][number], hidden: string) => [
  unitLabel(u),
  String(u.evaluators),
  String(u.invited),
  u.submitted === null ? hidden : String(u.submitted),
  u.notSubmitted === null ? hidden : String(u.notSubmitted),
  submissionRate(u.submitted, u.invited),
];

/** The chasing list: the people (named mode), or a note that anonymous mode gives the units' counts only. */
export function chaseLines(chase: Chase): string[] {
  if (!chase.people) return [`【催报】${pooledNote(chase.minCellSize)}`];
  return [
    `【催报名单】未提交 ${chase.people.length} 人`,
    ...tableLines(
      ['单位/项目', '姓名', '类别', '电话', '进度'],
      chase.people.map((p) => [
        p.organisation ?? '（未填单位）',
        p.name,
        p.categoryLabel,
        p.phone ?? '',
        STAGE_LABELS[p.stage],
      ]),
    ),
  ];
}

export const progressCommand: Command = {
  name: 'progress',
  usage: 'progress --campaign SLUG [--chase [--out FILE.xlsx|.csv]]',
  summary:
    '填报进度：各类别和各单位的已邀请、网上已提交、提交率，导入答卷另列；--chase 列出催报名单（实名：未提交者姓名、单位、电话；匿名：只列各单位人数），--out 导出',
  options: { campaign: { type: 'string' }, chase: { type: 'boolean' }, out: { type: 'string' } },
  required: { campaign: '评议活动代码' },
  async run({ values }, ctx) {
    const out = values.out as string | undefined;
    const format = out?.toLowerCase().match(/\.(xlsx|csv)$/)?.[1] as 'xlsx' | 'csv' | undefined;
    if (out && !values.chase) throw new CliError('--out 导出催报名单，请同时给出 --chase');
    if (out && !format) throw new CliError(`--out ${out}：文件名应以 .xlsx 或 .csv 结尾`);
    if (out) assertWritable(out, '--out');
    const services = await ctx.services();
    const campaign = await services.campaigns.getBySlug(values.campaign as string);
    const [progress, chase] = await Promise.all([
      services.invitations.progress(campaign),
      services.invitations.chase(campaign),
    ]);
    for (const line of progressLines(progress, chase)) ctx.io.out(line);
    if (!values.chase) return;
    ctx.io.out('');
    for (const line of chaseLines(chase)) ctx.io.out(line);
    if (out && format) {
      const { clock } = await ctx.deps();
      await writeOutput(out, (await chaseFile(chase, format, clock.now())).body, '--out');
      ctx.io.out(`\n已导出 ${out}`);
    }
  },
};

export const invitationsRemindCommand: Command = {
  name: 'invitations remind',
  usage: 'invitations remind --campaign SLUG [--email] [--sms] [--days N]',
  summary: '提醒还没有提交的评议代表（不含链接；默认邮件；每人每 N 天至多一次，默认 REMINDER_INTERVAL_DAYS 或 3）',
  options: {
    campaign: { type: 'string' },
    email: { type: 'boolean' },
    sms: { type: 'boolean' },
    days: { type: 'string' },
  },
  async run({ values }, ctx) {
    const slug = values.campaign as string | undefined;
    if (!slug) throw new CliError('用法：minping invitations remind --campaign SLUG [--sms] [--days N]');
    const days = values.days === undefined ? undefined : Number(values.days);
    if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 365))
      throw new CliError('--days 应为 1–365 的整数');
    const services = await ctx.services();
    const campaign = await services.campaigns.getBySlug(slug);
    const summary = await services.invitations.remind(campaign, {
      actor: 'cli',
      channels: chosenChannels(values.email, values.sms, ['email']),
      intervalDays: days,
    });
    ctx.io.out(reminderOutcome(campaign.mode, summary));
  },
};

export const invitationsCommands: Command[] = [invitationsExportCommand, invitationsRemindCommand];
