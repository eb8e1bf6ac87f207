import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { scheduledJobs } from '../../server/scheduler/jobs.js';
import { createScheduler } from '../../server/scheduler/scheduler.js';
import { createServices } from '../../server/services.js';
import { dialects, type DbPair } from '../helpers/db.js';
import { daysFrom, EXPECTED, morning, quarterSetup } from './scenario.js';

const cases = (await dialects()).filter((d) => d.name === 'postgres');

describe.each(cases)('escalation from two processes on $name', ({ openPair }) => {
  let pair: DbPair;
  let q: Awaited<ReturnType<typeof quarterSetup>>;
  beforeAll(async () => {
    pair = await openPair();
    q = await quarterSetup(pair.first);
    // a second server process: its own pool, clock, services, app and scheduler
    const clock = fixedClock(q.clock.now());
    const deps = { db: pair.second, config: defaultConfig(), clock };
    const services = createServices(deps);
    expect((await createApp(deps, services).request('/healthz')).status).toBe(200);
    const a = createScheduler(q.deps, { jobs: scheduledJobs(q.services), holder: 'a' });
    const b = createScheduler(deps, { jobs: scheduledJobs(services), holder: 'b' });
    for (const day of daysFrom('2026-09-22', '2026-11-30')) {
      q.clock.set(morning(day));
      clock.set(morning(day));
      await q.act(day);
      // both schedulers tick at once, and both run the job outside the lease too (an overlap after a crash)
      const [ta, tb] = await Promise.all([
        a.tick(),
        b.tick(),
        q.services.escalation.escalateDue(q.clock.now()),
        services.escalation.escalateDue(clock.now()),
      ]);
      expect([...ta.failed, ...tb.failed]).toEqual([]);
    }
  }, 180_000);
  afterAll(() => pair.close());

  it('raises each escalation exactly once, one notice and one mail each', async () => {
    for (const code of ['D001', 'D002', 'D003'] as const)
      expect(await q.notificationsBy(code), code).toEqual(EXPECTED[code]);
    const history = await q.services.notices.history([q.id('D001'), q.id('D002')]);
    expect(history.filter((h) => h.action === 'escalate')).toHaveLength(9);
    const mail = await pair.first.kysely.selectFrom('outbox').select('dedupe_key').execute();
    expect(mail).toHaveLength(EXPECTED.D001.length + EXPECTED.D002.length);
  });
});
