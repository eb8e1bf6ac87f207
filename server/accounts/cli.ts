import { assertWritable, type CliContext, CliError, type Command, writeOutput } from '../cli/framework.js';
import { LOST_PASSWORD_ADVICE, type LiaisonPassword, type PasswordFileKind } from '../../web/lib/password-file.js';
import { liaisonPasswordsCsv } from './liaisons.js';
import { tableLines } from '../cli/table.js';
import { DEFAULT_TIME_ZONE, formatDateTime, zoneLabel } from '../../web/lib/time.js';
import { ROLE_LABELS, ROLES, type Role } from './service.js';

export const userAddCommand: Command = {
  name: 'user add',
  usage: 'user add --role admin|analyst|liaison [--department CODE] [--display NAME] [--password P] USERNAME',
  summary: '添加账号（评议办 admin、分析人员 analyst、部门联络员 liaison）；不给密码时生成并打印一个强密码',
  options: {
    role: { type: 'string' },
    department: { type: 'string' },
    display: { type: 'string' },
    password: { type: 'string' },
  },
  async run({ values, positionals }, ctx) {
    const [username, ...extra] = positionals;
    if (!username || extra.length)
      throw new CliError('用法：minping user add --role ROLE [--department CODE] USERNAME');
    const role = values.role as string | undefined;
    if (!role || !(ROLES as readonly string[]).includes(role)) throw new CliError(`--role 应为 ${ROLES.join(' | ')}`);
    if (role === 'liaison' && !values.department)
      throw new CliError('部门联络员要用 --department CODE 指定所属部门的代码');
    const services = await ctx.services();
    const { user, password, generated } = await services.accounts.addUser({
      username,
      role: role as Role,
      departmentCode: values.department as string | undefined,
      displayName: values.display as string | undefined,
      password: values.password as string | undefined,
    });
    ctx.io.out(
      `已添加账号 ${user.username}（${user.role}${user.departmentCode ? `，部门 ${user.departmentCode}` : ''}）`,
    );
    if (generated) ctx.io.out(`密码：${password}    （只显示这一次，请妥善保管）`);
  },
};

/** `user disable NAME`, `user enable NAME`, `user reset-password NAME`: one username, nothing else. */
function oneUsername(positionals: string[], usage: string): string {
  const [username, ...extra] = positionals;
  if (!username || extra.length) throw new CliError(`用法：minping ${usage}`);
  return username;
}

export const userListCommand: Command = {
  name: 'user list',
  usage: 'user list',
  summary: '列出账号：用户名、姓名、角色、联络员的部门、最近登录时间、是否停用',
  async run({ positionals }, ctx) {
    if (positionals.length) throw new CliError('用法：minping user list');
    const accounts = await (await ctx.services()).accounts.listAccounts();
    if (!accounts.length) {
      ctx.io.out('还没有账号（用 minping user add 添加）。');
      return;
    }
    const lines = tableLines(
      ['用户名', '姓名', '角色', '部门', `最近登录（${zoneLabel(DEFAULT_TIME_ZONE)}）`, '状态'],
      accounts.map((u) => [
        u.username,
        u.displayName,
        ROLE_LABELS[u.role],
        u.departmentCode ? `${u.departmentCode}${u.departmentName ? ` ${u.departmentName}` : ''}` : '',
        u.lastLoginAt ? formatDateTime(u.lastLoginAt, DEFAULT_TIME_ZONE) : '从未登录',
        u.disabled ? '已停用' : '正常',
      ]),
    );
    for (const line of lines) ctx.io.out(line);
  },
};

/** `user disable` ends the account's sessions at once; `user enable` lets it sign in again (same password). */
const [userDisableCommand, userEnableCommand] = (
  [
    ['disable', true, '停用账号：不能再登录，已登录的会话立即失效', '已停用账号 %s，其所有会话已结束'],
    ['enable', false, '重新启用停用的账号（密码不变）', '已启用账号 %s'],
  ] as const
).map(
  ([verb, disabled, summary, done]): Command => ({
    name: `user ${verb}`,
    usage: `user ${verb} USERNAME`,
    summary,
    async run({ positionals }, ctx) {
      const username = oneUsername(positionals, `user ${verb} USERNAME`);
      const user = await (await ctx.services()).accounts.setDisabled(username, disabled, 'cli');
      ctx.io.out(done.replace('%s', user.username));
    },
  }),
);

/** A `.csv` path for liaisons' passwords, checked before any password is made. */
export function passwordsFileOption(path: string | undefined, option: string): string | undefined {
  if (path === undefined) return undefined;
  if (!path.toLowerCase().endsWith('.csv')) throw new CliError(`${option} 的文件应以 .csv 结尾`);
  assertWritable(path, option);
  return path;
}

/**
 * Liaisons' passwords, given this once: written to `out` as the one-time file, or printed; either
 * way with what to do when one is lost. `whenFailed` says what was already done if the file can't be written.
 */
export async function giveLiaisonPasswords(
  ctx: CliContext,
  entries: readonly LiaisonPassword[],
  kind: PasswordFileKind,
  out: { path: string | undefined; option: string; whenFailed: string },
): Promise<void> {
  const what = kind === 'first' ? '新账号的初始密码' : '联络员的新密码';
  if (!out.path) {
    ctx.io.out(`${what}（只显示这一次）：`);
    for (const e of entries) ctx.io.out(`  ${e.username}  ${e.password}  ${e.departmentName}`);
    ctx.io.out(LOST_PASSWORD_ADVICE);
    return;
  }
  await writeOutput(out.path, liaisonPasswordsCsv(entries, kind), out.option, out.whenFailed);
  ctx.io.out(`${what}写入 ${out.path}（只出现这一次，请妥善保管，分发后删除）`);
}

const RESET_USAGE =
  'user reset-password USERNAME | user reset-password --campaign SLUG (--all-liaisons | USERNAME…) [--out FILE.csv]';

export const userResetPasswordCommand: Command = {
  name: 'user reset-password',
  usage: RESET_USAGE,
  summary:
    '为账号生成新密码并打印一次；旧密码和已登录的会话立即失效。--campaign：一次重置这次评议的几名（或 --all-liaisons 全部）部门联络员，新密码写入 --out 的 .csv 文件（不给 --out 时打印）',
  options: {
    campaign: { type: 'string' },
    'all-liaisons': { type: 'boolean' },
    out: { type: 'string' },
  },
  async run({ values, positionals }, ctx) {
    const slug = values.campaign as string | undefined;
    const all = !!values['all-liaisons'];
    if (!slug) {
      if (all) throw new CliError('--all-liaisons 要和 --campaign SLUG 一起用（重置哪次评议的联络员）');
      if (values.out !== undefined) throw new CliError('--out 只用于 --campaign 的批量重置');
      const username = oneUsername(positionals, RESET_USAGE);
      const { user, password } = await (await ctx.services()).accounts.resetPassword(username, 'cli');
      ctx.io.out(`已重置账号 ${user.username} 的密码`);
      ctx.io.out(`新密码：${password}    （只显示这一次，请当面或通过安全渠道交给本人）`);
      return;
    }
    if (all === positionals.length > 0)
      throw new CliError(`用法：minping ${RESET_USAGE}（--all-liaisons 和用户名二选一）`);
    const path = passwordsFileOption(values.out as string | undefined, '--out');
    const services = await ctx.services();
    const campaign = await services.campaigns.getBySlug(slug);
    const { reset, disabledLeftOut } = await services.accounts.resetLiaisonPasswords(
      campaign,
      all ? { all } : { usernames: positionals },
      'cli',
    );
    ctx.io.out(`已重置 ${reset.length} 名联络员的密码，他们的旧密码和已登录的会话已失效`);
    if (disabledLeftOut.length) ctx.io.out(`已停用的账号没有重置：${disabledLeftOut.join('、')}`);
    await giveLiaisonPasswords(ctx, reset, 'reset', {
      path,
      option: '--out',
      whenFailed: '。密码已经重置：请再运行一次本命令，为他们生成新的密码',
    });
  },
};

export const userCommands: Command[] = [
  userAddCommand,
  userListCommand,
  userDisableCommand,
  userEnableCommand,
  userResetPasswordCommand,
];
