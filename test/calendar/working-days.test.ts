import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, workingCalendar } from '../../server/calendar/working-days.js';

const shanghai = workingCalendar({ timeZone: 'Asia/Shanghai' });

describe('working days around the 2026 Spring Festival', () => {
  it('works the adjusted Saturdays 2026-02-14 and 2026-02-28 and rests 2026-02-15 … 2026-02-23', () => {
    expect(shanghai.describeDay('2026-02-14')).toMatchObject({
      working: true,
      reason: 'adjusted-working',
      name: '春节',
    });
    expect(shanghai.isWorkingDay('2026-02-28')).toBe(true);
    for (let day = '2026-02-15'; day <= '2026-02-23'; day = addDays(day, 1))
      expect(shanghai.describeDay(day)).toMatchObject({ working: false, reason: 'holiday', name: '春节' });
    expect(shanghai.describeDay('2026-02-24')).toMatchObject({ working: true, reason: 'weekday' });
    expect(shanghai.describeDay('2026-03-01')).toMatchObject({ working: false, reason: 'weekend' });
  });

  it('counts the adjusted Saturday and skips the holiday when adding working days', () => {
    expect(shanghai.addWorkingDays('2026-02-13', 1)).toBe('2026-02-14');
    expect(shanghai.addWorkingDays('2026-02-13', 2)).toBe('2026-02-24');
    // 13 14 | 24 25 26 27 28 | 2 3 4
    expect(shanghai.addWorkingDays('2026-02-12', 10)).toBe('2026-03-04');
    expect(shanghai.workingDaysBetween('2026-02-12', '2026-03-04')).toBe(10);
    expect(shanghai.addWorkingDays('2026-02-24', -1)).toBe('2026-02-14');
  });
});

describe('working days around the 2026 National Day', () => {
  it('rests 2026-10-01 … 2026-10-07 and works the adjusted Sunday 2026-09-20 and Saturday 2026-10-10', () => {
    expect(shanghai.describeDay('2026-10-01')).toMatchObject({ working: false, reason: 'holiday', name: '国庆节' });
    for (let day = '2026-10-01'; day <= '2026-10-07'; day = addDays(day, 1))
      expect(shanghai.isWorkingDay(day)).toBe(false);
    expect(shanghai.isWorkingDay('2026-09-20')).toBe(true);
    expect(shanghai.isWorkingDay('2026-10-10')).toBe(true);
  });

  it('ends "within 1 working day" of an issue on 2026-09-30 at the end of 2026-10-08, Beijing time', () => {
    expect(shanghai.addWorkingDays('2026-09-30', 1)).toBe('2026-10-08');
    expect(shanghai.addWorkingDays('2026-09-30', 3)).toBe('2026-10-10');
    expect(shanghai.workingDaysBetween('2026-09-30', '2026-10-10')).toBe(3);
    expect(shanghai.deadline('2026-09-30T02:00:00Z', 1)).toBe('2026-10-08T15:59:59.999Z');
    // issued late in the evening of the 30th, Beijing time: still the 30th
    expect(shanghai.deadline('2026-09-30T15:30:00Z', 1)).toBe('2026-10-08T15:59:59.999Z');
  });
});

describe('deadlines in the campaign time zone', () => {
  it('takes the issue day and the end of the due day in the zone', () => {
    // 2026-02-13T17:00Z is 01:00 on the (working) Saturday 14th in Beijing, noon on Friday the 13th in New York
    const issued = '2026-02-13T17:00:00Z';
    expect(shanghai.dayOf(issued)).toBe('2026-02-14');
    expect(shanghai.deadline(issued, 1)).toBe('2026-02-24T15:59:59.999Z');
    const newYork = workingCalendar({ timeZone: 'America/New_York' });
    expect(newYork.deadline(issued, 1)).toBe('2026-02-15T04:59:59.999Z');
  });

  it('ends a day at its local midnight across daylight saving changes', () => {
    const newYork = workingCalendar({ timeZone: 'America/New_York' });
    expect(newYork.endOfDay('2026-03-08')).toBe('2026-03-09T03:59:59.999Z');
    expect(newYork.endOfDay('2026-11-01')).toBe('2026-11-02T04:59:59.999Z');
    const berlin = workingCalendar({ timeZone: 'Europe/Berlin' });
    expect(berlin.endOfDay('2026-03-29')).toBe('2026-03-29T21:59:59.999Z');
    expect(berlin.endOfDay('2026-10-25')).toBe('2026-10-25T22:59:59.999Z');
  });
});

describe('local overrides', () => {
  const overridden = workingCalendar({
    timeZone: 'Asia/Shanghai',
    overrides: [
      { day: '2026-10-09', working: false, note: '本市防汛放假' },
      { day: '2026-10-11', working: true, note: '补班' },
      { day: '2026-02-14', working: false, note: '本地调休' },
    ],
  });

  it('win over the national calendar and the weekend', () => {
    expect(overridden.describeDay('2026-10-09')).toMatchObject({
      working: false,
      reason: 'override',
      name: '本市防汛放假',
    });
    expect(overridden.isWorkingDay('2026-10-11')).toBe(true);
    expect(overridden.isWorkingDay('2026-02-14')).toBe(false);
  });

  it('move deadlines', () => {
    // 10-08 | 10-09 off | 10-10 | 10-11 working
    expect(overridden.addWorkingDays('2026-09-30', 2)).toBe('2026-10-10');
    expect(overridden.addWorkingDays('2026-09-30', 3)).toBe('2026-10-11');
    expect(overridden.addWorkingDays('2026-02-13', 1)).toBe('2026-02-24');
  });
});

describe('years the national data does not cover', () => {
  it('count only weekends as days off there, and say so', () => {
    expect(shanghai.nationalYears).toEqual({ first: 2004, last: 2026 });
    // 2027-01-01 will surely be a holiday, but nobody has published 2027 yet
    expect(shanghai.describeDay('2027-01-01')).toMatchObject({
      working: true,
      reason: 'weekday',
      nationalDataCovers: false,
    });
    expect(shanghai.describeDay('2026-12-31').nationalDataCovers).toBe(true);
    expect(shanghai.addWorkingDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(shanghai.uncoveredYears('2026-12-20', '2027-01-10')).toEqual([2027]);
    expect(shanghai.uncoveredYears('2026-01-01', '2026-12-31')).toEqual([]);
  });
});

describe('the calendar', () => {
  it('agrees with chinese-days itself on every day of the years it covers', () => {
    // chinese-days' own functions read days in the process's time zone and slip a day west of UTC
    // (the calendar reads its data instead): ask them in a process running in UTC
    const script = `const { isWorkday } = require('chinese-days');
      const out = [];
      for (let t = Date.UTC(2004, 0, 1); t <= Date.UTC(2026, 11, 31); t += 864e5) {
        const day = new Date(t).toISOString().slice(0, 10);
        if (isWorkday(day)) out.push(day);
      }
      process.stdout.write(JSON.stringify(out));`;
    const theirs = JSON.parse(
      execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8' }),
    ) as string[];
    const ours: string[] = [];
    for (let day = '2004-01-01'; day <= '2026-12-31'; day = addDays(day, 1))
      if (shanghai.isWorkingDay(day)) ours.push(day);
    expect(ours.length).toBeGreaterThan(5000);
    expect(ours).toEqual(theirs);
  });

  it('counts back what it added: workingDaysBetween(d, addWorkingDays(d, n)) = n', () => {
    const day = fc.integer({ min: 0, max: 3 * 365 }).map((n) => addDays('2025-01-01', n));
    fc.assert(
      fc.property(day, fc.integer({ min: -40, max: 40 }), (d, n) => {
        const due = shanghai.addWorkingDays(d, n);
        expect(shanghai.isWorkingDay(due) || n === 0).toBe(true);
        expect(shanghai.workingDaysBetween(d, due)).toBe(n);
      }),
    );
  });

  it('refuses what is not a day', () => {
    expect(() => shanghai.isWorkingDay('2026-02-30')).toThrow(TypeError);
    expect(() => shanghai.addWorkingDays('2026/10/01', 1)).toThrow(TypeError);
    expect(() => shanghai.addWorkingDays('2026-10-01', 1.5)).toThrow(TypeError);
  });
});
