/**
 * The working-day calendar (工作日): pure, no I/O, so deadlines are testable without a database.
 *
 * A day is a working day when, in this order:
 *   1. a local override says so (the office's own days off or working days);
 *   2. the national calendar (the `chinese-days` data: public holidays and the adjusted working
 *      weekends of 调休) says so, for the years it covers;
 *   3. otherwise it is Monday to Friday. For a year the national data does not cover this is a
 *      guess that ignores that year's holidays: `uncoveredYears` names such years so callers can
 *      say so, and the calendar service warns at start when the coming year is not covered.
 *
 * Days are `YYYY-MM-DD` calendar days; instants are turned into days in the campaign's time zone.
 */
import national from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import { dayInZone, startOfDayInZone } from '../../web/lib/time.js';

export interface CalendarOverride {
  day: string;
  working: boolean;
  /** why, as the office wrote it (e.g. 本市防汛放假) */
  note: string;
}

export type DayReason = 'override' | 'holiday' | 'adjusted-working' | 'weekend' | 'weekday';

export interface DayInfo {
  day: string;
  working: boolean;
  reason: DayReason;
  /** the holiday's or the override's name: 国庆节, 春节, the override's note; '' for ordinary days */
  name: string;
  /** false: the national data has no entry for this year, so holidays are unknown there */
  nationalDataCovers: boolean;
}

/** The national calendar as `chinese-days` ships it: day → "English name,中文名,days". */
export interface NationalData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

const DAY_MS = 86_400_000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a `YYYY-MM-DD` day; throws on anything else (a programming error). */
function dayNumber(day: string): number {
  const m = DAY_PATTERN.exec(day);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || new Date(t).toISOString().slice(0, 10) !== day) throw new TypeError(`not a YYYY-MM-DD day: ${day}`);
  return t / DAY_MS;
}

const dayOfNumber = (n: number): string => new Date(n * DAY_MS).toISOString().slice(0, 10);

/** Whether a string is a real calendar day `YYYY-MM-DD` (for validating input). */
export function isDay(value: string): boolean {
  try {
    dayNumber(value);
    return true;
  } catch {
    return false;
  }
}

/** The day `n` calendar days after `day` (before, for negative n). */
export function addDays(day: string, n: number): string {
  return dayOfNumber(dayNumber(day) + n);
}

export interface WorkingCalendarOptions {
  /** the campaign's time zone: instants become days, and deadlines end at midnight, there */
  timeZone: string;
  overrides?: readonly CalendarOverride[];
  /** the national data; `chinese-days` unless a test gives its own */
  national?: NationalData;
}

export interface WorkingCalendar {
  readonly timeZone: string;
  /** the first and last year the national data covers */
  readonly nationalYears: { first: number; last: number };
  describeDay(day: string): DayInfo;
  isWorkingDay(day: string): boolean;
  /**
   * The n-th working day after `day`, `day` itself not counted ("within n working days of issue");
   * n = 0 gives `day`; a negative n counts back to the n-th working day before.
   */
  addWorkingDays(day: string, n: number): string;
  /**
   * The working days stepped on walking from `from` to `to`, `from` itself not counted: after `from`
   * up to and including `to`, negative when `to` is before `from`. The inverse of addWorkingDays:
   * `workingDaysBetween(d, addWorkingDays(d, n))` is n. "2 working days left" for a due day d is
   * `workingDaysBetween(today, d)`.
   */
  workingDaysBetween(from: string, to: string): number;
  /** The calendar day of an instant in the time zone. */
  dayOf(instant: string | Date): string;
  /** The last millisecond of a day in the time zone, as an ISO-8601 UTC instant. */
  endOfDay(day: string): string;
  /**
   * The deadline of "within n working days of" the instant `from`: the end of the n-th working day
   * after the day of `from` in the time zone (BRIEF: the issue day itself is not counted).
   */
  deadline(from: string | Date, workingDays: number): string;
  /** Years from `from` to `to` (days) that the national data does not cover: only weekends counted there. */
  uncoveredYears(from: string, to: string): number[];
}

const NATIONAL: NationalData = national;

function coveredYears(data: NationalData): Set<number> {
  return new Set(Object.keys(data.holidays).map((day) => Number(day.slice(0, 4))));
}

/** The Chinese name of a `chinese-days` entry ("National Day,国庆节,3" → 国庆节). */
const holidayName = (entry: string): string => entry.split(',')[1] ?? entry;

export function workingCalendar(options: WorkingCalendarOptions): WorkingCalendar {
  const { timeZone } = options;
  const data = options.national ?? NATIONAL;
  const years = coveredYears(data);
  const overrides = new Map((options.overrides ?? []).map((o) => [o.day, o]));
  const sortedYears = [...years].sort((a, b) => a - b);

  function describeDay(day: string): DayInfo {
    const weekday = new Date(dayNumber(day) * DAY_MS).getUTCDay();
    const nationalDataCovers = years.has(Number(day.slice(0, 4)));
    const override = overrides.get(day);
    if (override)
      return { day, working: override.working, reason: 'override', name: override.note, nationalDataCovers };
    if (nationalDataCovers && data.workdays[day])
      return {
        day,
        working: true,
        reason: 'adjusted-working',
        name: holidayName(data.workdays[day]),
        nationalDataCovers,
      };
    if (nationalDataCovers && data.holidays[day])
      return { day, working: false, reason: 'holiday', name: holidayName(data.holidays[day]), nationalDataCovers };
    const weekend = weekday === 0 || weekday === 6;
    return { day, working: !weekend, reason: weekend ? 'weekend' : 'weekday', name: '', nationalDataCovers };
  }

  const isWorkingDay = (day: string) => describeDay(day).working;

  function addWorkingDays(day: string, n: number): string {
    if (!Number.isInteger(n)) throw new TypeError(`working days must be a whole number: ${n}`);
    const step = n < 0 ? -1 : 1;
    let current = dayNumber(day);
    for (let left = Math.abs(n); left > 0; ) {
      current += step;
      if (isWorkingDay(dayOfNumber(current))) left--;
    }
    return dayOfNumber(current);
  }

  function workingDaysBetween(from: string, to: string): number {
    const [a, b] = [dayNumber(from), dayNumber(to)];
    const step = b < a ? -1 : 1;
    let count = 0;
    for (let n = a + step; step * (b - n) >= 0; n += step) if (isWorkingDay(dayOfNumber(n))) count += step;
    return count;
  }

  const dayOf = (instant: string | Date) => dayInZone(instant, timeZone);
  const endOfDay = (day: string) => new Date(startOfDayInZone(addDays(day, 1), timeZone).getTime() - 1).toISOString();

  return {
    timeZone,
    nationalYears: { first: sortedYears[0], last: sortedYears[sortedYears.length - 1] },
    describeDay,
    isWorkingDay,
    addWorkingDays,
    workingDaysBetween,
    dayOf,
    endOfDay,
    deadline: (from, workingDays) => endOfDay(addWorkingDays(dayOf(from), workingDays)),
    uncoveredYears(from, to) {
      const [a, b] = [Number(from.slice(0, 4)), Number(to.slice(0, 4))].sort((x, y) => x - y);
      const out: number[] = [];
      for (let y = a; y <= b; y++) if (!years.has(y)) out.push(y);
      return out;
    },
  };
}
