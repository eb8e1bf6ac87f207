/** The office's 评议状态 box on the campaign page, on a 1280 px desktop screen. */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';

const PASSWORD = 'campaign-desktop-password';
const DESKTOP = { viewport: { width: 1280, height: 900 } };

type Box = { x: number; y: number; width: number; height: number };
const box = async (locator: Locator): Promise<Box> => {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`${locator} is not drawn`);
  return found;
};
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

/** Every pair of the lifecycle box's drawn controls that lie over each other (one inside the other aside). */
function overlapping(page: Page): Promise<string[]> {
  return page.locator('#lifecycle').evaluate((section) => {
    const shown = [...section.querySelectorAll('summary, a.button, button, input:not([type="hidden"]), label')]
      .map((e) => ({ e, r: e.getBoundingClientRect() }))
      .filter(({ r }) => r.width > 0 && r.height > 0);
    const found: string[] = [];
    for (const [i, a] of shown.entries())
      for (const b of shown.slice(i + 1)) {
        if (a.e.contains(b.e) || b.e.contains(a.e)) continue;
        const over = a.r.left < b.r.right && b.r.left < a.r.right && a.r.top < b.r.bottom && b.r.top < a.r.bottom;
        const name = (e: Element) => `${e.tagName}:${(e.textContent ?? '').trim().slice(0, 12)}`;
        if (over) found.push(`${name(a.e)} × ${name(b.e)}`);
      }
    return found;
  });
}

describe.skipIf(!browserAvailable())('the campaign page’s 评议状态 on a 1280 px screen', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = {
        db,
        config: { ...defaultConfig(), publicUrl: 'https://minping.example.gov.cn' },
        clock: fixedClock('2026-11-20T08:00:00Z'),
      };
      const services = createServices(deps);
      await createTestCampaign(db, services, { slug: 'draft-2026', state: 'draft' });
      await createTestCampaign(db, services, { slug: 'open-2026' });
      await services.accounts.addUser({ username: 'office', role: 'admin', password: PASSWORD }, 'test');
      return createApp(deps, services);
    });
  }, 60_000);
  afterAll(() => stage?.close());

  it('draws 开启评议… and 编辑 side by side, neither over the other', async () => {
    const page = await stage.browser.newPage(DESKTOP);
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/draft-2026`);
    const open = await box(page.locator('#lifecycle-open summary'));
    const edit = await box(page.locator('#edit-link'));
    expect(overlap(open, edit), `开启评议… ${JSON.stringify(open)} 编辑 ${JSON.stringify(edit)}`).toBe(false);
    expect(Math.abs(open.y - edit.y)).toBeLessThan(4);
    expect(await overlapping(page)).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('draws the 确认现在截止 checkbox at a checkbox’s size beside its words, apart from 提前截止', async () => {
    const page = await stage.browser.newPage(DESKTOP);
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', PASSWORD);
    await page.goto(`${stage.url}/admin/campaigns/open-2026`);
    const close = page.locator('#lifecycle-close');
    const checkbox = await box(close.locator('input[type="checkbox"]'));
    expect(checkbox.width).toBeLessThanOrEqual(24);
    expect(checkbox.height).toBeLessThanOrEqual(24);
    expect(checkbox.width).toBeGreaterThanOrEqual(12);
    // where the words themselves are drawn (the label around them holds the box too)
    const words: Box = await close.locator('label').evaluate((label) => {
      const text = [...label.childNodes].find((n) => n.nodeType === Node.TEXT_NODE && n.textContent?.includes('确认'));
      const range = document.createRange();
      range.selectNodeContents(text!);
      const r = range.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    });
    // the box sits on the line of its words, to their left
    expect(checkbox.x + checkbox.width).toBeLessThanOrEqual(words.x + 1);
    expect(checkbox.y + checkbox.height / 2).toBeGreaterThan(words.y);
    expect(checkbox.y + checkbox.height / 2).toBeLessThan(words.y + words.height);
    expect(await overlapping(page)).toEqual([]);
    // the label's tick still reaches the box
    await close.getByText('确认现在截止').click();
    expect(await close.locator('input[type="checkbox"]').isChecked()).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
