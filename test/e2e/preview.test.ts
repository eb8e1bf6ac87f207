import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { snapshotCounts, surveySetup, type SurveySetup } from '../evaluator/helpers.js';

describe.skipIf(!browserAvailable())('the office previews the questionnaire in a real browser', () => {
  let stage: BrowserStage;
  let s: SurveySetup;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      s = await surveySetup(db);
      await loginAs(s.app, s.services, 'admin', { username: 'office' });
      return s.app;
    });
  });
  afterAll(() => stage?.close());

  const next = (page: Page) => page.getByRole('button', { name: '下一步' }).click();

  it('answers the questionnaire from the campaign page to its last step and stores nothing', async () => {
    const before = await snapshotCounts(stage.db);
    const page = await stage.browser.newPage({ viewport: { width: 1000, height: 900 } });
    const problems = pageProblems(page);
    const evaluatorCalls: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/s/') || (r.method() !== 'GET' && r.url().includes('/api/')))
        evaluatorCalls.push(r.url());
    });
    await signIn(page, stage.url, 'office', 'correct horse battery staple');
    await page.goto(`${stage.url}/admin/campaigns/${s.campaign.slug}`);
    await page.locator('#preview-link').click();

    await page.getByText('答案不会保存，也不会提交').waitFor();
    await page.getByText('您属于哪一类评议代表？').waitFor();
    await page.getByText('预览：答案不会保存').waitFor();
    // the questionnaire's description promises autosaving to evaluators; the preview saves nothing and says so
    await page.getByText('这是问卷的预览：这里填的答案不会保存，也不会提交。').waitFor();
    expect(await page.locator('#evaluator').innerText()).not.toContain('自动保存');
    await page.getByRole('textbox', { name: /所在单位/ }).fill('预览单位');
    await next(page);
    await page.getByRole('searchbox', { name: '查找部门' }).fill('测试部门1');
    await page.getByRole('option', { name: '测试部门1', exact: true }).click();
    await next(page);
    const panel = page.locator('.sd-paneldynamic__panel-wrapper').first();
    await panel.locator('[data-name="efficiency"]').getByText('满意', { exact: true }).click();
    await panel.locator('[data-name="quality"]').getByText('满意', { exact: true }).click();
    await next(page);
    await page.locator('[data-name="overall"]').getByText('满意', { exact: true }).click();
    await page.getByRole('button', { name: '提交问卷' }).click();

    await page.locator('#preview-done').getByText('答案没有保存，也没有提交').waitFor();
    expect(evaluatorCalls).toEqual([]);
    expect(problems).toEqual([]);
    expect(await snapshotCounts(stage.db)).toEqual(before);
    await page.close();
  });

  it('shows another category its own questionnaire and fits a phone width on a desktop screen', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 1200, height: 900 } });
    await signIn(page, stage.url, 'office', 'correct horse battery staple');
    await page.goto(`${stage.url}/admin/campaigns/${s.campaign.slug}/preview`);
    await page.getByRole('link', { name: '按手机宽度查看' }).click();
    await page.getByText('您属于哪一类评议代表？').waitFor();
    const width = await page.locator('#evaluator').evaluate((e) => e.getBoundingClientRect().width);
    expect(width).toBeLessThanOrEqual(392);

    const other = s.campaign.config.categories[1]!;
    await page.getByRole('link', { name: other.label }).click();
    await page.getByText('您属于哪一类评议代表？').waitFor();
    expect(new URL(page.url()).searchParams.get('category')).toBe(other.code);
    expect(new URL(page.url()).searchParams.get('width')).toBe('phone');
    expect(await page.locator(`[data-name="category"] input[value="${other.code}"]`).isChecked()).toBe(true);
    await page.close();
  });
});
