import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf, xlsxRows } from '../helpers/sheets.js';
import { webAnswers } from '../evaluator/helpers.js';

const PASSWORD = 'progress-phone-password';

describe.skipIf(!browserAvailable())('the progress page and chasing list on a 390 px phone', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
      const services = createServices(deps);
      const app = createApp(deps);
      const campaign = await createTestCampaign(db, services, { overrides: { mode: 'named' } });
      const roster = [
        ['姓名', '单位/项目', '类别', '电话'],
        ['王建国', '宁波轨道交通集团有限公司3号线二期工程项目管理部', 'project', '13800138000'],
        ['李四', '宁波轨道交通集团有限公司3号线二期工程项目管理部', 'project', '13900139000'],
        ['赵六', '某建设集团', 'project', '13700137000'],
        ['陈明', '', 'public', ''],
      ];
      await services.roster.importEvaluators(
        campaign,
        { bytes: new TextEncoder().encode(csvOf(roster)), filename: 'r.csv' },
        { actor: 'test' },
      );
      const issued = await services.invitations.generate(campaign, { actor: 'test' });
      const wang = issued.find((i) => i.name === '王建国')!;
      const res = await app.request(`/api/s/${wang.token}/submit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
      });
      expect(res.status).toBe(201);
      // an anonymous campaign's unit table has a category column too: seven columns on a phone
      const anonymous = await createTestCampaign(db, services, { slug: 'anon-2026' });
      await services.roster.importEvaluators(
        anonymous,
        { bytes: new TextEncoder().encode(csvOf(roster)), filename: 'r.csv' },
        { actor: 'test' },
      );
      await services.invitations.generate(anonymous, { actor: 'test' });
      await services.accounts.addUser({ username: 'office', role: 'admin', password: PASSWORD }, 'test');
      return app;
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('opens from the campaign page, fits the screen, lists who to call, and downloads the list', async () => {
    const page = await stage.browser.newPage({
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      acceptDownloads: true,
    });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/test-2026`);
    await page.getByRole('link', { name: '各单位进度与催报名单' }).click();
    await page.getByRole('heading', { name: '填报进度与催报名单' }).waitFor();

    const layout = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      // every table is read without scrolling sideways: on a phone each row is a card
      wraps: [...document.querySelectorAll('main .table-wrap')].map((w) => ({
        right: w.getBoundingClientRect().right,
        hidden: w.scrollWidth - w.clientWidth,
      })),
      // the long unit name wraps in its cell instead of widening the table past the screen
      unitCell: (() => {
        const cell = [...document.querySelectorAll('#chase-people td')].find((td) =>
          td.textContent?.includes('宁波轨道交通'),
        )!;
        return { width: cell.getBoundingClientRect().width };
      })(),
      font: Number.parseFloat(getComputedStyle(document.querySelector('#chase-people td')!).fontSize),
    }));
    expect(layout.page).toBeLessThanOrEqual(390);
    expect(layout.wraps.length).toBe(4); // categories, days, units, people
    for (const w of layout.wraps) {
      expect(w.right).toBeLessThanOrEqual(390);
      expect(w.hidden).toBe(0);
    }
    expect(layout.unitCell.width).toBeLessThan(390);
    expect(layout.unitCell.width).toBeGreaterThan(80); // not one character per line
    expect(layout.font).toBeGreaterThanOrEqual(14);

    const people = page.locator('#chase-people tbody tr');
    expect(await people.allInnerTexts()).toEqual([
      expect.stringMatching(
        /某建设集团\s+姓名\s+赵六\s+类别\s+项目参建单位\/服务对象代表\s+电话\s+13700137000\s+进度\s+未打开/,
      ),
      expect.stringMatching(/宁波轨道交通.*\s+李四\s+.*13900139000\s+进度\s+未打开/s),
      expect.stringMatching(/（未填单位）\s+姓名\s+陈明\s+类别\s+社会公众\s+进度\s+未打开/),
    ]);
    // a phone number is a tap to call
    expect(await page.getByRole('link', { name: '13900139000' }).getAttribute('href')).toBe('tel:13900139000');
    expect(await page.locator('#progress-categories tfoot').innerText()).toMatch(
      /合计\s+名单\s+4\s+已邀请\s+4\s+已打开\s+1\s+已存草稿\s+1\s+已提交（网上）\s+1\s+提交率\s+25\.0%/,
    );

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Excel（.xlsx）' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^2026年度民主评议机关（示例）-催办名单-\d{8}-\d{4}\.xlsx$/);
    const rows = await xlsxRows(readFileSync(await file.path()));
    expect(rows.slice(1).map((r) => r[1])).toEqual(['赵六', '李四', '陈明']);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it("shows an anonymous campaign's seven-column unit counts as cards that fit the phone", async () => {
    const page = await stage.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/anon-2026/progress`);
    const units = page.locator('#progress-organisations');
    await units.waitFor();
    const fit = await units.evaluate((table) => {
      const wrap = table.parentElement!;
      return { right: wrap.getBoundingClientRect().right, hidden: wrap.scrollWidth - wrap.clientWidth };
    });
    expect(fit.right).toBeLessThanOrEqual(390);
    expect(fit.hidden).toBe(0);
    expect(await units.locator('tbody tr').first().innerText()).toMatch(
      /类别\s+\S+.*单位\/项目\s+.+名单\s+\d+\s+已邀请\s+\d+\s+已提交\s+\S+\s+未提交\s+\S+\s+提交率/s,
    );
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
