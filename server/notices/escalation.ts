import type { AppDeps } from '../context.js';
import type { WorkingCalendar } from '../calendar/working-days.js';
import { formatLongDate } from '../../web/lib/time.js';
import { ESCALATION, type ItemState } from './machine.js';
import { notify, type NoticeLevel } from './notify.js';
import { noticesRepository, type Item } from './repository.js';

/**
 * Overdue escalation (the `notices-escalate` job): while the department owes the step an item
 * waits for, a blue 提醒 on the deadline's day, an orange 催办 5 working days after it and a red
 * 督办 10 working days after it, by the campaign's working-day calendar. Each is raised once per
 * deadline (the item's `escalation` level moves up by one conditional UPDATE, and the notice has a
 * unique key), however many processes run the job and however often it reruns after a crash. A
 * new deadline (signed, plan filed, returned, extended, reopened) starts again at 0. When the job
 * did not run for a while, only the highest level due is sent (no stale 提醒 beside a 督办).
 */

/** The states in which the department owes the step (the office owes the others). */
export const DEPARTMENT_OWES: readonly ItemState[] = ['registered', 'acknowledged', 'rectifying'];

const STEP: Partial<Record<ItemState, string>> = {
  registered: '签收工作提示单',
  acknowledged: '提交整改方案',
  rectifying: '反馈整改情况并附佐证材料',
};

const LEVEL_COLOUR: Record<number, NoticeLevel> = { 1: 'blue', 2: 'orange', 3: 'red' };

export type EscalationCalendar = Pick<WorkingCalendar, 'dayOf' | 'addWorkingDays'>;

/** The highest level due at `now` for a deadline (0: not due yet). */
export function escalationLevelDue(calendar: EscalationCalendar, dueAt: string, now: Date | string): number {
  const today = calendar.dayOf(now);
  const dueDay = calendar.dayOf(dueAt);
  let level = 0;
  for (const step of ESCALATION)
    if (today >= calendar.addWorkingDays(dueDay, step.afterDueWorkingDays)) level = step.level;
  return level;
}

/** The notice's words for an item at a level. */
export function escalationNotice(item: Item, level: number, timeZone: string) {
  const step = ESCALATION[level - 1];
  const due = formatLongDate(item.dueAt as string, timeZone);
  const what = `工作提示单事项 ${item.number}「${item.title}」须于 ${due}前${STEP[item.state] ?? '办理'}`;
  const text =
    step.afterDueWorkingDays === 0
      ? {
          title: `【提醒】事项 ${item.number} 今天到期`,
          body: `${item.departmentName}：${what}，今天到期，请按时办理。`,
        }
      : {
          title: `【${step.label}】事项 ${item.number} 已逾期 ${step.afterDueWorkingDays} 个工作日`,
          body: `${item.departmentName}：${what}，至今已逾期 ${step.afterDueWorkingDays} 个工作日仍未办理。${
            level === 3 ? '评议办将予以督办，逾期未办结的事项列入对账通报。' : '请抓紧办理。'
          }`,
        };
  return { ...text, level: LEVEL_COLOUR[level] };
}

export interface EscalationOutcome {
  raised: { itemId: string; number: string; level: number }[];
}

export function escalationService(
  { db, config }: AppDeps,
  calendars: (timeZone: string) => Promise<WorkingCalendar>,
  timeZoneOf: (campaignId: string | null) => Promise<string>,
) {
  const actor = { id: 'scheduler', name: '系统' };

  /** Raise one item to `level` for its current deadline, unless something moved it meanwhile. */
  async function raise(item: Item, level: number, timeZone: string, at: string): Promise<boolean> {
    return db.kysely.transaction().execute(async (trx) => {
      const repo = noticesRepository(trx);
      const locked = await repo.lockItem(item.id);
      if (!locked || locked.dueAt !== item.dueAt || !DEPARTMENT_OWES.includes(locked.state)) return false;
      if (!(await repo.raiseEscalation(item.id, level, item.dueAt as string, at))) return false;
      const notice = escalationNotice(locked, level, timeZone);
      await repo.appendHistory({
        itemId: item.id,
        at,
        actorId: actor.id,
        actorName: actor.name,
        action: 'escalate',
        from: locked.state,
        to: locked.state,
        reason: notice.title,
        evidence: [],
        detail: { level, colour: notice.level, dueAt: item.dueAt },
      });
      await notify(
        trx,
        config,
        {
          dedupeKey: `escalation:${item.id}:${level}:${item.dueAt}`,
          departmentId: item.departmentId,
          itemId: item.id,
          sheetId: item.sheetId,
          level: notice.level,
          title: notice.title,
          body: notice.body,
          path: `/my/items/${item.id}`,
        },
        at,
      );
      return true;
    });
  }

  return {
    /** Raise every escalation due as of `now` (idempotent: what was raised stays raised once). */
    async escalateDue(now: Date): Promise<EscalationOutcome> {
      const at = now.toISOString();
      // a deadline is the end of a day in its zone: due today anywhere means before now + 1 day
      const horizon = new Date(now.getTime() + 24 * 3600_000 + 1).toISOString();
      const candidates = (
        await noticesRepository(db.kysely).listItems({
          states: [...DEPARTMENT_OWES],
          issuedOnly: true,
          dueBefore: horizon,
        })
      ).filter((i) => i.dueAt !== null && i.escalation < ESCALATION.length);
      const zones = new Map<string | null, string>();
      const byZone = new Map<string, WorkingCalendar>();
      const outcome: EscalationOutcome = { raised: [] };
      for (const item of candidates) {
        if (!zones.has(item.campaignId)) zones.set(item.campaignId, await timeZoneOf(item.campaignId));
        const zone = zones.get(item.campaignId) as string;
        if (!byZone.has(zone)) byZone.set(zone, await calendars(zone));
        const level = escalationLevelDue(byZone.get(zone) as WorkingCalendar, item.dueAt as string, now);
        if (level > item.escalation && (await raise(item, level, zone, at)))
          outcome.raised.push({ itemId: item.id, number: item.number, level });
      }
      return outcome;
    },
  };
}

export type EscalationService = ReturnType<typeof escalationService>;
