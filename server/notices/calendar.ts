import { dayInZone } from '../../web/lib/time.js';
import type { DeadlineCalendar } from './machine.js';

/** The UTC instant at which `day` (YYYY-MM-DD) begins in the zone. */
function startOfDay(day: string, timeZone: string): number {
  const [y, m, d] = day.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d);
  const offsetAt = (t: number) => {
    const [date, time] = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .format(t)
      .split(' ');
    return Date.parse(`${date}T${time}Z`) - t;
  };
  const first = guess - offsetAt(guess);
  // a zone whose offset differs on either side of the guess (daylight saving) needs a second look
  return guess - offsetAt(first);
}

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/**
 * Working days as Monday to Friday, until the national calendar (holidays, 调休 and the office's
 * overrides) is available: the end of the N-th working day after the day of `from`, in the zone.
 */
export function weekendsOnlyCalendar(timeZone: string): DeadlineCalendar {
  return {
    deadline(from, workingDays) {
      let day = dayInZone(from, timeZone);
      for (let counted = 0; counted < workingDays; ) {
        day = nextDay(day);
        const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
        if (weekday !== 0 && weekday !== 6) counted++;
      }
      return new Date(startOfDay(nextDay(day), timeZone) - 1).toISOString();
    },
  };
}
