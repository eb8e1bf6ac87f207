import type { ErrorBody } from '../../server/contracts.js';
import { afterAll, describe, expect, it } from 'vitest';
import { accountsRepository } from '../../server/accounts/repository.js';
import { hashPassword } from '../../server/accounts/password.js';
import { loginAs } from '../helpers/auth.js';
import { officeSignedIn } from './setup.js';

const { db, app, services, admin } = await officeSignedIn();
afterAll(() => db.close());

const addUser = (body: unknown, headers = admin.headers({ 'content-type': 'application/json' })) =>
  app.request('/api/users', { method: 'POST', headers, body: JSON.stringify(body) });

describe('accounts over HTTP', () => {
  it('refuses a bad role, a wrong type, an unknown field or an array body in Chinese, naming the field in Chinese', async () => {
    for (const [body, field, says] of [
      [
        { username: 'x1', role: 'boss' },
        '角色',
        '应为 admin（评议办）、analyst（分析人员）、liaison（部门联络员） 之一',
      ],
      [{ username: 7, role: 'admin' }, '用户名', '应为文字'],
      [{ role: 'admin' }, '用户名', '必填'],
      [{ username: 'x2', role: 'admin', extra: 1 }, undefined, '不认识的字段：extra'],
      [[{ username: 'x3', role: 'admin' }], undefined, '应为 JSON 对象'],
    ] as [unknown, string | undefined, string][]) {
      const res = await addUser(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.message, JSON.stringify(body)).toContain(`添加账号：${field ?? ''}${says}`);
      expect(error.details?.[0]).toEqual({ ...(field ? { field } : {}), message: expect.stringContaining(says) });
    }
  });

  it("names the 添加账号 form's fields in the office's words in every refusal of the service", async () => {
    for (const [body, field, says] of [
      [{ username: 'a', role: 'analyst' }, '用户名', '应为 2–64 个字母、数字或 _ . @ -'],
      [{ username: 'li-y', role: 'liaison' }, '部门代码', '必填：部门联络员要填所属部门的代码'],
      [{ username: 'an-y', role: 'analyst', departmentCode: 'D001' }, '部门代码', '只有部门联络员要填'],
      [{ username: 'li-y', role: 'liaison', departmentCode: 'D999' }, '部门代码', '没有这个部门代码'],
      [{ username: 'an-y', role: 'analyst', displayName: '名'.repeat(101) }, '姓名', '最多 100 个字'],
      [{ username: 'an-y', role: 'analyst', password: 'short' }, '密码', '至少 10 个字符'],
    ] as const) {
      const res = await addUser(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.details?.[0], JSON.stringify(body)).toMatchObject({ field, message: expect.stringContaining(says) });
      expect(error.message).not.toMatch(/username|departmentCode|displayName|password|role|--/);
    }
    const { error } = (await (await addUser({ username: 'li-y', role: 'liaison' })).json()) as ErrorBody;
    expect(error.message).toBe('添加账号：部门代码必填：部门联络员要填所属部门的代码');
  });

  it('lets the office add a liaison with a generated password shown once, which logs in', async () => {
    const res = await addUser({
      username: 'li-d001',
      role: 'liaison',
      departmentCode: 'D001',
      displayName: '联络员甲',
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: { role: string; departmentCode: string }; password: string };
    expect(body.user).toMatchObject({ role: 'liaison', departmentCode: 'D001' });
    expect(body.password).toMatch(/^[A-Za-z2-9]{18}$/);
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'li-d001', password: body.password }),
    });
    expect(login.status).toBe(200);
    const list = (await (await app.request('/api/users', { headers: admin.headers() })).json()) as {
      users: { username: string }[];
    };
    expect(list.users.map((u) => u.username)).toContain('li-d001');
    expect(JSON.stringify(list)).not.toContain('scrypt');
  });

  it('rejects a liaison without a known department and unknown fields with 422, nobody added', async () => {
    const before = (await services.accounts.listUsers()).length;
    expect((await addUser({ username: 'li-x', role: 'liaison' })).status).toBe(422);
    expect((await addUser({ username: 'li-x', role: 'liaison', departmentCode: 'D999' })).status).toBe(422);
    expect((await addUser({ username: 'li-x', role: 'analyst', admin: true })).status).toBe(422);
    expect((await services.accounts.listUsers()).length).toBe(before);
  });

  it('adds a user once when the same username is posted twice at once: the second gets 409 CONFLICT', async () => {
    const before = (await services.accounts.listUsers()).length;
    const results = await Promise.all([1, 2].map(() => addUser({ username: 'twice', role: 'analyst' })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const refused = (await results.find((r) => r.status === 409)!.json()) as ErrorBody;
    expect(refused.error.code).toBe('CONFLICT');
    expect((await services.accounts.listUsers()).length).toBe(before + 1);
  });

  it('refuses a username that differs from an existing one only in letter case, with 409 naming both', async () => {
    expect((await addUser({ username: 'wang-office', role: 'analyst' })).status).toBe(201);
    const res = await addUser({ username: 'WANG-Office', role: 'analyst' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.message).toBe(
      '已有账号 wang-office，与 WANG-Office 只差字母大小写，请换一个用户名',
    );
    expect((await services.accounts.listUsers()).map((u) => u.username)).not.toContain('WANG-Office');
  });

  it('takes a full-width username as its plain form: a look-alike is refused with 409 and signs in to the account', async () => {
    const first = await addUser({ username: 'ana1', role: 'analyst', password: 'correct horse battery' });
    expect(first.status).toBe(201);
    const twin = await addUser({ username: 'ａｎａ１', role: 'analyst' });
    expect(twin.status).toBe(409);
    expect(((await twin.json()) as ErrorBody).error.message).toBe('用户 ana1 已存在');
    const admin = await addUser({ username: 'ＡＤＭＩＮ－ＵＳＥＲ', role: 'admin' });
    expect(admin.status).toBe(409);
    expect(((await admin.json()) as ErrorBody).error.message).toContain('已有账号 admin-user');
    const fresh = await addUser({ username: 'ｂｅｎ２', role: 'analyst' });
    expect(fresh.status).toBe(201);
    expect(((await fresh.json()) as { user: { username: string } }).user.username).toBe('ben2');
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: ' ａｎａ１ ', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);
    const usernames = (await services.accounts.listUsers()).map((u) => u.username);
    expect(usernames.filter((u) => u.normalize('NFKC').toLowerCase() === 'ana1')).toEqual(['ana1']);
  });

  it('still signs in an account stored with a full-width username before usernames were normalised', async () => {
    await accountsRepository(db.kysely).insertUser({
      username: 'ｏｌｄ３',
      displayName: '旧账号',
      passwordHash: await hashPassword('correct horse battery'),
      role: 'analyst',
      departmentCode: null,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ｏｌｄ３', password: 'correct horse battery' }),
    });
    expect(login.status).toBe(200);
  });

  it('is for the office only, with the CSRF token', async () => {
    const analyst = await loginAs(app, services, 'analyst');
    expect(
      (await addUser({ username: 'x1', role: 'admin' }, analyst.headers({ 'content-type': 'application/json' })))
        .status,
    ).toBe(403);
    expect(
      (await addUser({ username: 'x1', role: 'admin' }, { cookie: admin.cookie, 'content-type': 'application/json' }))
        .status,
    ).toBe(403);
    expect((await app.request('/api/users')).status).toBe(401);
    expect((await services.accounts.listUsers()).map((u) => u.username)).not.toContain('x1');
  });

  it("shows the accounts on the office's users page with a form to add one", async () => {
    const html = await (await app.request('/admin/users', { headers: { cookie: admin.cookie } })).text();
    expect(html).toContain('id="add-user"');
    expect(html).toContain('li-d001');
  });
});
