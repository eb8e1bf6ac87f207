/**
 * The interim (中期) dashboard's submissions chart: counts of people step by whole persons on both
 * axes, and every legend entry has its colour (the 累计 line's swatch was an empty box).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { createInvitation, OPEN_TIME, webAnswers } from '../evaluator/helpers.js';

describe.skipIf(!browserAvailable())('the interim submissions chart', () => {
  let stage: BrowserStage;
  let analyst: LoggedIn;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = { db, config: defaultConfig(), clock: fixedClock(OPEN_TIME) };
      const services = createServices(deps);
      const app = createApp(deps, services);
      const campaign = await createTestCampaign(db, services, { overrides: { mode: 'named' } });
      // two submissions: a scale left to itself steps 0, 0.2, 0.4 … persons
      for (let i = 0; i < 2; i++) {
        const { token } = await createInvitation(db, campaign);
        const res = await app.request(`/api/s/${token}/submit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
        });
        expect(res.status).toBe(201);
      }
      analyst = await loginAs(app, services, 'analyst');
      return app;
    });
    page = await (await stage.signedIn(analyst, { locale: 'zh-CN', viewport: { width: 390, height: 844 } })).newPage();
    problems = pageProblems(page);
  }, 60_000);
  afterAll(() => stage?.close());

  it('steps both count axes by whole persons and gives every legend entry its colour', async () => {
    await page.goto(`${stage.url}/dashboard?campaign=test-2026`);
    await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    await page.waitForFunction(() => Boolean(window.minpingCharts['progress-chart']));
    const chart = await page.evaluate(() => {
      const c = window.minpingCharts['progress-chart'];
      // the swatch's opacity: chart.js's default fill (no backgroundColor) is rgba(0, 0, 0, 0.1), an empty-looking box
      const opacity = (colour: unknown) => {
        const text = String(colour ?? 'transparent');
        if (text === 'transparent') return 0;
        const rgba = /^rgba\(.*,\s*([\d.]+)\)$/.exec(text);
        return rgba ? Number(rgba[1]) : 1;
      };
      return {
        ticks: Object.fromEntries(
          ['y', 'y2'].map((id) => [id, c.scales[id].ticks.map((t: { value: number }) => t.value)]),
        ),
        legend: (c.legend?.legendItems ?? []).map((item) => ({
          text: item.text,
          filled: opacity(item.fillStyle) >= 0.5,
        })),
      };
    });
    for (const values of Object.values(chart.ticks) as number[][]) {
      expect(values.length).toBeGreaterThan(1);
      for (const v of values) expect(Number.isInteger(v)).toBe(true);
    }
    expect(chart.legend).toEqual([
      { text: '当日网上提交', filled: true },
      { text: '累计', filled: true },
    ]);
    expect(problems).toEqual([]);
  });
});
