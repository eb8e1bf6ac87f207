import { describe, expect, it } from 'vitest';
import { workingCalendar } from '../../server/calendar/working-days.js';
import { countdown, countdownText } from '../../server/notices/countdown.js';

const calendar = workingCalendar({ timeZone: 'Asia/Shanghai' });
/** 2027-01-05 is a Tuesday; 16:00 in Shanghai is 08:00Z. */
const TUESDAY = '2027-01-05T08:00:00Z';
const endOf = (day: string) => calendar.deadline(`${day}T04:00:00Z`, 0);

describe('working-day countdown to a deadline', () => {
  it('counts the working days after today up to the due day, as periods are counted', () => {
    // issued Tuesday, 2 working days to sign: due Thursday, 2 left on the day of issue
    expect(countdown(calendar, TUESDAY, calendar.deadline(TUESDAY, 2))).toEqual({ overdue: false, workingDays: 2 });
    expect(countdown(calendar, TUESDAY, endOf('2027-01-05'))).toEqual({ overdue: false, workingDays: 0 });
    expect(countdown(calendar, TUESDAY, calendar.deadline(TUESDAY, 15))).toEqual({ overdue: false, workingDays: 15 });
  });

  it('skips the weekend: on Saturday a Monday deadline is one working day away', () => {
    expect(countdown(calendar, '2027-01-09T02:00:00Z', endOf('2027-01-11'))).toEqual({
      overdue: false,
      workingDays: 1,
    });
  });

  it('counts overdue working days up to and including today, not the days off between', () => {
    const friday = endOf('2027-01-08');
    expect(countdown(calendar, '2027-01-09T02:00:00Z', friday)).toEqual({ overdue: true, workingDays: 0 });
    expect(countdown(calendar, '2027-01-11T02:00:00Z', friday)).toEqual({ overdue: true, workingDays: 1 });
    expect(countdown(calendar, '2027-01-13T09:00:00Z', friday)).toEqual({ overdue: true, workingDays: 3 });
  });

  it('skips National Day and counts its 调休 Saturday as a working day', () => {
    const eve = '2026-09-30T02:00:00Z';
    // 1–7 October 2026 off; the first working day after the eve is Thursday 8 October
    expect(countdown(calendar, eve, endOf('2026-10-08'))).toEqual({ overdue: false, workingDays: 1 });
    // Saturday 10 October is worked (调休)
    expect(countdown(calendar, eve, endOf('2026-10-10'))).toEqual({ overdue: false, workingDays: 3 });
    expect(countdown(calendar, '2026-10-12T02:00:00Z', endOf('2026-09-30'))).toEqual({
      overdue: true,
      workingDays: 4,
    });
  });

  it('says it the way a person reads it', () => {
    expect(countdownText({ overdue: false, workingDays: 3 })).toBe('还剩 3 个工作日');
    expect(countdownText({ overdue: false, workingDays: 0 })).toBe('今天到期');
    expect(countdownText({ overdue: true, workingDays: 2 })).toBe('已逾期 2 个工作日');
    expect(countdownText({ overdue: true, workingDays: 0 })).toBe('已逾期');
  });
});
