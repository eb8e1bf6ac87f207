/**
 * The dashboard's year-over-year view on a 390 px phone: last year's campaign beside this year's
 * clone (the same method: said so) and beside a campaign scored on another scale with other
 * weights (the method changes listed, readable, nothing wider than the screen).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { CampaignCloned, Comparison } from '../../server/contracts.js';
import { createServices, type Services } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { knownRecords, RESULTS_TIME, storeRecords } from '../results/helpers.js';

const LAST_YEAR = { opensAt: '2025-11-01T00:00:00+08:00', closesAt: '2025-12-31T23:59:59+08:00' };
const WIDTH = 390;
const ROSTER_NAMES: [code: string, name: string, short: string | null][] = [
  ['D001', '市住房和城乡建设局', '住建局'],
  ['D002', '市自然资源和规划局', '资规局、规划局'],
  ['D003', '市人力资源和社会保障局', '人社局'],
  ['D004', '市市场监督管理局', '市场监管局'],
  ['D005', '市行政审批服务局', null],
  ['D006', '市城市管理综合行政执法局', '城管局'],
];

describe.skipIf(!browserAvailable())('the year-over-year comparison on a 390 px phone', () => {
  let stage: BrowserStage;
  let services: Services;
  let analyst: LoggedIn;
  let page: Page;
  let problems: string[];
  const snapshots: Record<string, string> = {};

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      // after both years closed
      const clock = fixedClock(RESULTS_TIME);
      const deps = { db, config: defaultConfig(), clock };
      services = createServices(deps);
      const app = createApp(deps, services);
      const admin = await loginAs(app, services, 'admin');
      const { records, verify } = knownRecords();

      const lastYear = await createTestCampaign(db, services, {
        slug: 'city-2025',
        overrides: { name: '2025年度全市民主评议机关（万人评议百家机关）', ...LAST_YEAR },
      });
      // a city's names are long; most have a 简称 in the roster, one has none
      for (const [code, name, short] of ROSTER_NAMES)
        await db.kysely
          .updateTable('departments')
          .set({ name, short_name: short })
          .where('campaign_id', '=', lastYear.id)
          .where('code', '=', code)
          .execute();
      await storeRecords(services, await services.campaigns.getBySlug('city-2025'), records, verify);

      // this year's, cloned over the API: the same departments by code, the same method
      const res = await app.request('/api/campaigns/city-2025/clone', {
        method: 'POST',
        headers: admin.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ slug: 'city-2026', name: '2026年度全市民主评议机关（万人评议百家机关）' }),
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as CampaignCloned).copied.departments).toBe(6);
      await storeRecords(services, await services.campaigns.getBySlug('city-2026'), records, verify);

      // the same departments and answers scored on three levels with other category and item weights
      const changed = await createTestCampaign(db, services, {
        slug: 'city-2026-new-rules',
        overrides: {
          name: '2026年度全市民主评议机关（按新实施方案计分）',
          scale: 'three-level',
          categories: [
            { code: 'project', label: '项目参建单位/服务对象代表', weight: 0.4 },
            { code: 'deputies', label: '两代表一委员', weight: 0.3 },
            { code: 'supervisors', label: '特邀监督员', weight: 0.1 },
            { code: 'grassroots', label: '基层单位', weight: 0.1 },
            { code: 'public', label: '社会公众', weight: 0.1 },
          ],
          items: [
            { code: 'efficiency', label: '工作效率', weight: 2 },
            { code: 'quality', label: '工作质量', weight: 1 },
          ],
        },
      });
      const threeLevel = records.map((r) => ({
        ...r,
        departments: r.departments.map((d) => ({
          ...d,
          ratings: Object.fromEntries(
            Object.entries(d.ratings).map(([item, level]) => [
              item,
              level === 'fairly_satisfied' ? 'satisfied' : level,
            ]),
          ),
        })),
      }));
      await storeRecords(services, changed, threeLevel, verify);

      // publication comes after the close
      for (const slug of ['city-2025', 'city-2026', 'city-2026-new-rules']) {
        if (services.campaigns.status(await services.campaigns.getBySlug(slug)) !== 'closed')
          await services.campaigns.close(slug, 'admin');
        snapshots[slug] = (await services.results.publish(slug, 'admin')).id;
      }

      analyst = await loginAs(app, services, 'analyst');
      return app;
    });
    const context = await stage.signedIn(analyst, { locale: 'zh-CN', viewport: { width: WIDTH, height: 844 } });
    page = await context.newPage();
    problems = pageProblems(page);
  }, 120_000);

  afterAll(() => stage?.close());

  /** Pick two snapshots in the year-compare form and wait for its answer. */
  async function compare(from: string, to: string) {
    await page.goto(`${stage.url}/dashboard?campaign=city-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    await page.locator('#compare-from').selectOption(snapshots[from]);
    await page.locator('#compare-to').selectOption(snapshots[to]);
    const answered = page.waitForResponse((r) => r.url().includes('/api/compare?') && r.ok());
    await page.getByRole('button', { name: '对比', exact: true }).click();
    return (await (await answered).json()) as Comparison;
  }

  const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);

  it('lists the method changes against last year, each line readable and inside the screen', async () => {
    const cmp = await compare('city-2025', 'city-2026-new-rules');
    expect(cmp.methodChanges).toEqual([
      '类别权重：项目参建单位/服务对象代表 0.5 → 0.4，两代表一委员 0.2 → 0.3',
      '计分等级：取消 比较满意（原 80 分）',
      '评议项目：工作效率 1 → 2',
    ]);
    const box = page.locator('#compare-method .method-changes');
    await box.getByText('评分方法不同').waitFor();
    expect(await box.isVisible()).toBe(true);
    const lines = box.locator('li');
    expect(await lines.allInnerTexts()).toEqual(cmp.methodChanges);
    for (const line of await lines.all()) {
      expect(await line.isVisible()).toBe(true);
      const shape = await line.evaluate((e) => {
        const r = e.getBoundingClientRect();
        return {
          left: r.left,
          right: r.right,
          fontSize: Number.parseFloat(getComputedStyle(e).fontSize),
          // the text wraps inside its line: nothing cut off or scrolled sideways
          clipped: e.scrollWidth > e.clientWidth,
        };
      });
      expect(shape.left).toBeGreaterThanOrEqual(0);
      expect(shape.right).toBeLessThanOrEqual(WIDTH);
      expect(shape.fontSize).toBeGreaterThanOrEqual(14);
      expect(shape.clipped).toBe(false);
    }
    expect(await pageWidth()).toBeLessThanOrEqual(WIDTH);
    // every department lined up by code, in the table behind the chart
    expect(cmp.departments.map((d) => d.code).sort()).toEqual(['D001', 'D002', 'D003', 'D004', 'D005', 'D006']);
    expect(problems).toEqual([]);
  });

  it('labels the bars with the departments’ short names, the full name in the tooltip and the table, the caption wrapping inside the screen', async () => {
    const cmp = await compare('city-2025', 'city-2026');
    const short = new Map(ROSTER_NAMES.map(([code, name, shortName]) => [code, shortName?.split('、')[0] ?? name]));
    expect(cmp.departments.map((d) => [d.code, d.shortName]).sort()).toEqual(
      ROSTER_NAMES.map(([code, , shortName]) => [code, shortName?.split('、')[0] ?? null]),
    );
    const chart = await page.evaluate(() => {
      const c = window.minpingCharts['compare-chart'];
      const tooltipTitles = (c.data.labels ?? []).map((_, index) => {
        c.tooltip!.setActiveElements([{ datasetIndex: 0, index }], { x: 0, y: 0 });
        c.update('none');
        return c.tooltip!.title.join('');
      });
      return { labels: c.data.labels as string[], tooltipTitles, axisWidth: c.scales.y.width, width: c.width };
    });
    const shown = cmp.departments.filter((d) => d.scoreChange !== null);
    expect(chart.labels).toEqual(shown.map((d) => short.get(d.code)));
    expect(chart.tooltipTitles).toEqual(shown.map((d) => d.name));
    // the names leave the bars most of the phone's width
    expect(chart.axisWidth).toBeLessThan(chart.width * 0.4);

    const caption = page.locator('#compare-caption');
    expect(await caption.innerText()).toBe(`${cmp.to.campaign.name} 相对 ${cmp.from.campaign.name} 的得分变化（分）`);
    const box = (await caption.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(WIDTH);

    await page.locator('#compare-table summary').click();
    const names = await page.locator('#compare-table tbody tr td:first-child').allInnerTexts();
    expect(names.sort()).toEqual(ROSTER_NAMES.map(([, name]) => name).sort());
    expect(await pageWidth()).toBeLessThanOrEqual(WIDTH);
    expect(problems).toEqual([]);
  });

  it('says the clone was scored alike, still inside the screen', async () => {
    const cmp = await compare('city-2025', 'city-2026');
    expect(cmp.methodChanges).toEqual([]);
    await page.locator('#compare-method').getByText('两次的评分方法相同').waitFor();
    expect(await page.locator('#compare-method .method-changes').count()).toBe(0);
    expect(cmp.departments.every((d) => d.scoreChange === 0 || d.scoreChange === null)).toBe(true);
    expect(await pageWidth()).toBeLessThanOrEqual(WIDTH);
    expect(problems).toEqual([]);
  });
});
