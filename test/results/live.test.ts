import { afterAll, describe, expect, it } from 'vitest';
import { LIVE_MAX_AGE_MS } from '../../server/results/service.js';
import { sqliteDb } from '../helpers/db.js';
import { record, resultsSetup, storeRecords } from './helpers.js';

const db = await sqliteDb();
const s = await resultsSetup(db);
afterAll(() => db.close());

describe('live results', () => {
  it('reuse one computation for a minute, so a busy deadline is not stalled by every dashboard view', async () => {
    const first = await s.services.results.live(s.campaign.slug);
    expect(first.computedAt).toBe(s.clock.now().toISOString());
    await storeRecords(s.services, s.campaign, [
      record('project', [{ code: 'D001', efficiency: 'dissatisfied', quality: 'dissatisfied' }]),
    ]);

    s.clock.advance(LIVE_MAX_AGE_MS - 1);
    const cached = await s.services.results.live(s.campaign.slug);
    expect(cached.inputs.responses).toBe(first.inputs.responses);
    expect(cached.computedAt).toBe(first.computedAt);

    s.clock.advance(1);
    const fresh = await s.services.results.live(s.campaign.slug);
    expect(fresh.inputs.responses).toBe(first.inputs.responses + 1);
    expect(fresh.computedAt).toBe(s.clock.now().toISOString());
  });

  it('never serves figures without intervals to a request that wants them', async () => {
    s.clock.advance(LIVE_MAX_AGE_MS);
    await storeRecords(s.services, s.campaign, [
      record('project', [{ code: 'D002', efficiency: 'satisfied', quality: 'satisfied' }]),
    ]);
    const fast = await s.services.results.live(s.campaign.slug, { uncertainty: false });
    expect(fast.bootstrapSamples).toBe(0);
    const full = await s.services.results.live(s.campaign.slug);
    expect(full.bootstrapSamples).toBeGreaterThan(0);
  });

  it('lets concurrent viewers share one computation', async () => {
    s.clock.advance(LIVE_MAX_AGE_MS);
    const [a, b] = await Promise.all([
      s.services.results.live(s.campaign.slug),
      s.services.results.live(s.campaign.slug),
    ]);
    expect(a.computedAt).toBe(b.computedAt);
    expect(a.inputs.hash).toBe(b.inputs.hash);
  });

  it('answers a request for the point figures without waiting for a bootstrap still running', async () => {
    s.clock.advance(LIVE_MAX_AGE_MS);
    // new inputs: no earlier bootstrap of them to reuse
    await storeRecords(s.services, s.campaign, [
      record('project', [{ code: 'D003', efficiency: 'satisfied', quality: 'dissatisfied' }]),
    ]);
    const full = s.services.results.live(s.campaign.slug);
    const quick = await s.services.results.live(s.campaign.slug, { uncertainty: false });
    expect(quick.bootstrapSamples).toBe(0);
    expect((await full).bootstrapSamples).toBeGreaterThan(0);
    // once the bootstrap is done, the point figures come with its intervals
    const after = await s.services.results.live(s.campaign.slug, { uncertainty: false });
    expect(after.bootstrapSamples).toBeGreaterThan(0);
    expect(after.computedAt).toBe((await full).computedAt);
  });
});
