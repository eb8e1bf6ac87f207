/**
 * The one-time file of liaisons' passwords: the first passwords of a department import's new
 * accounts, or the new ones of a bulk reset. The same columns and the same advice wherever it is
 * made (the server writes it for the CLI and the users page, admin.js from the import's answer).
 */
import type { LiaisonAccounts } from '../../server/contracts.js';

export type LiaisonPassword = LiaisonAccounts['created'][number];

/** first: a department import's new accounts; reset: a bulk reset's new passwords */
export type PasswordFileKind = 'first' | 'reset';

export const passwordFileHeaders = (kind: PasswordFileKind) => [
  '部门代码',
  '部门',
  '联络员',
  '用户名',
  kind === 'first' ? '初始密码' : '新密码',
];

/**
 * What the office does when a liaison loses the password: the file is given out once and then
 * deleted, so the answer is a new password, never this file again.
 */
export const LOST_PASSWORD_ADVICE =
  '联络员遗失密码时：评议办登录后打开“账号”页（/admin/users），在该联络员一行点“重置密码”，新密码只显示一次，旧密码和已登录的会话随即失效；也可以在命令行运行 minping user reset-password 用户名。';

export const PASSWORD_FILE_ADVICE = [
  '说明：本文件只提供这一次，请把密码当面或通过安全渠道交给各联络员，分发后删除本文件。',
  LOST_PASSWORD_ADVICE,
  '几名或全部联络员遗失密码时：在“账号”页的“批量重置联络员密码”勾选他们（或全部），下载新密码文件；命令行：minping user reset-password --campaign 活动代码 --all-liaisons --out 文件.csv（或在 --out 文件.csv 后列出用户名）。',
];

/** The answer of the users page's bulk reset (the file) says how many it reset and how many disabled accounts it left out. */
export const RESET_HEADERS = { count: 'x-reset-count', disabledLeftOut: 'x-disabled-left-out' } as const;

/** The file's rows after its header: one per liaison, a blank row, then the advice. */
export function passwordFileRows(entries: readonly LiaisonPassword[]): string[][] {
  return [
    ...entries.map((e) => [e.departmentCode, e.departmentName, e.displayName, e.username, e.password]),
    [],
    ...PASSWORD_FILE_ADVICE.map((line) => [line]),
  ];
}

/** What a department import says of the liaison accounts a renamed department no longer has. */
export const unboundText = (unbound: readonly { code: string; username: string }[]) =>
  `部门名称已改，以下账号不再是该部门本次评议的联络员（原来是同一代码的另一单位的）：${unbound
    .map((u) => `${u.username}（${u.code}）`)
    .join('、')}。如确是同一单位改名，请在“账号”页为该部门添加联络员账号（旧账号仍是往年评议的联络员）。`;
