import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createApp } from '../../server/app.js';
import { runCommand } from '../helpers/cli.js';
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
    expect(noDept.err).toContain('departmentCode');
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
