import { z } from 'zod';

/**
 * What every text input must be before it is stored: PostgreSQL refuses a NUL character in text
 * (SQLite silently cuts the text there), and a lone surrogate is half a character that no UTF-8
 * encoder can write. Both are refused with a message naming the field, never repaired silently.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string can't be stored as text, or null when it can. */
export function textProblem(value: string): string | null {
  if (value.includes('\u0000')) return '不能包含空字符（U+0000）';
  if (LONE_SURROGATE.test(value)) return '含有不完整的字符（单独的 UTF-16 代理项），请重新输入这段文字';
  return null;
}

/** A string fit to show in an error message: NUL and lone surrogates become U+FFFD. */
export const shownText = (value: string) =>
  value.replace(/\u0000/g, '\uFFFD').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');

/** `z.string()` that refuses what `textProblem` names. */
export const text = (params?: Parameters<typeof z.string>[0]) =>
  z.string(params).superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** A place in a walked value: its key and the place it is in, so no path is built until one is shown. */
interface Place {
  key: string;
  parent: Place | null;
}

const pathOf = (place: Place | null): string => {
  const keys: string[] = [];
  for (let p = place; p; p = p.parent) keys.push(p.key);
  return keys.reverse().join('.');
};

/**
 * What a shown name must not hold: control characters (a line break, a tab), line and paragraph
 * separators, and the bidi controls (U+202E turns 名单.xlsx.exe's end around on screen), which make
 * one name look like another on a page, a letter or a file name.
 */
const UNSHOWN = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u;
/** What shows as nothing: spaces of every width and the zero-width characters (U+200B …). */
const INVISIBLE = /[\p{White_Space}\p{Default_Ignorable_Code_Point}]/gu;

/** A name as a file name may carry it: without UNSHOWN's characters. */
export const withoutControls = (name: string) => name.replace(new RegExp(UNSHOWN.source, 'gu'), '');

/**
 * A name the pages, letters and charts show (a campaign's, a group's, a level's): text that shows
 * something, on one line, read in its own direction; at most `max` characters. The refusal names
 * no field: every caller's refusal puts the field's name before it.
 */
export const shownName = (max: number) =>
  text()
    .max(max, `最多 ${max} 个字`)
    .superRefine((value, ctx) => {
      if (UNSHOWN.test(value))
        ctx.addIssue({ code: 'custom', message: '不能含有控制字符（换行、制表符或改变文字方向的字符）' });
      else if (!value.replace(INVISIBLE, ''))
        ctx.addIssue({ code: 'custom', message: '不能为空（不能只有空格或看不见的字符）' });
    });

/**
 * The first string or object key in a parsed value (JSON, YAML) that `textProblem` refuses, with
 * its path (`departments.2.suggestion`). Walks without recursion, so no nesting overflows it, and
 * without copying paths, so a deep value costs its size and not its size times its depth.
 */
export function findBadText(value: unknown): { path: string; message: string } | null {
  const stack: { value: unknown; place: Place | null }[] = [{ value, place: null }];
  while (stack.length) {
    const { value: v, place } = stack.pop()!;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) return { path: pathOf(place), message: problem };
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], place: { key: String(i), parent: place } });
    } else if (v !== null && typeof v === 'object') {
      const entries = Object.entries(v);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i];
        const problem = textProblem(key);
        if (problem) return { path: pathOf({ key: shownText(key), parent: place }), message: `字段名${problem}` };
        stack.push({ value: child, place: { key, parent: place } });
      }
    }
  }
  return null;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether a `YYYY-MM-DD` names a day of the calendar (2026-02-31 does not; 2028-02-29 does). */
export function isCalendarDay(day: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return false;
  const [year, month, date] = match.slice(1).map(Number);
  if (month < 1 || month > 12 || date < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return date <= (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]);
}

/**
 * A month `YYYY-MM` or a calendar day `YYYY-MM-DD` (when someone remembers only the month). Full
 * days elsewhere (configs) are `z.iso.date()`, which checks the calendar too.
 */
export const monthOrDay = () =>
  z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])(-\d{2})?$/, '日期格式应为 YYYY-MM 或 YYYY-MM-DD')
    .refine((d) => d.length === 7 || isCalendarDay(d), '不是日历上存在的日期');
