/**
 * 末位概率 on the dashboard: a group of two ranked departments (the known records: six departments
 * in three groups) has none to show, and says why, instead of a "100%" that reads as certain.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Services } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems } from '../helpers/browser.js';
import { resultsSetup } from '../results/helpers.js';

describe.skipIf(!browserAvailable())('末位概率 of a small group on the dashboard', () => {
  let stage: BrowserStage;
  let services: Services;
  let analyst: LoggedIn;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const setup = await resultsSetup(db);
      services = setup.services;
      if (services.campaigns.status(setup.campaign) !== 'closed') await services.campaigns.close('test-2026', 'admin');
      await services.results.publish('test-2026', 'admin');
      analyst = await loginAs(setup.app, services, 'analyst');
      return setup.app;
    });
    page = await (await stage.signedIn(analyst, { locale: 'zh-CN', viewport: { width: 390, height: 844 } })).newPage();
    problems = pageProblems(page);
  }, 120_000);
  afterAll(() => stage?.close());

  it('shows 不计算 for every department of a group of two, with the reason beside the group', async () => {
    const [snapshot] = await services.results.snapshots('test-2026');
    const view = await services.results.snapshot(snapshot.id);
    const group = view.catalogs.groups[0];
    const ranked = view.departments.filter((d) => d.group === group.code && d.ranked);
    expect(ranked).toHaveLength(2);
    // the figure as computed: each of two is always in the last three
    expect(ranked.map((d) => d.uncertainty.bottomProbability)).toEqual([1, 1]);

    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    const section = page.locator('section.group').filter({ has: page.locator(`#ranking-table-${group.code}`) });
    await section
      .getByText('本组只有 2 个部门参与排名，不多于后 3 名的名额，每个部门都必然在后 3 名之内：不计算末位概率。')
      .waitFor();
    await section.locator('summary').click();
    const headers = await section.locator('thead th').allInnerTexts();
    const column = headers.indexOf('末位概率') + 1;
    const cells = await section.locator(`tbody tr td:nth-child(${column})`).allInnerTexts();
    expect(cells).toEqual(['不计算', '不计算']);
    expect(problems).toEqual([]);
  }, 60_000);

  it('writes 不计算 in the export for such a group', async () => {
    const [snapshot] = await services.results.snapshots('test-2026');
    const res = await page.request.get(`${stage.url}/api/snapshots/${snapshot.id}/export.csv`);
    expect(res.status()).toBe(200);
    const lines = (await res.text())
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/);
    const column = lines[0].split(',').indexOf('末位概率');
    expect(column).toBeGreaterThan(0);
    const ranked = lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((cells) => /^\d+$/.test(cells[1]));
    expect(ranked.length).toBeGreaterThan(0);
    expect(new Set(ranked.map((cells) => cells[column]))).toEqual(new Set(['不计算']));
  });
});
