import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import type { Item } from '../../server/notices/service.js';
import { dialects } from '../helpers/db.js';
import { RESULTS_TIME, resultsSetup } from '../results/helpers.js';
import { liaisonOf, noticeTables, office, secondOffice, verifiedNegatives } from './helpers.js';

const PDF = new TextEncoder().encode('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

describe.each(await dialects())('notices service on $name', ({ open }) => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  /** D001's issued sheet and its items, once the walk-through has signed for them */
  let sheetId = '';
  let itemIds: string[] = [];
  const register = async (code: string, count = 1) => {
    const reports = await verifiedNegatives(db, ctx.services, ctx.campaign, code, count);
    const items: Item[] = [];
    for (const report of reports)
      items.push(
        await db.kysely
          .transaction()
          .execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, office)),
      );
    return { reports, items };
  };

  beforeAll(async () => {
    db = await open();
    ctx = await resultsSetup(db, { records: false });
  });
  afterAll(() => db.close());

  it('registers a verified negative as an item on a new draft sheet, numbered from the configured pattern', async () => {
    const { items } = await register('D001', 2);
    expect(items.map((i) => [i.number, i.state, i.source, i.kind])).toEqual([
      ['001-01', 'draft', 'negative', 3],
      ['001-02', 'draft', 'negative', 3],
    ]);
    expect(items[0].title).toBe('超法定或承诺时限、久拖不办');
    // the redacted text reaches the item, never the original
    expect(items[0].evidence).toContain('[电话已隐去]');
    expect(items[0].evidence).not.toContain('13800138000');
    const [sheet] = await ctx.services.notices.sheets('test-2026');
    expect(sheet).toMatchObject({
      serialText: '评议提示〔2026〕第001号',
      state: 'draft',
      departmentCode: 'D001',
      addressee: '测试部门1',
    });
    expect(sheet.items).toHaveLength(2);
  });

  it('registers each report once however often it is called', async () => {
    const { reports, items } = await register('D002');
    const before = await noticeTables(db);
    const again = await db.kysely
      .transaction()
      .execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, reports[0], office));
    expect(again.id).toBe(items[0].id);
    expect(await noticeTables(db)).toEqual(before);
    expect((await ctx.services.notices.sheets('test-2026')).map((s) => s.serialText)).toEqual([
      '评议提示〔2026〕第001号',
      '评议提示〔2026〕第002号',
    ]);
  });

  it('issues a sheet: every item registered with its deadlines, a history row and an audit row each', async () => {
    const [draft] = await ctx.services.notices.sheets('test-2026');
    const [first] = draft.items;
    await ctx.services.notices.editItem(first.id, { requirement: '限期办结并说明原因', respondDays: 20 }, office);
    const sheet = await ctx.services.notices.issueSheet('test-2026', draft.id, office);
    expect(sheet).toMatchObject({
      state: 'issued',
      issuedBy: office.username,
      issuer: '民主评议机关工作领导小组办公室',
    });
    // issued Tuesday 5 January 2027 (16:00 in Shanghai): signed for by the end of Thursday
    expect(sheet.items.map((i) => [i.state, i.dueAt])).toEqual([
      ['registered', '2027-01-07T15:59:59.999Z'],
      ['registered', '2027-01-07T15:59:59.999Z'],
    ]);
    expect(sheet.items[0]).toMatchObject({ requirement: '限期办结并说明原因', respondDays: 20 });
    expect(sheet.items[0].responseDueAt).toBe('2027-02-02T15:59:59.999Z');
    const detail = await ctx.services.notices.item(first.id, office);
    expect(detail.history.map((h) => [h.action, h.from, h.to, h.actorName])).toEqual([
      ['create', 'draft', 'draft', office.name],
      ['issue', 'draft', 'registered', office.name],
    ]);
    const audit = await ctx.services.audit.list({ action: 'notice_item_issue' });
    expect(audit.filter((a) => a.detail.item === first.id)).toHaveLength(1);
  });

  it('adds a report verified after issue to the issued sheet and issues it at once', async () => {
    const { items } = await register('D001');
    expect(items[0]).toMatchObject({ number: '001-03', state: 'registered' });
    expect(items[0].issuedAt).not.toBeNull();
  });

  it('refuses editing an issued item and issuing a sheet twice, changing nothing', async () => {
    const [sheet] = await ctx.services.notices.sheets('test-2026');
    const before = await noticeTables(db);
    await expect(ctx.services.notices.editItem(sheet.items[0].id, { requirement: '改' }, office)).rejects.toMatchObject(
      { code: 'CONFLICT' },
    );
    await expect(ctx.services.notices.issueSheet('test-2026', sheet.id, office)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await noticeTables(db)).toEqual(before);
  });

  it('walks an item from signing to close-out, every step in its history', async () => {
    const liaison = await liaisonOf(db, 'D001');
    const [sheet] = await ctx.services.notices.sheets('test-2026');
    sheetId = sheet.id;
    itemIds = sheet.items.map((i) => i.id);
    const signed = await ctx.services.notices.acknowledgeSheet(sheet.id, liaison);
    expect(signed.acknowledgedBy).toBe(liaison.username);
    expect(signed.items.every((i) => i.state === 'acknowledged')).toBe(true);
    const id = sheet.items[0].id;
    await ctx.services.notices.act(
      id,
      { type: 'plan', plan: { measures: '建立限时办结台账', responsible: '陈科长', date: '2027-01-20' } },
      liaison,
    );
    const responded = await ctx.services.notices.respond(
      id,
      '已办结并约谈经办人',
      [{ name: '整改报告.pdf', bytes: PDF }],
      liaison,
    );
    expect(responded.state).toBe('verifying');
    expect(responded.files).toMatchObject([{ fileName: '整改报告.pdf', mediaType: 'application/pdf' }]);
    expect(responded.history.at(-1)?.evidence).toEqual([responded.files[0].sha256]);
    const closed = await ctx.services.notices.act(id, { type: 'close', reason: '材料齐全' }, secondOffice);
    expect(closed).toMatchObject({ state: 'closed', closedBy: secondOffice.userId, respondedOnTime: true });
    const { history } = await ctx.services.notices.item(id, office);
    expect(history.map((h) => h.action)).toEqual(['create', 'issue', 'acknowledge', 'plan', 'respond', 'close']);
  });

  it.each([
    [
      'signing for a sheet twice',
      'CONFLICT',
      async () => ctx.services.notices.acknowledgeSheet(sheetId, await liaisonOf(db, 'D001')),
    ],
    [
      'another department’s liaison signing',
      'FORBIDDEN',
      async () => ctx.services.notices.acknowledgeSheet(sheetId, await liaisonOf(db, 'D003')),
    ],
    [
      'closing an item never responded to',
      'CONFLICT',
      async () => ctx.services.notices.act(itemIds[1], { type: 'close' }, secondOffice),
    ],
    [
      'a liaison closing',
      'FORBIDDEN',
      async () => ctx.services.notices.act(itemIds[1], { type: 'close' }, await liaisonOf(db, 'D001')),
    ],
    [
      'another department’s liaison planning',
      'FORBIDDEN',
      async () =>
        ctx.services.notices.act(
          itemIds[1],
          { type: 'plan', plan: { measures: '措施', responsible: '某人', date: '2027-01-20' } },
          await liaisonOf(db, 'D002'),
        ),
    ],
    [
      'a response with a file that is not evidence',
      'UNSUPPORTED_MEDIA_TYPE',
      async () =>
        ctx.services.notices.respond(
          itemIds[1],
          '说明',
          [{ name: 'report.pdf', bytes: new Uint8Array([0x4d, 0x5a, 1, 2]) }],
          await liaisonOf(db, 'D001'),
        ),
    ],
    [
      'a response before the plan',
      'CONFLICT',
      async () =>
        ctx.services.notices.respond(itemIds[1], '说明', [{ name: 'a.pdf', bytes: PDF }], await liaisonOf(db, 'D001')),
    ],
    [
      'an appeal without a reason',
      'VALIDATION_FAILED',
      async () => ctx.services.notices.act(itemIds[1], { type: 'appeal', reason: '' }, await liaisonOf(db, 'D001')),
    ],
  ] as const)('refuses %s with %s and changes nothing, no history written', async (_, code, run) => {
    const before = await noticeTables(db);
    await expect(run()).rejects.toMatchObject({ code });
    expect(await noticeTables(db)).toEqual(before);
  });

  it('lets a liaison see only their own department’s issued sheets', async () => {
    const [sheet] = await ctx.services.notices.sheets('test-2026');
    expect((await ctx.services.notices.mySheets(await liaisonOf(db, 'D001'))).map((s) => s.id)).toEqual([sheet.id]);
    // D002's sheet is still a draft: not there for its liaison, and not reachable
    expect(await ctx.services.notices.mySheets(await liaisonOf(db, 'D002'))).toEqual([]);
    const draft = (await ctx.services.notices.sheets('test-2026'))[1];
    await expect(ctx.services.notices.sheetById(draft.id, await liaisonOf(db, 'D002'))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(ctx.services.notices.sheetById(sheet.id, await liaisonOf(db, 'D002'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(ctx.services.notices.item(draft.items[0].id, await liaisonOf(db, 'D001'))).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('raises an escalation once per level and deadline, and never for a deadline that has moved', async () => {
    const [item] = await ctx.services.notices.items({ sheetId, states: ['acknowledged'] });
    const dueAt = item.dueAt as string;
    const overdue = await ctx.services.notices.items({ dueBefore: new Date(Date.parse(dueAt) + 1).toISOString() });
    expect(overdue.map((i) => i.id)).toContain(item.id);
    const raise = (level: number, due: string) =>
      db.kysely.transaction().execute((trx) => ctx.services.notices.raiseEscalation(trx, item.id, level, due));
    expect(await raise(1, dueAt)).toBe(true);
    expect(await raise(1, dueAt)).toBe(false);
    expect(await raise(2, '2030-01-01T00:00:00.000Z')).toBe(false);
    expect(await raise(2, dueAt)).toBe(true);
    expect((await ctx.services.notices.item(item.id, office)).escalation).toBe(2);
  });

  it('issues with deadlines from the national calendar and the office’s local days off, read in its transaction', async () => {
    const d002 = (await ctx.services.notices.sheets('test-2026')).find((s) => s.departmentCode === 'D002')!;
    await ctx.services.calendar.set({ day: '2026-02-24', working: false, note: '本市冰雪灾害停工' }, 'office-wang');
    ctx.clock.set('2026-02-13T02:00:00Z');
    try {
      const issued = await ctx.services.notices.issueSheet('test-2026', d002.id, office);
      // Friday 13 February: the 14th is an adjusted working Saturday, 15–23 the Spring Festival, the 24th a local day off
      expect(issued.items[0].dueAt).toBe('2026-02-25T15:59:59.999Z');
    } finally {
      ctx.clock.set(RESULTS_TIME);
    }
  });
});
