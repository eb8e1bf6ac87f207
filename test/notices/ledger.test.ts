import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { periodOf, quarterOf } from '../../server/notices/ledger.js';
import { dialects } from '../helpers/db.js';
import { ledgerSetup } from './ledger-helpers.js';

const zeros = {
  openAtStart: 0,
  registered: 0,
  reopened: 0,
  closed: 0,
  closedOnTime: 0,
  closedLate: 0,
  withdrawn: 0,
  openAtEnd: 0,
  overdueAtEnd: 0,
  balanced: true,
};

describe('periods of the reconciliation statement', () => {
  it('finds the quarter of a day and names quarters, years and other periods', () => {
    expect(quarterOf('2026-11-05')).toEqual({ from: '2026-10-01', to: '2026-12-31' });
    expect(quarterOf('2027-02-28')).toEqual({ from: '2027-01-01', to: '2027-03-31' });
    expect(periodOf('2026-10-01', '2026-12-31', 'Asia/Shanghai')).toMatchObject({
      label: '2026年第四季度',
      start: '2026-09-30T16:00:00.000Z',
      end: '2026-12-31T15:59:59.999Z',
    });
    expect(periodOf('2027-01-01', '2027-12-31', 'Asia/Shanghai').label).toBe('2027年度');
    expect(periodOf('2027-01-15', '2027-02-14', 'America/New_York')).toMatchObject({
      label: '2027年1月15日至2027年2月14日',
      start: '2027-01-15T05:00:00.000Z',
    });
  });
});

describe.each(await dialects())('the ledger on $name', ({ open }) => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof ledgerSetup>>;

  beforeAll(async () => {
    db = await open();
    ctx = await ledgerSetup(db);
  }, 60_000);
  afterAll(() => db.close());

  it('counts issued items by department and kind and state now, overdue ones by the escalation sent', async () => {
    const { ledger } = await ctx.services.ledger.ledger('test-2026');
    expect(ledger.total).toMatchObject({ total: 5, open: 2, overdue: 2 });
    expect(ledger.total.states).toMatchObject({ closed: 3, acknowledged: 1, registered: 1, rectifying: 0 });
    expect(ledger.total.overdueByLevel).toEqual({ none: 1, blue: 0, orange: 0, red: 1 });
    expect(ledger.byDepartment.map((r) => [r.key, r.label, r.total, r.open, r.overdue])).toEqual([
      ['D001', '测试部门1', 4, 1, 1],
      ['D002', '测试部门2', 1, 1, 1],
    ]);
    expect(ledger.byKind).toMatchObject([
      { key: 'negative:3', label: '办事负面情形·超法定或承诺时限、久拖不办', total: 5 },
    ]);
  });

  it('reconciles the first quarter from the history: on time, late, reopened, open and overdue at its end', async () => {
    const { statement } = await ctx.services.ledger.ledger('test-2026', { from: '2027-01-01', to: '2027-03-31' });
    expect(statement.period).toMatchObject({ label: '2027年第一季度', end: '2027-03-31T15:59:59.999Z' });
    const d001 = { ...zeros, registered: 4, reopened: 1, closed: 3, closedOnTime: 2, closedLate: 1 };
    expect(statement.byDepartment).toEqual([
      { key: 'D001', label: '测试部门1', ...d001, openAtEnd: 2, overdueAtEnd: 2 },
      // issued in April: nothing in the quarter
      { key: 'D002', label: '测试部门2', ...zeros },
    ]);
    expect(statement.total).toMatchObject({ ...d001, openAtEnd: 2, overdueAtEnd: 2, balanced: true });
    // at the quarter's end C waited for its response (due 22 March, 7 working days late: 催办),
    // D for its plan since 12 January (督办); both listed for 通报, the worst first
    expect(statement.openAtEnd.map((i) => [i.id, i.state, i.overdue, i.level])).toEqual([
      [ctx.ids.d, 'acknowledged', true, 3],
      [ctx.ids.c, 'rectifying', true, 2],
    ]);
    expect(statement.openAtEnd[1]).toMatchObject({ dueAt: '2027-03-22T15:59:59.999Z', overdueWorkingDays: 7 });
    expect(statement.forCirculation.map((i) => i.id)).toEqual([ctx.ids.d, ctx.ids.c]);
  });

  it('carries what was open at one quarter’s end into the next as its opening balance', async () => {
    const { statement } = await ctx.services.ledger.ledger('test-2026', { from: '2027-04-01', to: '2027-06-30' });
    expect(statement.byDepartment).toEqual([
      {
        key: 'D001',
        label: '测试部门1',
        ...zeros,
        openAtStart: 2,
        closed: 1,
        closedLate: 1,
        openAtEnd: 1,
        overdueAtEnd: 1,
      },
      { key: 'D002', label: '测试部门2', ...zeros, registered: 1, openAtEnd: 1, overdueAtEnd: 1 },
    ]);
    expect(statement.forCirculation.map((i) => [i.id, i.level])).toEqual([
      [ctx.ids.d, 3],
      [ctx.ids.e, 3],
    ]);
  });

  it('settles the year per department: closed on time, closed late, open, reopened', async () => {
    const { settlement } = await ctx.services.ledger.ledger('test-2026', { from: '2027-04-01', to: '2027-06-30' });
    expect(settlement).toEqual({
      year: 2027,
      total: { key: '', label: '合计', closedOnTime: 2, closedLate: 2, open: 2, reopened: 1 },
      byDepartment: [
        { key: 'D001', label: '测试部门1', closedOnTime: 2, closedLate: 2, open: 1, reopened: 1 },
        { key: 'D002', label: '测试部门2', closedOnTime: 0, closedLate: 0, open: 1, reopened: 0 },
      ],
    });
  });

  it('defaults to the current quarter in the campaign’s time zone, counting a period not over yet up to now', async () => {
    const { statement } = await ctx.services.ledger.ledger('test-2026');
    expect(statement.period).toMatchObject({ from: '2027-07-01', to: '2027-09-30', label: '2027年第三季度' });
    expect(statement.total).toMatchObject({ ...zeros, openAtStart: 2, openAtEnd: 2, overdueAtEnd: 2 });
  });

  it('refuses a period without both days, in the wrong order or not a date, naming the field', async () => {
    await expect(ctx.services.ledger.ledger('test-2026', { from: '2027-01-01' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ path: 'to' }],
    });
    await expect(
      ctx.services.ledger.ledger('test-2026', { from: '2027-04-01', to: '2027-03-31' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'from' }] });
    await expect(ctx.services.ledger.ledger('test-2026', { from: '2027-02-30', to: '2027-03-31' })).rejects.toThrow(
      /起始日期 from应为 YYYY-MM-DD/,
    );
    await expect(ctx.services.ledger.ledger('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
