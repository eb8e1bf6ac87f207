/**
 * The results pages on a 390 px phone with a city's long department names: the ranking chart
 * keeps every bar's rank in sight, cutting the name instead.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ResultView } from '../../server/contracts.js';
import { runSimulation } from '../../server/demo/simulate.js';
import { createServices, type Services } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';

const WIDTH = 390;
const LONG_NAMES = [
  '市发展和改革委员会（市粮食和物资储备局）',
  '市城市管理综合行政执法局',
  '市住房和城乡建设局',
  '市自然资源和规划局',
  '市人力资源和社会保障局',
  '市市场监督管理局（市知识产权局）',
  '市行政审批服务局',
];

describe.skipIf(!browserAvailable())('the results pages on a 390 px phone', () => {
  let stage: BrowserStage;
  let services: Services;
  let analyst: LoggedIn;
  let page: Page;
  let problems: string[];
  let view: ResultView;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const clock = fixedClock('2027-01-05T08:00:00Z');
      const deps = { db, config: defaultConfig(), clock };
      const app = createApp(deps);
      services = createServices(deps);
      const campaign = await createTestCampaign(db, services, { departments: 14 });
      for (const [k, name] of LONG_NAMES.entries())
        await db.kysely
          .updateTable('departments')
          .set({ name })
          .where('campaign_id', '=', campaign.id)
          .where('code', '=', `D${String(k + 1).padStart(3, '0')}`)
          .execute();
      await runSimulation(deps, services, 'test-2026', { evaluators: 700, seed: 3 });
      await services.results.publish('test-2026', 'admin');
      view = await services.results.live('test-2026', { uncertainty: false });
      analyst = await loginAs(app, services, 'analyst');
      return app;
    });
    const context = await stage.signedIn(analyst, { locale: 'zh-CN', viewport: { width: WIDTH, height: 844 } });
    page = await context.newPage();
    problems = pageProblems(page);
  }, 120_000);

  afterAll(() => stage?.close());

  it('keeps each ranking bar’s rank number in its label, the long name cut at its end to fit the axis', async () => {
    expect(view.departments.map((d) => d.name)).toEqual(expect.arrayContaining(LONG_NAMES));
    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    let cut = 0;
    for (const group of view.catalogs.groups) {
      const ranked = view.departments
        .filter((d) => d.group === group.code && d.ranked)
        .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
      const axis = await page.evaluate((id) => {
        const chart = window.minpingCharts[id];
        const y = chart.scales.y;
        const ctx = chart.ctx;
        // the font chart.js draws the ticks in
        const font = (
          y as unknown as { _resolveTickFontOptions(i: number): { string: string } }
        )._resolveTickFontOptions(0);
        ctx.save();
        ctx.font = font.string;
        const labels = y.ticks.map((t) => ({ label: String(t.label), width: ctx.measureText(String(t.label)).width }));
        ctx.restore();
        return { labels, left: y.left, right: y.right, canvas: chart.width };
      }, `ranking-${group.code}`);
      expect(axis.canvas).toBeLessThanOrEqual(WIDTH);
      expect(axis.labels).toHaveLength(ranked.length);
      // drawn right-aligned against the bars: every label inside the canvas (a longer one loses its start)
      const room = axis.right - Math.max(0, axis.left);
      expect(axis.labels.filter((l) => l.width > room).map((l) => l.label)).toEqual([]);
      for (const [k, d] of ranked.entries()) {
        const { label } = axis.labels[k];
        // the rank first, then as much of the name as fits, its start kept
        expect(label.startsWith(`${d.rank}.${d.tied ? '（并列）' : ''} `)).toBe(true);
        const shown = label.slice(label.indexOf(' ') + 1);
        if (shown.endsWith('…')) {
          cut++;
          expect(d.name.startsWith(shown.slice(0, -1))).toBe(true);
          expect(shown.length).toBeGreaterThan(3);
        } else expect(shown).toBe(d.name);
      }
    }
    // the longest names did not fit a phone
    expect(cut).toBeGreaterThan(0);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
    expect(problems).toEqual([]);
  });

  it('draws a department’s one published year in the middle of the trend chart, saying there is no trend yet', async () => {
    await page.goto(`${stage.url}/dashboard/departments/D001?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    const drawn = await page.evaluate(() => {
      const chart = window.minpingCharts['trend-chart'];
      const point = chart.getDatasetMeta(0).data[0].getProps(['x', 'y'], true) as { x: number; y: number };
      const { left, right, top, bottom } = chart.chartArea;
      return { points: chart.data.datasets[0].data.length, point, left, right, top, bottom };
    });
    expect(drawn.points).toBe(1);
    // in the middle of the plot, not on its left edge
    expect(Math.abs(drawn.point.x - (drawn.left + drawn.right) / 2)).toBeLessThan(2);
    expect(drawn.point.y).toBeGreaterThan(drawn.top);
    expect(drawn.point.y).toBeLessThan(drawn.bottom);
    expect(await page.locator('#trend-single').textContent()).toMatch(
      /^只有 .+ 一次已发布的结果；有两次以上的结果才能看出趋势。$/,
    );
    expect(problems).toEqual([]);
  });

  it('names the two head counts alike on the ranking table, the heat map and the department page, saying what each counts', async () => {
    const note =
      '有效评议人数：对该部门至少有一项评价不是“不了解”的评议代表，得分按他们的评价计算，满 30 人才参与排名。' +
      '评议人数（含不了解）：在答卷里选了该部门的评议代表，包括对它只答了“不了解”的；作风问题的比例以它为分母。' +
      '两者都不计剔除的答卷，相差的是只答了“不了解”的人。';
    const d = view.departments.find((x) => x.code === 'D001')!;
    // the simulated evaluators answer 不了解 now and then: the two differ
    expect(view.departments.some((x) => x.raters > x.validRaters)).toBe(true);
    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    const group = view.catalogs.groups[0].code;
    const rankingHead = await page.locator(`#ranking-table-${group} thead th`).allTextContents();
    expect(rankingHead).toContain('有效评议人数');
    expect(await page.locator('#ranking-raters-note').textContent()).toBe(note);
    const heatHead = page.locator('#heatmap-table thead th').nth(1);
    expect(await heatHead.textContent()).toBe('评议人数（含不了解）');
    expect(await heatHead.getAttribute('title')).toBe(note);
    expect(await page.locator('#heatmap-raters-note').textContent()).toBe(note);
    const heatRow = page.locator('#heatmap-table tbody tr', { has: page.getByRole('link', { name: d.name }) });
    expect(await heatRow.locator('td').first().textContent()).toBe(String(d.raters));

    await page.goto(`${stage.url}/dashboard/departments/D001?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    const figures = await page.evaluate(() =>
      Object.fromEntries(
        [...document.querySelectorAll('#summary .figure')].map((f) => [
          f.querySelector('.label')?.textContent,
          f.querySelector('.value')?.textContent,
        ]),
      ),
    );
    expect(figures).toMatchObject({
      有效评议人数: String(d.validRaters),
      '评议人数（含不了解）': String(d.raters),
    });
    expect(await page.locator('#summary-raters-note').textContent()).toBe(note);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
    expect(problems).toEqual([]);
  });
});
