/** The roster's 补发链接 on the campaign page while the links point at this machine, in Chromium. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices, type Services } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

const PASSWORD = 'reissue-loopback-password';

describe.skipIf(!browserAvailable())('补发链接 in the roster while PUBLIC_URL is this machine', () => {
  let stage: BrowserStage;
  let services: Services;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = {
        db,
        config: defaultConfig({ publicUrl: 'http://localhost:3000' }),
        clock: fixedClock('2026-11-23T08:00:00Z'),
      };
      services = createServices(deps);
      const campaign = await createTestCampaign(db, services);
      const roster = csvOf([
        ['姓名', '单位/项目', '类别'],
        ['王建国', '宁波市轨道交通集团有限公司第三项目部', 'project'],
        ['刘芳', '宁波市人民代表大会常务委员会', 'deputies'],
      ]);
      await services.roster.importEvaluators(
        campaign,
        { bytes: new TextEncoder().encode(roster), filename: 'r.csv' },
        { actor: 'test' },
      );
      await services.invitations.generate(campaign, { actor: 'test' });
      await services.accounts.addUser({ username: 'office', role: 'admin', password: PASSWORD }, 'test');
      return createApp(deps, services);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('asks about the address in its own confirmation and downloads the letter, without the tickbox up the page', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/test-2026`);
    await page.locator('#evaluator-search').getByRole('button', { name: '查找' }).click();
    const row = page.locator('#evaluator-results tr', { hasText: '刘芳' });
    let asked = '';
    page.once('dialog', (dialog) => {
      asked = dialog.message();
      void dialog.accept();
    });
    const download = page.waitForEvent('download');
    await row.getByRole('button', { name: '补发链接' }).click();
    expect(readFileSync(await (await download).path(), 'utf8')).toContain('http://localhost:3000/s/');
    expect(asked).toContain('指向本机');
    expect(asked).toContain('仍然为刘芳补发');
    expect(await page.locator('#allow-loopback').isChecked()).toBe(false);
    await page.locator('#reissue-result').getByText('已为刘芳补发链接，邀请函已下载').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows a refusal above the table and keeps the row’s button, the names on one line', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/test-2026`);
    await page.locator('#evaluator-search').getByRole('button', { name: '查找' }).click();
    const row = page.locator('#evaluator-results tr', { hasText: '王建国' });
    await row.waitFor();
    // the campaign closes while the page is open: the reissue is refused by the server
    await services.campaigns.close('test-2026', 'test');
    page.once('dialog', (dialog) => void dialog.accept());
    await row.getByRole('button', { name: '补发链接' }).click();
    const refusal = page.locator('#reissue-result [role="alert"]');
    await refusal.getByText('王建国：评议活动已截止，不能再生成或补发邀请链接').waitFor();
    await expect(row.getByRole('button', { name: '补发链接' }).isEnabled()).resolves.toBe(true);
    expect(await row.locator('[role="alert"]').count()).toBe(0);
    // name, unit, category and state each on one line (a wrapped unit may take two)
    const heights = await row
      .locator('td')
      .evaluateAll((cells) =>
        cells
          .slice(0, 4)
          .map((td) => td.getBoundingClientRect().height / Number.parseFloat(getComputedStyle(td).lineHeight)),
      );
    for (const lines of heights) expect(lines).toBeLessThan(3);
    expect(problems).toEqual([expect.stringMatching(/^409 .*\/invitation/)]);
    await page.close();
  }, 60_000);
});
