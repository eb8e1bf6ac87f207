import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AppDeps } from '../context.js';
import { isUniqueViolation } from '../db/connect.js';
import type { LiaisonAccounts, LiaisonPasswordsReset, PasswordReset, SessionUser, UserAccount } from '../contracts.js';
import { AppError, parseOrThrow } from '../errors.js';
import { sha256 } from '../shared/ids.js';
import {
  LOGIN_NETWORK_CEILING,
  LOGIN_THROTTLE,
  LOGIN_USERNAME_THROTTLE,
  NETWORK_KEY_PREFIX,
  type Throttled,
  type ThrottleService,
} from '../throttle/service.js';
import type { AuditService } from './audit.js';
import { dummyPasswordHash, generatePassword, hashPassword, MIN_PASSWORD_LENGTH, verifyPassword } from './password.js';
import { campaignsRepository } from '../campaigns/repository.js';
import { sameDepartment } from '../roster/same-department.js';
import { accountsRepository } from './repository.js';
import type { Database } from '../db/schema.js';

export const ROLES = ['admin', 'analyst', 'liaison'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = { admin: '评议办', analyst: '分析人员', liaison: '部门联络员' };

/** A role that is none of them: the codes the API and CLI take, each with its name. */
export const ROLE_MESSAGE = `应为 ${ROLES.map((r) => `${r}（${ROLE_LABELS[r]}）`).join('、')} 之一`;

/**
 * A username as stored and as sign-in looks it up: NFKC, so ａｎａ１ typed with a full-width input
 * method is ana1 (one account, not a look-alike beside it), trimmed.
 */
export const normaliseUsername = (typed: string) => typed.normalize('NFKC').trim();

const usernameSchema = z
  .string()
  .overwrite(normaliseUsername)
  .regex(/^[\p{L}\p{N}_.@-]{2,64}$/u, '应为 2–64 个字母、数字或 _ . @ -');

const newUserSchema = z
  .strictObject({
    username: usernameSchema,
    displayName: z.string().trim().min(1).max(100).optional(),
    role: z.enum(ROLES, { message: ROLE_MESSAGE }),
    departmentCode: z.string().trim().min(1).max(40).optional(),
    password: z.string().min(MIN_PASSWORD_LENGTH, `至少 ${MIN_PASSWORD_LENGTH} 个字符`).max(200).optional(),
  })
  .superRefine((u, ctx) => {
    if (u.role === 'liaison' && !u.departmentCode) {
      ctx.addIssue({
        code: 'custom',
        path: ['departmentCode'],
        message: '必填：部门联络员要填所属部门的代码',
      });
    }
    if (u.role !== 'liaison' && u.departmentCode) {
      ctx.addIssue({
        code: 'custom',
        path: ['departmentCode'],
        message: '只有部门联络员要填（其他角色不属于某个部门）',
      });
    }
  });

/** The fields of a new account as the 添加账号 form names them, for its refusals. */
export const NEW_USER_FIELDS: Record<string, string> = {
  username: '用户名',
  displayName: '姓名',
  role: '角色',
  departmentCode: '部门代码',
  password: '密码',
};

export type NewUserInput = z.input<typeof newUserSchema>;

const newPasswordSchema = z
  .string({ message: '请输入新密码' })
  .min(MIN_PASSWORD_LENGTH, `新密码至少 ${MIN_PASSWORD_LENGTH} 个字符`)
  .max(200, '新密码不能超过 200 个字符');

export const passwordChangeSchema = z
  .strictObject({
    currentPassword: z.string({ message: '请输入当前密码' }).min(1, '请输入当前密码').max(200),
    newPassword: newPasswordSchema,
  })
  .refine((x) => x.currentPassword !== x.newPassword, { path: ['newPassword'], message: '新密码不能与当前密码相同' });

export type PasswordChange = z.input<typeof passwordChangeSchema>;

export interface SessionInfo {
  user: SessionUser;
  csrfToken: string;
  expiresAt: string;
  /** sha256 of the cookie value: the sessions row id */
  sessionId: string;
}

/** Compare two secrets in constant time (for equal lengths). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The username of a department's liaison account: `liaison-` and the code, lower case (other characters become -). */
export const liaisonUsername = (departmentCode: string) =>
  `liaison-${departmentCode.toLowerCase().replace(/[^\p{L}\p{N}_.@-]/gu, '-')}`.slice(0, 64);

/** First passwords of liaison accounts to be, by username: shown this once, stored hashed. */
export type FirstPasswords = Map<string, { password: string; passwordHash: string }>;

async function firstPassword() {
  const password = generatePassword();
  return { password, passwordHash: await hashPassword(password) };
}

/** The users page's refusal of a reset form posted again (a reload of the page showing the new password). */
const RESET_ALREADY = '这个账号的密码已经重置过：新密码只显示一次；如需再次重置请回到用户列表';

/**
 * Names an account's current password without revealing it: a reset form carries it, so that form
 * resets only that password. The hash is salted, so its digest tells nothing about the password.
 */
const passwordStamp = (passwordHash: string) => sha256(`reset:${passwordHash}`).slice(0, 32);

export function accountsService({ db, clock, config }: AppDeps, audit: AuditService, throttle: ThrottleService) {
  const repo = accountsRepository(db.kysely);

  /**
   * The account a typed username names: its normalised form, else as typed (trimmed), which is
   * how an account added before usernames were normalised is stored (ａｄｍｉｎ２ stays reachable).
   */
  async function findAccount(typed: string) {
    const username = normaliseUsername(typed);
    const account = await repo.findUserByUsername(username);
    if (account || username === typed.trim()) return account;
    return repo.findUserByUsername(typed.trim());
  }

  async function accountOf(username: string) {
    const account = await findAccount(username);
    if (!account) throw new AppError('NOT_FOUND', `没有用户名为 ${username.trim()} 的账号`);
    return account;
  }

  return {
    async addUser(
      input: NewUserInput,
      actor = 'cli',
    ): Promise<{ user: SessionUser; password: string; generated: boolean }> {
      const data = parseOrThrow(newUserSchema, input, '添加账号', NEW_USER_FIELDS);
      if (await repo.findUserByUsername(data.username)) throw new AppError('CONFLICT', `用户 ${data.username} 已存在`);
      // ADMIN beside admin would make the users list and the audit log's actors confusable
      const lookalike = await repo.usernameDifferingInCase(data.username);
      if (lookalike)
        throw new AppError('CONFLICT', `已有账号 ${lookalike}，与 ${data.username} 只差字母大小写，请换一个用户名`, [
          { field: NEW_USER_FIELDS.username, message: '与已有用户名只差字母大小写' },
        ]);
      // a liaison is the liaison of the department of this code in the newest campaign that lists it,
      // and of that department's rows in the earlier campaigns (its published results, its items
      // 回头看 may reopen); not of an earlier campaign's other body of the same code
      const rows = data.departmentCode
        ? await campaignsRepository(db.kysely).departmentsByCode(data.departmentCode)
        : [];
      const departmentIds = rows.filter((row) => sameDepartment(row, rows[0])).map((row) => row.id);
      if (data.departmentCode && departmentIds.length === 0) {
        throw new AppError('VALIDATION_FAILED', `没有代码为 ${data.departmentCode} 的部门（请先导入部门）`, [
          { field: NEW_USER_FIELDS.departmentCode, message: '没有这个部门代码' },
        ]);
      }
      const password = data.password ?? generatePassword();
      const passwordHash = await hashPassword(password);
      const user = await db.kysely
        .transaction()
        .execute(async (trx) => {
          const user = await accountsRepository(trx).insertUser({
            username: data.username,
            displayName: data.displayName ?? data.username,
            passwordHash,
            role: data.role,
            departmentCode: data.departmentCode ?? null,
            createdAt: clock.now().toISOString(),
          });
          await accountsRepository(trx).bindLiaison(user.id, departmentIds);
          await audit.record(trx, {
            actor,
            action: 'user_add',
            detail: { username: user.username, role: user.role, departmentCode: user.departmentCode },
          });
          return user;
        })
        .catch((error: unknown) => {
          // the same username added by a concurrent request while this one hashed its password
          if (isUniqueViolation(error)) throw new AppError('CONFLICT', `用户 ${data.username} 已存在`);
          throw error;
        });
      return { user, password, generated: !data.password };
    },

    /**
     * The first passwords of the liaison accounts these departments (code and 联络员) may need, those
     * of usernames no account has yet: hashed before the import's transaction, so that it doesn't
     * hold the write lock through the hashing.
     */
    async firstLiaisonPasswords(departments: { code: string; liaisonName: string | null }[]): Promise<FirstPasswords> {
      const usernames = [...new Set(departments.filter((d) => d.liaisonName).map((d) => liaisonUsername(d.code)))];
      const existing = await repo.accountsNamed(usernames);
      return new Map(
        await Promise.all(
          usernames.filter((u) => !existing.has(u)).map(async (u) => [u, await firstPassword()] as const),
        ),
      );
    },

    /**
     * In the import's transaction `trx` (its department rows and their accounts commit together):
     * one liaison account per department with a 联络员 name: created with a generated first
     * password (`passwords`, else made now; returned this once), or, when it exists, its name
     * brought up to date; an existing password is never reset. A username held by another role's or
     * department's account is skipped, and so is one whose account is the liaison of a department of
     * another name (the same code in another campaign; `sameDepartment`, the code compared as
     * written): each account is bound to its department rows (liaison_departments). The accounts of
     * the same department in other campaigns (one added by hand under another username too) become
     * the liaisons of its rows here.
     */
    async provisionLiaisons(
      trx: Kysely<Database>,
      departments: { id: string; code: string; name: string; liaisonName: string | null }[],
      passwords: FirstPasswords,
      actor: string,
    ): Promise<LiaisonAccounts> {
      const tx = accountsRepository(trx);
      const wanted = departments
        .filter((d) => d.liaisonName)
        .map((d) => ({ ...d, username: liaisonUsername(d.code), displayName: d.liaisonName! }));
      const existing = await tx.accountsNamed(wanted.map((w) => w.username));
      const result: LiaisonAccounts = { created: [], updated: [], unchanged: 0, skipped: [] };
      const now = clock.now().toISOString();
      for (const w of wanted) {
        const old = existing.get(w.username);
        if (!old) continue;
        if (old.user.role !== 'liaison' || old.user.departmentCode !== w.code) {
          const reason =
            old.user.role === 'liaison' && old.user.departmentCode?.toUpperCase() === w.code.toUpperCase()
              ? `这个账号是部门代码 ${old.user.departmentCode} 的联络员（与 ${w.code} 只差字母大小写，不是同一个部门）`
              : '用户名已被其他账号使用';
          result.skipped.push({ username: w.username, departmentCode: w.code, reason });
          continue;
        }
        // the same code may name another department in another campaign: its liaison is not this one's
        const other = (await tx.liaisonDepartments(old.user.id)).find((d) => !sameDepartment(d, w));
        if (other) {
          result.skipped.push({
            username: w.username,
            departmentCode: w.code,
            reason: `这个账号是另一次评议中“${other.name}”的联络员（部门代码相同、名称不同）`,
          });
          continue;
        }
        await tx.bindLiaison(old.user.id, [w.id]);
        if (old.user.displayName !== w.displayName) {
          await tx.setDisplayName(old.user.id, w.displayName);
          result.updated.push(w.username);
        } else result.unchanged++;
      }
      // the department's liaison accounts of other campaigns (one added by hand, under any username)
      // are the liaisons of its rows here too; not those of another body given the code
      const byCode = new Map<string, { userId: string; code: string; name: string }[]>();
      for (const e of await tx.liaisonsOfCodes(departments.map((d) => d.code))) {
        const same = byCode.get(e.code);
        if (same) same.push(e);
        else byCode.set(e.code, [e]);
      }
      for (const d of departments) {
        const users = new Set((byCode.get(d.code) ?? []).filter((e) => sameDepartment(e, d)).map((e) => e.userId));
        for (const userId of users) await tx.bindLiaison(userId, [d.id]);
      }
      for (const w of wanted.filter((x) => !existing.has(x.username))) {
        // a department another import added since the passwords were made has none yet
        const first = passwords.get(w.username) ?? (await firstPassword());
        const user = await tx.insertUser({
          username: w.username,
          displayName: w.displayName,
          passwordHash: first.passwordHash,
          role: 'liaison',
          departmentCode: w.code,
          createdAt: now,
        });
        await tx.bindLiaison(user.id, [w.id]);
        result.created.push({
          username: w.username,
          displayName: w.displayName,
          departmentCode: w.code,
          departmentName: w.name,
          password: first.password,
        });
      }
      if (result.created.length || result.updated.length)
        await audit.record(trx, {
          actor,
          action: 'liaisons_provision',
          detail: { created: result.created.map((c) => c.username), updated: result.updated },
        });
      return result;
    },

    /** The campaigns and codes of the department rows a liaison is the liaison of. */
    liaisonDepartments: (userId: string) => repo.liaisonDepartments(userId),

    async listUsers(): Promise<SessionUser[]> {
      return repo.listUsers();
    },

    /** Every account with its state and last sign-in, for the office's users page. */
    listAccounts: (): Promise<UserAccount[]> => repo.listAccounts(),

    /**
     * Disable an account (its sessions end at once: the next request of any of them is signed out)
     * or enable it again. The office can't disable itself or the last enabled office account.
     */
    async setDisabled(username: string, disabled: boolean, actor: string): Promise<UserAccount> {
      const account = await accountOf(username);
      if (disabled && account.user.username === actor) throw new AppError('CONFLICT', '不能停用自己正在使用的账号');
      await db.kysely.transaction().execute(async (trx) => {
        const tx = accountsRepository(trx);
        if (disabled && account.user.role === 'admin' && !account.disabled && (await tx.countEnabledAdmins()) <= 1)
          throw new AppError('CONFLICT', '这是最后一个可用的评议办账号，不能停用');
        await tx.setDisabled(account.user.id, disabled);
        if (disabled) await tx.deleteSessionsOf(account.user.id);
        await audit.record(trx, {
          actor,
          action: disabled ? 'user_disable' : 'user_enable',
          detail: { username: account.user.username },
        });
      });
      return (await repo.listAccounts(account.user.username))[0];
    },

    /** Each account's {@link passwordStamp}, for the reset forms of the users page. */
    async passwordStamps(usernames: readonly string[]): Promise<Map<string, string>> {
      const accounts = await repo.accountsNamed(usernames);
      return new Map([...accounts].map(([username, a]) => [username, passwordStamp(a.passwordHash)]));
    },

    /**
     * A new generated password for someone who lost theirs, shown this once; their sessions end.
     * With `stamp` (the users page's form) only the password the form was shown for is replaced:
     * the same form posted again, by a reload of the answer, is refused instead of resetting twice.
     */
    async resetPassword(username: string, actor: string, stamp?: string): Promise<PasswordReset> {
      const account = await accountOf(username);
      const stale = () => new AppError('CONFLICT', RESET_ALREADY);
      if (stamp !== undefined && stamp !== passwordStamp(account.passwordHash)) throw stale();
      const password = generatePassword();
      const passwordHash = await hashPassword(password);
      await db.kysely.transaction().execute(async (trx) => {
        const tx = accountsRepository(trx);
        if (stamp === undefined) await tx.setPasswordHash(account.user.id, passwordHash);
        // two posts of one form at once: only the first still finds the password it was shown for
        else if (
          !(await tx.replacePasswordHash(account.user.id, account.passwordHash, passwordHash, { enabledOnly: false }))
        )
          throw stale();
        await tx.deleteSessionsOf(account.user.id);
        await audit.record(trx, { actor, action: 'user_reset_password', detail: { username: account.user.username } });
      });
      return { user: (await repo.listAccounts(account.user.username))[0], password };
    },

    /** The liaison accounts of a campaign's departments, for choosing whose passwords to reset. */
    campaignLiaisons: (campaignId: string) => repo.campaignLiaisons(campaignId),

    /**
     * New generated passwords for several liaisons of a campaign (`all`: every one) who lost
     * theirs, returned this once for the one-time file; their old passwords and sessions end. A
     * disabled account is left out (it can't sign in until enabled) and so named; a username
     * that is no liaison of the campaign is refused.
     */
    async resetLiaisonPasswords(
      campaign: { id: string; slug: string },
      which: { all: true } | { usernames: readonly string[] },
      actor: string,
    ): Promise<LiaisonPasswordsReset> {
      const liaisons = await repo.campaignLiaisons(campaign.id);
      let chosen = liaisons;
      if (!('all' in which)) {
        const wanted = new Set(which.usernames.map((u) => u.trim()).filter(Boolean));
        if (!wanted.size) throw new AppError('VALIDATION_FAILED', '请至少选择一名联络员');
        const known = new Set(liaisons.map((l) => l.username));
        const strangers = [...wanted].filter((u) => !known.has(u));
        if (strangers.length)
          throw new AppError(
            'VALIDATION_FAILED',
            `不是这次评议（${campaign.slug}）的部门联络员：${strangers.slice(0, 10).join('、')}${strangers.length > 10 ? ` 等 ${strangers.length} 个` : ''}`,
          );
        chosen = liaisons.filter((l) => wanted.has(l.username));
      }
      const enabled = chosen.filter((l) => !l.disabled);
      if (!enabled.length)
        throw new AppError(
          'CONFLICT',
          chosen.length ? '选中的联络员账号都已停用：请先启用再重置密码' : '这次评议还没有部门联络员账号',
        );
      // each password is replaced only if it is still the one read here (see the transaction)
      const current = await repo.accountsNamed(enabled.map((l) => l.username));
      const fresh = await Promise.all(
        enabled.map(async (l) => {
          const password = generatePassword();
          return {
            ...l,
            password,
            was: current.get(l.username)?.passwordHash ?? '',
            newHash: await hashPassword(password),
          };
        }),
      );
      await db.kysely.transaction().execute(async (trx) => {
        const tx = accountsRepository(trx);
        for (const f of fresh) {
          // all or none: a file with one stale password would be handed out as if it were valid
          if (!(await tx.replacePasswordHash(f.userId, f.was, f.newHash)))
            throw new AppError(
              'CONFLICT',
              '另一次重置正在进行或刚刚完成（也可能有联络员刚改了密码、账号刚被停用），本次没有重置任何密码：请刷新页面后再试',
            );
          await tx.deleteSessionsOf(f.userId);
        }
        await audit.record(trx, {
          actor,
          action: 'liaisons_reset_password',
          campaignId: campaign.id,
          detail: { usernames: fresh.map((f) => f.username), all: 'all' in which },
        });
      });
      return {
        // one row per account: one bound to several departments lists them all
        reset: fresh.map((f) => ({
          username: f.username,
          displayName: f.displayName,
          departmentCode: f.departments.map((d) => d.code).join('、'),
          departmentName: f.departments.map((d) => d.name).join('、'),
          password: f.password,
        })),
        disabledLeftOut: chosen.filter((l) => l.disabled).map((l) => l.username),
      };
    },

    /**
     * One's own new password, the current one required (a wrong one counts against the username
     * like a failed sign-in). The account's other sessions end; this one stays.
     */
    async changePassword(session: Pick<SessionInfo, 'user' | 'sessionId'>, input: PasswordChange): Promise<void> {
      const data = parseOrThrow(passwordChangeSchema, input, '修改密码');
      const name = session.user.username.toLowerCase();
      const keys: Throttled[] = [{ key: `user:${name}`, rule: LOGIN_USERNAME_THROTTLE }];
      await throttle.reserve(keys);
      const account = await repo.findUserByUsername(session.user.username);
      if (!account || !(await verifyPassword(data.currentPassword, account.passwordHash))) {
        await db.kysely.transaction().execute(async (trx) => {
          await throttle.failed(trx, keys);
          await audit.record(trx, { actor: session.user.username, action: 'password_change_failed' });
        });
        throw new AppError('VALIDATION_FAILED', '当前密码不正确', [
          { field: 'currentPassword', message: '当前密码不正确' },
        ]);
      }
      const passwordHash = await hashPassword(data.newPassword);
      await db.kysely.transaction().execute(async (trx) => {
        const tx = accountsRepository(trx);
        await throttle.succeeded(trx, { release: [keys[0].key] });
        await tx.setPasswordHash(account.user.id, passwordHash);
        await tx.deleteSessionsOf(account.user.id, session.sessionId);
        await audit.record(trx, { actor: session.user.username, action: 'password_change' });
      });
    },

    /**
     * Check a password and open a session. Throttled per username from this network, per username
     * and, as a ceiling against spraying, per network (counted in the database, so every server
     * process sees the same counts; the rules are in docs/SECURITY.md).
     * Returns the cookie value: only its sha256 is stored.
     */
    async login(input: {
      username: string;
      password: string;
      networkKey: string;
    }): Promise<SessionInfo & { cookie: string }> {
      const username = normaliseUsername(input.username);
      const name = username.toLowerCase();
      const [pairKey, userKey, networkKey] = [
        `pair:${name}|${input.networkKey}`,
        `user:${name}`,
        `${NETWORK_KEY_PREFIX.login}${input.networkKey}`,
      ];
      const keys: Throttled[] = [
        { key: pairKey, rule: LOGIN_THROTTLE },
        { key: userKey, rule: LOGIN_USERNAME_THROTTLE },
      ];
      // reserved before the password is hashed: of many concurrent guesses only the allowance is checked
      await throttle.reserve(keys, { key: networkKey, rule: LOGIN_NETWORK_CEILING });
      const account = await findAccount(input.username);
      const ok = account
        ? await verifyPassword(input.password, account.passwordHash)
        : (await verifyPassword(input.password, await dummyPasswordHash()), false);
      if (!account || !ok) {
        await db.kysely.transaction().execute(async (trx) => {
          await throttle.failed(trx, keys);
          await audit.record(trx, {
            actor: username.slice(0, 64) || '-',
            action: 'login_failed',
            detail: { network: input.networkKey },
          });
        });
        throw new AppError('UNAUTHORIZED', '用户名或密码不正确');
      }
      if (account.disabled) {
        // said only to someone who knows the password, so it tells no stranger which usernames exist;
        // not a wrong guess, so the attempt is given back
        await db.kysely.transaction().execute(async (trx) => {
          await throttle.succeeded(trx, { release: [pairKey, userKey, networkKey] });
          await audit.record(trx, {
            actor: account.user.username,
            action: 'login_disabled',
            detail: { network: input.networkKey },
          });
        });
        throw new AppError('FORBIDDEN', '账号已停用，请联系评议办');
      }
      const { user } = account;
      const now = clock.now();
      const cookie = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(32).toString('base64url');
      const sessionId = sha256(cookie);
      const expiresAt = new Date(now.getTime() + config.sessionTtlHours * 3_600_000).toISOString();
      await db.kysely.transaction().execute(async (trx) => {
        const tx = accountsRepository(trx);
        // this network's failures on the username are forgiven; other networks' and the network's own stay
        await throttle.succeeded(trx, { forget: [pairKey], release: [userKey, networkKey] });
        await tx.deleteExpiredSessions(user.id, now.toISOString());
        await tx.insertSession({ sessionId, userId: user.id, csrfToken, createdAt: now.toISOString(), expiresAt });
        await tx.signedIn(user.id, now.toISOString());
        await audit.record(trx, { actor: user.username, action: 'login', detail: { network: input.networkKey } });
      });
      return { cookie, sessionId, csrfToken, expiresAt, user };
    },

    /** The live session of a cookie value, or null (unknown, expired, user disabled). */
    async authenticate(cookie: string | undefined): Promise<SessionInfo | null> {
      if (!cookie || cookie.length > 200) return null;
      return (await repo.findSession(sha256(cookie), clock.now().toISOString())) ?? null;
    },

    async logout(session: SessionInfo): Promise<void> {
      await db.kysely.transaction().execute(async (trx) => {
        await accountsRepository(trx).deleteSession(session.sessionId);
        await audit.record(trx, { actor: session.user.username, action: 'logout' });
      });
    },
  };
}

export type AccountsService = ReturnType<typeof accountsService>;
