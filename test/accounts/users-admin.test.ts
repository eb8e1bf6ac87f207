import { afterAll, describe, expect, it } from 'vitest';
import type { ErrorBody, PasswordReset, UserChanged, UserList } from '../../server/contracts.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { officeSignedIn } from './setup.js';

const { db, app, services, admin } = await officeSignedIn();
afterAll(() => db.close());

const post = (path: string, who: LoggedIn, body?: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: who.headers({ 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const session = (who: LoggedIn) => app.request('/api/auth/session', { headers: { cookie: who.cookie } });
const login = (username: string, password: string) =>
  app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
const auditActions = async () =>
  (await services.audit.list()).map((a) => `${a.action}:${a.actor}:${String(a.detail.username ?? '')}`);

describe('the office manages accounts over /api/users', () => {
  it('lists accounts with role, a liaison department by name, last sign-in and state, no password hashes', async () => {
    await loginAs(app, services, 'liaison', { departmentCode: 'D001' });
    await services.accounts.addUser({ username: 'never', role: 'analyst', password: 'never-signed-in' }, 'test');
    const res = await app.request('/api/users', { headers: admin.headers() });
    expect(res.status).toBe(200);
    const { users } = (await res.json()) as UserList;
    expect(users.find((u) => u.username === 'liaison-d001')).toMatchObject({
      role: 'liaison',
      departmentCode: 'D001',
      departmentName: '测试部门1',
      disabled: false,
      lastLoginAt: '2026-11-23T08:00:00.000Z',
    });
    expect(users.find((u) => u.username === 'never')).toMatchObject({ lastLoginAt: null, departmentName: null });
    expect(JSON.stringify(users)).not.toContain('scrypt');
  });

  it('ends every session of a disabled account at once, refuses its sign-in, and lets it back in once enabled', async () => {
    const analyst = await loginAs(app, services, 'analyst', { username: 'ana', password: 'analyst-password' });
    const phone = await loginAs(app, services, 'analyst', { username: 'ana', password: 'analyst-password' });
    expect((await session(analyst)).status).toBe(200);
    const res = await post('/api/users/ana/disable', admin);
    expect(res.status).toBe(200);
    expect(((await res.json()) as UserChanged).user).toMatchObject({ username: 'ana', disabled: true });
    expect((await session(analyst)).status).toBe(401);
    expect((await session(phone)).status).toBe(401);
    expect(
      await db.kysely
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .where('username', '=', 'ana')
        .selectAll()
        .execute(),
    ).toHaveLength(0);
    expect((await login('ana', 'analyst-password')).status).toBe(403);

    expect((await post('/api/users/ana/enable', admin)).status).toBe(200);
    expect((await login('ana', 'analyst-password')).status).toBe(200);
    expect(await auditActions()).toEqual(
      expect.arrayContaining(['user_disable:admin-user:ana', 'user_enable:admin-user:ana']),
    );
  });

  it('refuses to disable oneself or the last office account, and an unknown username, in Chinese', async () => {
    const self = await post(`/api/users/${admin.username}/disable`, admin);
    expect(self.status).toBe(409);
    expect(((await self.json()) as ErrorBody).error.message).toBe('不能停用自己正在使用的账号');
    const unknown = await post('/api/users/nobody/disable', admin);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as ErrorBody).error).toMatchObject({
      code: 'NOT_FOUND',
      message: '没有用户名为 nobody 的账号',
    });
    // from the command line (no session) the last enabled admin still stays
    await expect(services.accounts.setDisabled(admin.username, true, 'cli')).rejects.toThrow(
      '最后一个可用的评议办账号',
    );
    expect((await session(admin)).status).toBe(200);
  });

  it('resets a password: the new one is shown once and signs in, the old one and the sessions stop working', async () => {
    const liaison = await loginAs(app, services, 'liaison', { departmentCode: 'D001' });
    const res = await post('/api/users/liaison-d001/reset-password', admin);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const { password, user } = (await res.json()) as PasswordReset;
    expect(user.username).toBe('liaison-d001');
    expect(password).toMatch(/^[A-Za-z2-9]{18}$/);
    expect((await session(liaison)).status).toBe(401);
    expect((await login('liaison-d001', liaison.password)).status).toBe(401);
    expect((await login('liaison-d001', password)).status).toBe(200);
    expect(await auditActions()).toContain('user_reset_password:admin-user:liaison-d001');
    expect(JSON.stringify(await services.audit.list())).not.toContain(password);
  });

  it('is for the office only: another role gets 403, no session 401, no CSRF token 403', async () => {
    const analyst = await loginAs(app, services, 'analyst', { username: 'ana', password: 'analyst-password' });
    for (const path of ['/api/users/never/disable', '/api/users/never/enable', '/api/users/never/reset-password'])
      expect((await post(path, analyst)).status, path).toBe(403);
    expect((await app.request('/api/users/never/disable', { method: 'POST' })).status).toBe(401);
    expect(
      (await app.request('/api/users/never/disable', { method: 'POST', headers: { cookie: admin.cookie } })).status,
    ).toBe(403);
    expect((await services.accounts.listAccounts()).find((u) => u.username === 'never')?.disabled).toBe(false);
  });
});

describe('anyone changes their own password with the current one', () => {
  it('refuses a wrong current password, a short or unchanged new one and unknown fields with 422 in Chinese', async () => {
    const me = await loginAs(app, services, 'analyst', { username: 'self', password: 'self-password-1' });
    for (const [body, says] of [
      [{ currentPassword: 'wrong-password', newPassword: 'self-password-2' }, '当前密码不正确'],
      [{ currentPassword: 'self-password-1', newPassword: 'short' }, '新密码至少 10 个字符'],
      [{ currentPassword: 'self-password-1', newPassword: 'self-password-1' }, '新密码不能与当前密码相同'],
      [{ currentPassword: 'self-password-1', newPassword: 'self-password-2', admin: true }, '不认识的字段：admin'],
    ] as const) {
      const res = await post('/api/users/me/password', me, body);
      expect(res.status, says).toBe(422);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message).toContain(says);
    }
    expect((await login('self', 'self-password-1')).status).toBe(200);
  });

  it('changes it: the new one signs in, the old one not; this session stays, the others end; audited', async () => {
    const me = await loginAs(app, services, 'liaison', {
      username: 'li-self',
      departmentCode: 'D002',
      password: 'liaison-old-password',
    });
    const other = await loginAs(app, services, 'liaison', {
      username: 'li-self',
      departmentCode: 'D002',
      password: 'liaison-old-password',
    });
    const res = await post('/api/users/me/password', me, {
      currentPassword: 'liaison-old-password',
      newPassword: 'liaison-new-password',
    });
    expect(res.status).toBe(200);
    expect((await session(me)).status).toBe(200);
    expect((await session(other)).status).toBe(401);
    expect((await login('li-self', 'liaison-old-password')).status).toBe(401);
    expect((await login('li-self', 'liaison-new-password')).status).toBe(200);
    expect(await auditActions()).toContain('password_change:li-self:');
    expect((await app.request('/api/users/me/password', { method: 'POST' })).status).toBe(401);
  });
});

describe('the users page and the password page (plain forms)', () => {
  const form = (path: string, who: LoggedIn, fields: Record<string, string> = {}) => {
    const body = new URLSearchParams({ csrf: who.csrfToken, ...fields }).toString();
    return app.request(path, {
      method: 'POST',
      headers: {
        cookie: who.cookie,
        'content-type': 'application/x-www-form-urlencoded',
        'content-length': String(Buffer.byteLength(body)),
      },
      body,
    });
  };

  it('lists the accounts with their state and buttons, and is refused to other roles', async () => {
    const res = await app.request('/admin/users', { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('最近登录（北京时间）');
    expect(html).toContain('测试部门1（D001）');
    expect(html).toContain('action="/admin/users/never/disable"');
    expect(html).toContain('action="/admin/users/never/reset-password"');
    // no button to disable oneself
    expect(html).not.toContain(`action="/admin/users/${admin.username}/disable"`);
    const analyst = await loginAs(app, services, 'analyst', { username: 'ana', password: 'analyst-password' });
    expect((await app.request('/admin/users', { headers: { cookie: analyst.cookie } })).status).toBe(403);
  });

  const followed = async (res: Response) =>
    (await app.request(res.headers.get('location')!, { headers: { cookie: admin.cookie } })).text();

  it('disables only once confirmed and enables from the page, each answered by a redirect to the list saying what was done', async () => {
    const list = await (await app.request('/admin/users', { headers: { cookie: admin.cookie } })).text();
    expect(list).toMatch(/action="\/admin\/users\/never\/disable"[\s\S]*?已登录的会话立即结束[\s\S]*?确认停用/);
    const unconfirmed = await form('/admin/users/never/disable', admin);
    expect(unconfirmed.status).toBe(422);
    expect(await unconfirmed.text()).toContain('请先点“停用…”，再点“确认停用”');
    expect((await services.accounts.listAccounts()).find((u) => u.username === 'never')?.disabled).toBe(false);

    const disabled = await form('/admin/users/never/disable', admin, { confirm: '1' });
    expect(disabled.status).toBe(303);
    expect(disabled.headers.get('location')).toBe('/admin/users?done=disable&account=never#accounts');
    const after = await followed(disabled);
    expect(after).toContain('已停用账号 never：不能再登录，已登录的会话已结束。');
    expect(after).toContain('action="/admin/users/never/enable"');
    const enabled = await form('/admin/users/never/enable', admin);
    expect(enabled.headers.get('location')).toBe('/admin/users?done=enable&account=never#accounts');
    expect(await followed(enabled)).toContain('已启用账号 never。');
    // an old notice's address says nothing that no longer holds
    expect(await followed(disabled)).not.toContain('已停用账号 never');
    // the action's address opened again is the list
    const opened = await app.request('/admin/users/never/disable', { headers: { cookie: admin.cookie } });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/admin/users');
    const refused = await form(`/admin/users/${admin.username}/disable`, admin, { confirm: '1' });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('不能停用自己正在使用的账号');
  });

  /** The reset form of a row as the users page shows it: its action and hidden fields. */
  async function resetForm(username: string) {
    const html = await (await app.request('/admin/users', { headers: { cookie: admin.cookie } })).text();
    const form = new RegExp(`<form[^>]*action="/admin/users/${username}/reset-password"[\\s\\S]*?</form>`).exec(
      html,
    )?.[0];
    expect(form).toContain('确认重置');
    expect(form).toContain('旧密码立即失效，已登录的会话立即结束');
    return { stamp: /name="stamp" value="([^"]+)"/.exec(form!)![1] };
  }
  const newPassword = (html: string) => /id="new-password"[\s\S]*?<code>([^<]+)<\/code>/.exec(html)?.[1];

  it('resets a password only once confirmed, the new one shown once on the answer', async () => {
    const { stamp } = await resetForm('never');
    const unconfirmed = await form('/admin/users/never/reset-password', admin, { stamp });
    expect(unconfirmed.status).toBe(422);
    expect(await unconfirmed.text()).toContain('请先点“重置密码…”，再点“确认重置”');
    expect((await login('never', 'never-signed-in')).status).toBe(200);

    const reset = await form('/admin/users/never/reset-password', admin, { stamp, confirm: '1' });
    expect(reset.status).toBe(200);
    expect(reset.headers.get('cache-control')).toBe('no-store');
    const password = newPassword(await reset.text());
    expect(password).toMatch(/^[A-Za-z2-9]{18}$/);
    expect((await login('never', password!)).status).toBe(200);
    expect((await login('never', 'never-signed-in')).status).toBe(401);
  });

  it('refuses the same reset form posted again (a reload of the answer) in Chinese, and the shown password still works', async () => {
    const { stamp } = await resetForm('never');
    const first = newPassword(
      await (await form('/admin/users/never/reset-password', admin, { stamp, confirm: '1' })).text(),
    );
    const again = await form('/admin/users/never/reset-password', admin, { stamp, confirm: '1' });
    expect(again.status).toBe(409);
    const html = await again.text();
    expect(html).toContain('这个账号的密码已经重置过：新密码只显示一次；如需再次重置请回到用户列表');
    expect(newPassword(html)).toBeUndefined();
    expect((await login('never', first!)).status).toBe(200);
    // the list's fresh form resets again, once
    const second = newPassword(
      await (
        await form('/admin/users/never/reset-password', admin, { ...(await resetForm('never')), confirm: '1' })
      ).text(),
    );
    expect(second).toMatch(/^[A-Za-z2-9]{18}$/);
    expect((await login('never', first!)).status).toBe(401);
    expect((await login('never', second!)).status).toBe(200);
    // the answer's address opened again is the list
    const opened = await app.request('/admin/users/never/reset-password', { headers: { cookie: admin.cookie } });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/admin/users');
  });

  it('lets only one of two posts of the same reset form at once replace the password', async () => {
    const { stamp } = await resetForm('never');
    const answers = await Promise.all(
      [1, 2].map(() => form('/admin/users/never/reset-password', admin, { stamp, confirm: '1' })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const shown = newPassword(await answers.find((a) => a.status === 200)!.text());
    expect((await login('never', shown!)).status).toBe(200);
  });

  it("changes one's own password from /account/password, saying what is wrong in Chinese", async () => {
    const me = await loginAs(app, services, 'analyst', { username: 'page-self', password: 'page-password-1' });
    const page = await (await app.request('/account/password', { headers: { cookie: me.cookie } })).text();
    expect(page).toContain('当前密码');
    expect(page).toContain('href="/account/password"');
    const mismatch = await form('/account/password', me, {
      currentPassword: 'page-password-1',
      newPassword: 'page-password-2',
      confirmPassword: 'page-password-3',
    });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('两次输入的新密码不一致');
    const short = await form('/account/password', me, {
      currentPassword: 'page-password-1',
      newPassword: 'short',
      confirmPassword: 'short',
    });
    expect(await short.text()).toContain('新密码至少 10 个字符');
    const done = await form('/account/password', me, {
      currentPassword: 'page-password-1',
      newPassword: 'page-password-2',
      confirmPassword: 'page-password-2',
    });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('密码已修改');
    expect((await login('page-self', 'page-password-2')).status).toBe(200);
    expect((await app.request('/account/password')).status).toBe(303);
  });
});
