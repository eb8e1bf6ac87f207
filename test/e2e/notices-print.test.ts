import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, browserStage, type BrowserStage, pdfPages } from '../helpers/browser.js';
import { office, publishedSetup } from '../notices/helpers.js';

describe.skipIf(!browserAvailable())('the print page of the notices in Chromium', () => {
  let stage: BrowserStage;
  let page: Page;
  let sheetIds: string[];

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const ctx = await publishedSetup(db);
      for (const sheet of await ctx.services.notices.sheets('test-2026'))
        await ctx.services.notices.issueSheet('test-2026', sheet.id, office);
      sheetIds = (await ctx.services.notices.sheets('test-2026')).map((s) => s.id);
      await ctx.services.accounts.addUser(
        { username: 'office', role: 'admin', password: 'office-password-1', displayName: '评议办' },
        'test',
      );
      return ctx.app;
    });
    page = await stage.browser.newPage();
    await page.goto(`${stage.url}/admin/campaigns/test-2026/notices`);
    await page.getByLabel('用户名').fill('office');
    await page.getByLabel('密码').fill('office-password-1');
    await page.getByRole('button', { name: '登录' }).click();
    await page.getByRole('heading', { name: /工作提示单/ }).waitFor();
  });
  afterAll(() => stage?.close());

  it('prints on A4 with the 156 mm text block, every sheet starting on a new page', async () => {
    const print = async (path: string) => {
      await page.goto(`${stage.url}${path}`);
      return page.pdf({ preferCSSPageSize: true });
    };
    let separately = 0;
    for (const id of sheetIds) separately += pdfPages(await print(`/admin/campaigns/test-2026/notices/${id}/print`));
    const together = await print('/admin/campaigns/test-2026/notices/print');
    expect(pdfPages(together)).toBe(separately);
    expect(separately).toBeGreaterThanOrEqual(sheetIds.length);
    // A4 in points (595.28 × 841.89), as Chromium rounds it
    const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(together.toString('latin1'));
    expect(Number(box?.[1])).toBeCloseTo(595.3, 0);
    expect(Number(box?.[2])).toBeCloseTo(841.9, 0);

    await page.emulateMedia({ media: 'print' });
    const widths = await page.$$eval('article.notice', (articles) =>
      articles.map((a) => a.getBoundingClientRect().width),
    );
    // 156 mm at 96 CSS pixels per inch
    for (const width of widths) expect(width).toBeCloseTo((156 / 25.4) * 96, 0);
    expect(await page.locator('.print-hint').isVisible()).toBe(false);
    await page.emulateMedia({ media: 'screen' });
  });

  it('shows a sheet on screen with its number, addressee and date, and links to the print and Word versions', async () => {
    await page.goto(`${stage.url}/admin/campaigns/test-2026/notices/${sheetIds[2]}`);
    const notice = page.locator('article.notice');
    await expect(notice.locator('.serial').textContent()).resolves.toBe('评议提示〔2026〕第003号');
    await expect(notice.locator('.addressee').textContent()).resolves.toBe('测试部门2：');
    await expect(notice.locator('.signature.date').textContent()).resolves.toBe('2027年1月5日');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: '下载 Word 文档（.docx）' }).click();
    expect((await download).suggestedFilename()).toBe('评议提示〔2026〕第003号 测试部门2.docx');
  });
});
