import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage } from '../helpers/browser.js';
import { resultsSetup } from '../results/helpers.js';

describe.skipIf(!browserAvailable())('the dashboard of a campaign with imported answers only', () => {
  let stage: BrowserStage;
  let analyst: LoggedIn;
  let imported = 0;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const { services, deps, campaign } = await resultsSetup(db);
      imported = (await services.invitations.progress(campaign)).totals.imported;
      const app = createApp(deps);
      analyst = await loginAs(app, services, 'analyst');
      return app;
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('says in place of the empty 当日网上提交 chart that there are none, and how many were imported', async () => {
    const page = await (await stage.signedIn(analyst, { locale: 'zh-CN' })).newPage();
    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    const said = page.locator('#progress-empty');
    await said.waitFor();
    expect(imported).toBeGreaterThan(0);
    expect(await said.textContent()).toBe(
      `还没有网上提交的答卷：网上已提交 0，另有导入答卷 ${imported}（导入答卷不按日期画在图上）。`,
    );
    expect(await page.locator('#progress-chart').count()).toBe(0);
    await said.screenshot({ path: '/tmp/dashboard-imported-only.png' });
    await page.close();
  }, 60_000);
});
