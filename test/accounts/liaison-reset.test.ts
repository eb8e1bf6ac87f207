import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsRepository } from '../../server/accounts/repository.js';
import { campaignsRepository } from '../../server/campaigns/repository.js';
import type { ErrorBody } from '../../server/contracts.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { officeSignedIn } from './setup.js';

const { db, app, services, admin } = await officeSignedIn();
afterAll(() => db.close());

const PASSWORD = 'liaison-first-password';
const liaisons: Record<string, LoggedIn> = {};
beforeAll(async () => {
  for (const code of ['D001', 'D002', 'D003', 'D004'])
    liaisons[code] = await loginAs(app, services, 'liaison', { departmentCode: code, password: PASSWORD });
  await services.accounts.setDisabled('liaison-d004', true, 'test');
  await loginAs(app, services, 'analyst', { username: 'ana', password: 'analyst-password' });
});

const login = (username: string, password: string) =>
  app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
const session = (who: LoggedIn) => app.request('/api/auth/session', { headers: { cookie: who.cookie } });

/** The users page's bulk-reset form as a browser posts it (several usernames: repeated fields). */
const resetForm = (fields: [string, string][], who = admin, headers: Record<string, string> = {}) =>
  app.request('/admin/users/reset-liaison-passwords', {
    method: 'POST',
    headers: who.headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html', ...headers }),
    body: new URLSearchParams([['campaign', 'test-2026'], ...fields]).toString(),
  });

/** The file's accounts (username → new password), after its header and before its blank row. */
function passwordsIn(csv: string): { header: string; rows: Map<string, string>; advice: string } {
  const lines = csv
    .replace(/^\uFEFF/, '')
    .trimEnd()
    .split('\r\n');
  const blank = lines.indexOf('');
  const rows = lines.slice(1, blank).map((l) => l.split(','));
  return {
    header: lines[0],
    rows: new Map(rows.map((r) => [r[3], r[4]])),
    advice: lines.slice(blank + 1).join('\n'),
  };
}

describe("the office resets several liaisons' passwords at once", () => {
  it('lists the newest campaign’s enabled liaisons with a box each on the users page', async () => {
    const page = await (await app.request('/admin/users', { headers: admin.headers() })).text();
    const form = page.slice(page.indexOf('id="bulk-reset-form"'));
    for (const code of ['d001', 'd002', 'd003']) expect(form).toContain(`value="liaison-${code}"`);
    expect(form).not.toContain('value="liaison-d004"');
    expect(form).toContain('测试部门1（D001）');
    expect(form).toContain('重置全部 3 名联络员的密码');
    expect(form).toContain('已停用的联络员账号不在列表里');
    expect(page).toContain('<option value="test-2026" selected');
  });

  it('gives the ticked liaisons new passwords in a one-time file; their old passwords and sessions end, the others stay', async () => {
    const res = await resetForm([
      ['usernames', 'liaison-d001'],
      ['usernames', 'liaison-d002'],
      ['confirm', '1'],
      ['scope', 'chosen'],
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('联络员新密码-test-2026.csv'));
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('x-reset-count')).toBe('2');
    const file = passwordsIn(await res.text());
    expect(file.header).toBe('部门代码,部门,联络员,用户名,新密码');
    expect([...file.rows.keys()]).toEqual(['liaison-d001', 'liaison-d002']);
    expect(file.advice).toContain('点“重置密码”');

    for (const [username, password] of file.rows) {
      expect(password).toMatch(/^[A-Za-z2-9]{18}$/);
      expect((await login(username, PASSWORD)).status).toBe(401);
      expect((await login(username, password)).status).toBe(200);
    }
    expect((await session(liaisons.D001)).status).toBe(401);
    expect((await session(liaisons.D002)).status).toBe(401);
    expect((await session(liaisons.D003)).status).toBe(200);
    expect((await login('liaison-d003', PASSWORD)).status).toBe(200);

    const [entry] = await services.audit.list({ action: 'liaisons_reset_password' });
    expect(entry).toMatchObject({
      actor: admin.username,
      campaignId: (await services.campaigns.getBySlug('test-2026')).id,
      detail: { usernames: ['liaison-d001', 'liaison-d002'], all: false },
    });
    expect(JSON.stringify(entry)).not.toContain([...file.rows.values()][0]);
  });

  it('resets every enabled liaison of the campaign with 全部, leaving a disabled account out and saying so', async () => {
    const res = await resetForm([
      ['confirm', '1'],
      ['scope', 'all'],
    ]);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-reset-count')).toBe('3');
    expect(res.headers.get('x-disabled-left-out')).toBe('1');
    const { rows } = passwordsIn(await res.text());
    expect([...rows.keys()]).toEqual(['liaison-d001', 'liaison-d002', 'liaison-d003']);
    expect((await session(liaisons.D003)).status).toBe(401);
    await services.accounts.setDisabled('liaison-d004', false, 'test');
    expect((await login('liaison-d004', PASSWORD)).status).toBe(200);
    await services.accounts.setDisabled('liaison-d004', true, 'test');
  });

  it('refuses without the tick, with nobody ticked, or for an account that is no liaison of the campaign, in Chinese, nothing reset', async () => {
    const before = await services.audit.list({ action: 'liaisons_reset_password' });
    for (const [fields, says] of [
      [[['usernames', 'liaison-d001']], '请先勾选“我知道'],
      [[['confirm', '1']], '请至少选择一名联络员'],
      [
        [
          ['usernames', 'ana'],
          ['usernames', 'nobody'],
          ['confirm', '1'],
        ],
        '不是这次评议（test-2026）的部门联络员：ana、nobody',
      ],
      [
        [
          ['usernames', 'liaison-d004'],
          ['confirm', '1'],
        ],
        '选中的联络员账号都已停用',
      ],
    ] as [[string, string][], string][]) {
      const page = await resetForm(fields);
      expect(page.status, says).toBeGreaterThanOrEqual(400);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(await page.text()).toContain(says);
      // the page's script asks for JSON and shows the message in the form
      const json = await resetForm(fields, admin, { accept: 'application/json' });
      expect(((await json.json()) as ErrorBody).error.message).toContain(says);
    }
    expect(await services.audit.list({ action: 'liaisons_reset_password' })).toEqual(before);
  });

  it('resets a liaison bound to two departments of the campaign once, its one row in the file naming both', async () => {
    const [d005] = await campaignsRepository(db.kysely).departmentsByCode('D005');
    const d003 = (await services.accounts.listUsers()).find((u) => u.username === 'liaison-d003')!;
    await accountsRepository(db.kysely).bindLiaison(d003.id, [d005!.id]);

    const page = await (await app.request('/admin/users', { headers: admin.headers() })).text();
    const form = page.slice(page.indexOf('id="bulk-reset-form"'));
    expect(form.split('value="liaison-d003"')).toHaveLength(2);
    expect(form).toContain('测试部门3（D003）、测试部门5（D005）');
    expect(form).toContain('重置全部 3 名联络员的密码');

    for (const fields of [
      [['scope', 'all']],
      [
        ['usernames', 'liaison-d003'],
        ['scope', 'chosen'],
      ],
    ] as [string, string][][]) {
      const res = await resetForm([...fields, ['confirm', '1']]);
      expect(res.status).toBe(200);
      const csv = await res.text();
      const { rows } = passwordsIn(csv);
      expect(res.headers.get('x-reset-count')).toBe(String(rows.size));
      const d003Rows = csv.split('\r\n').filter((line) => line.includes(',liaison-d003,'));
      expect(d003Rows).toEqual([
        `D003、D005,测试部门3、测试部门5,liaison-d003,liaison-d003,${rows.get('liaison-d003')}`,
      ]);
      expect((await login('liaison-d003', rows.get('liaison-d003')!)).status).toBe(200);
    }
  });

  it('is for the office only', async () => {
    const analyst = await loginAs(app, services, 'analyst', { username: 'ana', password: 'analyst-password' });
    const res = await resetForm(
      [
        ['scope', 'all'],
        ['confirm', '1'],
      ],
      analyst,
    );
    expect(res.status).toBe(403);
    expect((await app.request('/admin/users/reset-liaison-passwords', { method: 'POST' })).status).toBe(303);
  });
});
