import { randomBytes } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import type { AppConfig } from '../config.js';
import type { AppDeps } from '../context.js';
import type { OutboxPage } from '../contracts.js';
import { campaignStatus, isBeforeClose } from '../campaigns/lifecycle.js';
import { campaignsRepository } from '../campaigns/repository.js';
import { AppError } from '../errors.js';
import { ERASED_BODY, outboxRepository, type OutboxMessage } from './repository.js';

/**
 * The outbox sender. Messages are written in the transaction of their event (server/notices/notify.ts);
 * the `outbox-send` job claims the due ones (a lease of CLAIM_MS on each, by one conditional UPDATE),
 * sends each with a Message-ID made from its id (a resend is the same message), and marks it sent
 * right after the server's 250. A failure is retried with exponential backoff; after MAX_ATTEMPTS
 * (or a permanent 5xx refusal) it is `failed`, for the office to retry. At-least-once window: a
 * sender that dies between the server's 250 and the UPDATE leaves the message pending; once its
 * claim expires it is sent again with the same Message-ID (receivers that dedupe on it show one).
 */

export const MAX_ATTEMPTS = 8;
/** longer than the SMTP timeouts below: a claim outlives any attempt of a live sender */
export const CLAIM_MS = 5 * 60_000;
const BATCH = 20;
const BACKOFF_BASE_MS = 60_000;
const BACKOFF_MAX_MS = 6 * 3600_000;

/** Wait before attempt n + 1 after n failures: 1, 2, 4 … minutes, at most 6 hours. */
export const backoffMs = (attempts: number) =>
  Math.min(BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1), BACKOFF_MAX_MS);

export const smtpConfigured = (config: AppConfig) => Boolean(config.smtpUrl || config.smtpHost);
export const smsConfigured = (config: AppConfig) => Boolean(config.smsGatewayUrl);

/** The channels this process can send on. */
export const channelsOf = (config: AppConfig) => ({ email: smtpConfigured(config), sms: smsConfigured(config) });

/** A refusal of the SMS gateway, with whether trying again can help (timeouts, 429, 5xx) or not (other 4xx). */
class GatewayError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

/**
 * One SMS through the gateway (docs/DEPLOY.md): POST JSON {to, text}, `Authorization: Bearer
 * SMS_GATEWAY_TOKEN`, `Idempotency-Key` the message's id (a resend after a crash is the same
 * message); any 2xx is sent.
 */
async function sendSms(config: AppConfig, message: OutboxMessage): Promise<void> {
  const res = await fetch(config.smsGatewayUrl!, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${config.smsGatewayToken}`,
      'idempotency-key': message.id,
    },
    body: JSON.stringify({ to: message.recipient, text: message.body }),
    signal: AbortSignal.timeout(30_000),
  });
  if (res.ok) return;
  const detail = (await res.text().catch(() => '')).slice(0, 500);
  throw new GatewayError(
    `短信网关 ${res.status}${detail ? `：${detail}` : ''}`,
    res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429,
  );
}

/** The stable Message-ID of an outbox message. */
export function messageIdOf(id: string, config: Pick<AppConfig, 'publicUrl'>): string {
  return `<outbox-${id}@${new URL(config.publicUrl).hostname || 'minping'}>`;
}

function transport(config: AppConfig): Transporter | null {
  const timeouts = { connectionTimeout: 30_000, greetingTimeout: 30_000, socketTimeout: 60_000 };
  if (config.smtpUrl) return nodemailer.createTransport({ url: config.smtpUrl, ...timeouts } as never);
  if (!config.smtpHost) return null;
  return nodemailer.createTransport({
    host: config.smtpHost,
    port: config.smtpPort,
    secure: config.smtpPort === 465,
    auth: config.smtpUser ? { user: config.smtpUser, pass: config.smtpPass } : undefined,
    ...timeouts,
  });
}

export interface SendOutcome {
  sent: string[];
  failed: string[];
  /** invitations and reminders of a campaign that closed before they went out */
  cancelled: string[];
}

export function outboxService(
  { db, clock, config }: AppDeps,
  holder = `outbox-${process.pid}-${randomBytes(4).toString('hex')}`,
) {
  let mailer: Transporter | null | undefined;
  const repo = () => outboxRepository(db.kysely);
  const now = () => clock.now().toISOString();

  /** An invitation or reminder whose campaign has closed (published, settled, or gone): not to be sent. */
  async function closedCampaign(message: OutboxMessage): Promise<boolean> {
    if (!message.campaignId) return false;
    const campaign = await campaignsRepository(db.kysely).findById(message.campaignId);
    return !campaign || !isBeforeClose(campaignStatus(campaign, clock.now()));
  }

  async function deliver(message: OutboxMessage, smtp: Transporter | null, outcome: SendOutcome) {
    try {
      if (message.channel === 'sms') await sendSms(config, message);
      else
        await smtp!.sendMail({
          from: config.smtpFrom,
          to: message.recipient,
          subject: message.subject,
          text: message.body,
          messageId: messageIdOf(message.id, config),
          date: new Date(message.createdAt),
        });
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      const attempts = message.attempts + 1;
      const permanent =
        error instanceof GatewayError ? error.permanent : code !== undefined && code >= 500 && code < 600;
      const retryAt =
        permanent || attempts >= MAX_ATTEMPTS
          ? null
          : new Date(clock.now().getTime() + backoffMs(attempts)).toISOString();
      await repo().markAttemptFailed(message.id, holder, String((error as Error)?.message ?? error), retryAt);
      outcome.failed.push(message.id);
      return;
    }
    await repo().markSent(message.id, now());
    outcome.sent.push(message.id);
  }

  return {
    configured: () => smtpConfigured(config),

    /** Send what is due as of `now`, batch by batch; on a channel not configured nothing (messages wait, visible). */
    async sendDue(): Promise<SendOutcome> {
      const outcome: SendOutcome = { sent: [], failed: [], cancelled: [] };
      mailer ??= transport(config);
      const channels = [...(mailer ? ['email'] : []), ...(smsConfigured(config) ? ['sms'] : [])];
      if (!channels.length) return outcome;
      for (;;) {
        const at = clock.now();
        const claimed = await repo().claim(
          holder,
          at.toISOString(),
          new Date(at.getTime() + CLAIM_MS).toISOString(),
          BATCH,
          channels,
        );
        if (claimed.length === 0) return outcome;
        for (const message of claimed)
          if (await closedCampaign(message)) {
            await repo().markCancelled(message.id, holder);
            outcome.cancelled.push(message.id);
          } else await deliver(message, mailer, outcome);
      }
    },

    async page(state?: 'pending' | 'sent' | 'failed' | 'cancelled', limit = 200): Promise<OutboxPage> {
      return {
        smtpConfigured: smtpConfigured(config),
        counts: await repo().counts(),
        messages: await repo().list({ state, limit }, now()),
      };
    },

    /** The office asks for another attempt now (a failed message, or one waiting for its backoff). */
    async retry(id: string): Promise<OutboxMessage> {
      const message = await repo().find(id, now());
      if (!message) throw new AppError('NOT_FOUND', '没有这封邮件');
      if (message.state === 'sent') throw new AppError('CONFLICT', '这封邮件已经发出，不能重发');
      if (message.state === 'cancelled') throw new AppError('CONFLICT', '评议活动已截止，这条消息已取消，不能重发');
      if (message.body === ERASED_BODY && message.dedupeKey.startsWith('invitation:'))
        throw new AppError('CONFLICT', '这条邀请发送失败后链接已清除，不能重发：请在评议代表名单中为此人补发链接');
      if (!(await repo().retry(id, now()))) throw new AppError('CONFLICT', '这封邮件正在发送，请稍后再试');
      return (await repo().find(id, now())) as OutboxMessage;
    },

    close: () => mailer?.close(),
  };
}

export type OutboxService = ReturnType<typeof outboxService>;
