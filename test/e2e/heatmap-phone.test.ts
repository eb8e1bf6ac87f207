/**
 * The work-style heat map and a liaison's own results on a 390 px phone, with a city's long
 * department names: every column head at least two characters wide, the names in a narrow column
 * that stays in sight while the heat map scrolls sideways in its own box, the page itself never wider
 * than the screen.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { runSimulation } from '../../server/demo/simulate.js';
import { createServices } from '../../server/services.js';
import { RATERS_LABEL } from '../../web/lib/format.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems } from '../helpers/browser.js';
import { createTestCampaign, insertDepartments } from '../helpers/fixtures.js';

const WIDTH = 390;
const NAMES = [
  '市发展和改革委员会（市粮食和物资储备局）',
  '市城市管理综合行政执法局',
  '市住房和城乡建设局',
  '市自然资源和规划局',
  '市人力资源和社会保障局',
  '市市场监督管理局（市知识产权局）',
  '市行政审批服务局',
  '市生态环境局',
  '市交通运输局',
  '市卫生健康委员会',
  '市公安局交通警察支队',
  '市医疗保障局',
];

interface Box {
  text: string;
  left: number;
  right: number;
  /** the width left for the text inside the padding, in characters of the cell's font */
  chars: number;
  /** the lines its text takes */
  lines: number;
}

/** Each cell's box in the viewport, and its text's width in characters (a CJK character is 1em). */
function boxesOf(page: Page, selector: string): Promise<Box[]> {
  return page.evaluate(
    (selector) =>
      [...document.querySelectorAll<HTMLElement>(selector)].map((cell) => {
        const style = getComputedStyle(cell);
        const inner = cell.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
        const box = cell.getBoundingClientRect();
        const tops = new Set<number>();
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        const range = document.createRange();
        for (let text = walker.nextNode(); text; text = walker.nextNode())
          for (let k = 0; k < (text.textContent ?? '').length; k++) {
            range.setStart(text, k);
            range.setEnd(text, k + 1);
            tops.add(Math.round(range.getBoundingClientRect().top));
          }
        return {
          text: cell.textContent ?? '',
          left: box.left,
          right: box.right,
          chars: inner / Number.parseFloat(style.fontSize),
          lines: tops.size,
        };
      }),
    selector,
  );
}

describe.skipIf(!browserAvailable())('the heat map and a liaison’s results on a 390 px phone', () => {
  let stage: BrowserStage;
  let analyst: LoggedIn;
  let liaison: LoggedIn;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const clock = fixedClock('2027-01-05T08:00:00Z');
      const deps = { db, config: defaultConfig(), clock };
      const app = createApp(deps);
      const services = createServices(deps);
      const campaign = await createTestCampaign(db, services, { departments: 0 });
      await insertDepartments(db, campaign, NAMES);
      await runSimulation(deps, services, 'test-2026', { evaluators: 600, seed: 5 });
      await services.results.publish('test-2026', 'admin');
      analyst = await loginAs(app, services, 'analyst');
      liaison = await loginAs(app, services, 'liaison', { departmentCode: 'D001' });
      return app;
    });
  }, 120_000);

  afterAll(() => stage?.close());

  async function phone(who: LoggedIn) {
    const context = await stage.signedIn(who, {
      locale: 'zh-CN',
      viewport: { width: WIDTH, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    return context.newPage();
  }

  it('keeps every heat-map head two characters wide or more, the names in a sticky column of at most 40% of the screen, scrolling inside its box', async () => {
    const page = await phone(analyst);
    const problems = pageProblems(page);
    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });

    const heads = await boxesOf(page, '#heatmap-table thead th');
    expect(heads.map((h) => h.text)).toContain(RATERS_LABEL);
    expect(heads.filter((h) => h.chars < 2).map((h) => h.text)).toEqual([]);
    // 评议人数（含不了解） in three lines at most, not a character or two a line
    expect(heads.filter((h) => h.lines > 3).map((h) => h.text)).toEqual([]);

    const names = await boxesOf(page, '#heatmap-table tbody th[scope="row"]');
    expect(names.map((n) => n.text).sort()).toEqual([...NAMES].sort());
    for (const n of names) expect(n.right - n.left, n.text).toBeLessThanOrEqual(0.4 * WIDTH);

    const wrap = page.locator('#heatmap');
    const scroller = await wrap.evaluate((w) => ({ ...w.getBoundingClientRect().toJSON(), scroll: w.scrollWidth }));
    // the table is wider than the phone and scrolls in its own box, which stays on the screen
    expect(scroller.scroll).toBeGreaterThan(scroller.width);
    expect(scroller.left).toBeGreaterThanOrEqual(0);
    expect(scroller.right).toBeLessThanOrEqual(WIDTH);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);

    // scrolled to its last problem, the department names are still at the box's left edge
    await wrap.evaluate((w) => w.scrollTo({ left: w.scrollWidth }));
    const scrolled = await boxesOf(page, '#heatmap-table tbody th[scope="row"]');
    for (const n of scrolled) expect(Math.abs(n.left - scroller.left), n.text).toBeLessThan(2);
    const groups = await boxesOf(page, '#heatmap-table tr.group-row th > span');
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(g.left, g.text).toBeGreaterThanOrEqual(scroller.left);
    const last = await boxesOf(page, '#heatmap-table thead th:last-child');
    expect(last[0].right).toBeLessThanOrEqual(scroller.right + 1);
    await page.locator('#heatmap-section').screenshot({ path: '/tmp/heatmap-390.png' });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('keeps the heat map a plain table on a desktop: one line a name, every column on the screen', async () => {
    const context = await stage.signedIn(analyst, { locale: 'zh-CN', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    const layout = await page.evaluate(() => {
      const wrap = document.getElementById('heatmap')!;
      const lines = [...wrap.querySelectorAll<HTMLElement>('tbody th[scope="row"] a')].map(
        (a) => a.getClientRects().length,
      );
      return { lines, scroll: wrap.scrollWidth, width: wrap.clientWidth };
    });
    expect(layout.lines).toEqual(NAMES.map(() => 1));
    expect(layout.scroll).toBeLessThanOrEqual(layout.width);
    await page.close();
  }, 60_000);

  it('keeps a liaison’s results cards readable: every head two characters wide or more, within 40% of the screen, the page no wider than it', async () => {
    const page = await phone(liaison);
    const problems = pageProblems(page);
    await page.goto(`${stage.url}/my/results`);
    await page.locator('#liaison-results[data-ready="1"]').waitFor();
    const heads = await boxesOf(page, 'main .table-wrap td .cell-head');
    expect(heads.length).toBeGreaterThan(0);
    expect(heads.filter((h) => h.chars < 2).map((h) => h.text)).toEqual([]);
    for (const h of heads) expect(h.right - h.left, h.text).toBeLessThanOrEqual(0.4 * WIDTH);
    const figures = await boxesOf(page, 'main .figure .label');
    expect(figures.filter((f) => f.chars < 2 || f.right > WIDTH).map((f) => f.text)).toEqual([]);
    const wraps = await boxesOf(page, 'main .table-wrap');
    for (const w of wraps) expect(w.right).toBeLessThanOrEqual(WIDTH);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(WIDTH);
    await page.screenshot({ path: '/tmp/liaison-heat-390.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
