/**
 * The one home of time display: every page, export, letter, CSV and chart shows instants in the
 * campaign's time zone through these functions. Isomorphic (Intl only): the server and the browser
 * scripts import the same module. Instants are stored as ISO-8601 UTC text; days as YYYY-MM-DD.
 */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

type Lang = 'zh' | 'en';
const formatters = new Map<string, Intl.DateTimeFormat>();

function parts(instant: string | Date, timeZone: string): Record<string, string> {
  const key = timeZone;
  let format = formatters.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    formatters.set(key, format);
  }
  const date = typeof instant === 'string' ? new Date(instant) : instant;
  return Object.fromEntries(format.formatToParts(date).map((p) => [p.type, p.value]));
}

/** Whether Intl knows the zone (config validation). */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** `2026-12-02 10:56` in the zone. */
export function formatDateTime(instant: string | Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}

/** The clock time `10:56` of an instant in the zone. */
export function formatTimeOfDay(instant: string | Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.hour}:${p.minute}`;
}

/** The calendar day `2026-12-02` of an instant in the zone. */
export function dayInZone(instant: string | Date, timeZone: string): string {
  const p = parts(instant, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/**
 * The first instant of the calendar day `YYYY-MM-DD` in the zone (its midnight; where a clock change
 * skips midnight, the first minute the day has).
 */
export function startOfDayInZone(day: string, timeZone: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return wallInstant(Date.UTC(y, m - 1, d), timeZone);
}

/**
 * The instant a clock in the zone shows `YYYY-MM-DDTHH:MM[:SS]` (what a datetime-local field
 * sends), or null for text that is no such time.
 */
export function instantInZone(wallTime: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(wallTime);
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = m.slice(1).map((x) => Number(x ?? 0));
  const wall = Date.UTC(y, mo - 1, d, h, mi, sec);
  const back = new Date(wall);
  // 2027-02-30 or 25:00 roll over into another day or hour: not a time the field could mean
  if (
    back.getUTCMonth() !== mo - 1 ||
    back.getUTCDate() !== d ||
    back.getUTCHours() !== h ||
    back.getUTCMinutes() !== mi
  )
    return null;
  return wallInstant(wall, timeZone);
}

/** The instant the zone's clock shows `wall` (a wall time written as if it were UTC). */
function wallInstant(wall: number, timeZone: string): Date {
  const offsetAt = (t: number) => {
    const p = parts(new Date(t), timeZone);
    const shown = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
    return shown - Math.floor(t / 60_000) * 60_000;
  };
  // the offset at the first guess may differ from the one at the wall time (a clock change in between)
  const guess = wall - offsetAt(wall);
  return new Date(wall - offsetAt(guess));
}

/** `2026年12月2日` (official documents: full year, no padding), or `2 December 2026`. */
export function formatLongDate(instant: string | Date, timeZone: string, lang: Lang = 'zh'): string {
  const p = parts(instant, timeZone);
  const [y, m, d] = [Number(p.year), Number(p.month), Number(p.day)];
  if (lang === 'en') {
    const month = new Date(Date.UTC(y, m - 1, 1)).toLocaleString('en-GB', { month: 'long', timeZone: 'UTC' });
    return `${d} ${month} ${y}`;
  }
  return `${y}年${m}月${d}日`;
}

/** `2026年12月2日 10:56` for messages to people. */
export function formatLongDateTime(instant: string | Date, timeZone: string, lang: Lang = 'zh'): string {
  const p = parts(instant, timeZone);
  return `${formatLongDate(instant, timeZone, lang)} ${p.hour}:${p.minute}`;
}

/**
 * The time zones China's offices use, by the names they call them (北京时间 first): the campaign
 * form's 时区 list (with `note` beside the name) and every label beside a time.
 */
export const OFFICE_ZONES: { zone: string; name: string; en: string; note?: string }[] = [
  { zone: 'Asia/Shanghai', name: '北京时间', en: 'Beijing time' },
  { zone: 'Asia/Urumqi', name: '乌鲁木齐时间', en: 'Urumqi time', note: '比北京时间晚 2 小时' },
  { zone: 'Asia/Hong_Kong', name: '香港时间', en: 'Hong Kong time' },
  { zone: 'Asia/Macau', name: '澳门时间', en: 'Macau time' },
  { zone: 'Asia/Taipei', name: '台北时间', en: 'Taipei time' },
];

/** Other names of Beijing time in the zone database. */
const BEIJING_ALIASES = new Set(['Asia/Chongqing', 'PRC']);

/** The label shown once beside times: the office's name of the zone (北京时间, 乌鲁木齐时间 …), else the zone's IANA name. */
export function zoneLabel(timeZone: string, lang: Lang = 'zh'): string {
  const known = OFFICE_ZONES.find((z) => z.zone === (BEIJING_ALIASES.has(timeZone) ? DEFAULT_TIME_ZONE : timeZone));
  if (known) return lang === 'en' ? known.en : known.name;
  return lang === 'en' ? `time zone ${timeZone}` : `时区 ${timeZone}`;
}
