import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { escalationLevelDue } from '../../server/notices/escalation.js';
import { createScheduler } from '../../server/scheduler/scheduler.js';
import { scheduledJobs } from '../../server/scheduler/jobs.js';
import { workingCalendar } from '../../server/calendar/working-days.js';
import { dialects } from '../helpers/db.js';
import { daysFrom, EXPECTED, morning, quarterSetup } from './scenario.js';

describe('escalation levels', () => {
  const calendar = workingCalendar({ timeZone: 'Asia/Shanghai' });
  const due = '2026-09-30T15:59:59.999Z'; // end of Wednesday 30 September in Shanghai
  it('counts working days after the due day across National Day (10-10 a working Saturday)', () => {
    expect(
      ['2026-09-29', '2026-09-30', '2026-10-08', '2026-10-12', '2026-10-13', '2026-10-19', '2026-10-20'].map((d) =>
        escalationLevelDue(calendar, due, morning(d)),
      ),
    ).toEqual([0, 1, 1, 1, 2, 2, 3]);
  });
});

describe.each(await dialects())('escalation over a simulated quarter on $name', ({ open }) => {
  let db: Db;
  let q: Awaited<ReturnType<typeof quarterSetup>>;
  beforeAll(async () => {
    db = await open();
    q = await quarterSetup(db);
    const scheduler = createScheduler(q.deps, { jobs: scheduledJobs(q.services) });
    // day by day (10:00 and again 23:30 in Shanghai) from issue to the end of the year
    for (const day of daysFrom('2026-09-22', '2026-12-31')) {
      q.clock.set(morning(day));
      await q.act(day);
      const ticked = await scheduler.tick();
      expect(ticked.failed).toEqual([]);
      q.clock.set(`${day}T15:30:00.000Z`);
      await scheduler.tick();
      // a rerun of the same moment (a crash before the slot was marked done) raises nothing again
      expect((await q.services.escalation.escalateDue(q.clock.now())).raised).toEqual([]);
    }
  }, 120_000);
  afterAll(() => db.close());

  it('sends 提醒 on the due day, 催办 5 and 督办 10 working days later, each once per deadline', async () => {
    for (const code of ['D001', 'D002', 'D003'] as const)
      expect(await q.notificationsBy(code), code).toEqual(EXPECTED[code]);
  });

  it('records each escalation in the item history and on the item, and starts again with a new deadline', async () => {
    const history = await q.services.notices.history([q.id('D001'), q.id('D002')]);
    const escalations = (id: string) =>
      history.filter((h) => h.itemId === id && h.action === 'escalate').map((h) => h.detail.level);
    expect(escalations(q.id('D001'))).toEqual([1, 2, 3]);
    expect(escalations(q.id('D002'))).toEqual([1, 2, 3, 1, 2, 3]);
    const [d1, d2, d3] = await Promise.all(
      ['D001', 'D002', 'D003'].map((c) => q.services.notices.items({ departmentCode: c })),
    );
    expect([d1[0].escalation, d2[0].escalation, d3[0].escalation]).toEqual([3, 3, 0]);
    expect(d3[0].state).toBe('closed');
  });

  it('mails each notice once to the liaison who has an address, never to a department without one', async () => {
    const outbox = await db.kysely.selectFrom('outbox').selectAll().orderBy('created_at').execute();
    const to = (address: string) => outbox.filter((m) => m.recipient === address);
    expect(to('d001@example.gov.cn')).toHaveLength(EXPECTED.D001.length);
    expect(to('d002@example.gov.cn')).toHaveLength(EXPECTED.D002.length);
    expect(outbox).toHaveLength(EXPECTED.D001.length + EXPECTED.D002.length);
    expect(outbox.every((m) => m.state === 'pending')).toBe(true);
    const red = outbox.find((m) => m.subject.startsWith('【督办】'));
    expect(red?.body).toContain('已逾期 10 个工作日');
    expect(red?.body).toContain('http://localhost:3000/my/items/');
  });

  it('sends only the highest level due when the job did not run for weeks', async () => {
    const late = await quarterSetup(await open());
    try {
      late.clock.set(morning('2026-10-16'));
      const { raised } = await late.services.escalation.escalateDue(late.clock.now());
      // nobody signed in this run: each sign-by deadline (09-24) is 10 working days past on 10-15
      expect(raised.map((r) => r.level)).toEqual([3, 3, 3]);
      expect((await late.notificationsBy('D001')).map(([, level]) => level)).toEqual(['info', 'red']);
    } finally {
      await late.deps.db.close();
    }
  });
});
