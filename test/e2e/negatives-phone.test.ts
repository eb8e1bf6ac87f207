import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { queueSetup } from '../negatives/helpers.js';

const PASSWORD = 'review-test-password';
const PHONE = { width: 390, height: 844 };

describe.skipIf(!browserAvailable())('the verification queue on a phone, in a real browser', () => {
  let stage: BrowserStage;
  let s: Awaited<ReturnType<typeof queueSetup>>;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      s = await queueSetup(db);
      await s.report('2026-11-02', {
        code: 'D001',
        kind: 3,
        matter: '施工许可',
        description: '王科长拖了三个月，电话13812345678',
        suggestion: '窗口应一次性告知所需材料',
      });
      await s.report('2026-11-30', { code: 'D002', kind: 5, description: '窗口态度冷硬' });
      s.clock.set('2026-12-01T04:00:00Z');
      await s.services.accounts.addUser(
        { username: 'office', displayName: '王主任', role: 'admin', password: PASSWORD },
        'test',
      );
      return createApp(s.deps);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('finds the overdue report standing out, redacts it by hand and verifies it; the live result deducts', async () => {
    const context = await stage.browser.newContext({ viewport: PHONE, locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/test-2026`);
    await page.getByRole('link', { name: '负面情形核实（待核实）' }).click();
    await page.locator('#queue').waitFor();
    expect(await page.locator('#counts').innerText()).toContain('其中逾期 1 条');

    const overdue = page.locator('a.card.report.overdue');
    expect(await overdue.count()).toBe(1);
    expect(await overdue.innerText()).toContain('已逾期');
    const edge = await overdue.evaluate((a) => getComputedStyle(a).borderLeftWidth);
    expect(Number.parseFloat(edge)).toBeGreaterThanOrEqual(6);
    const box = (await overdue.boundingBox())!;
    expect(box.x + box.width).toBeLessThanOrEqual(PHONE.width);
    expect(box.height).toBeGreaterThanOrEqual(44);

    // filter by department with the plain form
    await page.getByText('筛选', { exact: true }).first().click();
    await page.getByLabel('部门').selectOption('D002');
    await page.getByRole('button', { name: '筛选' }).click();
    await page.waitForURL(/department=D002/);
    expect(await page.locator('a.card.report').count()).toBe(1);
    expect(await page.locator('a.card.report.overdue').count()).toBe(0);

    await page.goto(`${stage.url}/admin/campaigns/test-2026/negatives?overdue=1`);
    await page.locator('a.card.report.overdue').click();
    await page.locator('#redaction').waitFor();
    expect(await page.locator('mark.finding').allInnerTexts()).toEqual(['王', '13812345678']);
    const description = page.locator('#redaction textarea[name="description"]');
    expect(await description.inputValue()).toBe('某科长拖了三个月，电话〔手机号已隐去〕');
    await description.fill('经办人员拖了三个月');
    await page.getByRole('button', { name: '保存转交文本' }).click();
    await page.getByText('已保存转交部门的文本。').waitFor();

    const before = (await s.services.results.live('test-2026', { uncertainty: false })).departments.find(
      (d) => d.code === 'D001',
    )!;
    await page.locator('#decide textarea[name="reason"]').first().fill('电话回访属实');
    await page.getByRole('button', { name: '核实（扣分并登记到提示单）' }).click();
    await page.getByText('已核实：扣分已计入实时结果').waitFor();
    expect(await page.locator('#report-state').innerText()).toContain('已核实');
    expect(await page.locator('#decision').innerText()).toContain('电话回访属实');
    const after = (await s.services.results.live('test-2026', { uncertainty: false })).departments.find(
      (d) => d.code === 'D001',
    )!;
    expect(after.verifiedNegatives).toBe(before.verifiedNegatives + 1);

    // the department's item carries the office's text, not the evaluator's
    const sheet = (await s.services.notices.sheets('test-2026')).find((x) => x.departmentCode === 'D001')!;
    expect(sheet.items[0].evidence).toContain('经办人员拖了三个月');
    expect(sheet.items[0].evidence).not.toContain('13812345678');

    // suggestions: search, and the export link keeps the search
    await page.goto(`${stage.url}/admin/campaigns/test-2026/suggestions`);
    await page.getByLabel('包含文字').fill('一次性');
    await page.getByRole('button', { name: '搜索' }).click();
    await page.waitForURL(/q=/);
    expect(await page.locator('li.suggestion').allInnerTexts()).toEqual([
      expect.stringContaining('窗口应一次性告知所需材料'),
    ]);
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Excel（脱敏）' }).click();
    expect((await download).suggestedFilename()).toBe('test-2026-意见建议.xlsx');

    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(PHONE.width);
    expect(problems).toEqual([]);
    await context.close();
  });
});
