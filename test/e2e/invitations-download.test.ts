import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { bundleOf, csvOf } from '../helpers/sheets.js';

describe.skipIf(!browserAvailable())('the office downloads a named campaign’s links again in Chromium', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const config = defaultConfig({
        publicUrl: 'https://pj.example.gov.cn',
        invitationKey: Buffer.alloc(32, 5).toString('base64'),
      });
      const deps = { db, config, clock: fixedClock('2026-11-23T08:00:00Z') };
      const services = createServices(deps);
      const campaign = await createTestCampaign(db, services, { overrides: { mode: 'named' } });
      const roster = csvOf([
        ['姓名', '单位/项目', '类别'],
        ['王建国', '项目部', 'project'],
        ['刘芳', '人大', 'deputies'],
      ]);
      await services.roster.importEvaluators(
        campaign,
        { bytes: new TextEncoder().encode(roster), filename: 'r.csv' },
        { actor: 'test' },
      );
      await services.accounts.addUser(
        { username: 'office', role: 'admin', password: 'office-password-1', displayName: '评议办' },
        'test',
      );
      return createApp(deps);
    });
  });
  afterAll(() => stage?.close());

  it('generates every format in one .zip, then downloads the same links again as a list', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 1200, height: 900 }, acceptDownloads: true });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', 'office-password-1');
    await page.goto(`${stage.url}/admin/campaigns/test-2026`);
    await page.getByText('活动截止前可随时再次下载').waitFor();

    let download = page.waitForEvent('download');
    await page.getByRole('button', { name: '生成并下载' }).click();
    const bundle = await bundleOf(readFileSync(await (await download).path()));
    expect(bundle.links.xlsx).toHaveLength(2);
    await page.getByText('已生成 2 个邀请链接').waitFor();

    const again = page.locator('#invitations-download');
    await again.getByLabel('格式').selectOption('csv');
    download = page.waitForEvent('download');
    await again.getByRole('button', { name: '再次下载未使用的链接' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^2026年度民主评议机关（示例）-邀请链接-\d{8}-\d{4}\.csv$/);
    const csv = readFileSync(await file.path(), 'utf8');
    for (const link of bundle.links.xlsx) expect(csv).toContain(link);
    await again.getByText('已下载 2 个未使用的邀请链接').waitFor();
    expect(problems).toEqual([]);
  });
});
