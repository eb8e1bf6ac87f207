import type { Db } from '../../server/db/connect.js';
import type { Item } from '../../server/notices/service.js';
import { resultsSetup } from '../results/helpers.js';
import { liaisonOf, office, secondOffice, verifiedNegatives } from './helpers.js';

/** 10:00 in Shanghai on a day: when the simulated quarter looks at the notices each day. */
export const morning = (day: string) => `${day}T02:00:00.000Z`;

export const PLAN = { measures: '建立限时办结台账', responsible: '陈科长', date: '2026-12-31' };

/** The days from `first` to `last`, both included. */
export function daysFrom(first: string, last: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += 86_400_000)
    days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/**
 * Three departments' sheets issued on Tuesday 22 September 2026 (10:00 Shanghai), one verified
 * report each: D001 and D002 have a liaison e-mail, D003 none. `act(day)` plays what the
 * departments do that day: D001 nothing ever; D002 signs on 09-24 and files its plan late on
 * 10-21; D003 signs on the day of issue, plans the next day, responds on 10-12 and is closed on 10-13.
 */
export async function quarterSetup(db: Db) {
  const ctx = await resultsSetup(db, { records: false });
  ctx.clock.set(morning('2026-09-22'));
  await db.kysely
    .updateTable('departments')
    .set({ liaison_email: 'd001@example.gov.cn' })
    .where('code', '=', 'D001')
    .execute();
  await db.kysely
    .updateTable('departments')
    .set({ liaison_email: ' d002@example.gov.cn ' })
    .where('code', '=', 'D002')
    .execute();
  const items = new Map<string, Item>();
  for (const code of ['D001', 'D002', 'D003']) {
    const [report] = await verifiedNegatives(db, ctx.services, ctx.campaign, code);
    const item = await db.kysely
      .transaction()
      .execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, office));
    await ctx.services.notices.issueSheet('test-2026', item.sheetId as string, office);
    items.set(code, item);
  }
  const id = (code: string) => (items.get(code) as Item).id;
  const sheet = (code: string) => (items.get(code) as Item).sheetId as string;
  const notices = ctx.services.notices;

  async function act(day: string) {
    if (day === '2026-09-22') await notices.acknowledgeSheet(sheet('D003'), await liaisonOf(db, 'D003'));
    if (day === '2026-09-23') await notices.act(id('D003'), { type: 'plan', plan: PLAN }, await liaisonOf(db, 'D003'));
    if (day === '2026-09-24') await notices.acknowledgeSheet(sheet('D002'), await liaisonOf(db, 'D002'));
    if (day === '2026-10-12')
      await notices.respond(id('D003'), '已建立台账并限时办结', [], await liaisonOf(db, 'D003'));
    if (day === '2026-10-13') await notices.act(id('D003'), { type: 'close' }, secondOffice);
    if (day === '2026-10-21') await notices.act(id('D002'), { type: 'plan', plan: PLAN }, await liaisonOf(db, 'D002'));
  }

  /** Each department's notifications as [day in Shanghai, level], oldest first. */
  async function notificationsBy(code: string): Promise<[string, string][]> {
    const rows = await db.kysely
      .selectFrom('notifications as n')
      .innerJoin('departments as d', 'd.id', 'n.department_id')
      .select(['n.created_at', 'n.level'])
      .where('d.code', '=', code)
      .orderBy('n.created_at')
      .orderBy('n.level')
      .execute();
    return rows.map((r) => [new Date(Date.parse(r.created_at) + 8 * 3600_000).toISOString().slice(0, 10), r.level]);
  }

  return { ...ctx, items, id, act, notificationsBy };
}

/** What the quarter must produce, by chinese-days (中秋 9-25, 国庆 10-01..07, 10-10 a working Saturday). */
export const EXPECTED = {
  // never signs: sign-by Thu 09-24 (09-25 is 中秋): 提醒 that day, 催办 5 working days later, 督办 10
  D001: [
    ['2026-09-22', 'info'],
    ['2026-09-24', 'blue'],
    ['2026-10-09', 'orange'],
    ['2026-10-15', 'red'],
  ],
  // signed: plan due Wed 09-30; late plan on 10-21 brings the response deadline of 10-20, already past
  D002: [
    ['2026-09-22', 'info'],
    ['2026-09-30', 'blue'],
    ['2026-10-13', 'orange'],
    ['2026-10-20', 'red'],
    ['2026-10-21', 'blue'],
    ['2026-10-27', 'orange'],
    ['2026-11-03', 'red'],
  ],
  // on time throughout: no reminder, only the sheet's own notice and the office's 销号
  D003: [
    ['2026-09-22', 'info'],
    ['2026-10-13', 'info'],
  ],
} as const;
