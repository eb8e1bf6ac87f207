/** The office's 填报进度 tables on a 1280 px desktop screen. */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';
import { webAnswers } from '../evaluator/helpers.js';

const PASSWORD = 'progress-desktop-password';

/** Each head of the daily submissions table: its words and the lines they take. */
const dayHeads = (page: Page) =>
  page.locator('#progress-days thead th').evaluateAll((heads) =>
    heads.map((th) => {
      const range = document.createRange();
      range.selectNodeContents(th);
      return { text: th.textContent ?? '', lines: range.getClientRects().length };
    }),
  );

describe.skipIf(!browserAvailable())('the progress tables on a 1280 px screen', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
      const services = createServices(deps);
      const app = createApp(deps, services);
      const campaign = await createTestCampaign(db, services);
      const roster = [
        ['姓名', '单位/项目', '类别', '电话'],
        ['王建国', '某建设集团', 'project', ''],
        ['李四', '市人大代表', 'deputies', ''],
        ['赵六', '', 'public', ''],
      ];
      await services.roster.importEvaluators(
        campaign,
        { bytes: new TextEncoder().encode(csvOf(roster)), filename: 'r.csv' },
        { actor: 'test' },
      );
      const issued = await services.invitations.generate(campaign, { actor: 'test' });
      // a day's row with two categories in it
      for (const [name, category] of [
        ['王建国', 'project'],
        ['李四', 'deputies'],
      ]) {
        const invitation = issued.find((i) => i.name === name)!;
        const res = await app.request(`/api/s/${invitation.token}/submit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ answers: webAnswers({ category }), elapsedSeconds: 400 }),
        });
        expect(res.status).toBe(201);
      }
      await services.accounts.addUser({ username: 'office', role: 'admin', password: PASSWORD }, 'test');
      return app;
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('keeps each category of the daily submissions on one line, the long one broken only at its slash', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    for (const path of ['/admin/campaigns/test-2026', '/admin/campaigns/test-2026/progress']) {
      await page.goto(`${stage.url}${path}`);
      const heads = await dayHeads(page);
      expect(heads.map((h) => h.text)).toEqual([
        '日期',
        '项目参建单位/服务对象代表',
        '两代表一委员',
        '特邀监督员',
        '基层单位',
        '社会公众',
        '合计',
        '',
      ]);
      for (const head of heads.filter((h) => h.text && h.text !== '项目参建单位/服务对象代表'))
        expect(head.lines, `${path} ${head.text}`).toBe(1);
      expect(heads[1].lines, path).toBeLessThanOrEqual(2);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), path).toBeLessThanOrEqual(1280);
    }
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
