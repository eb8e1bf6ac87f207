/** The office edits a draft campaign in Chromium: 编辑 from its page, a weight and the deadline changed and saved, a broken field named in Chinese. */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { browserAvailable, launchBrowser, listen, signIn } from '../helpers/browser.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';

describe.skipIf(!browserAvailable())('a draft campaign edited in a real browser', () => {
  let db: Db;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

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
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await db?.close();
  });

  it('opens 编辑 prefilled, saves a new weight and deadline, shows them, and names a broken field in Chinese', async () => {
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await signIn(page, server.url, 'office', 'office-password-1');
    await page.goto(`${server.url}/admin/campaigns/test-2026`);
    await page.locator('#edit-link').click();
    await page.getByRole('heading', { name: '编辑评议活动' }).waitFor();
    const weight = page.locator('input[name="categories.0.weight"]');
    expect(await weight.inputValue()).toBe('0.5');
    expect(await page.locator('input[name="slug"]').inputValue()).toBe('test-2026');
    await weight.fill('0.6');
    await page.locator('input[name="closesAt"]').fill('2027-01-10T18:00:00');
    await page.getByRole('button', { name: '保存修改' }).click();
    await page.waitForURL(/\/admin\/campaigns\/test-2026\?done=edit/);
    expect(await page.getByRole('status').first().textContent()).toContain('配置已保存');
    expect(await page.locator('dl.facts').textContent()).toContain('2027-01-10 18:00');

    await page.locator('#edit-link').click();
    expect(await page.locator('input[name="categories.0.weight"]').inputValue()).toBe('0.6');
    await page.locator('input[name="categories.0.weight"]').fill('很多');
    await page.getByRole('button', { name: '保存修改' }).click();
    const error = page.locator('[id="error-categories.0.weight"]');
    await error.waitFor();
    expect(await error.textContent()).toMatch(/[\u4e00-\u9fff]/);
    expect(await page.locator('#form-errors').textContent()).toContain('第 1 个评议类别的权重');
    expect(await page.locator('input[name="categories.0.weight"]').getAttribute('aria-invalid')).toBe('true');
    await page.close();
  });
});
