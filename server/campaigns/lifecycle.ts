import type { CampaignStatus } from '../contracts.js';
import { AppError } from '../errors.js';
import { formatLongDateTime, zoneLabel } from '../../web/lib/time.js';
import type { Campaign } from './repository.js';

/** What is stored (migration 0032): the office's decisions; the dates add the rest (campaignStatus). */
export type StoredState = 'draft' | 'open' | 'closed' | 'published' | 'settled';

/** Every status as the pages, the CLI and the API's `statusLabel` name it. */
export const STATUS_LABELS: Record<CampaignStatus, string> = {
  draft: '草稿',
  scheduled: '待开始',
  open: '进行中',
  paused: '已暂停',
  closed: '已截止',
  published: '已发布',
  settled: '已结算',
};

/** What each status means for the office, under the label on the campaign page. */
export const STATUS_HINTS: Record<CampaignStatus, string> = {
  draft: '尚未开启：配置、问卷、时间、部门和评议代表都可以修改；评议代表还不能填写。',
  scheduled: '已开启，尚未到开始时间：评议代表到时才能填写。',
  open: '评议代表可以填写和提交；可以延长或提前截止时间、提前截止、暂停。问卷和计分配置已固定。',
  paused: '已暂停：评议代表打开链接看到暂停说明，已保存的草稿保留，恢复后可继续填写。',
  closed: '评议已截止：不再接受网上提交，仍可导入其他渠道收集的答卷，核实后发布结果。',
  published: '结果已发布：部门联络员可以看到本部门结果；可以发布更正，不能再导入答卷。',
  settled: '已结算：工作提示单已全部办结或评议办已确认结算。',
};

/** A lifecycle refusal: 409 with the status in Chinese, and each reason as a detail. */
export function refusal(what: string, reasons: string[]): AppError {
  const text = reasons.length > 1 ? reasons.map((r, i) => `${i + 1}. ${r}`).join('；') : reasons[0];
  return new AppError(
    'CONFLICT',
    `${what}：${text}`,
    reasons.map((message) => ({ message })),
  );
}

/**
 * Settling ends the follow-up for good (it can't be undone) and fixes the ledger's year-end
 * figures: notices and negative reports are then read, printed and exported, never changed.
 * `settled` is a stored state the dates don't change, so the stored state is the status here.
 */
export const isSettled = (campaign: { state: StoredState }) => campaign.state === 'settled';

/** Why nothing of a settled campaign's follow-up changes, as the pages and refusals say it. */
export const SETTLED_FOLLOW_UP = '该评议已结算，不能再更改工作提示单和负面情形（只能查看和导出）';

/** A 409 refusing `what` (不能印发工作提示单 …) once the campaign is settled. */
export function assertNotSettled(campaign: { state: StoredState }, what: string): void {
  if (isSettled(campaign)) throw refusal(what, [SETTLED_FOLLOW_UP]);
}

/** Before the close: the figures are interim (中期), for the office and analysts only. */
export const isBeforeClose = (status: CampaignStatus) =>
  status === 'draft' || status === 'scheduled' || status === 'open' || status === 'paused';

/** Open to evaluators' links in principle (started or not yet, paused or not). */
export const isRunning = (status: CampaignStatus) => status === 'scheduled' || status === 'open' || status === 'paused';

/**
 * A campaign's status now: the stored state, with the dates of an opened campaign (not yet
 * started; deadline passed) and its pause. The deadline passing needs no write: an open campaign
 * past its `closesAt` is closed.
 */
export function campaignStatus(
  campaign: { state: StoredState; paused: boolean; opensAt: string; closesAt: string },
  now: Date,
): CampaignStatus {
  if (campaign.state !== 'open') return campaign.state;
  const t = now.getTime();
  if (t >= Date.parse(campaign.closesAt)) return 'closed';
  if (campaign.paused) return 'paused';
  if (t < Date.parse(campaign.opensAt)) return 'scheduled';
  return 'open';
}

/** A campaign time as the people of the campaign read it: `2026年12月2日 10:56（北京时间）`. */
export function campaignTime(campaign: Pick<Campaign, 'config'>, iso: string, lang: 'zh' | 'en' = 'zh'): string {
  const zone = campaign.config.timeZone;
  const label = zoneLabel(zone, lang);
  return `${formatLongDateTime(iso, zone, lang)}${lang === 'en' ? ` (${label})` : `（${label}）`}`;
}
