import { z } from 'zod';
import type { CalendarService } from '../calendar/service.js';
import type { WorkingCalendar } from '../calendar/working-days.js';
import type { CampaignsService } from '../campaigns/service.js';
import type { AppDeps } from '../context.js';
import type {
  LedgerLevels,
  LedgerRow,
  NoticeLedger,
  SettlementRow,
  StatementItem,
  StatementRow,
} from '../contracts.js';
import { parseOrThrow } from '../errors.js';
import { addDays } from '../calendar/working-days.js';
import { dayInZone, startOfDayInZone } from '../../web/lib/time.js';
import { ESCALATION, ITEM_STATES, OPEN_STATES, type ItemState } from './machine.js';
import type { HistoryEntry, Item, NoticesService } from './service.js';

/**
 * The ledger (台账) of a campaign's tracked items, its reconciliation statement (对账单) for a
 * period and the year-end settlement (年终结算). Counts of now come from the items; anything "as
 * at" an instant is read from the append-only history alone, so a past quarter's statement is
 * the same whenever it is drawn: the item's state at an instant is the `to` of its last history
 * row by then, and the deadline then in force is that row's `detail.dueAt`.
 *
 * Everything here works on items of any source, responsibility-list tasks (责任清单) included:
 * an item with a source, an owner department, a due date, a state and an append-only history.
 */

type IssuedState = Exclude<ItemState, 'draft'>;
const ISSUED_STATES = ITEM_STATES.filter((s): s is IssuedState => s !== 'draft');
const isOpen = (state: ItemState | undefined) => state !== undefined && OPEN_STATES.includes(state);

/** A period of days in the campaign's time zone, both days included. */
export interface Period {
  from: string;
  to: string;
  start: string;
  end: string;
  label: string;
}

const QUARTERS = ['一', '二', '三', '四'];
const longDay = (day: string) =>
  `${Number(day.slice(0, 4))}年${Number(day.slice(5, 7))}月${Number(day.slice(8, 10))}日`;

/** The quarter a day lies in: 2026-11-05 → 2026-10-01 … 2026-12-31. */
export function quarterOf(day: string): { from: string; to: string } {
  const year = Number(day.slice(0, 4));
  const first = Math.floor((Number(day.slice(5, 7)) - 1) / 3) * 3 + 1;
  const from = `${year}-${String(first).padStart(2, '0')}-01`;
  const next = first === 10 ? `${year + 1}-01-01` : `${year}-${String(first + 3).padStart(2, '0')}-01`;
  return { from, to: addDays(next, -1) };
}

export function periodOf(from: string, to: string, timeZone: string): Period {
  const quarter = quarterOf(from);
  const year = from.slice(0, 4);
  const label =
    quarter.from === from && quarter.to === to
      ? `${year}年第${QUARTERS[(Number(from.slice(5, 7)) - 1) / 3]}季度`
      : from === `${year}-01-01` && to === `${year}-12-31`
        ? `${year}年度`
        : `${longDay(from)}至${longDay(to)}`;
  return {
    from,
    to,
    start: startOfDayInZone(from, timeZone).toISOString(),
    end: new Date(startOfDayInZone(addDays(to, 1), timeZone).getTime() - 1).toISOString(),
    label,
  };
}

// the working-day calendar and the quarters around a period need real years on both sides
const day = (what: string) =>
  z.iso
    .date({ message: `${what}应为 YYYY-MM-DD 格式的日期（例如 2026-10-01）` })
    .refine((d) => d >= '2000-01-01' && d <= '2100-12-31', `${what}应在 2000 年到 2100 年之间`);
export const periodQuery = z
  .strictObject({ from: day('起始日期 from').optional(), to: day('截止日期 to').optional() })
  .refine((q) => (q.from === undefined) === (q.to === undefined), {
    message: '请同时给出起始日期 from 和截止日期 to（都不给则为本季度）',
    path: ['to'],
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: '起始日期 from 不能晚于截止日期 to', path: ['from'] });
export type PeriodQuery = z.input<typeof periodQuery>;

/** The escalation level an overdue deadline has reached after `days` working days (1 提醒 on the due day). */
export const levelAfter = (days: number) =>
  ESCALATION.filter((e) => days >= e.afterDueWorkingDays).reduce((level, e) => Math.max(level, e.level), 0);

/**
 * The one definition of "listed for 通报" (BRIEF: still open at the next reconciliation): an item
 * open at the period's end and past the deadline then in force.
 */
export const forCirculation = (openAtEnd: StatementItem[]): StatementItem[] => openAtEnd.filter((i) => i.overdue);

const LEVEL_KEYS: (keyof LedgerLevels)[] = ['none', 'blue', 'orange', 'red'];

function kindOf(item: Item): { key: string; label: string } {
  const key = `${item.source}:${item.kind ?? ''}`;
  switch (item.source) {
    case 'negative':
      return { key, label: `办事负面情形·${item.title}` };
    case 'problem':
      return { key, label: `作风问题·${item.title}` };
    case 'rectification':
      return { key, label: '重点整改' };
    default:
      return { key, label: '责任清单' };
  }
}

const byKey = <T extends { key: string }>(rows: Map<string, T>) =>
  [...rows.values()].sort((a, b) => a.key.localeCompare(b.key));

/** Rows keyed by department (code, name) or kind, each started by `empty`. */
function grouped<T>(empty: (key: string, label: string) => T) {
  const rows = new Map<string, T>();
  return {
    rows,
    of(key: string, label: string): T {
      let row = rows.get(key);
      if (!row) rows.set(key, (row = empty(key, label)));
      return row;
    },
  };
}

const ledgerRow = (key: string, label: string): LedgerRow => ({
  key,
  label,
  total: 0,
  states: Object.fromEntries(ISSUED_STATES.map((s) => [s, 0])) as LedgerRow['states'],
  open: 0,
  overdue: 0,
  overdueByLevel: { none: 0, blue: 0, orange: 0, red: 0 },
});

const statementRow = (key: string, label: string): StatementRow => ({
  key,
  label,
  openAtStart: 0,
  registered: 0,
  reopened: 0,
  closed: 0,
  closedOnTime: 0,
  closedLate: 0,
  withdrawn: 0,
  openAtEnd: 0,
  overdueAtEnd: 0,
  balanced: true,
});

const settlementRow = (key: string, label: string): SettlementRow => ({
  key,
  label,
  closedOnTime: 0,
  closedLate: 0,
  open: 0,
  reopened: 0,
});

/** What one item's history says of a period. */
interface ItemPeriod {
  openAtStart: boolean;
  registered: number;
  reopened: number;
  closedOnTime: number;
  closedLate: number;
  withdrawn: number;
  atEnd: StatementItem | null;
}

/** The deadline in force after a history row (rows written before the ledger existed: the item's current one). */
const dueAfter = (row: HistoryEntry, item: Item): string | null =>
  'dueAt' in row.detail ? (row.detail.dueAt as string | null) : item.dueAt;

/** Whether the response a close accepted came in by the deadline then in force. */
function closedOnTime(rows: HistoryEntry[], closeIndex: number, item: Item): boolean {
  for (let i = closeIndex - 1; i >= 0; i--) {
    const row = rows[i];
    if (row.action !== 'respond') continue;
    if (typeof row.detail.onTime === 'boolean') return row.detail.onTime;
    return item.respondedOnTime ?? (item.responseDueAt === null || row.at <= item.responseDueAt);
  }
  return item.respondedOnTime ?? true;
}

function itemInPeriod(item: Item, rows: HistoryEntry[], start: string, cut: string, calendar: Calendar): ItemPeriod {
  const out: ItemPeriod = {
    openAtStart: false,
    registered: 0,
    reopened: 0,
    closedOnTime: 0,
    closedLate: 0,
    withdrawn: 0,
    atEnd: null,
  };
  let last: HistoryEntry | undefined;
  rows.forEach((row, index) => {
    if (row.at < start) {
      out.openAtStart = isOpen(row.to);
      last = row;
      return;
    }
    if (row.at > cut) return;
    last = row;
    const [was, is] = [isOpen(row.from), isOpen(row.to)];
    if (!was && is) {
      if (row.action === 'reopen') out.reopened++;
      else out.registered++;
    } else if (was && !is) {
      if (row.to === 'closed') {
        if (closedOnTime(rows, index, item)) out.closedOnTime++;
        else out.closedLate++;
      } else out.withdrawn++;
    }
  });
  if (last && isOpen(last.to)) {
    const dueAt = dueAfter(last, item);
    const overdue = dueAt !== null && dueAt < cut;
    const days = overdue ? Math.max(0, calendar.workingDaysBetween(calendar.dayOf(dueAt), calendar.dayOf(cut))) : 0;
    out.atEnd = {
      id: item.id,
      number: item.number,
      title: item.title,
      departmentCode: item.departmentCode,
      departmentName: item.departmentName,
      state: last.to,
      dueAt,
      overdue,
      overdueWorkingDays: days,
      level: overdue ? Math.max(1, levelAfter(days)) : 0,
    };
  }
  return out;
}

type Calendar = Pick<WorkingCalendar, 'workingDaysBetween' | 'dayOf'>;

export interface LedgerInput {
  campaign: { slug: string; name: string; timeZone: string };
  /** the campaign's issued items */
  items: Item[];
  /** their history rows, each item's in order */
  history: HistoryEntry[];
  now: string;
  period: Period;
  calendar: Calendar;
}

function statementOf(input: LedgerInput, items: Item[], rowsOf: Map<string, HistoryEntry[]>, period: Period) {
  // a period not over yet is counted up to now (ISO instants compare as text)
  const [cut] = [period.end, input.now].sort();
  const total = statementRow('', '合计');
  const departments = grouped(statementRow);
  const openAtEnd: StatementItem[] = [];
  for (const item of items) {
    const p = itemInPeriod(item, rowsOf.get(item.id) ?? [], period.start, cut, input.calendar);
    for (const row of [total, departments.of(item.departmentCode, item.departmentName)]) {
      row.openAtStart += Number(p.openAtStart);
      row.registered += p.registered;
      row.reopened += p.reopened;
      row.closedOnTime += p.closedOnTime;
      row.closedLate += p.closedLate;
      row.closed += p.closedOnTime + p.closedLate;
      row.withdrawn += p.withdrawn;
      row.openAtEnd += Number(p.atEnd !== null);
      row.overdueAtEnd += Number(p.atEnd?.overdue ?? false);
    }
    if (p.atEnd) openAtEnd.push(p.atEnd);
  }
  for (const row of [total, ...departments.rows.values()])
    row.balanced = row.openAtStart + row.registered + row.reopened - row.closed - row.withdrawn === row.openAtEnd;
  openAtEnd.sort(
    (a, b) =>
      b.level - a.level ||
      b.overdueWorkingDays - a.overdueWorkingDays ||
      a.departmentCode.localeCompare(b.departmentCode) ||
      a.number.localeCompare(b.number),
  );
  return { total, byDepartment: byKey(departments.rows), openAtEnd };
}

/**
 * The calendar's answers remembered: counting working days walks day by day, and the items of a
 * ledger share a few due days and one period end.
 */
function remembering(calendar: Calendar): Calendar {
  const days = new Map<string, string>();
  const counts = new Map<string, number>();
  return {
    dayOf(instant) {
      const key = String(instant);
      let day = days.get(key);
      if (day === undefined) days.set(key, (day = calendar.dayOf(instant)));
      return day;
    },
    workingDaysBetween(from, to) {
      const key = `${from}/${to}`;
      let n = counts.get(key);
      if (n === undefined) counts.set(key, (n = calendar.workingDaysBetween(from, to)));
      return n;
    },
  };
}

/** The ledger, the statement of `period` and the settlement of the period's last year, from items and history. */
export function buildLedger(given: LedgerInput): NoticeLedger {
  const input = { ...given, calendar: remembering(given.calendar) };
  const { items, now, period } = input;
  const rowsOf = new Map<string, HistoryEntry[]>();
  for (const row of input.history) {
    const rows = rowsOf.get(row.itemId);
    if (rows) rows.push(row);
    else rowsOf.set(row.itemId, [row]);
  }

  const total = ledgerRow('', '合计');
  const departments = grouped(ledgerRow);
  const kinds = grouped(ledgerRow);
  for (const item of items) {
    if (item.state === 'draft') continue;
    const kind = kindOf(item);
    const overdue = isOpen(item.state) && item.dueAt !== null && item.dueAt < now;
    for (const row of [
      total,
      departments.of(item.departmentCode, item.departmentName),
      kinds.of(kind.key, kind.label),
    ]) {
      row.total++;
      row.states[item.state]++;
      if (isOpen(item.state)) row.open++;
      if (overdue) {
        row.overdue++;
        row.overdueByLevel[LEVEL_KEYS[Math.min(3, Math.max(0, item.escalation))]]++;
      }
    }
  }

  const statement = statementOf(input, items, rowsOf, period);
  const year = Number(period.to.slice(0, 4));
  const yearPeriod = periodOf(`${year}-01-01`, `${year}-12-31`, input.campaign.timeZone);
  const yearly = statementOf(input, items, rowsOf, yearPeriod);
  const settle = (row: StatementRow): SettlementRow => ({
    ...settlementRow(row.key, row.label),
    closedOnTime: row.closedOnTime,
    closedLate: row.closedLate,
    open: row.openAtEnd,
    reopened: row.reopened,
  });

  return {
    campaign: input.campaign,
    asOf: now,
    ledger: { total, byDepartment: byKey(departments.rows), byKind: byKey(kinds.rows) },
    statement: {
      period,
      total: statement.total,
      byDepartment: statement.byDepartment,
      openAtEnd: statement.openAtEnd,
      forCirculation: forCirculation(statement.openAtEnd),
    },
    settlement: { year, total: settle(yearly.total), byDepartment: yearly.byDepartment.map(settle) },
  };
}

export function ledgerService(
  { clock }: AppDeps,
  campaigns: CampaignsService,
  notices: NoticesService,
  calendars: CalendarService,
) {
  return {
    /**
     * The campaign's ledger with the statement of [from, to] (days in its time zone; the current
     * quarter when neither is given) and the settlement of the year the period ends in.
     */
    async ledger(slug: string, query: PeriodQuery = {}): Promise<NoticeLedger> {
      const campaign = await campaigns.getBySlug(slug);
      const { timeZone } = campaign.config;
      const asked = parseOrThrow(periodQuery, query, '对账期间');
      const now = clock.now().toISOString();
      const { from, to } =
        asked.from && asked.to ? { from: asked.from, to: asked.to } : quarterOf(dayInZone(now, timeZone));
      const items = await notices.items({ campaignId: campaign.id, issuedOnly: true });
      const history = await notices.history(items.map((i) => i.id));
      return buildLedger({
        campaign: { slug: campaign.slug, name: campaign.name, timeZone },
        items,
        history,
        now,
        period: periodOf(from, to, timeZone),
        calendar: await calendars.forZone(timeZone),
      });
    },
  };
}

export type LedgerService = ReturnType<typeof ledgerService>;
