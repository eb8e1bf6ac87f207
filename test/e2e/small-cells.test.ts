import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems } from '../helpers/browser.js';
import { resultsSetup, smallCellRecords, storeRecords } from '../results/helpers.js';

const WITHHELD = '人数不足（少于5人）';

/**
 * Dark pixels (the label's text, not the faint grid) just right of the axis on the row of bar k of
 * a horizontal bar chart: where a withheld bar's "人数不足" is drawn.
 */
function inkBesideAxis(page: Page, canvasId: string, k: number): Promise<number> {
  return page.evaluate(
    ([id, index]) => {
      const chart = window.minpingCharts[id as string];
      const bar = chart.getDatasetMeta(0).data[index as number];
      const { y, base } = bar.getProps(['y', 'base'], true) as { y: number; base: number };
      const dpr = chart.currentDevicePixelRatio;
      const pixels = chart.ctx.getImageData((base + 6) * dpr, (y - 6) * dpr, 40 * dpr, 12 * dpr).data;
      let ink = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 128) ink++;
      return ink;
    },
    [canvasId, k],
  );
}

describe.skipIf(!browserAvailable())('small cells in the dashboard, in a browser', () => {
  let stage: BrowserStage;
  let page: Page;
  let problems: string[];
  let analyst: LoggedIn;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const ctx = await resultsSetup(db, { records: false });
      await storeRecords(ctx.services, ctx.campaign, smallCellRecords());
      analyst = await loginAs(ctx.app, ctx.services, 'analyst');
      return ctx.app;
    });
    const context = await stage.signedIn(analyst, { locale: 'zh-CN' });
    page = await context.newPage();
    problems = pageProblems(page);
  });

  afterAll(() => stage?.close());

  const open = async (path: string) => {
    await page.goto(`${stage.url}${path}`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
  };
  // the heat map's cell of department `code` and problem `id` (columns: name, raters, problems 1…10)
  const heatCell = (code: string, id: number) =>
    page.locator(`#heatmap-table tr:has(a[href*="/departments/${code}?"]) td:nth-child(${id + 2})`);

  it('shows in the heat map the 3 of 253 who named a problem, the zeros, and the tiny department withheld', async () => {
    await open('/dashboard?campaign=test-2026');
    expect(await heatCell('D001', 4).innerText()).toBe('3\n1%');
    expect(await heatCell('D001', 1).innerText()).toBe('0');
    expect(await heatCell('D001', 4).getAttribute('class')).not.toContain('suppressed');
    for (const id of [1, 4, 10]) {
      expect(await heatCell('D002', id).innerText()).toBe('人数不足');
      expect(await heatCell('D002', id).getAttribute('title')).toContain(WITHHELD);
    }
    expect(problems).toEqual([]);
  });

  it('draws the small tally of the big department as a bar and its withheld category as a labelled gap', async () => {
    await open('/dashboard/departments/D001?campaign=test-2026');
    const shape = await page.evaluate(() => {
      const ds = (id: string) =>
        window.minpingCharts[id].data.datasets as unknown as { data: (number | null)[]; withheld: boolean[] }[];
      return { problem: ds('problem-chart')[0], category: ds('category-chart')[0] };
    });
    // problem 4: 3 of 253 is a bar; problem 1: a zero, not withheld
    expect(shape.problem.data[3]).toBeCloseTo(1.19, 2);
    expect(shape.problem.withheld).toEqual(Array(10).fill(false));
    // categories in config order: project (250) shown, deputies (3) withheld
    expect(shape.category.withheld.slice(0, 2)).toEqual([false, true]);
    expect(shape.category.data[1]).toBeNull();
    await page.locator('#problem-table summary').click();
    const row = (label: string) => page.locator(`#problem-table tr:has-text("${label}") td`);
    expect(await row('态度生硬、冷硬横推').allInnerTexts()).toEqual(['态度生硬、冷硬横推', '思维', '3', '1.2%']);
    await page.locator('#category-table summary').click();
    const deputies = page.locator('#category-table tbody tr').filter({ hasText: '两代表一委员' }).first();
    expect(await deputies.locator('td').allInnerTexts()).toEqual([
      '工作效率',
      '两代表一委员',
      '3',
      WITHHELD,
      WITHHELD,
      '否',
    ]);
    // a zero bar draws nothing beside the axis
    expect(await inkBesideAxis(page, 'problem-chart', 0)).toBe(0);
    expect(problems).toEqual([]);
  });

  it('draws every bar of the tiny department as a gap labelled 人数不足 and says why in its tables', async () => {
    await open('/dashboard/departments/D002?campaign=test-2026');
    const withheld = await page.evaluate(
      () => (window.minpingCharts['problem-chart'].data.datasets[0] as unknown as { withheld: boolean[] }).withheld,
    );
    expect(withheld).toEqual(Array(10).fill(true));
    expect(await inkBesideAxis(page, 'problem-chart', 0)).toBeGreaterThan(20);
    expect(await inkBesideAxis(page, 'negative-chart', 0)).toBeGreaterThan(20);
    expect(await page.locator('#summary').innerText()).toContain(WITHHELD);
    await page.locator('#problem-table summary').click();
    const row = page.locator('#problem-table tr:has-text("推诿扯皮、踢皮球") td');
    expect((await row.allInnerTexts()).slice(2)).toEqual([WITHHELD, WITHHELD]);
    expect(await page.locator('p.note').allInnerTexts()).toContain(
      '评议人少于 5 人，各类情形不予分项显示；核实 0 条计入扣分。',
    );
    expect(problems).toEqual([]);
  });
});
