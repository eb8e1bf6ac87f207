import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { knownRecords, resultsSetup, storeRecords } from '../results/helpers.js';

const PEOPLE = {
  admin: { username: 'office', displayName: '王主任', department: undefined },
  analyst: { username: 'analyst', displayName: '李分析', department: undefined },
  liaison: { username: 'liaison-d002', displayName: '张联络', department: 'D002' },
} as const;
const PASSWORD = 'header-test-password';

/** Each role's pages and the navigation its header shows, by link text. */
const VISITS = {
  admin: {
    pages: ['/admin', '/admin/campaigns/test-2026', '/admin/closeout', '/dashboard'],
    nav: ['评议活动', '账号', '核验销号', '结果分析'],
  },
  analyst: { pages: ['/dashboard', '/dashboard/departments/D002'], nav: ['结果分析'] },
  liaison: { pages: ['/my', '/my/results'], nav: ['工作提示单', '本部门评议结果'] },
} as const;
const EVERY_LINK = ['评议活动', '账号', '核验销号', '结果分析', '工作提示单', '本部门评议结果'];

describe.skipIf(!browserAvailable())('the one header of every signed-in page, in a real browser', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const { services, campaign, deps } = await resultsSetup(db, { records: false });
      const { records, verify } = knownRecords();
      await storeRecords(services, campaign, records, verify);
      await services.results.publish(campaign.slug, 'office');
      for (const [role, p] of Object.entries(PEOPLE))
        await services.accounts.addUser(
          {
            username: p.username,
            displayName: p.displayName,
            role: role as keyof typeof PEOPLE,
            departmentCode: p.department,
            password: PASSWORD,
          },
          'test',
        );
      return createApp(deps);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it.each(Object.keys(VISITS) as (keyof typeof VISITS)[])(
    'shows %s the same header with their name and navigation on each page, on a phone, and signs them out',
    async (role) => {
      const person = PEOPLE[role];
      const visit = VISITS[role];
      const context = await stage.browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
      const page = await context.newPage();
      const errors = pageProblems(page);
      await signIn(page, stage.url, person.username, PASSWORD);
      expect(new URL(page.url()).pathname).toBe(visit.pages[0]);

      for (const path of visit.pages) {
        await page.goto(`${stage.url}${path}`);
        const header = page.locator('header#site-header');
        expect(await header.count(), path).toBe(1);
        expect(await header.locator('.person').innerText(), path).toBe(person.displayName);
        if (role === 'liaison') expect(await header.locator('.department').innerText()).toBe('测试部门2');
        const links = await header.locator('nav a').allInnerTexts();
        expect(links, path).toEqual(visit.nav);
        for (const other of EVERY_LINK.filter((l) => !links.includes(l)))
          expect(await header.getByRole('link', { name: other, exact: true }).count(), `${path} ${other}`).toBe(0);
        // large enough to read and to tap on a phone, wrapped within the screen
        for (const target of await header.locator('nav a, button').all()) {
          const box = (await target.boundingBox())!;
          expect(box.height, `${path} tap target`).toBeGreaterThanOrEqual(44);
          expect(box.x + box.width, `${path} inside the screen`).toBeLessThanOrEqual(390);
        }
        expect(await header.evaluate((h) => getComputedStyle(h).fontSize), path).toBe('18px');
      }

      if (role === 'liaison') {
        // on a phone the tables scroll sideways: their first column keeps whole words, at least six characters wide
        const firstColumns = await page
          .locator('table.compact tbody tr:first-child td:first-child')
          .evaluateAll((cells) =>
            cells.map((td) => td.getBoundingClientRect().width / Number.parseFloat(getComputedStyle(td).fontSize)),
          );
        expect(firstColumns).toHaveLength(3);
        for (const characters of firstColumns) expect(characters).toBeGreaterThanOrEqual(6);
      }

      await page.getByRole('button', { name: '退出登录' }).click();
      await page.waitForURL(/\/login$/);
      await page.goto(`${stage.url}${visit.pages[0]}`);
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(new URL(page.url()).searchParams.get('next')).toBe(visit.pages[0]);
      expect(errors).toEqual([]);
      await context.close();
    },
    60_000,
  );
});
