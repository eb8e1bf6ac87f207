/**
 * The office checks a reported situation within 10 working days of the day it was reported: the
 * deadline ends with the 10th working day after that day (the day itself not counted), in the
 * campaign's working calendar (national holidays and 调休, and the office's local overrides).
 */
import { addDays, type WorkingCalendar } from '../calendar/working-days.js';

export const REVIEW_WORKING_DAYS = 10;

/** Calendar days from `from` to `to` (the age of a report). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export interface ReviewDeadline {
  dueDay: string;
  /** working days from today to the due day: 0 on it, negative once past */
  workingDaysLeft: number;
  overdue: boolean;
}

type Calendar = Pick<WorkingCalendar, 'addWorkingDays' | 'workingDaysBetween'>;

export function reviewDeadline(calendar: Calendar, reportedDay: string, today: string): ReviewDeadline {
  const dueDay = calendar.addWorkingDays(reportedDay, REVIEW_WORKING_DAYS);
  return { dueDay, workingDaysLeft: calendar.workingDaysBetween(today, dueDay), overdue: today > dueDay };
}

/**
 * The latest report day whose review is overdue today: the due day grows with the report day, so
 * "overdue" is "reported on or before this day" and the queue filters on a plain column.
 */
export function overdueCutoff(calendar: Calendar, today: string): string {
  let day = addDays(today, -1);
  while (calendar.addWorkingDays(day, REVIEW_WORKING_DAYS) >= today) day = addDays(day, -1);
  return day;
}

export { addDays };
