import type { Kysely } from 'kysely';
import type { AppConfig } from '../config.js';
import type { AppDeps } from '../context.js';
import type { Database } from '../db/schema.js';
import { outboxRepository } from '../outbox/repository.js';
import { AppError } from '../errors.js';
import { newId } from '../shared/ids.js';
import { formatLongDate } from '../../web/lib/time.js';
import type { Action, Actor } from './machine.js';

/**
 * Generated notices to a department: one in-app notification (the liaison portal lists it whether
 * or not mail goes out) and, when the department has a liaison e-mail, one outbox message in the
 * same transaction. Both have the event's unique key, so an event told twice (a job rerun after a
 * crash, two processes at once) is one notification and one e-mail.
 */

export type NoticeLevel = 'info' | 'blue' | 'orange' | 'red';

export interface Notice {
  /** one per event, e.g. escalation:<item>:<level>:<due> */
  dedupeKey: string;
  /** the campaign's department row (its liaison's e-mail is on it) */
  departmentId: string;
  itemId?: string | null;
  sheetId?: string | null;
  level: NoticeLevel;
  title: string;
  body: string;
  /** the portal page it is about, e.g. /my/items/ID */
  path: string;
}

export function notificationsRepository(db: Kysely<Database>) {
  return {
    /** The new notification's id, or undefined when the event was told already. */
    async insert(notice: Notice, at: string): Promise<string | undefined> {
      const row = await db
        .insertInto('notifications')
        .values({
          id: newId(),
          dedupe_key: notice.dedupeKey,
          department_id: notice.departmentId,
          item_id: notice.itemId ?? null,
          sheet_id: notice.sheetId ?? null,
          level: notice.level,
          title: notice.title,
          body: notice.body,
          created_at: at,
          read_at: null,
        })
        .onConflict((oc) => oc.column('dedupe_key').doNothing())
        .returning('id')
        .executeTakeFirst();
      return row?.id;
    },

    async liaisonEmail(departmentId: string): Promise<string | null> {
      const row = await db
        .selectFrom('departments')
        .select('liaison_email')
        .where('id', '=', departmentId)
        .executeTakeFirst();
      return row?.liaison_email?.trim() || null;
    },

    /** Mark read the notifications among `ids` of these department rows still unread; how many. */
    async markRead(departmentIds: readonly string[], ids: string[] | 'all', at: string): Promise<number> {
      let q = db
        .updateTable('notifications')
        .set({ read_at: at })
        .where('read_at', 'is', null)
        .where('department_id', 'in', departmentIds);
      if (ids !== 'all') {
        if (ids.length === 0) return 0;
        q = q.where('id', 'in', ids);
      }
      return (await q.returning('id').execute()).length;
    },

    /** One notification of these department rows. */
    find: (departmentIds: readonly string[], id: string) =>
      db
        .selectFrom('notifications')
        .select(['id', 'item_id', 'sheet_id', 'read_at'])
        .where('department_id', 'in', departmentIds)
        .where('id', '=', id)
        .executeTakeFirst(),

    async unreadCount(departmentIds: readonly string[]): Promise<number> {
      const row = await db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('department_id', 'in', departmentIds)
        .where('read_at', 'is', null)
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    },
  };
}

/** The e-mail for a notice: its text and the portal link. */
export function noticeMail(config: Pick<AppConfig, 'publicUrl'>, notice: Notice) {
  const link = new URL(notice.path, config.publicUrl).toString();
  return {
    subject: notice.title,
    body: `${notice.body}\n\n请登录民主评议机关系统办理：${link}\n\n（本邮件由系统自动发送，请勿直接回复。）`,
  };
}

/** Tell a department of an event, once: true when this call told it. */
export async function notify(
  trx: Kysely<Database>,
  config: Pick<AppConfig, 'publicUrl'>,
  notice: Notice,
  at: string,
): Promise<boolean> {
  const repo = notificationsRepository(trx);
  if (!(await repo.insert(notice, at))) return false;
  const recipient = await repo.liaisonEmail(notice.departmentId);
  if (recipient)
    await outboxRepository(trx).enqueue({ dedupeKey: notice.dedupeKey, recipient, ...noticeMail(config, notice) }, at);
  return true;
}

/** The department is told a sheet was issued to it: what to sign for and by when. */
export function sheetIssuedNotice(
  sheet: { id: string; departmentId: string; serialText: string; title: string },
  addressee: string,
  items: { dueAt: string | null }[],
  timeZone: string,
): Notice {
  const signBy = items.map((i) => i.dueAt).find((d) => d !== null);
  return {
    dedupeKey: `sheet-issued:${sheet.id}`,
    departmentId: sheet.departmentId,
    sheetId: sheet.id,
    level: 'info',
    title: `【工作提示单】${sheet.serialText}`,
    body: `${addressee}：评议办向你单位印发了${sheet.title}（${sheet.serialText}），共 ${items.length} 项${
      signBy ? `，请于 ${formatLongDate(signBy, timeZone)}前签收` : ''
    }，并按期提交整改方案、反馈整改情况。`,
    path: `/my/sheets/${sheet.id}`,
  };
}

/** An item of the department's, as its notices name it. */
interface NoticeItem {
  id: string;
  departmentId: string;
  departmentName: string;
  sheetId: string | null;
  number: string;
  title: string;
  dueAt: string | null;
}

/** A notice about one item: addressed to the department by name, linking to the item's page. */
const aboutItem = (
  item: NoticeItem,
  notice: { dedupeKey: string; level: NoticeLevel; title: string; text: string },
): Notice => ({
  dedupeKey: notice.dedupeKey,
  departmentId: item.departmentId,
  itemId: item.id,
  sheetId: item.sheetId,
  level: notice.level,
  title: notice.title,
  body: `${item.departmentName}：${notice.text}`,
  path: `/my/items/${item.id}`,
});

/** The department is told of an item added to a sheet it already has (and of a 回头看 reopening). */
export function itemNotice(
  item: NoticeItem,
  event: { key: string; level: NoticeLevel; title: string; lead: string; step: string },
  timeZone: string,
): Notice {
  return aboutItem(item, {
    dedupeKey: event.key,
    level: event.level,
    title: event.title,
    text: `${event.lead}事项 ${item.number}「${item.title}」${
      item.dueAt ? `，请于 ${formatLongDate(item.dueAt, timeZone)}前${event.step}` : ''
    }。`,
  });
}

/** The office's decisions on an item the department is told of. */
export type DecisionAction = Extract<Action, { type: 'decide_extension' | 'decide_appeal' | 'return' | 'close' }>;

export const isDecision = (action: Action): action is DecisionAction =>
  action.type === 'decide_extension' ||
  action.type === 'decide_appeal' ||
  action.type === 'return' ||
  action.type === 'close';

/**
 * The department is told of an office decision on one of its items (延期审批, 申诉裁定, 退回, 销号):
 * what was decided, why, and what it owes next by when. `after` is the item as the decision left it;
 * one notice per history row.
 */
export function decisionNotice(
  after: NoticeItem & { responseDueAt: string | null; extensionGrantedDays: number | null },
  action: DecisionAction,
  historyId: string,
  timeZone: string,
): Notice {
  const day = (at: string | null) => (at ? formatLongDate(at, timeZone) : '');
  const what = `事项 ${after.number}「${after.title}」`;
  const why = action.reason?.trim() ? `理由：${action.reason.trim()}。` : '';
  // 'info': the colours blue/orange/red are the escalation's (提醒/催办/督办), not a decision's
  const [title, text]: [string, string] = (() => {
    switch (action.type) {
      case 'decide_extension':
        return action.approve
          ? [
              `【延期已批准】事项 ${after.number}`,
              `评议办批准了${what}的延期申请（印发后 ${after.extensionGrantedDays} 个工作日），反馈期限延至 ${day(after.responseDueAt)}。${why}`,
            ]
          : [
              `【延期未批准】事项 ${after.number}`,
              `评议办不予批准${what}的延期申请。${why}反馈期限仍为 ${day(after.responseDueAt)}，请按期反馈整改情况。`,
            ];
      case 'decide_appeal':
        return action.uphold
          ? [`【申诉成立】事项 ${after.number} 已撤销`, `评议办裁定${what}的申诉成立，该事项已撤销，无需再办理。${why}`]
          : [
              `【申诉驳回】事项 ${after.number}`,
              `评议办驳回了${what}的申诉。${why}请继续整改${after.dueAt ? `，于 ${day(after.dueAt)}前` : '并'}反馈整改情况。`,
            ];
      case 'return':
        return [
          `【退回】事项 ${after.number} 须重新整改`,
          `评议办退回了${what}的整改反馈。${why}请重新整改，于 ${day(after.dueAt)}前再次反馈整改情况。`,
        ];
      case 'close':
        return [`【销号】事项 ${after.number} 已销号`, `评议办核验了${what}的整改情况，该事项已销号。${why}`];
    }
  })();
  return aboutItem(after, { dedupeKey: `decision:${historyId}`, level: 'info', title, text });
}

/** The department rows a liaison acts for; refused for the office and for a liaison bound to none. */
export function liaisonDepartmentIds(actor: Actor): readonly string[] {
  if (actor.role !== 'liaison' || actor.departmentIds.length === 0)
    throw new AppError('FORBIDDEN', '您的账号没有关联部门');
  return actor.departmentIds;
}

/** A liaison's notifications: read when opened, counted while unread. */
export function notificationsService({ db, clock }: Pick<AppDeps, 'db' | 'clock'>) {
  return {
    /** Mark these (or all) of the liaison's department's notifications read; how many were unread. */
    markRead: (actor: Actor, ids: string[] | 'all') =>
      notificationsRepository(db.kysely).markRead(liaisonDepartmentIds(actor), ids, clock.now().toISOString()),
    /** The liaison opens one: it is read from now on; what it is about. Another department's is a 404. */
    async open(actor: Actor, id: string): Promise<{ itemId: string | null; sheetId: string | null }> {
      const departmentIds = liaisonDepartmentIds(actor);
      const repo = notificationsRepository(db.kysely);
      const found = await repo.find(departmentIds, id);
      if (!found) throw new AppError('NOT_FOUND', '没有这条通知');
      if (!found.read_at) await repo.markRead(departmentIds, [id], clock.now().toISOString());
      return { itemId: found.item_id, sheetId: found.sheet_id };
    },
    unread: (actor: Actor) => notificationsRepository(db.kysely).unreadCount(liaisonDepartmentIds(actor)),
  };
}
