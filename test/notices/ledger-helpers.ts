import type { Db } from '../../server/db/connect.js';
import type { Item } from '../../server/notices/service.js';
import { RESULTS_TIME, resultsSetup } from '../results/helpers.js';
import { liaisonOf, office, secondOffice, verifiedNegatives } from './helpers.js';

/** After the second quarter of 2027: every figure below is history by then. */
export const LEDGER_NOW = '2027-07-10T02:00:00Z';

/**
 * A year of items in Asia/Shanghai, for the ledger. D001's sheet is issued on 5 January 2027
 * (responses due 26 January) with four items:
 * - A responded 12 January, closed 13 January: closed on time in Q1;
 * - B responded 20 February (late), closed 22 February: closed late in Q1;
 * - C responded 14 January, closed 15 January (on time), reopened 1 March (due 22 March), still
 *   open and 7 working days overdue (orange) at the end of Q1, responded 2 April (late), closed
 *   5 April: closed late in Q2;
 * - D signed for and never planned (plan due 12 January): open and red at every period's end,
 *   its 督办 sent.
 * D002's sheet is issued on 6 April with one item E, never signed for (due 8 April).
 */
export async function ledgerSetup(db: Db) {
  const ctx = await resultsSetup(db, { records: false });
  const at = (instant: string) => ctx.clock.set(instant);
  const register = async (code: string, count: number) => {
    const items: Item[] = [];
    for (const report of await verifiedNegatives(db, ctx.services, ctx.campaign, code, count))
      items.push(
        await db.kysely
          .transaction()
          .execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, office)),
      );
    return items;
  };
  const n = ctx.services.notices;
  const liaison = await liaisonOf(db, 'D001');
  const plan = { measures: '建立限时办结台账', responsible: '陈科长', date: '2027-03-01' };
  const respondAndClose = async (id: string, respondAt: string, closeAt: string) => {
    at(respondAt);
    await n.respond(id, '已整改', [], liaison);
    at(closeAt);
    await n.act(id, { type: 'close' }, secondOffice);
  };

  const d001 = await register('D001', 4);
  const [e] = await register('D002', 1);
  at(RESULTS_TIME);
  const sheet = (await n.sheets('test-2026')).find((s) => s.departmentCode === 'D001')!;
  await n.issueSheet('test-2026', sheet.id, office);
  at('2027-01-06T02:00:00Z');
  await n.acknowledgeSheet(sheet.id, liaison);
  const [a, b, c, d] = d001.map((i) => i.id);
  for (const id of [a, b, c]) await n.act(id, { type: 'plan', plan }, liaison);
  await respondAndClose(a, '2027-01-12T02:00:00Z', '2027-01-13T02:00:00Z');
  await respondAndClose(c, '2027-01-14T02:00:00Z', '2027-01-15T02:00:00Z');
  await respondAndClose(b, '2027-02-20T02:00:00Z', '2027-02-22T02:00:00Z');
  at('2027-03-01T02:00:00Z');
  await n.act(c, { type: 'reopen', reason: '回头看：同类问题再次被反映' }, office);
  await respondAndClose(c, '2027-04-02T02:00:00Z', '2027-04-05T02:00:00Z');
  at('2027-04-06T02:00:00Z');
  const d002 = (await n.sheets('test-2026')).find((s) => s.departmentCode === 'D002')!;
  await n.issueSheet('test-2026', d002.id, office);
  at(LEDGER_NOW);
  const dItem = (await n.items({ sheetId: sheet.id })).find((i) => i.id === d)!;
  await db.kysely.transaction().execute((trx) => n.raiseEscalation(trx, d, 3, dItem.dueAt as string));
  return { ...ctx, ids: { a, b, c, d, e: e.id } };
}
