/** The office prepares a draft campaign from its page on a 390 px phone. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

const PASSWORD = 'campaign-page-password';
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, acceptDownloads: true };

describe.skipIf(!browserAvailable())('the campaign page on a 390 px phone', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = {
        db,
        config: { ...defaultConfig(), publicUrl: 'https://minping.example.gov.cn' },
        clock: fixedClock('2026-10-20T08:00:00Z'),
      };
      const services = createServices(deps);
      await createTestCampaign(db, services, { state: 'draft', departments: 0 });
      await services.accounts.addUser({ username: 'office', role: 'admin', password: PASSWORD }, 'test');
      return createApp(deps, services);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('redraws what is still missing before opening after each import and the links, without a reload', async () => {
    const page = await stage.browser.newPage(PHONE);
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/test-2026`);
    const missing = page.locator('#readiness');
    expect(await missing.innerText()).toContain('还没有部门');
    expect(await missing.innerText()).toContain('还没有评议代表');
    // the page is never loaded again: a reload would reset this marker
    await page.evaluate(() => {
      (window as unknown as { stayed: boolean }).stayed = true;
    });

    const departments = page.locator('form.import').nth(0);
    await departments.locator('input[type="file"]').setInputFiles({
      name: '部门.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        csvOf([
          ['部门代码', '部门名称', '部门分组'],
          ['D001', '市发展和改革委员会', 'economic'],
          ['D002', '市公安局', 'enforcement'],
        ]),
      ),
    });
    await departments.getByRole('button', { name: '上传' }).click();
    await departments.locator('.result .ok').first().waitFor();
    await expect.poll(() => missing.innerText()).not.toContain('还没有部门');
    expect(await missing.innerText()).toContain('还没有评议代表');
    expect(await page.locator('#campaign-facts').innerText()).toContain('2 个');

    const roster = page.locator('form.import').nth(1);
    await roster.locator('input[type="file"]').setInputFiles({
      name: '代表.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        csvOf([
          ['姓名', '单位/项目', '代表类别'],
          ['王建国', '某建设集团', 'project'],
          ['陈明', '', 'public'],
        ]),
      ),
    });
    await roster.getByRole('button', { name: '上传' }).click();
    await roster.locator('.result .ok').first().waitFor();
    await expect.poll(() => missing.innerText()).toBe('');
    expect(await page.locator('#to-invite').innerText()).toBe('2');

    const download = page.waitForEvent('download');
    await page.locator('#invitations').getByRole('button', { name: '生成并下载' }).click();
    await download;
    await page.locator('#invitations .result .ok').first().waitFor();
    await expect.poll(() => page.locator('#to-invite').innerText()).toBe('0');
    expect(await page.locator('#campaign-facts').innerText()).toContain('已邀请 2 人');

    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);
});
