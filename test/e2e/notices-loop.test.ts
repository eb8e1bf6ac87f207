/**
 * The loop of a follow-up notice in a real browser (issue 7, "Done means"): a verified report
 * becomes an item on a sheet the office issues; the department's liaison, on a phone, signs in,
 * signs for the sheet, files the plan and responds with an evidence file; a second office user
 * closes it, while the one who entered a response from paper is refused closing that one; the
 * department then sees 已销号.
 *
 * The office verifies the reports through the verification queue's HTTP API from its browser
 * session, then edits and issues the sheet on its page; at the end it reads the ledger (台账):
 * both items closed on time in the quarter's reconciliation statement.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { verifiedNegatives } from '../notices/helpers.js';
import { PDF } from '../portal/helpers.js';
import { resultsSetup } from '../results/helpers.js';

const PASSWORD = 'notices-loop-password';
const PHONE = { width: 390, height: 844 };

describe.skipIf(!browserAvailable())('a notice from issue to close-out, the liaison on a phone', () => {
  let stage: BrowserStage;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  let items: { id: string; number: string }[];

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      ctx = await resultsSetup(db, { records: false });
      for (const [username, displayName, role, departmentCode] of [
        ['office-wang', '王审核', 'admin', undefined],
        ['office-li', '李复核', 'admin', undefined],
        ['liaison-d001', '张联络', 'liaison', 'D001'],
      ] as const)
        await ctx.services.accounts.addUser(
          { username, displayName, role, departmentCode, password: PASSWORD },
          'test',
        );
      // an evaluator reported two situations at D001, with a phone number in the text
      await verifiedNegatives(db, ctx.services, ctx.campaign, 'D001', 2);
      return ctx.app;
    });
  }, 60_000);
  afterAll(() => stage?.close());

  /** Readable and tappable on the phone: nothing wider than the screen, large type, big buttons. */
  async function expectPhoneFriendly(page: Page, where: string) {
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${where}: no sideways scrolling`).toBeLessThanOrEqual(PHONE.width);
    expect(await page.locator('main').evaluate((m) => getComputedStyle(m).fontSize), where).toBe('20px');
    for (const target of await page.locator('main .button, main button').all()) {
      const box = (await target.boundingBox())!;
      expect(box.height, `${where}: tap target`).toBeGreaterThanOrEqual(56);
      expect(box.x + box.width, `${where}: inside the screen`).toBeLessThanOrEqual(PHONE.width);
    }
  }

  it('the office verifies the reports (a draft sheet for the department), reads it on its page and issues it', async () => {
    const context = await stage.browser.newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office-wang', PASSWORD);
    const { csrfToken } = (await (await page.request.get(`${stage.url}/api/auth/session`)).json()) as {
      csrfToken: string;
    };
    const queue = (await (
      await page.request.get(`${stage.url}/api/campaigns/test-2026/negatives?department=D001&state=pending`)
    ).json()) as { items: { id: string }[] };
    expect(queue.items).toHaveLength(2);
    for (const report of queue.items) {
      const verified = await page.request.post(`${stage.url}/api/campaigns/test-2026/negatives/${report.id}/verify`, {
        headers: { 'X-CSRF-Token': csrfToken },
        data: { reason: '电话核实属实' },
      });
      expect(verified.status()).toBe(200);
    }
    await page.goto(`${stage.url}/admin/campaigns/test-2026/notices`);
    await page.getByRole('link', { name: '评议提示〔2026〕第001号' }).click();
    const sheetUrl = page.url();
    expect(await page.locator('main').innerText()).toContain('测试部门1');
    // the office edits the draft on its page (a period out of range is refused in test/notices/draft-pages.test.ts;
    // here the browser's own min/max check would stop it before it is sent)
    await page.getByLabel('001-01 整改要求').fill('限期办结积压件并书面说明原因');
    await page.getByLabel(/^001-01 反馈期限/).fill('20');
    await page.getByRole('button', { name: '保存 001-01' }).click();
    expect(await page.getByRole('status').innerText()).toContain('已保存事项的整改要求和反馈期限');
    await page.getByLabel('工作要求').fill('请对照所列问题立行立改，按期反馈。');
    await page.getByRole('button', { name: '保存工作要求' }).click();
    expect(await page.locator('article.notice').innerText()).toContain('请对照所列问题立行立改，按期反馈。');
    await page.getByLabel('我已核对以上内容，确认印发（印发后不能撤回）').check();
    await page.getByRole('button', { name: '印发工作提示单' }).click();
    expect(await page.getByRole('status').innerText()).toContain('工作提示单已印发');
    expect(await page.locator('#draft-editor').count()).toBe(0);
    const issued = (await (await page.request.get(sheetUrl.replace('/admin/', '/api/'))).json()) as {
      items: { id: string; number: string; state: string; requirement: string; respondDays: number }[];
    };
    expect(issued.items.map((i) => i.state)).toEqual(['registered', 'registered']);
    expect(issued.items[0]).toMatchObject({ requirement: '限期办结积压件并书面说明原因', respondDays: 20 });
    items = issued.items.map((i) => ({ id: i.id, number: i.number }));
    await page.reload();
    expect(await page.locator('main').innerText()).toContain('001-02');
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);

  it('the liaison signs for the sheet, files the plans and responds with evidence, on a phone', async () => {
    const context = await stage.browser.newContext({ viewport: PHONE, locale: 'zh-CN', javaScriptEnabled: false });
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'liaison-d001', PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/my');
    const main = page.locator('main');
    await expect.poll(() => main.innerText()).toContain('需要办理（2 项）');
    expect(await main.innerText()).toContain('还剩 2 个工作日');
    await expectPhoneFriendly(page, '/my');

    await page.getByRole('link', { name: /评议提示〔2026〕第001号/ }).click();
    await expectPhoneFriendly(page, 'sheet');
    await page.getByRole('button', { name: '签收', exact: true }).click();
    expect(await page.getByRole('status').innerText()).toContain('已签收');

    for (const item of items) {
      await page.getByRole('link', { name: new RegExp(item.number) }).click();
      expect(await page.locator('.state-line').innerText()).toContain('已签收');
      // the department reads the report as the office redacted it
      expect(await main.innerText()).toContain('施工许可拖了三个月');
      expect(await main.innerText()).not.toContain('13800138000');
      await page.getByRole('link', { name: '提交整改方案' }).click();
      await expectPhoneFriendly(page, 'plan');
      await page.getByLabel('整改措施').fill('建立限时办结台账，积压件逐件销号');
      await page.getByLabel('责任人').fill('王科长');
      await page.getByLabel('计划完成日期').fill('2027-01-20');
      await page.getByRole('button', { name: '提交整改方案' }).click();
      expect(await page.getByRole('status').innerText()).toContain('整改方案已提交');
      await page.getByRole('link', { name: '评议提示〔2026〕第001号' }).click();
    }

    await page.getByRole('link', { name: new RegExp(items[0].number) }).click();
    await page.getByRole('link', { name: '反馈整改情况' }).click();
    await expectPhoneFriendly(page, 'respond');
    // a refused file keeps what was typed
    await page.getByLabel('整改情况说明').fill('3 件积压件已全部办结，附办结清单');
    await page
      .getByLabel('证明材料（可选多个）')
      .setInputFiles({ name: '照片.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a pdf at all') });
    await page.getByRole('button', { name: '反馈整改情况' }).click();
    expect(await page.getByRole('alert').innerText()).toContain('不是 PDF、图片');
    expect(await page.getByLabel('整改情况说明').inputValue()).toBe('3 件积压件已全部办结，附办结清单');
    await page
      .getByLabel('证明材料（可选多个）')
      .setInputFiles({ name: '办结清单.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF) });
    await page.getByRole('button', { name: '反馈整改情况' }).click();
    expect(await page.getByRole('status').innerText()).toContain('等待评议办核验');
    expect(await page.locator('.state-line').innerText()).toContain('核验中');
    expect(await main.innerText()).toContain('办结清单.pdf');
    await expectPhoneFriendly(page, 'item');
    // the first response was refused: a 415 page, shown to the person as a form to correct
    expect(problems.filter((p) => !p.startsWith('415 '))).toEqual([]);
    await context.close();
  }, 90_000);

  it('whoever entered a response is offered no 销号; a second office user closes both, and the department sees 已销号', async () => {
    const wang = await stage.browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    const wangPage = await wang.newPage();
    await signIn(wangPage, stage.url, 'office-wang', PASSWORD);
    // the second item's answer came on paper: office-wang enters it
    await wangPage.goto(`${stage.url}/admin/closeout/items/${items[1].id}`);
    await wangPage.getByLabel('整改情况说明').fill('纸质反馈：已整改到位');
    await wangPage
      .getByLabel('证明材料（扫描件）')
      .setInputFiles({ name: '扫描件.pdf', mimeType: 'application/pdf', buffer: Buffer.from(PDF) });
    await wangPage.getByRole('button', { name: '录入反馈' }).click();
    expect(await wangPage.getByRole('status').innerText()).toContain('已代部门录入反馈');
    // no 销号 for the one who entered it (a forged post is refused: test/portal/closeout-pages.test.ts)
    expect(await wangPage.getByRole('button', { name: '核验通过，销号' }).count()).toBe(0);
    expect(await wangPage.locator('section.next').innerText()).toContain('由另一位评议办人员销号');
    expect(await wangPage.locator('.state-line').innerText()).toContain('核验中');
    await wang.close();

    const li = await stage.browser.newContext({ locale: 'zh-CN', acceptDownloads: true });
    const liPage = await li.newPage();
    const problems = pageProblems(liPage);
    await signIn(liPage, stage.url, 'office-li', PASSWORD);
    await liPage.getByRole('link', { name: '核验销号' }).click();
    for (const item of items) {
      await liPage.getByRole('link', { name: new RegExp(item.number) }).click();
      if (item === items[0]) {
        expect(await liPage.locator('section.response').innerText()).toContain('3 件积压件已全部办结');
        const [download] = await Promise.all([
          liPage.waitForEvent('download'),
          liPage.getByRole('link', { name: '办结清单.pdf' }).click(),
        ]);
        expect(new Uint8Array(readFileSync((await download.path())!))).toEqual(PDF);
      }
      await liPage.getByRole('button', { name: '核验通过，销号' }).click();
      expect(await liPage.getByRole('status').innerText()).toContain('已销号');
      expect(await liPage.locator('.state-line').innerText()).toContain('已销号');
      await liPage.getByRole('link', { name: '← 核验销号' }).click();
    }
    expect(await liPage.locator('main').innerText()).toContain('没有待核验的反馈。');
    expect(problems).toEqual([]);
    await li.close();

    const phone = await stage.browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    const page = await phone.newPage();
    await signIn(page, stage.url, 'liaison-d001', PASSWORD);
    expect(await page.locator('main').innerText()).toContain('目前没有需要办理的事项');
    expect(await page.locator('main').innerText()).toContain('共 2 项，已销号 2 项');
    await page.getByRole('link', { name: /评议提示〔2026〕第001号/ }).click();
    await page.getByRole('link', { name: new RegExp(items[0].number) }).click();
    expect(await page.locator('.state-line').innerText()).toContain('已销号');
    expect(await page.locator('ol.history').innerText()).toContain('李复核 销号');
    await phone.close();
  }, 90_000);

  it('the office opens the ledger from the campaign page and sees both items closed on time', async () => {
    const context = await stage.browser.newContext({ viewport: PHONE, locale: 'zh-CN', javaScriptEnabled: false });
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office-li', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/test-2026`);
    await page.getByRole('link', { name: '台账与对账单' }).click();
    expect(await page.locator('h1').innerText()).toContain('工作提示单台账');
    const statement = page.locator('#statement');
    expect(await statement.locator('h2').innerText()).toBe('对账单（2027年第一季度）');
    // 部门, 期初未办结, 本期挂号, 回头看, 本期销号, 其中按期, 其中逾期, 撤销, 期末未办结, 其中逾期, 对账
    const row = await statement.locator('tbody tr').first().locator('td').allInnerTexts();
    expect(row).toEqual(['测试部门1', '0', '2', '0', '2', '2', '0', '0', '0', '0', '相符']);
    expect(await page.locator('#circulation').innerText()).toContain('期末没有逾期未办结的事项');
    const settlement = await page.locator('#settlement tbody tr').first().locator('td').allInnerTexts();
    expect(settlement).toEqual(['测试部门1', '2', '0', '0', '0']);
    // another period through the plain form
    await page.getByLabel('对账起始日期').fill('2027-04-01');
    await page.getByLabel('对账截止日期').fill('2027-06-30');
    await page.getByRole('button', { name: '查看对账单' }).click();
    expect(await statement.locator('h2').innerText()).toBe('对账单（2027年第二季度）');
    // phone: the page itself never scrolls sideways (wide tables scroll in their own box)
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
