import { assertWritable, CliError, writeOutput, type Command } from '../cli/framework.js';
import type { Services } from '../services.js';
import { type ExportFormat, exportInvitations, formatOfFile, hasLetters, OUT_EXTENSIONS } from './export.js';

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
    const links = await services.invitations.download(campaign, services.campaigns.status(campaign), {
      actor: 'cli',
      format,
    });
    const file = await exportInvitations(campaign, links, format, (await ctx.deps()).clock.now());
    await writeOutput(out, file.body, '--out');
    ctx.io.out(`已导出 ${links.length} 个未使用的邀请链接，写入 ${out}`);
  },
};

export const invitationsCommands: Command[] = [invitationsExportCommand];
