import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { assertWritable, CliError, readFailure, writeOutput, type Command, type CliContext } from '../cli/framework.js';
import { linksOut } from '../invitations/cli.js';
import { exportInvitations } from '../invitations/export.js';
import { chosenChannels } from '../invitations/messages.js';
import { giveLiaisonPasswords, passwordsFileOption } from '../accounts/cli.js';
import type { ImportSummary } from '../contracts.js';
import { unboundText } from '../../web/lib/password-file.js';
import type { ImportFile } from './service.js';
import type { RosterTable } from './rows.js';
import { rosterTemplate, TEMPLATE_TABLES, templateTitle } from './template.js';

function readInput(path: string | undefined): ImportFile {
  if (!path) throw new CliError('请给出要导入的文件（.xlsx 或 .csv）');
  try {
    return { bytes: new Uint8Array(readFileSync(path)), filename: basename(path) };
  } catch (error) {
    throw new CliError(`无法读取 ${path}：${readFailure(error)}`);
  }
}

function printSummary(ctx: CliContext, what: string, s: ImportSummary) {
  ctx.io.out(
    `${what}：共 ${s.rows} 行，新增 ${s.inserted}，更新 ${s.updated}，未变 ${s.unchanged}${s.dryRun ? '（仅检查，未写入）' : ''}`,
  );
  if (s.updatedCodes?.length) ctx.io.out(`  更新的部门：${s.updatedCodes.join(', ')}`);
  if (s.unboundLiaisons?.length) ctx.io.out(`  ${unboundText(s.unboundLiaisons)}`);
  if (s.ignoredColumns.length) ctx.io.out(`  忽略的列：${s.ignoredColumns.join(', ')}`);
}

export const importDepartmentsCommand: Command = {
  name: 'import departments',
  usage: 'import departments --campaign SLUG [--liaison-passwords-out FILE.csv] [--dry-run] FILE',
  summary:
    '导入部门（.xlsx/.csv：code 代码, name 名称, group 分组[, short_name 简称, liaison_name 联络员, liaison_email 联络员邮箱]）',
  options: {
    campaign: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'liaison-passwords-out': { type: 'string' },
  },
  async run({ values, positionals }, ctx) {
    const slug = values.campaign as string | undefined;
    if (!slug || positionals.length !== 1) throw new CliError('用法：minping import departments --campaign SLUG FILE');
    const passwordsOut = passwordsFileOption(
      values['liaison-passwords-out'] as string | undefined,
      '--liaison-passwords-out',
    );
    const file = readInput(positionals[0]);
    const services = await ctx.services();
    const campaign = await services.campaigns.getBySlug(slug);
    const { summary, liaisons } = await services.roster.importDepartments(campaign, file, {
      actor: 'cli',
      dryRun: !!values['dry-run'],
    });
    printSummary(ctx, '部门', summary);
    if (!liaisons) return;
    ctx.io.out(
      `联络员账号：新建 ${liaisons.created.length}，更新姓名 ${liaisons.updated.length}，未变 ${liaisons.unchanged}（已有账号的密码不变）`,
    );
    for (const s of liaisons.skipped) ctx.io.out(`  跳过 ${s.username}（部门 ${s.departmentCode}）：${s.reason}`);
    if (!liaisons.created.length) return;
    await giveLiaisonPasswords(ctx, liaisons.created, 'first', {
      path: passwordsOut,
      option: '--liaison-passwords-out',
      whenFailed: `。新账号已建立：请用 minping user reset-password --campaign ${campaign.slug} --out 文件.csv ${liaisons.created.map((c) => c.username).join(' ')} 为他们重新生成密码`,
    });
  },
};

export const importEvaluatorsCommand: Command = {
  name: 'import evaluators',
  usage:
    'import evaluators --campaign SLUG [--out LINKS.zip|.xlsx|.csv|.html [--allow-loopback] [--send-email] [--send-sms]] [--dry-run] FILE',
  summary:
    '导入评议代表（.xlsx/.csv：name 姓名, organisation 单位/项目, category 类别[, phone 电话, email 邮箱]）；--out 为还没有邀请的代表生成链接并写入文件（.zip：邀请函、Excel 和 CSV 清单一起）',
  options: {
    campaign: { type: 'string' },
    out: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'allow-loopback': { type: 'boolean' },
    'send-email': { type: 'boolean' },
    'send-sms': { type: 'boolean' },
  },
  async run({ values, positionals }, ctx) {
    const slug = values.campaign as string | undefined;
    if (!slug || positionals.length !== 1)
      throw new CliError('用法：minping import evaluators --campaign SLUG [--out LINKS.zip] FILE');
    const out = values.out as string | undefined;
    if (out && values['dry-run']) throw new CliError('--dry-run 不能与 --out 一起使用');
    const services = await ctx.services();
    const format = out ? linksOut(out, !!values['allow-loopback'], services) : undefined;
    const file = readInput(positionals[0]);
    const deps = await ctx.deps();
    const campaign = await services.campaigns.getBySlug(slug);
    printSummary(
      ctx,
      '评议代表',
      await services.roster.importEvaluators(campaign, file, { actor: 'cli', dryRun: !!values['dry-run'] }),
    );
    if (out && format) {
      const send = chosenChannels(values['send-email'], values['send-sms']);
      const issued = await services.invitations.generate(campaign, { actor: 'cli', send });
      if (!issued.length) {
        ctx.io.out('所有评议代表都已有邀请链接，没有新链接可写出（补发请用管理页面）。');
        return;
      }
      const exported = await exportInvitations(campaign, issued, format, deps.clock.now());
      await writeOutput(
        out,
        exported.body,
        '--out',
        `。已生成的 ${issued.length} 个链接没有写出：请在管理页面的评议代表名单中为他们补发链接`,
      );
      ctx.io.out(`已生成 ${issued.length} 个邀请链接，写入 ${out}（链接只在此文件中出现一次，请妥善保管）`);
    }
  },
};

export const templateCommand: Command = {
  name: 'template',
  usage: 'template departments|evaluators --campaign SLUG --out FILE.xlsx',
  summary: '写出导入模板（.xlsx）：表头、一行示例，部门分组或代表类别为本活动的下拉列表；填好后用 import 导入',
  options: { campaign: { type: 'string' }, out: { type: 'string' } },
  required: { campaign: '评议活动（--campaign SLUG）', out: '模板文件（--out FILE.xlsx）' },
  async run({ values, positionals }, ctx) {
    const [table, ...extra] = positionals as [RosterTable, ...string[]];
    if (!TEMPLATE_TABLES.includes(table) || extra.length)
      throw new CliError('用法：minping template departments|evaluators --campaign SLUG --out FILE.xlsx');
    const out = values.out as string;
    if (!out.toLowerCase().endsWith('.xlsx')) throw new CliError('--out 的文件应以 .xlsx 结尾');
    assertWritable(out, '--out');
    const services = await ctx.services();
    const campaign = await services.campaigns.getBySlug(values.campaign as string);
    await writeOutput(out, await rosterTemplate(table, campaign.config), '--out');
    ctx.io.out(
      `已写出${templateTitle(table)}导入模板 ${out}（${campaign.name}）；填好后用 minping import ${table} --campaign ${campaign.slug} 导入`,
    );
  },
};
