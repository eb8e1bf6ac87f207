import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { knownRecords, resultsSetup, storeRecords } from '../results/helpers.js';

const PASSWORD = 'phone-results-password';

describe.skipIf(!browserAvailable())("a liaison's results on a 390 px phone", () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const { services, campaign, deps } = await resultsSetup(db, { records: false });
      const { records, verify } = knownRecords();
      await storeRecords(services, campaign, records, verify);
      await services.results.publish(campaign.slug, 'office');
      await services.accounts.addUser(
        { username: 'liaison-d002', role: 'liaison', departmentCode: 'D002', password: PASSWORD },
        'test',
      );
      return createApp(deps);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('fits the page to the screen and scrolls each table sideways to its last column', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'liaison-d002', PASSWORD);
    await page.goto(`${stage.url}/my/results`);
    const layout = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      tables: [...document.querySelectorAll('main .table-wrap')].map((wrap) => {
        const box = wrap.getBoundingClientRect();
        const last = wrap.querySelector('thead th:last-child')!;
        return {
          head: last.textContent,
          wrapRight: box.right,
          scrollable: wrap.scrollWidth > wrap.clientWidth,
          fits: wrap.scrollWidth <= wrap.clientWidth,
        };
      }),
    }));
    expect(layout.tables.length).toBeGreaterThan(0);
    // nothing sticks out of the screen: no page-wide sideways scroll that cuts a column off
    expect(layout.page).toBeLessThanOrEqual(390);
    for (const t of layout.tables) {
      expect(t.wrapRight, t.head!).toBeLessThanOrEqual(390);
      expect(t.fits || t.scrollable, t.head!).toBe(true);
    }
    // and the last column of each table can be scrolled into view
    const wraps = page.locator('main .table-wrap');
    for (let i = 0; i < (await wraps.count()); i++) {
      const last = wraps.nth(i).locator('thead th:last-child');
      await last.scrollIntoViewIfNeeded();
      const box = (await last.boundingBox())!;
      expect(box.x + box.width, (await last.textContent())!).toBeLessThanOrEqual(391);
      expect(box.x).toBeGreaterThanOrEqual(-1);
    }
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
});
