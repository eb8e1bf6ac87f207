import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, NotificationList } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { postForm } from '../portal/helpers.js';
import { liaisonOf, office, secondOffice } from './helpers.js';
import { morning, PLAN, quarterSetup } from './scenario.js';

describe('notifications in the liaison portal', () => {
  let db: Db;
  let q: Awaited<ReturnType<typeof quarterSetup>>;
  let d001: LoggedIn;
  let d002: LoggedIn;
  const list = async (who: LoggedIn) => {
    const res = await q.app.request('/api/my/notifications', { headers: who.headers() });
    expect(res.status).toBe(200);
    return (await res.json()) as NotificationList;
  };
  const post = (who: LoggedIn, path: string, body: unknown = {}) =>
    q.app.request(path, {
      method: 'POST',
      headers: who.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });
  const form = async (who: LoggedIn, path: string) => (await postForm(q.app, path, who, {})).res;
  const page = async (who: LoggedIn) => (await q.app.request('/my', { headers: { cookie: who.cookie } })).text();

  beforeAll(async () => {
    db = await sqliteDb();
    q = await quarterSetup(db);
    d001 = await loginAs(q.app, q.services, 'liaison', { departmentCode: 'D001' });
    d002 = await loginAs(q.app, q.services, 'liaison', { departmentCode: 'D002' });
  });
  afterAll(() => db.close());

  it('tells the department of an issued sheet in the portal and by mail to its liaison', async () => {
    const { unread, notifications } = await list(d001);
    expect(unread).toBe(1);
    expect(notifications).toMatchObject([
      { level: 'info', title: '【工作提示单】评议提示〔2026〕第001号', itemId: null, readAt: null },
    ]);
    expect(notifications[0].body).toContain('请于 2026年9月24日前签收');
    // a plain notice has no level label under the heading 通知; the sheet is waiting to be signed for
    const my = await page(d001);
    expect(my).toContain('<strong>【工作提示单】评议提示〔2026〕第001号</strong>');
    expect(my).not.toContain('<span class="level">通知</span>');
    expect(my).toContain('已销号 0 项 · 待签收');
    const mail = await db.kysely
      .selectFrom('outbox')
      .selectAll()
      .where('recipient', '=', 'd001@example.gov.cn')
      .execute();
    expect(mail.map((m) => [m.subject, m.state])).toEqual([['【工作提示单】评议提示〔2026〕第001号', 'pending']]);
    expect(mail[0].body).toContain(`http://localhost:3000/my/sheets/${notifications[0].sheetId}`);
  });

  it('counts unread notifications on /my and marks one read when the liaison opens it', async () => {
    q.clock.set(morning('2026-09-24'));
    await q.services.escalation.escalateDue(q.clock.now());
    // two days later: sign in again (sessions last 12 hours)
    d001 = await loginAs(q.app, q.services, 'liaison', { departmentCode: 'D001' });
    d002 = await loginAs(q.app, q.services, 'liaison', { departmentCode: 'D002' });
    expect(await page(d001)).toContain('（2 条未读）');
    const [blue] = (await list(d001)).notifications;
    expect(blue.level).toBe('blue');
    const opened = await form(d001, `/my/notifications/${blue.id}/open`);
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe(`/my/items/${q.id('D001')}`);
    const after = await list(d001);
    expect(after.unread).toBe(1);
    expect(after.notifications.find((n) => n.id === blue.id)?.readAt).toBe(q.clock.now().toISOString());
    expect(await page(d001)).toContain('（1 条未读）');
  });

  it("refuses another department's notification and changes nothing", async () => {
    const [first] = (await list(d001)).notifications;
    const before = await db.kysely.selectFrom('notifications').selectAll().orderBy('id').execute();
    const res = await post(d002, `/api/my/notifications/${first.id}/read`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.message).toBe('没有这条通知');
    expect((await form(d002, `/my/notifications/${first.id}/open`)).status).toBe(404);
    expect(await db.kysely.selectFrom('notifications').selectAll().orderBy('id').execute()).toEqual(before);
  });

  it('marks all read at once, and a bad list of ids is a 422 naming the field', async () => {
    const bad = await post(d001, '/api/my/notifications/read', { ids: 'all' });
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as ErrorBody).error.details?.[0].path).toBe('ids');
    const res = await post(d001, '/api/my/notifications/read');
    expect(await res.json()).toEqual({ marked: 1, unread: 0 });
    expect(await page(d001)).not.toContain('条未读');
    // the other department's (its sheet's notice and its own 提醒) stay unread
    expect((await list(d002)).unread).toBe(2);
  });
});

describe("the office's decisions told to the department", () => {
  let db: Db;
  let q: Awaited<ReturnType<typeof quarterSetup>>;
  const noticesOf = (code: string) =>
    db.kysely
      .selectFrom('notifications as n')
      .innerJoin('departments as d', 'd.id', 'n.department_id')
      .select(['n.title', 'n.body', 'n.item_id', 'n.level'])
      .where('d.code', '=', code)
      .orderBy('n.created_at')
      .execute();

  beforeAll(async () => {
    db = await sqliteDb();
    q = await quarterSetup(db);
  });
  afterAll(() => db.close());

  it('tells of an approved extension, a dismissed appeal, a return and the 销号, each with its item and by mail', async () => {
    const n = q.services.notices;
    const item = q.id('D002');
    const d002 = await liaisonOf(db, 'D002');
    await n.acknowledgeSheet(q.items.get('D002')?.sheetId as string, d002);
    await n.act(item, { type: 'plan', plan: PLAN }, d002);
    await n.act(item, { type: 'request_extension', days: 30, reason: '涉及多个科室' }, d002);
    await n.act(item, { type: 'decide_extension', approve: true }, office);
    await n.act(item, { type: 'appeal', reason: '非本单位职责' }, d002);
    await n.act(item, { type: 'decide_appeal', uphold: false, reason: '属于本单位职责' }, office);
    await n.respond(item, '已整改', [], d002);
    await n.act(item, { type: 'return', reason: '缺少佐证材料' }, office);
    await n.respond(item, '已补充材料', [], d002);
    await n.act(item, { type: 'close' }, secondOffice);
    const decisions = (await noticesOf('D002')).slice(1);
    expect(decisions.map((d) => d.title)).toEqual([
      `【延期已批准】事项 ${q.items.get('D002')?.number}`,
      `【申诉驳回】事项 ${q.items.get('D002')?.number}`,
      `【退回】事项 ${q.items.get('D002')?.number} 须重新整改`,
      `【销号】事项 ${q.items.get('D002')?.number} 已销号`,
    ]);
    expect(decisions.every((d) => d.item_id === item && d.level === 'info')).toBe(true);
    const liaison = await loginAs(q.app, q.services, 'liaison', { departmentCode: 'D002' });
    const my = await (await q.app.request('/my', { headers: { cookie: liaison.cookie } })).text();
    expect(my).toContain('【销号】事项');
    expect(my).toContain('共 1 项，已销号 1 项 · 已办结');
    expect(decisions[0].body).toContain('印发后 30 个工作日');
    expect(decisions[0].body).toContain('反馈期限延至 2026年11月10日。');
    expect(decisions[1].body).toContain('理由：属于本单位职责。');
    expect(decisions[2].body).toContain('理由：缺少佐证材料。请重新整改，于 2026年10月');
    const mail = await db.kysely
      .selectFrom('outbox')
      .select(['subject', 'body'])
      .where('recipient', '=', 'd002@example.gov.cn')
      .orderBy('created_at')
      .execute();
    expect(mail.map((m) => m.subject).slice(1)).toEqual(decisions.map((d) => d.title));
    expect(mail[4].body).toContain(`http://localhost:3000/my/items/${item}`);
  });

  it('tells of a refused extension with the reason, and a refused decision tells nothing', async () => {
    const n = q.services.notices;
    const item = q.id('D001');
    const d001 = await liaisonOf(db, 'D001');
    await n.acknowledgeSheet(q.items.get('D001')?.sheetId as string, d001);
    await n.act(item, { type: 'request_extension', days: 30, reason: '人手不足' }, d001);
    await expect(n.act(item, { type: 'decide_extension', approve: false }, office)).rejects.toThrow('不予延期的理由');
    expect(await noticesOf('D001')).toHaveLength(1);
    await n.act(item, { type: 'decide_extension', approve: false, reason: '理由不充分' }, office);
    const [, refused] = await noticesOf('D001');
    expect(refused.title).toBe(`【延期未批准】事项 ${q.items.get('D001')?.number}`);
    expect(refused.body).toContain('理由：理由不充分。反馈期限仍为');
  });
});
