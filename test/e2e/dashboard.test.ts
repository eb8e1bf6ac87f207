import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { runSimulation } from '../../server/demo/simulate.js';
import { createServices, type Services } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';

describe.skipIf(!browserAvailable())('analyst dashboard in a browser', () => {
  let stage: BrowserStage;
  let services: Services;
  let analyst: LoggedIn;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const clock = fixedClock('2027-01-05T08:00:00Z');
      const deps = { db, config: defaultConfig(), clock };
      const app = createApp(deps);
      services = createServices(deps);
      await createTestCampaign(db, services, { departments: 14 });
      await runSimulation(deps, services, 'test-2026', { evaluators: 700, seed: 3 });
      await services.results.publish('test-2026', 'admin');
      clock.advance(60_000);
      await runSimulation(deps, services, 'test-2026', { evaluators: 200, seed: 4 });
      await services.results.publish('test-2026', 'admin');
      analyst = await loginAs(app, services, 'analyst');
      return app;
    });
    const context = await stage.signedIn(analyst, { locale: 'zh-CN' });
    page = await context.newPage();
    // failed requests (the browser's own favicon request aside) and script errors
    page.on('response', (r) => {
      if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
  });

  afterAll(() => stage?.close());

  it('draws the live rankings from the preloaded point figures, then adds the intervals', async () => {
    const reads: string[] = [];
    const warnings: string[] = [];
    const live = await stage.browser.newPage({ storageState: await page.context().storageState() });
    live.on('request', (r) => {
      if (r.url().includes('/results')) reads.push(new URL(r.url()).search);
    });
    live.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    await live.goto(`${stage.url}/dashboard?campaign=test-2026&snapshot=live`);
    await live.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    // the preload is the page's first read: one request for the point figures, one for the intervals
    expect(reads).toEqual(['?uncertainty=0', '']);
    expect(warnings.filter((w) => w.includes('preload'))).toEqual([]);
    expect(await live.locator('#status').textContent()).toMatch(/区间来自 \d+ 次抽样/);
    const group = (await services.results.live('test-2026')).catalogs.groups[0]!.code;
    const intervals = await live.evaluate((id) => {
      const chart = window.Chart.getChart(document.getElementById(id) as HTMLCanvasElement)!;
      return (chart.data.datasets[0] as unknown as { intervals: (unknown[] | null)[] }).intervals.filter(Boolean)
        .length;
    }, `ranking-${group}`);
    expect(intervals).toBeGreaterThan(0);
    await live.close();
  });

  it('draws one ranking chart per group with one bar per ranked department, error bars and tables', async () => {
    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    const view = await services.results.live('test-2026');
    for (const group of view.catalogs.groups) {
      const ranked = view.departments.filter((d) => d.group === group.code && d.ranked).length;
      expect(ranked).toBeGreaterThan(0);
      const bars = await page.evaluate((id) => {
        const canvas = document.getElementById(id) as HTMLCanvasElement;
        const chart = window.Chart.getChart(canvas)!;
        const ds = chart.data.datasets[0] as unknown as { data: number[]; intervals: unknown[] };
        return { bars: ds.data.length, intervals: ds.intervals.length, drawn: chart.getDatasetMeta(0).data.length };
      }, `ranking-${group.code}`);
      expect(bars).toEqual({ bars: ranked, intervals: ranked, drawn: ranked });
      const rows = await page.locator(`#ranking-table-${group.code} tbody tr`).count();
      expect(rows).toBe(view.departments.filter((d) => d.group === group.code).length);
    }
    expect(problems).toEqual([]);
  });

  it('shows the screening summary, the heat map and the year-over-year comparison', async () => {
    await expect(page.locator('#screening .figure').first()).toContainText('答卷');
    expect(await page.locator('#heatmap-table tbody tr:not(.group-row)').count()).toBe(14);
    await page.waitForFunction(() => Boolean(window.minpingCharts['compare-chart']));
    const compared = await page.evaluate(() => window.minpingCharts['compare-chart'].data.datasets[0].data.length);
    expect(compared).toBe(14);
    // the table behind a chart is one click away
    await page.locator('#ranking-table-economic summary').click();
    expect(await page.locator('#ranking-table-economic table').isVisible()).toBe(true);
    expect(await page.locator('#ranking-table-economic a[download$=".csv"]').count()).toBe(1);
    expect(await page.locator('.exports a[href$="export.xlsx"]').count()).toBe(1);
    // submission days are the campaign's calendar days, and say so
    expect(await page.locator('#progress-table th').first().textContent()).toBe('日期（北京时间）');
    // the simulated answers are not web submissions: no empty per-day chart, the sentence instead
    await expect(page.locator('#progress-empty')).toContainText('网上已提交 0，另有导入答卷 900');
  });

  it('keeps the year-compare dropdowns inside a 390 px phone screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    for (const id of ['compare-from', 'compare-to']) {
      const box = await page.locator(`#${id}`).boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    }
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('opens a published snapshot and a department page with its breakdowns and trend', async () => {
    const [latest] = await services.results.snapshots('test-2026');
    await page.goto(`${stage.url}/dashboard?campaign=test-2026&snapshot=${latest.id}`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    await expect(page.locator('#source')).toContainText('已发布的结果（第 ');
    await expect(page.locator('#source')).not.toContainText(latest.id);
    await page.goto(`${stage.url}/dashboard/departments/D001?campaign=test-2026&snapshot=${latest.id}`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    const shape = await page.evaluate(() => ({
      categories: window.minpingCharts['category-chart'].data.datasets.length,
      problems: window.minpingCharts['problem-chart'].data.labels?.length,
      negatives: window.minpingCharts['negative-chart'].data.datasets.length,
      trend: window.minpingCharts['trend-chart'].data.datasets[0].data.length,
    }));
    expect(shape).toEqual({ categories: 2, problems: 10, negatives: 2, trend: 1 });
    expect(await page.locator('#summary .figure').count()).toBeGreaterThan(5);
    expect(problems).toEqual([]);
  });

  it('sends a visitor without a session to the login page', async () => {
    const anonymous = await stage.browser.newPage();
    await anonymous.goto(`${stage.url}/dashboard`);
    expect(new URL(anonymous.url()).pathname).toBe('/login');
    await anonymous.close();
  });
});

// page.locator(...).toContainText needs playwright's expect; use a tiny equivalent on vitest's expect
declare module 'vitest' {
  interface Assertion {
    toContainText(text: string): Promise<void>;
  }
}
expect.extend({
  async toContainText(locator: { textContent(): Promise<string | null> }, text: string) {
    const actual = (await locator.textContent()) ?? '';
    return { pass: actual.includes(text), message: () => `expected "${actual}" to contain "${text}"` };
  },
});
