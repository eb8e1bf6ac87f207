import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { resultsSetup } from '../results/helpers.js';

const PASSWORD = 'users-page-password';

describe.skipIf(!browserAvailable())('the users page, as the office clicks it', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const { services, deps } = await resultsSetup(db, { records: false });
      for (const [username, role] of [
        ['office', 'admin'],
        ['analyst', 'analyst'],
      ] as const)
        await services.accounts.addUser({ username, role, password: PASSWORD }, 'test');
      await services.accounts.addUser(
        { username: 'liaison-with-a-long-username-d001', role: 'liaison', departmentCode: 'D001', password: PASSWORD },
        'test',
      );
      return createApp(deps);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  /** A liaison signs in with the password from a reset's file and lands on its own page. */
  async function expectLiaisonSignsIn(username: string, password: string) {
    const liaison = await (await stage.browser.newContext({ locale: 'zh-CN' })).newPage();
    await signIn(liaison, stage.url, username, password);
    expect(new URL(liaison.url()).pathname).toBe('/my');
    await liaison.context().close();
  }

  it('disables an account whose open session then fails, and resets its password once enabled again', async () => {
    const analystContext = await stage.browser.newContext({ locale: 'zh-CN' });
    const analyst = await analystContext.newPage();
    await signIn(analyst, stage.url, 'analyst', PASSWORD);

    const officeContext = await stage.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
    const office = await officeContext.newPage();
    const problems = pageProblems(office);
    await signIn(office, stage.url, 'office', PASSWORD);
    await office.getByRole('link', { name: '账号', exact: true }).click();
    await office.waitForURL(/\/admin\/users$/);
    const row = office.locator('#user-list tr[data-username="analyst"]');
    expect(await row.innerText()).toContain('正常');
    // 停用 first says the sessions end at once; only the confirming button disables
    const disableStep = row.locator('details[data-action="disable"]');
    await disableStep.locator('summary').click();
    expect(await disableStep.locator('form').innerText()).toContain('已登录的会话立即结束');
    await disableStep.getByRole('button', { name: '确认停用' }).click();
    await office.getByText('已停用账号 analyst').waitFor();
    expect(new URL(office.url()).pathname).toBe('/admin/users');
    expect(await office.locator('#user-list tr[data-username="analyst"]').innerText()).toContain('已停用');

    // the analyst's open page: the next request is signed out
    await analyst.goto(`${stage.url}/dashboard`);
    expect(new URL(analyst.url()).pathname).toBe('/login');
    await analyst.getByLabel('用户名').fill('analyst');
    await analyst.getByLabel('密码').fill(PASSWORD);
    await analyst.getByRole('button', { name: '登录' }).click();
    await analyst.getByText('账号已停用，请联系评议办').waitFor();

    await office.locator('#user-list tr[data-username="analyst"]').getByRole('button', { name: '启用' }).click();
    await office.getByText('已启用账号 analyst').waitFor();
    // 重置密码 first says what it does; nothing happens until it is confirmed
    const resetStep = office.locator('#user-list tr[data-username="analyst"] details[data-action="reset-password"]');
    await resetStep.locator('summary').click();
    expect(await resetStep.locator('form').innerText()).toContain('新密码只在下一页显示这一次');
    expect(await office.locator('#new-password').count()).toBe(0);
    await resetStep.getByRole('button', { name: '确认重置' }).click();
    const password = await office.locator('#new-password code').innerText();
    expect(password).toMatch(/^[A-Za-z2-9]{18}$/);
    // a reload posts the form again: refused, and the password just shown still works
    await office.reload();
    await office.getByText('这个账号的密码已经重置过：新密码只显示一次').waitFor();
    expect(await office.locator('#new-password').count()).toBe(0);

    await signIn(analyst, stage.url, 'analyst', password);
    // and changes it to one of their own
    await analyst.getByRole('link', { name: '修改密码' }).click();
    await analyst.getByLabel('当前密码').fill(password);
    await analyst.getByLabel('新密码（至少 10 个字符）').fill('my-own-new-password');
    await analyst.getByLabel('再输入一次新密码').fill('my-own-new-password');
    await analyst.getByRole('button', { name: '修改密码' }).click();
    await analyst.getByText('密码已修改').waitFor();
    // the one refusal: the reload's
    expect(problems).toEqual([`409 ${stage.url}/admin/users/analyst/reset-password`]);
    await analystContext.close();
    await officeContext.close();
  }, 90_000);

  it("fits a 390 px phone: every account's name, state and buttons on screen, nothing scrolled sideways", async () => {
    const context = await stage.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
    });
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/users`);
    const layout = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      wraps: [...document.querySelectorAll('#accounts .table-wrap')].map((w) => w.scrollWidth - w.clientWidth),
      outside: [...document.querySelectorAll('#user-list button, #user-list td')]
        .map((e) => ({ text: e.textContent?.trim(), rect: e.getBoundingClientRect() }))
        .filter(({ rect }) => rect.left < 0 || rect.right > 390)
        .map((e) => e.text),
    }));
    expect(layout.page).toBeLessThanOrEqual(390);
    expect(layout.wraps.every((overflow) => overflow <= 0)).toBe(true);
    expect(layout.outside).toEqual([]);
    // each value says what it is: the column heads travel with the cells
    const liaison = page.locator('#user-list tr[data-username="liaison-with-a-long-username-d001"]');
    expect(await liaison.innerText()).toMatch(/角色\s*部门联络员/);
    for (const name of ['停用…', '重置密码…']) {
      const box = (await liaison.locator('summary', { hasText: name }).boundingBox())!;
      expect(box.height).toBeGreaterThanOrEqual(44);
    }

    // a row the form adds reads the same way
    await page.getByLabel('用户名', { exact: true }).fill('new-analyst');
    await page.locator('#add-user select[name="role"]').selectOption('analyst');
    await page.getByRole('button', { name: '添加', exact: true }).click();
    await page.getByText('已添加 new-analyst').waitFor();
    expect(await page.locator('#user-list tbody tr').last().innerText()).toMatch(/角色\s*分析人员/);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
    await context.close();
  }, 90_000);

  it("resets a ticked liaison's password from a phone into a downloaded one-time file, and the liaison signs in with it", async () => {
    const context = await stage.browser.newContext({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/users`);
    const form = page.locator('#bulk-reset-form');
    await form.getByLabel(/liaison-with-a-long-username-d001/).check();
    await form.getByLabel(/我知道/).check();
    const download = page.waitForEvent('download');
    await form.getByRole('button', { name: '重置勾选的联络员密码' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^联络员新密码-.+\.csv$/);
    const lines = (await readFile((await file.path())!, 'utf8')).replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('部门代码,部门,联络员,用户名,新密码');
    const [, , , username, password] = lines[1].split(',');
    expect(username).toBe('liaison-with-a-long-username-d001');
    expect(lines.slice(3).join('\n')).toContain('重置密码');
    await form.getByText('已重置 1 名联络员的密码，新密码文件已下载').waitFor();
    expect(await form.getByLabel(/我知道/).isChecked()).toBe(false);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);

    await expectLiaisonSignsIn(username, password);
    await context.close();
  }, 90_000);

  it("resets every liaison's password with the reset-all button, whose choice reaches the server with the form", async () => {
    const context = await stage.browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/users`);
    const form = page.locator('#bulk-reset-form');
    await form.getByLabel(/我知道/).check();
    const download = page.waitForEvent('download');
    await form.getByRole('button', { name: /重置全部 1 名联络员的密码/ }).click();
    const lines = (await readFile((await (await download).path())!, 'utf8')).replace(/^\uFEFF/, '').split('\r\n');
    const [, , , username, password] = lines[1].split(',');
    expect(username).toBe('liaison-with-a-long-username-d001');
    await form.getByText('已重置 1 名联络员的密码，新密码文件已下载').waitFor();
    expect(problems).toEqual([]);

    await expectLiaisonSignsIn(username, password);
    await context.close();
  }, 90_000);
});
