import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import type { Item } from '../../server/notices/service.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { resultsSetup } from '../results/helpers.js';
import { liaisonOf, office, secondOffice, verifiedNegatives } from './helpers.js';
import { morning, PLAN } from './scenario.js';

describe.each(await dialects())('回头看 on $name', ({ open }) => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  const closed = new Map<string, Item>();

  const register = async (slug: string, code: string) => {
    const campaign = await ctx.services.campaigns.getBySlug(slug);
    const [report] = await verifiedNegatives(db, ctx.services, campaign, code);
    const item = await db.kysely
      .transaction()
      .execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, office));
    return { report, item, campaign };
  };
  const item = async (id: string) =>
    (await ctx.services.notices.item(id, office)) as Item & { history: { action: string; reason: string | null }[] };

  beforeAll(async () => {
    db = await open();
    ctx = await resultsSetup(db, { records: false });
    await db.kysely
      .updateTable('departments')
      .set({ liaison_email: 'd001@example.gov.cn' })
      .where('code', '=', 'D001')
      .execute();
    // issued on 1 September 2026; D001 and D002 close theirs on 3 September
    ctx.clock.set(morning('2026-09-01'));
    for (const code of ['D001', 'D002']) {
      const { item: registered } = await register('test-2026', code);
      await ctx.services.notices.issueSheet('test-2026', registered.sheetId as string, office);
      closed.set(code, registered);
    }
    ctx.clock.set(morning('2026-09-03'));
    for (const code of ['D001', 'D002']) {
      const { id, sheetId } = closed.get(code) as Item;
      await ctx.services.notices.acknowledgeSheet(sheetId as string, await liaisonOf(db, code));
      await ctx.services.notices.act(id, { type: 'plan', plan: PLAN }, await liaisonOf(db, code));
      await ctx.services.notices.respond(id, '已整改', [], await liaisonOf(db, code));
      await ctx.services.notices.act(id, { type: 'close' }, secondOffice);
    }
  });
  afterAll(() => db.close());

  it('reopens a closed item when its department is reported again for the same kind within 90 days', async () => {
    ctx.clock.set(morning('2026-12-01')); // 89 days after closing
    const { report, item: fresh } = await register('test-2026', 'D001');
    // the new report is an item of its own, issued at once on the sheet already issued
    expect([fresh.number, fresh.state]).toEqual(['001-02', 'registered']);
    const old = await item((closed.get('D001') as Item).id);
    expect([old.state, old.reopenCount, old.escalation, old.closedAt]).toEqual(['rectifying', 1, 0, null]);
    const last = old.history.at(-1);
    expect(last?.action).toBe('reopen');
    expect(last?.reason).toBe('回头看：销号后 90 日内再次被反映同类问题（001-02「超法定或承诺时限、久拖不办」）');
    // a new 15-working-day deadline from today
    expect(old.dueAt).toBe('2026-12-22T15:59:59.999Z');

    const told = await ctx.services.notices.myNotifications(await liaisonOf(db, 'D001'));
    // the two of 1 December share an instant: by title
    expect(
      told.map((n) => [n.level, n.title, n.itemId]).sort((a, b) => String(a[1]).localeCompare(String(b[1]))),
    ).toEqual([
      ['orange', '【回头看】事项 001-01 重新挂号', old.id],
      ['info', '【工作提示单】评议提示〔2026〕第001号', null],
      ['info', '【工作提示单】评议提示〔2026〕第001号 新增事项 001-02', fresh.id],
      ['info', '【销号】事项 001-01 已销号', old.id],
    ]);
    expect(told.find((n) => n.itemId === old.id)?.body).toBe(
      '测试部门1：回头看：销号后 90 日内再次被反映同类问题（001-02「超法定或承诺时限、久拖不办」），已销号的事项 001-01「超法定或承诺时限、久拖不办」，请于 2026年12月22日前重新反馈整改情况。',
    );
    const mail = await db.kysely
      .selectFrom('outbox')
      .select('subject')
      .where('recipient', '=', 'd001@example.gov.cn')
      .execute();
    // the sheet, the 销号, the new item and the reopening
    expect(mail).toHaveLength(4);

    // registering the same report again reopens nothing more
    await db.kysely.transaction().execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, office));
    expect((await item(old.id)).reopenCount).toBe(1);
  });

  it('leaves a closed item closed when the new report comes more than 90 days after it closed', async () => {
    ctx.clock.set(morning('2026-12-03')); // 91 days
    await register('test-2026', 'D002');
    expect((await item((closed.get('D002') as Item).id)).state).toBe('closed');
  });

  it('reopens an item closed in the previous campaign when the next campaign reports the department again', async () => {
    await createTestCampaign(db, ctx.services, {
      slug: 'test-2027',
      overrides: {
        name: '2027 年测试评议',
        opensAt: '2027-11-01T00:00:00+08:00',
        closesAt: '2027-12-31T23:59:59+08:00',
      },
    });
    ctx.clock.set(morning('2027-11-10'));
    await register('test-2027', 'D002');
    const old = await item((closed.get('D002') as Item).id);
    expect([old.state, old.reopenCount]).toEqual(['rectifying', 1]);
    expect(old.history.at(-1)?.reason).toMatch(/^回头看：2027 年测试评议中再次被反映同类问题/);
  });

  it('leaves closed the previous campaign’s item of a code the next campaign gives to another body', async () => {
    const { item: lastYear } = await register('test-2026', 'D003');
    await ctx.services.notices.issueSheet('test-2026', lastYear.sheetId as string, office);
    const liaison = await liaisonOf(db, 'D003');
    await ctx.services.notices.acknowledgeSheet(lastYear.sheetId as string, liaison);
    await ctx.services.notices.act(lastYear.id, { type: 'plan', plan: { ...PLAN, date: '2027-12-20' } }, liaison);
    await ctx.services.notices.respond(lastYear.id, '已整改', [], liaison);
    await ctx.services.notices.act(lastYear.id, { type: 'close' }, secondOffice);
    const next = await ctx.services.campaigns.getBySlug('test-2027');
    await db.kysely
      .updateTable('departments')
      .set({ name: '市另一机关' })
      .where('campaign_id', '=', next.id)
      .where('code', '=', 'D003')
      .execute();
    await register('test-2027', 'D003');
    expect((await item(lastYear.id)).state).toBe('closed');
  });

  it('leaves closed the previous campaign’s item once that campaign is settled, registering the new one', async () => {
    const { item: lastYear } = await register('test-2026', 'D004');
    await ctx.services.notices.issueSheet('test-2026', lastYear.sheetId as string, office);
    const liaison = await liaisonOf(db, 'D004');
    await ctx.services.notices.acknowledgeSheet(lastYear.sheetId as string, liaison);
    await ctx.services.notices.act(lastYear.id, { type: 'plan', plan: { ...PLAN, date: '2027-12-20' } }, liaison);
    await ctx.services.notices.respond(lastYear.id, '已整改', [], liaison);
    await ctx.services.notices.act(lastYear.id, { type: 'close' }, secondOffice);
    // settled as the office would (the settlement's own rules have their own tests)
    await db.kysely.updateTable('campaigns').set({ state: 'settled' }).where('slug', '=', 'test-2026').execute();
    const { item: fresh } = await register('test-2027', 'D004');
    expect(fresh.state).toBe('draft');
    expect((await item(lastYear.id)).state).toBe('closed');
  });
});
