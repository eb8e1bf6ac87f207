import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { AppDeps } from '../../server/context.js';
import type { Db } from '../../server/db/connect.js';
import { createScheduler, slotOf, type Job } from '../../server/scheduler/scheduler.js';
import { createServices, type Services } from '../../server/services.js';
import { Rng } from '../../scoring/rng.js';
import { dialects, type DbPair } from '../helpers/db.js';

const START = '2026-10-08T00:00:00.000Z';
const MINUTE = 60_000;

type JobOf = (deps: AppDeps, services: Services) => Job;

/** One server process as server/main.ts builds it: its own connection, clock, services, app and scheduler. */
function instance(db: Db, holder: string, job: JobOf) {
  const clock = fixedClock(START);
  const deps = { db, config: defaultConfig(), clock };
  const services = createServices(deps);
  const app = createApp(deps, services);
  const scheduler = createScheduler(deps, { jobs: [job(deps, services)], holder });
  return { clock, services, app, scheduler };
}

/** A job writing one audit row per run through its own process, so the database counts the runs. */
const audited =
  (intervalMs: number, leaseMs?: number): JobOf =>
  (deps, services) => ({
    name: 'test-audited',
    intervalMs,
    leaseMs,
    run: ({ slot }) =>
      services.audit.record(deps.db.kysely, { actor: 'scheduler', action: 'test_job', detail: { slot } }),
  });

async function runSlots(services: Services): Promise<string[]> {
  return (await services.audit.list({ action: 'test_job' })).map((a) => String(a.detail.slot)).sort();
}

async function until(condition: () => Promise<boolean>) {
  for (let i = 0; i < 500 && !(await condition()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await condition()).toBe(true);
}

describe.each(await dialects())('scheduler on $name', ({ openPair }) => {
  let pair: DbPair;
  afterEach(async () => pair?.close());

  it('runs a job exactly once per interval across two app instances over many ticks with the clock moved', async () => {
    pair = await openPair();
    const interval = 5 * MINUTE;
    const a = instance(pair.first, 'a', audited(interval));
    const b = instance(pair.second, 'b', audited(interval));
    expect((await a.app.request('/healthz')).status).toBe(200);
    expect((await b.app.request('/healthz')).status).toBe(200);

    const rng = new Rng(20261008);
    const slots = new Set<string>();
    const ran = { a: 0, b: 0 };
    for (let i = 0; i < 240; i++) {
      const step = (20 + rng.nextInt(80)) * 1000;
      a.clock.advance(step);
      b.clock.advance(step);
      slots.add(slotOf(a.clock.now(), interval));
      // both at once, or one after the other in either order
      const order = rng.nextInt(3);
      const [ra, rb] =
        order === 0
          ? await Promise.all([a.scheduler.tick(), b.scheduler.tick()])
          : order === 1
            ? [await a.scheduler.tick(), await b.scheduler.tick()]
            : [await b.scheduler.tick(), await a.scheduler.tick()].reverse();
      expect([...ra.failed, ...rb.failed]).toEqual([]);
      ran.a += ra.ran.length;
      ran.b += rb.ran.length;
    }
    expect(slots.size).toBeGreaterThan(40);
    expect(await runSlots(a.services)).toEqual([...slots].sort());
    expect(ran.a + ran.b).toBe(slots.size);
    expect(ran.a).toBeGreaterThan(0);
    expect(ran.b).toBeGreaterThan(0);
  });

  it('does not rerun a slot done before a restart, and runs the next slot', async () => {
    pair = await openPair();
    const first = instance(pair.first, 'first', audited(5 * MINUTE));
    expect((await first.scheduler.tick()).ran).toEqual(['test-audited']);
    await first.scheduler.stop();

    const restarted = instance(pair.second, 'restarted', audited(5 * MINUTE));
    restarted.clock.advance(4 * MINUTE);
    expect((await restarted.scheduler.tick()).ran).toEqual([]);
    expect((await restarted.scheduler.status())[0]).toMatchObject({
      job: 'test-audited',
      last_slot: START,
      holder: '',
    });
    restarted.clock.advance(MINUTE);
    expect((await restarted.scheduler.tick()).ran).toEqual(['test-audited']);
    expect(await runSlots(restarted.services)).toEqual([START, '2026-10-08T00:05:00.000Z']);
  });

  it('lets another process run the slot of a holder that died mid-run once its lease expired', async () => {
    pair = await openPair();
    let wake: () => void = () => {};
    const hung = new Promise<void>((resolve) => (wake = resolve));
    const dying = instance(pair.first, 'dying', () => ({
      name: 'test-audited',
      intervalMs: 60 * MINUTE,
      leaseMs: 2 * MINUTE,
      run: () => hung,
    }));
    const other = instance(pair.second, 'other', audited(60 * MINUTE, 2 * MINUTE));

    const dyingTick = dying.scheduler.tick();
    await until(async () => (await other.scheduler.status())[0]?.holder === 'dying');
    expect((await other.scheduler.tick()).ran).toEqual([]);
    other.clock.advance(2 * MINUTE - 1);
    expect((await other.scheduler.tick()).ran).toEqual([]);
    other.clock.advance(1);
    expect((await other.scheduler.tick()).ran).toEqual(['test-audited']);
    expect(await runSlots(other.services)).toEqual([START]);

    // the old holder's run ends after all: the slot stays the other process's, done once
    wake();
    expect((await dyingTick).ran).toEqual([]);
    expect((await other.scheduler.status())[0]).toMatchObject({ last_slot: START, holder: '', last_error: null });
  });

  it('retries a failed run in the same slot after a minute, and keeps the error until then', async () => {
    pair = await openPair();
    let failures = 1;
    const flaky = instance(pair.first, 'flaky', (deps, services) => ({
      name: 'test-audited',
      intervalMs: 5 * MINUTE,
      async run(run) {
        if (failures-- > 0) throw new Error('mail server down');
        await audited(5 * MINUTE)(deps, services).run(run);
      },
    }));
    const { failed } = await flaky.scheduler.tick();
    expect(failed.map((f) => f.job)).toEqual(['test-audited']);
    expect((await flaky.scheduler.status())[0].last_error).toContain('mail server down');
    flaky.clock.advance(MINUTE - 1);
    expect((await flaky.scheduler.tick()).ran).toEqual([]);
    flaky.clock.advance(1);
    expect((await flaky.scheduler.tick()).ran).toEqual(['test-audited']);
    expect((await flaky.scheduler.status())[0]).toMatchObject({ last_slot: START, last_error: null });
  });

  it('ticks by itself once started, and runs nothing more once stopped', async () => {
    pair = await openPair();
    const p = instance(pair.first, 'p', audited(5 * MINUTE));
    p.scheduler.start(5);
    await until(async () => (await runSlots(p.services)).length === 1);
    await p.scheduler.stop();
    p.clock.advance(5 * MINUTE);
    await new Promise((r) => setTimeout(r, 50));
    expect(await runSlots(p.services)).toEqual([START]);
  });
});

describe('scheduler jobs', () => {
  it('are refused with a bad name, twice under one name, or without an interval', async () => {
    const { open } = (await dialects())[0];
    const db = await open();
    try {
      const scheduler = createScheduler({ db, clock: fixedClock(START) });
      const job = { name: 'escalate', intervalMs: MINUTE, run: async () => {} };
      scheduler.register(job);
      expect(() => scheduler.register(job)).toThrow(/twice/);
      expect(() => scheduler.register({ ...job, name: 'Bad name' })).toThrow(/bad job name/);
      expect(() => scheduler.register({ ...job, name: 'other', intervalMs: 0 })).toThrow(/interval/);
    } finally {
      await db.close();
    }
  });
});
