import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices, type Services } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, signIn } from '../helpers/browser.js';

describe.skipIf(!browserAvailable())('the office creates a campaign by the form on a phone', () => {
  let stage: BrowserStage;
  let services: Services;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = { db, config: defaultConfig(), clock: fixedClock('2026-10-20T08:00:00Z') };
      services = createServices(deps);
      await services.accounts.addUser({ username: 'office', role: 'admin', password: 'office-password-1' }, 'test');
      return createApp(deps);
    });
  });
  afterAll(() => stage?.close());

  it('sees a Chinese message beside a bad weight with everything typed kept, fixes it and gets the campaign', async () => {
    const page = await stage.browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const scriptErrors: string[] = [];
    page.on('pageerror', (e) => scriptErrors.push(String(e)));
    await signIn(page, stage.url, 'office', 'office-password-1');
    await page.goto(`${stage.url}/admin`);
    await page.locator('#new-campaign-link').click();
    await page.waitForURL(/\/admin\/campaigns\/new$/);

    const form = page.locator('#campaign-form');
    await form.getByLabel('活动名称').fill('2027年度民主评议机关');
    await form.getByLabel(/^活动代码/).fill('appraisal-2027');
    await form.getByLabel(/^开始时间/).fill('2027-11-01T00:00:00');
    await form.getByLabel(/^截止时间/).fill('2027-12-31T23:59:59');
    await form.getByLabel('评议方式').selectOption('named');
    await form.getByLabel('计分等级').selectOption('three-level');
    await form.locator('input[name="categories.2.weight"]').fill('一成');
    await form.locator('input[name="groups.3.code"]').fill('party');
    await form.locator('input[name="groups.3.label"]').fill('党群类');

    // nothing wider than the phone: the page never scrolls sideways
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((e) => e.getBoundingClientRect().right > 390)
        .map((e) => `${e.tagName}#${e.id}.${e.className}:${Math.round(e.getBoundingClientRect().right)}`)
        .slice(0, 10),
    );
    expect(wide).toEqual([]);
    expect(width).toBeLessThanOrEqual(390);

    await form.getByRole('button', { name: '创建评议活动' }).click();
    await page.locator('#form-errors').waitFor();
    await expect(page.locator('#form-errors').textContent()).resolves.toContain('第 3 个评议类别的权重：应为数字');
    const weight = page.locator('input[name="categories.2.weight"]');
    expect(await weight.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#error-categories\\.2\\.weight').textContent()).toBe('应为数字');
    // what was typed is all there
    expect(await weight.inputValue()).toBe('一成');
    expect(await form.getByLabel('活动名称').inputValue()).toBe('2027年度民主评议机关');
    expect(await form.getByLabel(/^活动代码/).inputValue()).toBe('appraisal-2027');
    expect(await form.getByLabel(/^开始时间/).inputValue()).toMatch(/^2027-11-01T00:00/);
    expect(await form.getByLabel('评议方式').inputValue()).toBe('named');
    expect(await form.getByLabel('计分等级').inputValue()).toBe('three-level');
    expect(await form.locator('input[name="groups.3.label"]').inputValue()).toBe('党群类');

    await weight.fill('0.1');
    await form.getByRole('button', { name: '创建评议活动' }).click();
    await page.waitForURL(/\/admin\/campaigns\/appraisal-2027\?done=create$/);
    await page.getByRole('heading', { name: '2027年度民主评议机关' }).waitFor();
    expect(await page.getByRole('status').first().textContent()).toContain('已创建本活动');

    const campaign = await services.campaigns.getBySlug('appraisal-2027');
    expect(campaign.mode).toBe('named');
    expect(campaign.opensAt).toBe('2027-10-31T16:00:00.000Z');
    expect(campaign.config.scale).toHaveLength(4);
    expect(campaign.config.groups.map((g) => g.code)).toEqual(['economic', 'enforcement', 'service', 'party']);
    expect(scriptErrors).toEqual([]);
    await page.close();
  }, 120_000);
});
