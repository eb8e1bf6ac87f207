import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createApp } from '../../server/app.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServices } from '../../server/services.js';
import { sessionCookieOf } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { sqliteDb } from '../helpers/db.js';

let db: Db;
const clock = fixedClock('2026-11-23T08:00:00Z');
const config = defaultConfig();
beforeEach(async () => {
  db = await sqliteDb();
});
afterEach(() => db.close());

const cli = (...argv: string[]) => runCommand(argv, { db, clock, config });

describe('minping user add', () => {
  it('creates the first admin with a generated strong password that logs in', async () => {
    const { code, out } = await cli('user', 'add', '--role', 'admin', 'chief');
    expect(code).toBe(0);
    const password = /密码：(\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^[A-Za-z2-9]{18}$/);
    const app = createApp({ db, config, clock });
    const res = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'chief', password }),
    });
    expect(res.status).toBe(200);
    const audit = await db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'user_add').execute();
    expect(audit).toHaveLength(1);
  });

  it('takes a given password and does not print it', async () => {
    const { code, out } = await cli('user', 'add', '--role', 'analyst', '--password', 'analyst-password', 'ana');
    expect(code).toBe(0);
    expect(out).not.toContain('analyst-password');
  });

  it('refuses an unknown role, a liaison without a department, and a department that no campaign has: exit 2, nobody added', async () => {
    expect((await cli('user', 'add', '--role', 'boss', 'x')).code).toBe(2);
    const noDept = await cli('user', 'add', '--role', 'liaison', 'li');
    expect(noDept.code).toBe(2);
    expect(noDept.err).toContain('--department');
    const unknownDept = await cli('user', 'add', '--role', 'liaison', '--department', 'D999', 'li');
    expect(unknownDept.code).toBe(2);
    expect(unknownDept.err).toContain('D999');
    expect((await cli('user', 'add', '--role', 'admin', '--department', 'D001', 'x')).code).toBe(2);
    expect((await cli('user', 'add', '--role', 'admin', '--password', 'short', 'x')).code).toBe(2);
    expect(await db.kysely.selectFrom('users').selectAll().execute()).toHaveLength(0);
  });

  it('refuses a second user with the same name', async () => {
    await cli('user', 'add', '--role', 'admin', 'chief');
    const again = await cli('user', 'add', '--role', 'admin', 'chief');
    expect(again.code).toBe(2);
    expect(again.err).toContain('已存在');
  });

  it('is listed in --help', async () => {
    const { out } = await cli('--help');
    expect(out).toContain('user add');
  });
});

describe('minping user list, disable, enable, reset-password', () => {
  const login = (password: string, username = 'ana') =>
    createApp({ db, config, clock }).request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });

  it('lists accounts with role, last sign-in and state', async () => {
    await cli('user', 'add', '--role', 'admin', 'chief');
    await cli('user', 'add', '--role', 'analyst', '--password', 'analyst-password', 'ana');
    expect((await login('analyst-password')).status).toBe(200);
    const { code, out } = await cli('user', 'list');
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toMatch(/^用户名\s+姓名\s+角色\s+部门\s+最近登录（北京时间）\s+状态$/);
    expect(lines.find((l) => l.startsWith('ana '))).toMatch(/分析人员\s+2026-11-23 16:00\s+正常$/);
    expect(lines.find((l) => l.startsWith('chief '))).toMatch(/评议办\s+从未登录\s+正常$/);
  });

  it('disables an account (its sessions end, it cannot sign in) and enables it again', async () => {
    await cli('user', 'add', '--role', 'admin', 'chief');
    await cli('user', 'add', '--role', 'analyst', '--password', 'analyst-password', 'ana');
    expect((await login('analyst-password')).status).toBe(200);
    const disabled = await cli('user', 'disable', 'ana');
    expect(disabled.code).toBe(0);
    expect(disabled.out).toContain('已停用账号 ana');
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
    expect((await login('analyst-password')).status).toBe(403);
    expect((await cli('user', 'list')).out).toMatch(/ana .*已停用/);
    expect((await cli('user', 'enable', 'ana')).code).toBe(0);
    expect((await login('analyst-password')).status).toBe(200);
    const actions = await db.kysely.selectFrom('audit_log').select(['action', 'actor']).execute();
    expect(actions).toEqual(
      expect.arrayContaining([
        { action: 'user_disable', actor: 'cli' },
        { action: 'user_enable', actor: 'cli' },
      ]),
    );
  });

  it('resets a password, printing the new one once; the old one stops working', async () => {
    await cli('user', 'add', '--role', 'analyst', '--password', 'analyst-password', 'ana');
    const { code, out } = await cli('user', 'reset-password', 'ana');
    expect(code).toBe(0);
    const password = /新密码：(\S+)/.exec(out)?.[1];
    expect(password).toMatch(/^[A-Za-z2-9]{18}$/);
    expect((await login('analyst-password')).status).toBe(401);
    expect((await login(password!)).status).toBe(200);
  });

  it('refuses an unknown user, a missing or extra name, and the last office account: exit 2 in Chinese', async () => {
    await cli('user', 'add', '--role', 'admin', 'chief');
    const unknown = await cli('user', 'disable', 'nobody');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('没有用户名为 nobody 的账号');
    expect((await cli('user', 'reset-password')).code).toBe(2);
    expect((await cli('user', 'enable', 'a', 'b')).err).toContain('用法：minping user enable USERNAME');
    const last = await cli('user', 'disable', 'chief');
    expect(last.code).toBe(2);
    expect(last.err).toContain('最后一个可用的评议办账号');
  });

  it("resets several or all of a campaign's liaisons into a one-time .csv (--out) or on the screen, ending their sessions", async () => {
    const services = createServices({ db, config, clock });
    await createTestCampaign(db, services);
    for (const code of ['D001', 'D002', 'D003'])
      await cli(
        'user',
        'add',
        '--role',
        'liaison',
        '--department',
        code,
        '--password',
        'liaison-password',
        `li-${code}`,
      );
    const before = await login('liaison-password', 'li-D003');
    const cookie = sessionCookieOf(before);

    const dir = mkdtempSync(join(tmpdir(), 'reset-'));
    const out = join(dir, 'new.csv');
    const all = await cli('user', 'reset-password', '--campaign', 'test-2026', '--all-liaisons', '--out', out);
    expect(all.code, all.err).toBe(0);
    expect(all.out).toContain('已重置 3 名联络员的密码');
    expect(all.out).toContain(`联络员的新密码写入 ${out}`);
    expect(all.out).not.toMatch(/[A-Za-z2-9]{18}/);
    const lines = readFileSync(out, 'utf8')
      .replace(/^\uFEFF/, '')
      .split('\r\n');
    expect(lines[0]).toBe('部门代码,部门,联络员,用户名,新密码');
    expect(lines[3]).toMatch(/^D003,测试部门3,li-D003,li-D003,[A-Za-z2-9]{18}$/);
    expect(lines.slice(5).join('\n')).toContain('重置密码');
    expect((await login('liaison-password', 'li-D003')).status).toBe(401);
    expect((await login(lines[3].split(',')[4], 'li-D003')).status).toBe(200);
    const app = createApp({ db, config, clock });
    expect((await app.request('/api/auth/session', { headers: { cookie } })).status).toBe(401);

    // named ones, printed with the advice when there is no --out
    const two = await cli('user', 'reset-password', '--campaign', 'test-2026', 'li-D001', 'li-D002');
    expect(two.code, two.err).toBe(0);
    expect(two.out).toMatch(
      /li-D001 {2}[A-Za-z2-9]{18} {2}测试部门1\n {2}li-D002 {2}[A-Za-z2-9]{18} {2}测试部门2\n联络员遗失密码时/,
    );
    expect(
      (await db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'liaisons_reset_password').execute())
        .length,
    ).toBe(2);
  });

  it('refuses a bulk reset without a campaign, with both --all-liaisons and names, to a non-.csv file or of a stranger: exit 2', async () => {
    const services = createServices({ db, config, clock });
    await createTestCampaign(db, services);
    await cli('user', 'add', '--role', 'liaison', '--department', 'D001', '--password', 'liaison-password', 'li-1');
    for (const [argv, says] of [
      [['--all-liaisons'], '--all-liaisons 要和 --campaign SLUG 一起用'],
      [['--campaign', 'test-2026', '--all-liaisons', 'li-1'], '二选一'],
      [['--campaign', 'test-2026'], '二选一'],
      [['--campaign', 'test-2026', '--all-liaisons', '--out', 'x.txt'], '应以 .csv 结尾'],
      [['--campaign', 'test-2026', 'someone'], '不是这次评议（test-2026）的部门联络员：someone'],
      [['--out', 'x.csv', 'li-1'], '--out 只用于 --campaign'],
    ] as [string[], string][]) {
      const run = await cli('user', 'reset-password', ...argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.err).toContain(says);
    }
    expect((await login('liaison-password', 'li-1')).status).toBe(200);
  });

  it('lists the commands in --help', async () => {
    const { out } = await cli('--help');
    for (const name of ['user list', 'user disable', 'user enable', 'user reset-password']) expect(out).toContain(name);
  });
});
