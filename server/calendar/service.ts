import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuditService } from '../accounts/audit.js';
import type { Campaign } from '../campaigns/service.js';
import type { AppDeps } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError, parseOrThrow } from '../errors.js';
import { calendarRepository, type CalendarOverrideRow } from './repository.js';
import { isDay, workingCalendar, type CalendarOverride, type WorkingCalendar } from './working-days.js';

export const calendarOverrideSchema = z.strictObject({
  day: z.string().refine(isDay, '应为日期，例如 2026-10-08'),
  working: z.boolean(),
  note: z.string().trim().min(1, '请写明原因，例如 本市防汛放假').max(200),
});
export type CalendarOverrideInput = z.input<typeof calendarOverrideSchema>;

export interface StoredOverride extends CalendarOverride {
  createdAt: string;
  createdBy: string;
}

const toOverride = (row: CalendarOverrideRow): StoredOverride => ({
  day: row.day,
  working: row.working === 1,
  note: row.note,
  createdAt: row.created_at,
  createdBy: row.created_by,
});

/** The office's local days off and working days, and the working calendar built with them. */
export function calendarService({ db, clock }: AppDeps, audit: AuditService) {
  const list = async (trx: Kysely<Database> = db.kysely) => (await calendarRepository(trx).list()).map(toOverride);

  /**
   * Read per call: another process may have changed the overrides, and they are few. Within a
   * transaction, read through it (`trx`).
   */
  async function forZone(timeZone: string, trx: Kysely<Database> = db.kysely): Promise<WorkingCalendar> {
    return workingCalendar({ timeZone, overrides: await list(trx) });
  }

  return {
    list: () => list(),
    forZone,
    forCampaign: (campaign: Campaign) => forZone(campaign.config.timeZone),

    /** Make a day a local day off or working day (replacing what an earlier override said of it). */
    async set(input: CalendarOverrideInput, actor: string): Promise<StoredOverride> {
      const override = parseOrThrow(calendarOverrideSchema, input, '工作日调整');
      return db.kysely.transaction().execute(async (trx) => {
        const row = await calendarRepository(trx).upsert({
          day: override.day,
          working: override.working ? 1 : 0,
          note: override.note,
          created_at: clock.now().toISOString(),
          created_by: actor,
        });
        await audit.record(trx, { actor, action: 'calendar_override_set', detail: { ...override } });
        return toOverride(row);
      });
    },

    /** Back to the national calendar for that day. */
    async remove(day: string, actor: string): Promise<StoredOverride> {
      return db.kysely.transaction().execute(async (trx) => {
        const row = await calendarRepository(trx).remove(day);
        if (!row) throw new AppError('NOT_FOUND', `${day} 没有本地调整`);
        await audit.record(trx, { actor, action: 'calendar_override_remove', detail: { day } });
        return toOverride(row);
      });
    },

    /**
     * A warning when the national data stops before the end of next year: deadlines running into a
     * year without it count only weekends as days off (update the chinese-days package).
     */
    coverageWarning(): string | null {
      const year = Number(clock.now().toISOString().slice(0, 4)) + 1;
      const { last } = workingCalendar({ timeZone: 'UTC' }).nationalYears;
      if (last >= year) return null;
      return `法定节假日数据只到 ${last} 年（chinese-days）：之后的工作日只按周末计算；国务院公布 ${last + 1} 年的放假安排后请更新这个软件包`;
    },
  };
}

export type CalendarService = ReturnType<typeof calendarService>;
