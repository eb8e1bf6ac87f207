import type { DeadlineCalendar } from './machine.js';

/** How far a deadline is, in working days: still to go (0: today is the last day) or already past. */
export type Countdown = { overdue: false; workingDays: number } | { overdue: true; workingDays: number };

/** The smallest n ≥ 0 whose deadline (end of the n-th working day after `from`) is at or after `target`. */
function workingDaysUntil(calendar: DeadlineCalendar, from: string, target: string): number {
  if (calendar.deadline(from, 0) >= target) return 0;
  // deadlines grow with n: widen the range, then halve it
  let low = 0;
  let high = 1;
  while (calendar.deadline(from, high) < target) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (calendar.deadline(from, middle) >= target) high = middle;
    else low = middle;
  }
  return high;
}

/**
 * Working days left until `dueAt` counting from the day after today, as the BRIEF counts periods
 * (due today: 0; due on the next working day: 1), or, once past, the working days since the due
 * day up to and including today (0 on a day off right after it).
 */
export function countdown(calendar: DeadlineCalendar, now: string, dueAt: string): Countdown {
  if (now <= dueAt) return { overdue: false, workingDays: workingDaysUntil(calendar, now, dueAt) };
  const endOfToday = calendar.deadline(now, 0);
  const n = workingDaysUntil(calendar, dueAt, endOfToday);
  // the n-th working day after the due day ends after today: today is a day off, not counted
  return { overdue: true, workingDays: calendar.deadline(dueAt, n) > endOfToday ? n - 1 : n };
}

/** 还剩 3 个工作日 / 今天到期 / 已逾期 2 个工作日. */
export function countdownText(c: Countdown): string {
  if (c.overdue) return c.workingDays > 0 ? `已逾期 ${c.workingDays} 个工作日` : '已逾期';
  return c.workingDays === 0 ? '今天到期' : `还剩 ${c.workingDays} 个工作日`;
}
