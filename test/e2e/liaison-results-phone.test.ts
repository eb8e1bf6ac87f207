import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { knownRecords, record, resultsSetup, storeRecords } from '../results/helpers.js';

const PASSWORD = 'phone-results-password';

describe.skipIf(!browserAvailable())("a liaison's results on a 390 px phone", () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const { services, campaign, deps } = await resultsSetup(db, { records: false });
      const { records, verify } = knownRecords();
      // a fourth rater of D006 (withheld whole: 4 raters) reports a situation the office verifies
      const tiny = record('public', [
        {
          code: 'D006',
          efficiency: 'dissatisfied',
          quality: 'dissatisfied',
          negatives: [{ kind: 3, description: '窗口办件超时' }],
        },
      ]);
      await storeRecords(services, campaign, [...records, tiny], [...verify, '窗口办件超时']);
      await services.results.publish(campaign.slug, 'office');
      for (const code of ['D002', 'D006'])
        await services.accounts.addUser(
          { username: `liaison-${code.toLowerCase()}`, role: 'liaison', departmentCode: code, password: PASSWORD },
          'test',
        );
      return createApp(deps);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('fits every table to the screen as cards, no sideways scrolling, and says 人数不足 once under a table', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'liaison-d002', PASSWORD);
    await page.goto(`${stage.url}/my/results`);
    const layout = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      tables: [...document.querySelectorAll('main .table-wrap')].map((wrap) => ({
        head: wrap.querySelector('thead th:last-child')!.textContent,
        right: wrap.getBoundingClientRect().right,
        scrollWidth: wrap.scrollWidth,
        clientWidth: wrap.clientWidth,
      })),
      withheldCells: [...document.querySelectorAll('main td')].filter((td) => td.textContent!.includes('人数不足'))
        .length,
      notes: [...document.querySelectorAll('main .note')].map((p) => p.textContent),
    }));
    expect(layout.tables.length).toBeGreaterThan(0);
    expect(layout.page).toBeLessThanOrEqual(390);
    for (const t of layout.tables) {
      expect(t.right, t.head!).toBeLessThanOrEqual(390);
      expect(t.scrollWidth, t.head!).toBeLessThanOrEqual(t.clientWidth);
    }
    // 平均分, 满意及以上比例 and 核实 are on the screen
    for (const head of ['平均分', '满意及以上比例', '核实']) {
      const box = (await page.locator('main td .cell-head', { hasText: head }).first().boundingBox())!;
      expect(box.x + box.width, head).toBeLessThanOrEqual(390);
    }
    expect(layout.withheldCells).toBe(0);
    expect(layout.notes).toContain('— 为人数不足（少于5人），不予显示');
    await page.screenshot({ path: '/tmp/liaison-results-390.png', fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('draws the department’s charts with the dashboard’s chart module, inside the screen, withheld cells as gaps', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'liaison-d002', PASSWORD);
    await page.goto(`${stage.url}/my/results`);
    await page.locator('#liaison-results[data-ready="1"]').waitFor();
    const charts = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')].map((canvas) => {
        const chart = window.minpingCharts[canvas.id];
        const box = canvas.getBoundingClientRect();
        const sets = chart.data.datasets as unknown as { data: (number | null)[]; withheld?: boolean[] }[];
        return {
          kind: canvas.dataset.chart,
          drawn: canvas.dataset.ready === '1',
          left: box.left,
          right: box.right,
          height: box.height,
          bars: chart.data.labels?.length,
          // a withheld bar has no figure: it is a gap, never a zero
          gapsWithoutFigures: sets.every((ds) => (ds.withheld ?? []).every((w, k) => !w || ds.data[k] === null)),
        };
      }),
    );
    expect(charts.map((c) => c.kind)).toEqual(['category', 'problem', 'negative']);
    for (const c of charts) {
      expect(c, c.kind).toMatchObject({ drawn: true, gapsWithoutFigures: true });
      expect(c.left).toBeGreaterThanOrEqual(0);
      expect(c.right).toBeLessThanOrEqual(390);
      expect(c.height).toBeGreaterThan(200);
    }
    expect(charts.map((c) => c.bars)).toEqual([5, 10, 8]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('shows a withheld department its verified total beside the 扣分 card’s, and the problem shares on a 0–100% axis', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'liaison-d006', PASSWORD);
    await page.goto(`${stage.url}/my/results`);
    await page.locator('#liaison-results[data-ready="1"]').waitFor();
    expect(await page.locator('.figure', { hasText: '扣分' }).innerText()).toContain('核实负面情形 1 条');
    // the breakdown by kind is withheld (4 raters) and says why in its cells; its total is the card's
    const negatives = page.locator('table', { has: page.locator('th', { hasText: '负面情形' }) });
    const kind3 = await negatives.locator('tbody tr').nth(2).locator('td').allInnerTexts();
    expect(kind3.slice(1)).toEqual(['反映\n人数不足（少于5人）', '核实\n人数不足（少于5人）']);
    expect(await negatives.locator('tfoot th').allInnerTexts()).toEqual([
      '负面情形\n合计',
      '反映\n人数不足（少于5人）',
      '核实\n1',
    ]);
    expect(await page.locator('[id^="negatives-note-"]').innerText()).toContain('核实的 1 条是扣分的依据');
    const axis = await page.evaluate(() => {
      const canvas = document.querySelector<HTMLCanvasElement>('canvas[data-chart="problem"]')!;
      const x = window.minpingCharts[canvas.id].scales.x;
      return { min: x.min, max: x.max, ticks: x.ticks.map((t) => t.label) };
    });
    expect(axis).toMatchObject({ min: 0, max: 100 });
    expect([axis.ticks[0], axis.ticks.at(-1)]).toEqual(['0%', '100%']);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
