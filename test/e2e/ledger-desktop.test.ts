/** The office's ledger (台账) on a 1280 px desktop screen: the page's width for its tables. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { ledgerSetup } from '../notices/ledger-helpers.js';

const PASSWORD = 'ledger-desktop-password';

describe.skipIf(!browserAvailable())('the ledger on a 1280 px screen', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const ctx = await ledgerSetup(db);
      await ctx.services.accounts.addUser({ username: 'office', role: 'admin', password: PASSWORD }, 'test');
      return ctx.app;
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('spreads its tables over the page, every column in sight and no head wrapped under four characters', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/ledger?campaign=test-2026&from=2027-01-01&to=2027-03-31`);
    const layout = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      main: document.querySelector('main')!.getBoundingClientRect().width,
      tables: [...document.querySelectorAll('main .table-wrap')].map((wrap) => ({
        id: wrap.closest('section')!.id,
        hidden: wrap.scrollWidth - wrap.clientWidth,
        // a head on more than one line: how many characters of its font its column holds
        heads: [...wrap.querySelectorAll('thead th')].map((th) => {
          const range = document.createRange();
          range.selectNodeContents(th);
          const style = getComputedStyle(th);
          const content = th.clientWidth - Number.parseFloat(style.paddingLeft) - Number.parseFloat(style.paddingRight);
          return {
            text: th.textContent ?? '',
            lines: range.getClientRects().length,
            characters: content / Number.parseFloat(style.fontSize),
          };
        }),
      })),
    }));
    expect(layout.page).toBeLessThanOrEqual(1280);
    expect(layout.main).toBeGreaterThan(1150);
    expect(layout.tables.map((t) => t.id)).toEqual([
      'statement',
      'circulation',
      'open-at-end',
      'settlement',
      'by-department',
      'by-kind',
    ]);
    for (const table of layout.tables) {
      expect(table.hidden, `${table.id}: columns cut off on the right`).toBe(0);
      for (const head of table.heads.filter((h) => h.lines > 1))
        expect(head.characters, `${table.id} ${head.text}: ${head.lines} lines`).toBeGreaterThanOrEqual(4);
    }
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
