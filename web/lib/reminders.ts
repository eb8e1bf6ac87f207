import type { ReminderSummary } from '../../server/contracts.js';

/**
 * Who a reminder reaches, in the office's words, by the campaign's mode (the invitations service's
 * `remind`): a named campaign marks a link used when it is submitted; an anonymous one only when
 * a batch of `batch` submissions is flagged at once, so it can't tell who submitted since the last
 * batch, and reminds them too (the reminder asks them to ignore it).
 */
export function reminderRule(mode: 'anonymous' | 'named', intervalDays: number, batch: number): string {
  const once = `每人每 ${intervalDays} 天至多一次。`;
  return mode === 'named'
    ? `提醒不含链接，只请对方使用此前收到的邀请链接；已提交的代表不会收到，${once}`
    : `提醒不含链接，只请对方使用此前收到的邀请链接。匿名评议中系统不知道谁已提交：提醒发给已邀请的全部代表，只有每满 ${batch} 份答卷成批登记为已提交的链接除外，所以最近提交、尚未成批登记的（至多 ${batch - 1} 人）也会收到，提醒中写明“如您已经提交，请忽略本提醒”；${once}`;
}

/** What a reminder run did, for the page and the CLI. */
export function reminderOutcome(mode: 'anonymous' | 'named', summary: ReminderSummary): string {
  const sent = `已提醒 ${summary.people} 人（邮件 ${summary.queued.email}，短信 ${summary.queued.sms}）`;
  return mode === 'named'
    ? `${sent}；${summary.intervalDays} 天内提醒过的和已提交的没有再提醒。`
    : `${sent}；${summary.intervalDays} 天内提醒过的和已成批登记为已提交的没有再提醒，最近提交、尚未成批登记的代表也在其中（匿名评议不知道是谁）。`;
}
