import { CliError, type Command } from '../cli/framework.js';
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

export const userResetPasswordCommand: Command = {
  name: 'user reset-password',
  usage: 'user reset-password USERNAME',
  summary: '为账号生成新密码并打印一次；旧密码和已登录的会话立即失效',
  async run({ positionals }, ctx) {
    const username = oneUsername(positionals, 'user reset-password USERNAME');
    const { user, password } = await (await ctx.services()).accounts.resetPassword(username, 'cli');
    ctx.io.out(`已重置账号 ${user.username} 的密码`);
    ctx.io.out(`新密码：${password}    （只显示这一次，请当面或通过安全渠道交给本人）`);
  },
};

export const userCommands: Command[] = [
  userAddCommand,
  userListCommand,
  userDisableCommand,
  userEnableCommand,
  userResetPasswordCommand,
];
