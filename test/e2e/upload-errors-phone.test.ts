/**
 * The office uploads a broken questionnaire or config from a phone (390 px): the refusal is where
 * the eye is, scrolled into view and focused (a screen reader reads it), its places in Chinese.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { resolveQuestionnairePath } from '../../surveys/campaign-config.js';
import { browserAvailable, launchBrowser, listen, signIn } from '../helpers/browser.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';

const WIDTH = 390;
const HEIGHT = 844;

describe.skipIf(!browserAvailable())('an upload refused on a phone', () => {
  let db: Db;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    db = await sqliteDb();
    const deps = { db, config: defaultConfig(), clock: fixedClock('2026-10-20T08:00:00Z') };
    const services = createServices(deps);
    await createTestCampaign(db, services, { state: 'draft' });
    await services.accounts.addUser(
      { username: 'office', role: 'admin', password: 'office-password-1', displayName: '评议办' },
      'test',
    );
    server = await listen(createApp(deps, services).fetch);
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: WIDTH, height: HEIGHT }, isMobile: true, hasTouch: true });
    await signIn(page, server.url, 'office', 'office-password-1');
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
  });

  /** Whether the element's top is on the screen and it has the focus. */
  const shownAndFocused = (selector: string) =>
    page.locator(selector).evaluate((e) => {
      const { top, bottom } = e.getBoundingClientRect();
      return { top, bottom, focused: document.activeElement === e, viewport: window.innerHeight };
    });

  it('scrolls to the refusal of a questionnaire upload, focuses it and names the question 第N页第M题', async () => {
    const definition = JSON.parse(readFileSync(resolveQuestionnairePath('questionnaire.default.json'), 'utf8'));
    definition.pages[0].elements.push({ type: 'text', name: 'extra', title: '补充说明' });
    await page.goto(`${server.url}/admin/campaigns/test-2026/edit`);
    await page.getByRole('heading', { name: '编辑评议活动' }).waitFor();
    const form = page.locator('form[action$="/questionnaire"]');
    await form.locator('input[type="file"]').setInputFiles({
      name: '问卷.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(definition)),
    });
    await form.getByRole('button', { name: '上传并更换问卷' }).tap();
    await page.locator('#upload-errors').waitFor();
    const summary = await shownAndFocused('#upload-errors');
    expect(summary.focused).toBe(true);
    expect(summary.top).toBeGreaterThanOrEqual(0);
    expect(summary.top).toBeLessThan(summary.viewport / 2);
    const text = await page.locator('#upload-errors').innerText();
    expect(text).toContain(`第1页第${definition.pages[0].elements.length}题「补充说明」`);
    expect(text).not.toMatch(/pages\.|elements\./);
  }, 60_000);

  it('scrolls to and focuses the refusal of a campaign file sent by the script', async () => {
    await page.goto(`${server.url}/admin`);
    const form = page.locator('#create-campaign');
    await form.locator('input[name="config"]').setInputFiles({
      name: '配置.yaml',
      mimeType: 'application/x-yaml',
      buffer: Buffer.from('slug: broken-2027\nname: 坏配置\ncolour: red\n'),
    });
    await form.getByRole('button', { name: '创建', exact: true }).tap();
    const result = form.locator('.result');
    await result.getByRole('alert').waitFor();
    const shown = await shownAndFocused('#create-campaign .result');
    expect(shown.focused).toBe(true);
    expect(shown.top).toBeGreaterThanOrEqual(0);
    expect(shown.top).toBeLessThan(shown.viewport / 2);
  }, 60_000);
});
