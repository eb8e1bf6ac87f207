import { type Campaign, invitedAs } from '../campaigns/service.js';
import type { AppConfig } from '../config.js';
import { SettingMissing } from '../errors.js';
import type { NewMessage } from '../outbox/repository.js';
import { channelsOf } from '../outbox/service.js';
import { newId } from '../shared/ids.js';
import type { Evaluator } from '../roster/repository.js';
import { formatLongDateTime, zoneLabel } from '../../web/lib/time.js';
import type { IssuedInvitation } from './service.js';

/** The ways a message can reach an evaluator, and the roster field each needs. */
export type Channel = 'email' | 'sms';
export const addressOf = (e: Pick<Evaluator, 'email' | 'phone'>, channel: Channel) =>
  (channel === 'email' ? e.email : e.phone)?.trim() || null;

/** The channels ticked (e-mail first), else `byDefault`. */
export function chosenChannels(email: unknown, sms: unknown, byDefault: Channel[] = []): Channel[] {
  const chosen: Channel[] = [...(email ? (['email'] as const) : []), ...(sms ? (['sms'] as const) : [])];
  return chosen.length ? chosen : byDefault;
}

/** Refuse a channel this server can't send on: the messages would wait in the outbox (with links in them). */
export function assertChannels(config: AppConfig, channels: readonly Channel[]) {
  const configured = channelsOf(config);
  if (channels.includes('email') && !configured.email)
    throw new SettingMissing(
      '未配置邮件服务器，不能发送邮件（需要时请系统管理员设置）',
      ['SMTP_URL', 'SMTP_HOST'],
      [{ field: 'sendEmail', message: '未配置邮件服务器' }],
    );
  if (channels.includes('sms') && !configured.sms)
    throw new SettingMissing(
      '未配置短信网关，不能发送短信（需要时请系统管理员设置）',
      ['SMS_GATEWAY_URL'],
      [{ field: 'sendSms', message: '未配置短信网关' }],
    );
}

/** Each person of `people` with an address for each of `channels`: one message each. */
export const recipients = <P extends Pick<Evaluator, 'email' | 'phone'>>(people: P[], channels: readonly Channel[]) =>
  channels.flatMap((channel) =>
    people.flatMap((person) => {
      const to = addressOf(person, channel);
      return to ? [{ person, channel, to }] : [];
    }),
  );

const deadline = (campaign: Campaign) =>
  `${formatLongDateTime(campaign.closesAt, campaign.config.timeZone)}（${zoneLabel(campaign.config.timeZone)}）`;
const greeting = (e: Pick<Evaluator, 'name' | 'organisation'>) =>
  `尊敬的${e.organisation ? `${e.organisation} ` : ''}${e.name}：`;

/** The invitation itself: its body holds the link, so the outbox erases it once sent (transient). */
export function invitationMessage(campaign: Campaign, i: IssuedInvitation, channel: Channel, to: string): NewMessage {
  const privacy =
    campaign.mode === 'anonymous' ? '本次评议为匿名评议：提交后的答卷不与您的姓名、单位或本链接关联。' : '';
  const body =
    channel === 'sms'
      ? `【评议办】${i.name}您好，诚邀您参加${campaign.name}，请于${deadline(campaign)}前打开 ${i.link} 填写。此链接仅供您本人使用，请勿转发。`
      : [
          greeting(i),
          '',
          `诚挚邀请您${invitedAs(campaign, i.category)}参加${campaign.name}，对今年与您打过交道的机关部门的工作效率和工作质量进行评价。`,
          `请于 ${deadline(campaign)} 前，在手机或电脑上打开下面的链接参加评议（答案会自动保存，全部填完后提交一次即可）：`,
          '',
          i.link,
          '',
          `此链接仅供您本人使用，请勿转发他人。${privacy}`,
          '',
          '评议办',
        ].join('\n');
  return {
    // random: nothing of the token may stay in the outbox once the body is erased
    dedupeKey: `invitation:${channel}:${newId()}`,
    channel,
    recipient: to,
    subject: `${campaign.name}邀请函`,
    body,
    transient: true,
    campaignId: campaign.id,
  };
}

/** A reminder: never the link (it may reach someone else), only where to find the one received. */
export function reminderMessage(
  campaign: Campaign,
  e: Pick<Evaluator, 'name' | 'organisation'>,
  invitationId: string,
  channel: Channel,
  to: string,
  at: string,
): NewMessage {
  const ask =
    '请使用此前收到的邀请链接（邀请函上的二维码，或短信、邮件中的链接）完成评议；如链接遗失，请联系评议办补发。';
  // an anonymous campaign reminds links spent since the last flagged batch too: it can't say who has not submitted
  const anonymous = campaign.mode !== 'named';
  const notYet = anonymous ? '如您尚未提交' : '您还没有提交';
  const ignore = anonymous ? '如您已经提交，请忽略本提醒。' : '';
  return {
    dedupeKey: `reminder:${channel}:${invitationId}:${at}`,
    channel,
    recipient: to,
    subject: `${campaign.name}：请在截止前完成评议`,
    campaignId: campaign.id,
    body:
      channel === 'sms'
        ? `【评议办】${e.name}您好，${campaign.name}将于${deadline(campaign)}截止，${notYet}，${ask}${ignore}`
        : [
            greeting(e),
            '',
            `${campaign.name}将于 ${deadline(campaign)} 截止，${anonymous ? '如您尚未提交评议，' : '您还没有提交评议。'}`,
            `${ask}${ignore}`,
            '',
            '评议办',
          ].join('\n'),
  };
}
