/** The office prepares a draft campaign from its page on a 390 px phone. */
import type { Locator } from 'playwright-core';
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

/** Choose a CSV of these rows in an import form and press 上传. */
async function uploadCsv(form: Locator, name: string, rows: string[][]) {
  await form
    .locator('input[type="file"]')
    .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csvOf(rows)) });
  await form.getByRole('button', { name: '上传' }).click();
}

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
      const open = await createTestCampaign(db, services, { slug: 'open-2026', overrides: { mode: 'named' } });
      const roster = csvOf([
        ['姓名', '单位/项目', '代表类别'],
        ['王建国', '宁波轨道交通集团有限公司3号线二期工程项目管理部', 'project'],
        ['李四', '宁波轨道交通集团有限公司3号线二期工程项目管理部', 'project'],
      ]);
      const importRoster = (campaign: typeof open) =>
        services.roster.importEvaluators(
          campaign,
          { bytes: new TextEncoder().encode(roster), filename: 'r.csv' },
          { actor: 'test' },
        );
      await importRoster(open);
      await createTestCampaign(db, services, { slug: 'published-2026', state: 'published' });
      const ready = await createTestCampaign(db, services, { slug: 'ready-2026', state: 'draft' });
      await importRoster(ready);
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
    await uploadCsv(departments, '部门.csv', [
      ['部门代码', '部门名称', '部门分组'],
      ['D001', '市发展和改革委员会', 'economic'],
      ['D002', '市公安局', 'enforcement'],
    ]);
    await departments.locator('.result .ok').first().waitFor();
    await expect.poll(() => missing.innerText()).not.toContain('还没有部门');
    expect(await missing.innerText()).toContain('还没有评议代表');
    expect(await page.locator('#campaign-facts').innerText()).toContain('2 个');

    const roster = page.locator('form.import').nth(1);
    await uploadCsv(roster, '代表.csv', [
      ['姓名', '单位/项目', '代表类别'],
      ['王建国', '某建设集团', 'project'],
      ['陈明', '', 'public'],
    ]);
    await roster.locator('.result .ok').first().waitFor();
    // nothing stops it opening now; what is left is the note that so small an anonymous roster is recognisable
    await expect.poll(() => page.locator('#opening-problems').count()).toBe(0);
    expect(await missing.innerText()).toMatch(/^开启前请注意：\s+“项目参建单位\/服务对象代表”只有 1 名评议代表/);
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

  it('says what opening and pausing will do and asks to confirm, by touch and by keyboard', async () => {
    const page = await stage.browser.newPage(PHONE);
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/ready-2026`);
    const status = page.locator('#campaign-status');

    // a tap unfolds what opening does; nothing has happened yet
    await page.locator('#lifecycle-open summary').tap();
    const open = page.locator('#lifecycle-open form');
    await open.waitFor();
    expect(await open.innerText()).toContain('问卷和计分配置从此固定');
    expect(await status.innerText()).toBe('草稿');
    expect(await page.evaluate(() => document.scrollingElement!.scrollWidth)).toBeLessThanOrEqual(390);
    await open.getByRole('button', { name: '确认开启' }).tap();
    await page.getByText('评议已开启。').waitFor();
    expect(await status.innerText()).toBe('待开始');

    // the keyboard alone: Enter on 暂停 unfolds it, Tab reaches the confirming button, Enter pauses
    await page.locator('#lifecycle-pause summary').focus();
    await page.keyboard.press('Enter');
    const pause = page.locator('#lifecycle-pause form');
    await pause.waitFor();
    expect(await pause.innerText()).toContain('暂停的时间不会自动补上');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('确认暂停');
    await page.keyboard.press('Enter');
    await page.getByText('评议已暂停').waitFor();
    expect(await status.innerText()).toBe('已暂停');
    expect(problems).toEqual([]);
    await page.close();
  }, 120_000);

  it('fits the phone in every state: nothing wider than 390 px, tables scroll inside their own box', async () => {
    const page = await stage.browser.newPage(PHONE);
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    const fits = async (what: string) => {
      const layout = await page.evaluate(() => ({
        width: document.scrollingElement!.scrollWidth,
        wide: [...document.querySelectorAll('main *')]
          .filter((e) => !e.closest('.table-wrap') && e.getBoundingClientRect().right > 390)
          .map((e) => `${e.tagName}#${e.id}.${e.className}:${Math.round(e.getBoundingClientRect().right)}`)
          .slice(0, 10),
      }));
      expect(layout.wide, what).toEqual([]);
      expect(layout.width, what).toBeLessThanOrEqual(390);
    };
    for (const slug of ['test-2026', 'published-2026', 'open-2026']) {
      await page.goto(`${stage.url}/admin/campaigns/${slug}`);
      await fits(slug);
    }
    // what the scripts draw: the roster search with its buttons, an import's table of bad lines
    await page.locator('#evaluator-search input[name="q"]').fill('宁波');
    await page.locator('#evaluator-search').getByRole('button', { name: '查找' }).click();
    await page.locator('#evaluator-results table').waitFor();
    await fits('the roster search');
    const departments = page.locator('form.import').nth(0);
    await uploadCsv(departments, '部门.csv', [
      ['部门代码', '部门名称', '部门分组'],
      ['D101', '', '没有这个分组的很长很长的名称'],
    ]);
    await departments.locator('.result table').waitFor();
    await fits('an import refused');
    expect(problems).toEqual([expect.stringMatching(/^422 .*\/departments\/import$/)]);
    await page.close();
  }, 120_000);
});
