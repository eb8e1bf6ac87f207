import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { resultsSetup } from '../results/helpers.js';

const PASSWORD = 'settle-phone-password';

describe.skipIf(!browserAvailable())('settling a campaign from a 390 px phone', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const { app, services } = await resultsSetup(db);
      await services.results.publish('test-2026', 'office');
      await services.accounts.addUser({ username: 'office', role: 'admin', password: PASSWORD }, 'test');
      // one issued item of D005's sheet still being rectified
      await db.kysely
        .updateTable('tracked_items')
        .set({ state: 'rectifying' })
        .where('source', '=', 'negative')
        .execute();
      return app;
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('opens the confirmation from the campaign page, is held up by open items, then settles with both ticks', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/test-2026`);
    await page.getByRole('link', { name: '结算…' }).click();
    await page.waitForURL(/\/admin\/campaigns\/test-2026\/settle$/);
    await page.getByRole('heading', { name: '结算' }).waitFor();
    expect(await page.locator('#settle-error').innerText()).toContain(
      '还有 2 项已下发的工作提示单事项未办结（整改中 2）',
    );
    expect(await page.locator('#settle-open-departments').innerText()).toContain('测试部门5（D005）：2 项未办结');
    expect(await page.locator('#settle').count()).toBe(0);

    // the items are closed (the notice pages have their own flows): the page offers the settlement
    await stage.db.kysely
      .updateTable('tracked_items')
      .set({ state: 'closed' })
      .where('state', '=', 'rectifying')
      .execute();
    await page.reload();
    expect(await page.locator('#settle-means').innerText()).toContain('结算不能撤销');
    expect(await page.locator('#settle-open').innerText()).toMatch(/负面情形反映：\s*1 条未核实/);
    const layout = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      outside: [...document.querySelectorAll('#settle-confirm *')]
        .filter((e) => {
          const r = e.getBoundingClientRect();
          return r.width > 0 && (r.left < 0 || r.right > 390);
        })
        .map((e) => e.tagName),
    }));
    expect(layout.page).toBeLessThanOrEqual(390);
    expect(layout.outside).toEqual([]);
    const button = page.getByRole('button', { name: '确认结算' });
    expect((await button.boundingBox())!.height).toBeGreaterThanOrEqual(44);

    // without the ticks the browser keeps the form on the page
    await button.click();
    expect(new URL(page.url()).pathname).toBe('/admin/campaigns/test-2026/settle');
    await page.getByLabel(/我知道还有 1 条负面情形反映未核实/).check();
    await page.getByLabel(/确认结算本次评议/).check();
    await button.click();
    await page.waitForURL(/\/admin\/campaigns\/test-2026\?done=settle/);
    expect(await page.locator('#campaign-status').innerText()).toBe('已结算');
    await page.getByText('已结算：本次评议的后续工作已经结束。').waitFor();
    expect(await page.getByRole('link', { name: '结算…' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 90_000);
});
