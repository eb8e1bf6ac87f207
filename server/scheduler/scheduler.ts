/**
 * Jobs on an interval, run once per interval across every process sharing the database.
 *
 * Time is cut into slots of a job's interval (aligned to the Unix epoch, read from the injected
 * clock). On each tick a process tries to take the job's lease row for the current slot; the
 * conditional UPDATE lets one process win, and the winner marks the slot done when the run ends.
 * - A slot done is never run again, by any process, before or after a restart.
 * - A holder that dies mid-run keeps the lease until `leaseMs` has passed; then another process
 *   (or the restarted one) runs that slot again. Jobs therefore make their effects idempotent
 *   (unique keys, "what is due as of `now`" queries), so a rerun after a crash changes nothing twice.
 * - A run that throws is retried in the same slot after min(interval, 1 minute).
 * - Slots missed while no process ran are not caught up one by one: the next tick runs the current
 *   slot once. Jobs look at what is due as of `now`, so the interval only bounds how late they act.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { AppDeps } from '../context.js';
import { schedulerRepository, type LeaseRow } from './repository.js';

export interface JobRun {
  /** the start of the interval this run is for, ISO-8601 UTC */
  slot: string;
  /** the clock's time at the start of the run */
  now: Date;
}

export interface Job {
  /** unique; the lease row's key */
  name: string;
  intervalMs: number;
  /** how long a run may take before other processes take it for dead (default 10 minutes) */
  leaseMs?: number;
  run(run: JobRun): Promise<void>;
}

export interface TickResult {
  /** jobs this process ran to completion in this tick */
  ran: string[];
  failed: { job: string; error: unknown }[];
}

export interface Scheduler {
  /** this process's name on the leases it holds */
  readonly holder: string;
  register(job: Job): void;
  /** Run every job whose current slot is not done and whose lease is free. Never throws. */
  tick(): Promise<TickResult>;
  /** Tick every `everyMs` of real time until stopped. */
  start(everyMs?: number): void;
  /** Stop ticking and wait for the runs in progress. */
  stop(): Promise<void>;
  /** The lease rows: who holds which job, the last slot done, the last error. */
  status(): Promise<LeaseRow[]>;
}

export const DEFAULT_LEASE_MS = 10 * 60_000;
export const DEFAULT_TICK_MS = 15_000;
const MAX_RETRY_MS = 60_000;
const JOB_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function slotOf(now: Date, intervalMs: number): string {
  return new Date(Math.floor(now.getTime() / intervalMs) * intervalMs).toISOString();
}

export function createScheduler(
  { db, clock }: Pick<AppDeps, 'db' | 'clock'>,
  options: { jobs?: Job[]; holder?: string } = {},
): Scheduler {
  const repo = schedulerRepository(db.kysely);
  const holder = options.holder ?? `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const jobs = new Map<string, Job>();
  const ensured = new Set<string>();
  /** jobs running in this process: a run that outlives its lease is not started again beside itself */
  const running = new Set<string>();
  const inFlight = new Set<Promise<TickResult>>();
  let timer: ReturnType<typeof setInterval> | undefined;

  function register(job: Job) {
    if (!JOB_NAME.test(job.name)) throw new Error(`scheduler: bad job name ${job.name}`);
    if (jobs.has(job.name)) throw new Error(`scheduler: job ${job.name} registered twice`);
    if (!(job.intervalMs > 0)) throw new Error(`scheduler: job ${job.name} needs a positive interval`);
    jobs.set(job.name, job);
  }
  for (const job of options.jobs ?? []) register(job);

  /** 'ran' when this process ran the slot to completion, 'skipped' when it was not its turn. */
  async function runIfDue(job: Job): Promise<'ran' | 'skipped'> {
    if (running.has(job.name)) return 'skipped';
    running.add(job.name);
    try {
      return await takeAndRun(job);
    } finally {
      running.delete(job.name);
    }
  }

  async function takeAndRun(job: Job): Promise<'ran' | 'skipped'> {
    if (!ensured.has(job.name)) {
      await repo.ensure(job.name);
      ensured.add(job.name);
    }
    const now = clock.now();
    const slot = slotOf(now, job.intervalMs);
    const leaseUntil = new Date(now.getTime() + (job.leaseMs ?? DEFAULT_LEASE_MS)).toISOString();
    if (!(await repo.acquire(job.name, holder, slot, now.toISOString(), leaseUntil))) return 'skipped';
    try {
      await job.run({ slot, now });
    } catch (error) {
      const retryAt = new Date(clock.now().getTime() + Math.min(job.intervalMs, MAX_RETRY_MS)).toISOString();
      await repo.fail(job.name, holder, retryAt, String((error as Error)?.stack ?? error).slice(0, 2000));
      throw error;
    }
    if (!(await repo.complete(job.name, holder, slot, clock.now().toISOString()))) {
      // the lease ran out and another process took the slot over: it counts as theirs
      console.warn(`scheduler: job ${job.name} outran its lease for slot ${slot}; another process reran it`);
      return 'skipped';
    }
    return 'ran';
  }

  async function tickOnce(): Promise<TickResult> {
    const result: TickResult = { ran: [], failed: [] };
    await Promise.all(
      [...jobs.values()].map(async (job) => {
        try {
          if ((await runIfDue(job)) === 'ran') result.ran.push(job.name);
        } catch (error) {
          console.error(`scheduler: job ${job.name} failed`, error);
          result.failed.push({ job: job.name, error });
        }
      }),
    );
    return result;
  }

  function tick(): Promise<TickResult> {
    const ticking = tickOnce();
    inFlight.add(ticking);
    void ticking.finally(() => inFlight.delete(ticking));
    return ticking;
  }

  return {
    holder,
    register,
    tick,
    start(everyMs = DEFAULT_TICK_MS) {
      if (timer) return;
      timer = setInterval(() => void tick(), everyMs);
      // the server keeps the process alive, not the scheduler
      timer.unref();
    },
    async stop() {
      clearInterval(timer);
      timer = undefined;
      await Promise.all(inFlight);
    },
    status: () => repo.list(),
  };
}
