import { readFileSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { DepartmentsImported } from '../../server/contracts.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf, uploadForm } from '../helpers/sheets.js';

const db = await sqliteDb();
const deps = { db, config: defaultConfig(), clock: fixedClock('2026-10-20T08:00:00Z') };
const app = createApp(deps);
const services = createServices(deps);
let admin: LoggedIn;
let slug: string;
beforeAll(async () => {
  slug = (await createTestCampaign(db, services, { state: 'draft' })).slug;
  admin = await loginAs(app, services, 'admin');
});
afterAll(() => db.close());

const file = (rows: string[][]) => csvOf([['代码', '名称', '分组', '联络员'], ...rows]);
const upload = async (body: string, query = '') =>
  (await (
    await app.request(`/api/campaigns/${slug}/departments/import${query}`, {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(body, 'departments.csv'),
    })
  ).json()) as DepartmentsImported;
const login = (username: string, password: string) =>
  app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });

describe('liaison accounts from the department import', () => {
  it('makes one account per 联络员 with a first password given once; the liaison signs in and sees the department', async () => {
    expect(
      (await upload(file([['L01', '市住房和城乡建设局', '综合经济管理类', '张三']]), '?dryRun=1')).liaisons,
    ).toBeUndefined();
    const { liaisons } = await upload(
      file([
        ['L01', '市住房和城乡建设局', '综合经济管理类', '张三'],
        ['L02', '市交通运输局', '综合经济管理类', ''],
      ]),
    );
    expect(liaisons?.created).toEqual([
      {
        username: 'liaison-l01',
        displayName: '张三',
        departmentCode: 'L01',
        departmentName: '市住房和城乡建设局',
        password: expect.stringMatching(/^[A-Za-z2-9]{18}$/),
      },
    ]);
    const res = await login('liaison-l01', liaisons!.created[0].password);
    expect(res.status).toBe(200);
    const cookie = /minping_session=[^;]*/.exec(res.headers.get('set-cookie')!)![0];
    const page = await (await app.request('/my/results', { headers: { cookie } })).text();
    expect(page).toContain('市住房和城乡建设局');
    expect((await services.audit.list({ action: 'liaisons_provision' }))[0].detail).toEqual({
      created: ['liaison-l01'],
      updated: [],
    });
  });

  it('re-importing keeps the password, follows a new name, and leaves a username held by someone else alone', async () => {
    const first = await upload(file([['L03', '市水利局', '综合经济管理类', '王五']]));
    const password = first.liaisons!.created[0].password;
    const again = await upload(file([['L03', '市水利局', '综合经济管理类', '王五']]));
    expect(again.liaisons).toMatchObject({ created: [], updated: [] });
    const renamed = await upload(file([['L03', '市水利局', '综合经济管理类', '赵六']]));
    expect(renamed.liaisons).toMatchObject({ created: [], updated: ['liaison-l03'] });
    expect((await login('liaison-l03', password)).status).toBe(200);
    expect((await services.accounts.listAccounts()).find((u) => u.username === 'liaison-l03')?.displayName).toBe(
      '赵六',
    );

    await services.accounts.addUser({ username: 'liaison-l04', role: 'analyst', password: 'analyst-password' }, 'test');
    const taken = await upload(file([['L04', '市林业局', '综合经济管理类', '钱七']]));
    expect(taken.liaisons?.skipped).toEqual([
      { username: 'liaison-l04', departmentCode: 'L04', reason: '用户名已被其他账号使用' },
    ]);
    expect((await login('liaison-l04', 'analyst-password')).status).toBe(200);
  });

  it('writes the first passwords to --liaison-passwords-out on the command line, once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'liaisons-'));
    writeFileSync(join(dir, 'd.csv'), file([['L05', '市审计局', '综合经济管理类', '孙八']]));
    const out = join(dir, 'passwords.csv');
    const cli = (...argv: string[]) => runCommand(argv, deps);
    const run = await cli(
      'import',
      'departments',
      '--campaign',
      slug,
      '--liaison-passwords-out',
      out,
      join(dir, 'd.csv'),
    );
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('联络员账号：新建 1');
    const lines = readFileSync(out, 'utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('部门代码,部门,联络员,用户名,初始密码');
    const password = lines[1].split(',')[4];
    expect(lines[1]).toMatch(/^L05,市审计局,孙八,liaison-l05,[A-Za-z2-9]{18}$/);
    // after the accounts, a blank row and what to do when a liaison loses the password
    expect(lines[2]).toBe('');
    const advice = lines.slice(3).join('\n');
    expect(advice).toContain('本文件只提供这一次');
    expect(advice).toMatch(/联络员遗失密码时：.*“账号”页（\/admin\/users）.*点“重置密码”/);
    expect(advice).toContain('minping user reset-password 用户名');
    expect((await login('liaison-l05', password)).status).toBe(200);
    const again = await cli('import', 'departments', '--campaign', slug, join(dir, 'd.csv'));
    expect(again.out).toContain('新建 0');
    expect(again.out).not.toContain(password);
    expect(
      (await cli('import', 'departments', '--campaign', slug, '--liaison-passwords-out', 'x.txt', 'd.csv')).code,
    ).toBe(2);

    // printed instead of written: the same advice below the passwords
    writeFileSync(join(dir, 'e.csv'), file([['L06', '市统计局', '综合经济管理类', '周九']]));
    const printed = await cli('import', 'departments', '--campaign', slug, join(dir, 'e.csv'));
    expect(printed.out).toMatch(/liaison-l06 {2}[A-Za-z2-9]{18}[^\n]*\n联络员遗失密码时：[^\n]*重置密码/);
  });
});
