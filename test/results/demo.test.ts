import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { ensureDemo } from '../../server/demo/campaign.js';
import { demoResultsStep } from '../../server/demo/last-year.js';
import { createServices } from '../../server/services.js';
import { sqliteDb } from '../helpers/db.js';

const db = await sqliteDb();
afterAll(() => db.close());

describe('the demo with simulated results', () => {
  it('publishes last year and fills this year, so the dashboard has a ranking, a trend and a comparison', async () => {
    const deps = { db, config: defaultConfig(), clock: fixedClock('2026-12-20T02:00:00Z') };
    const demo = await ensureDemo(deps, { evaluators: 300, steps: [demoResultsStep], log: () => {} });
    expect(demo).not.toBeNull();
    const services = createServices(deps);
    const campaigns = await services.campaigns.list();
    expect(campaigns.map((c) => c.slug)).toEqual(['demo-2026', 'demo-2025']);
    expect(campaigns[1].name).toContain('2025');
    const [previous] = await services.results.snapshots('demo-2025');
    expect(previous.counts.responses).toBe(2800);
    const live = await services.results.live('demo-2026', { uncertainty: false });
    expect(live.inputs.responses).toBe(2400);
    expect(live.departments.filter((d) => d.ranked).length).toBeGreaterThan(90);
    expect(live.departments.some((d) => d.deduction > 0)).toBe(true);
    const trend = await services.results.trend(live.departments[0].code);
    expect(trend.points).toHaveLength(1);
    // departments keep their character from one year to the next
    const last = await services.results.snapshot(previous.id);
    const before = new Map(last.departments.map((d) => [d.code, d.finalScore ?? 0]));
    const pairs = live.departments.map((d) => [before.get(d.code) ?? 0, d.finalScore ?? 0]);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const [mx, my] = [mean(pairs.map((p) => p[0])), mean(pairs.map((p) => p[1]))];
    const cov = mean(pairs.map(([x, y]) => (x - mx) * (y - my)));
    const sd = (k: 0 | 1, m: number) => Math.sqrt(mean(pairs.map((p) => (p[k] - m) ** 2)));
    expect(cov / (sd(0, mx) * sd(1, my))).toBeGreaterThan(0.8);
    // two simulated years with 5,200 responses: ~15 s alone, several times that on a loaded 2-core machine
  }, 120_000);
});
