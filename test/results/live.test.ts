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
});
