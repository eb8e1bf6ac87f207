import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Db } from '../../server/db/connect.js';
import { browserAvailable, launchBrowser, listen, pageProblems, signIn } from '../helpers/browser.js';
import { sqliteDb } from '../helpers/db.js';
import { knownRecords, resultsSetup, storeRecords } from '../results/helpers.js';

const PASSWORD = 'phone-results-password';

describe.skipIf(!browserAvailable())("a liaison's results on a 390 px phone", () => {
  let db: Db;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    db = await sqliteDb();
    const { services, campaign, deps } = await resultsSetup(db, { records: false });
    const { records, verify } = knownRecords();
    await storeRecords(services, campaign, records, verify);
    await services.results.publish(campaign.slug, 'office');
    await services.accounts.addUser(
      { username: 'liaison-d002', role: 'liaison', departmentCode: 'D002', password: PASSWORD },
      'test',
    );
    server = await listen(createApp(deps).fetch);
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
  });

  it('fits the page to the screen and scrolls each table sideways to its last column', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const problems = pageProblems(page);
    await signIn(page, server.url, 'liaison-d002', PASSWORD);
    await page.goto(`${server.url}/my/results`);
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
});
