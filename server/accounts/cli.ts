import { CliError, type Command } from '../cli/framework.js';
import { ROLES, type Role } from './service.js';

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
