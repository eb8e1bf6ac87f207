import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { AppError } from '../../server/errors.js';
import { createServices } from '../../server/services.js';
import { dialects } from '../helpers/db.js';

describe.each(await dialects())('calendar overrides on $name', ({ open }) => {
  let db: Db;
  afterEach(async () => db?.close());

  async function setup(now = '2026-09-01T02:00:00Z') {
    db = await open();
    const clock = fixedClock(now);
    return { services: createServices({ db, config: defaultConfig(), clock }), clock };
  }

  it('adds, lists, replaces and removes local days off and working days, each with an audit row', async () => {
    const { services } = await setup();
    await services.calendar.set({ day: '2026-10-09', working: false, note: '本市防汛放假' }, 'chief');
    await services.calendar.set({ day: '2026-10-11', working: true, note: '补班' }, 'chief');
    await services.calendar.set({ day: '2026-10-09', working: false, note: '本市防台风放假' }, 'deputy');
    expect(await services.calendar.list()).toEqual([
      {
        day: '2026-10-09',
        working: false,
        note: '本市防台风放假',
        createdAt: '2026-09-01T02:00:00.000Z',
        createdBy: 'deputy',
      },
      { day: '2026-10-11', working: true, note: '补班', createdAt: '2026-09-01T02:00:00.000Z', createdBy: 'chief' },
    ]);
    expect((await services.calendar.remove('2026-10-11', 'chief')).day).toBe('2026-10-11');
    expect((await services.calendar.list()).map((o) => o.day)).toEqual(['2026-10-09']);

    const audit = await services.audit.list();
    expect(audit.filter((a) => a.action === 'calendar_override_set')).toHaveLength(3);
    expect(audit.find((a) => a.action === 'calendar_override_remove')).toMatchObject({
      actor: 'chief',
      detail: { day: '2026-10-11' },
    });
  });

  it('moves the deadlines of the working calendar it builds', async () => {
    const { services } = await setup();
    const before = await services.calendar.forZone('Asia/Shanghai');
    expect(before.deadline('2026-09-30T02:00:00Z', 2)).toBe('2026-10-09T15:59:59.999Z');
    await services.calendar.set({ day: '2026-10-09', working: false, note: '本市防汛放假' }, 'chief');
    const after = await services.calendar.forZone('Asia/Shanghai');
    expect(after.deadline('2026-09-30T02:00:00Z', 2)).toBe('2026-10-10T15:59:59.999Z');
  });

  it('refuses a day that is not a date, a missing reason and removing a day without an override, changing nothing', async () => {
    const { services } = await setup();
    const refused = async (promise: Promise<unknown>) => {
      const error = await promise.then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AppError);
      return error as AppError;
    };
    const bad = await refused(services.calendar.set({ day: '2026-02-30', working: false, note: '放假' }, 'chief'));
    expect(bad.code).toBe('VALIDATION_FAILED');
    expect(bad.message).toContain('应为日期');
    const noNote = await refused(services.calendar.set({ day: '2026-10-09', working: false, note: ' ' }, 'chief'));
    expect(noNote.message).toContain('请写明原因');
    expect((await refused(services.calendar.remove('2026-10-09', 'chief'))).code).toBe('NOT_FOUND');
    expect(await services.calendar.list()).toEqual([]);
    expect((await services.audit.list()).filter((a) => a.action.startsWith('calendar_'))).toEqual([]);
  });
});

describe('national data coverage', () => {
  it('warns when next year has no national holidays yet, and not before', async () => {
    const db = await (await dialects())[0].open();
    try {
      const clock = fixedClock('2025-06-01T00:00:00Z');
      const services = createServices({ db, config: defaultConfig(), clock });
      expect(services.calendar.coverageWarning()).toBeNull();
      clock.set('2026-12-02T00:00:00Z');
      expect(services.calendar.coverageWarning()).toContain('只到 2026 年');
    } finally {
      await db.close();
    }
  });
});
