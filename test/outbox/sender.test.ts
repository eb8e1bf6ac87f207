import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { configFromEnv, ConfigError, defaultConfig, type AppConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { outboxRepository } from '../../server/outbox/repository.js';
import { CLAIM_MS, messageIdOf, outboxService } from '../../server/outbox/service.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { reminderMessage } from '../../server/invitations/messages.js';
import { createServices } from '../../server/services.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { mailbox } from '../helpers/mailbox.js';

const T0 = '2026-10-09T02:00:00.000Z';

describe('SMTP settings', () => {
  it('reads SMTP_URL or the parts, and refuses a server without a sender in Chinese', () => {
    expect(configFromEnv({ SMTP_HOST: 'mail.example.gov.cn', SMTP_FROM: 'pingyi@example.gov.cn' })).toMatchObject({
      smtpHost: 'mail.example.gov.cn',
      smtpPort: 587,
    });
    expect(() => configFromEnv({ SMTP_URL: 'smtp://mail.example.gov.cn:25' })).toThrow(ConfigError);
    expect(() => configFromEnv({ SMTP_URL: 'smtp://mail.example.gov.cn:25' })).toThrow(
      /SMTP_FROM: 配置了 SMTP 服务器时必须填写发件地址/,
    );
    expect(() => configFromEnv({ SMTP_HOST: 'h', SMTP_FROM: 'a@b.c', SMTP_PORT: '0' })).toThrow(
      /SMTP_PORT: SMTP 端口应为 1–65535/,
    );
  });
});

describe.each(await dialects())('outbox sender on $name', ({ open }) => {
  let db: Db;
  let box: Awaited<ReturnType<typeof mailbox>> | undefined;
  afterEach(async () => {
    await box?.close();
    await db?.close();
  });

  const setup = async (misbehave?: Parameters<typeof mailbox>[0], count = 2) => {
    db = await open();
    box = await mailbox(misbehave);
    const clock = fixedClock(T0);
    const config: AppConfig = defaultConfig({
      smtpUrl: `smtp://127.0.0.1:${box.port}`,
      smtpFrom: '评议办 <pingyi@example.gov.cn>',
    });
    const ids: string[] = [];
    for (let i = 0; i < count; i++)
      ids.push(
        (await outboxRepository(db.kysely).enqueue(
          {
            dedupeKey: `test:${i}`,
            recipient: `d00${i + 1}@example.gov.cn`,
            subject: `【提醒】事项 00${i + 1}-01 今天到期`,
            body: '请按时办理。',
          },
          T0,
        )) as string,
      );
    const sender = (name: string) => outboxService({ db, clock, config }, name);
    return { clock, config, ids, sender, repo: outboxRepository(db.kysely) };
  };

  it('sends each message once with a Message-ID made from its id, and never again', async () => {
    const { ids, sender, config, repo, clock } = await setup();
    const a = sender('a');
    expect((await a.sendDue()).sent.sort()).toEqual([...ids].sort());
    expect((await a.sendDue()).sent).toEqual([]);
    expect(box?.received.map((m) => m.messageId).sort()).toEqual(ids.map((id) => messageIdOf(id, config)).sort());
    expect(box?.received[0].raw).toMatch(/Subject: =\?UTF-8\?/);
    expect((await repo.find(ids[0], clock.now().toISOString()))?.state).toBe('sent');
    a.close();
  });

  it('drops the invitations and reminders of a campaign that has closed, and sends the rest', async () => {
    const { ids, sender, clock, config, repo } = await setup();
    const services = createServices({ db, config, clock });
    const draft = await createTestCampaign(db, services, { slug: 'draft-2026', state: 'draft' });
    const closed = await createTestCampaign(db, services, { slug: 'closed-2026', state: 'closed' });
    const pastDeadline = await createTestCampaign(db, services, { slug: 'open-2026', state: 'open' });
    const queue = async (campaign: Campaign, key: string) =>
      (await repo.enqueue(
        { ...reminderMessage(campaign, { name: '张三', organisation: '某公司' }, key, 'email', 'z@example.cn', T0) },
        T0,
      )) as string;
    const [toDraft, toClosed, toPast] = [
      await queue(draft, 'i1'),
      await queue(closed, 'i2'),
      await queue(pastDeadline, 'i3'),
    ];
    // the open campaign's deadline (2026-12-31 23:59 +08:00) has passed
    clock.set('2027-01-05T00:00:00.000Z');
    const a = sender('a');
    const outcome = await a.sendDue();
    expect(outcome.sent.sort()).toEqual([...ids, toDraft].sort());
    expect(outcome.cancelled.sort()).toEqual([toClosed, toPast].sort());
    expect(box?.received).toHaveLength(3);
    for (const id of [toClosed, toPast])
      expect(await repo.find(id, clock.now().toISOString())).toMatchObject({
        state: 'cancelled',
        body: '',
        lastError: '评议活动已截止，不再发送',
      });
    expect((await a.page()).counts).toEqual({ pending: 0, sent: 3, failed: 0, cancelled: 2 });
    await expect(a.retry(toClosed)).rejects.toThrow('评议活动已截止，这条消息已取消，不能重发');
    a.close();
  });

  it('lets two senders at once claim each message once', async () => {
    const { ids, sender } = await setup(undefined, 10);
    const [a, b] = [sender('a'), sender('b')];
    const [x, y] = await Promise.all([a.sendDue(), b.sendDue()]);
    expect([...x.sent, ...y.sent].sort()).toEqual([...ids].sort());
    expect(box?.received).toHaveLength(10);
    a.close();
    b.close();
  });

  it('retries after the connection dies mid-send, with backoff, and the mailbox holds one copy', async () => {
    const { ids, sender, clock, repo, config } = await setup((n) => (n === 1 ? 'drop' : 'accept'), 1);
    const a = sender('a');
    expect(await a.sendDue()).toEqual({ sent: [], failed: ids, cancelled: [] });
    const waiting = await repo.find(ids[0], clock.now().toISOString());
    expect(waiting).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: '2026-10-09T02:01:00.000Z' });
    expect(waiting?.lastError).toBeTruthy();
    // not before its backoff
    clock.set('2026-10-09T02:00:30.000Z');
    expect((await a.sendDue()).sent).toEqual([]);
    clock.set('2026-10-09T02:01:00.000Z');
    expect((await a.sendDue()).sent).toEqual(ids);
    expect(box?.received.map((m) => m.messageId)).toEqual([messageIdOf(ids[0], config)]);
    a.close();
  });

  it('resends the same Message-ID when a sender died after the 250 but before marking it sent', async () => {
    const { ids, sender, clock, repo, config } = await setup(undefined, 1);
    // the dead sender's claim (it had sent, then crashed): nobody touches it until the claim expires
    await repo.claim('dead', T0, new Date(Date.parse(T0) + CLAIM_MS).toISOString(), 10);
    const a = sender('a');
    expect((await a.sendDue()).sent).toEqual([]);
    clock.set(new Date(Date.parse(T0) + CLAIM_MS + 1000));
    expect((await a.sendDue()).sent).toEqual(ids);
    const again = (await a.sendDue()).sent;
    expect(again).toEqual([]);
    expect(new Set(box?.received.map((m) => m.messageId))).toEqual(new Set([messageIdOf(ids[0], config)]));
    a.close();
  });

  it('backs off after a refused connection and gives up after the last attempt, visible to the office', async () => {
    db = await open();
    const clock = fixedClock(T0);
    const config = defaultConfig({ smtpUrl: 'smtp://127.0.0.1:1', smtpFrom: 'pingyi@example.gov.cn' });
    const [id] = [
      (await outboxRepository(db.kysely).enqueue(
        { dedupeKey: 'k', recipient: 'x@example.gov.cn', subject: 's', body: 'b' },
        T0,
      )) as string,
    ];
    const sender = outboxService({ db, clock, config }, 'a');
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect((await sender.sendDue()).failed).toEqual([id]);
      const m = await outboxRepository(db.kysely).find(id, clock.now().toISOString());
      if (m?.state === 'failed') break;
      waits.push((Date.parse(m?.nextAttemptAt as string) - clock.now().getTime()) / 60_000);
      clock.set(m?.nextAttemptAt as string);
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 64]);
    const page = await sender.page();
    expect(page.counts).toEqual({ pending: 0, sent: 0, failed: 1, cancelled: 0 });
    expect(page.messages[0]).toMatchObject({ state: 'failed', attempts: 8 });
    expect(page.messages[0].lastError).toMatch(/ECONNREFUSED/);
    // the office retries: due now, attempts counted afresh
    expect(await sender.retry(id)).toMatchObject({ state: 'pending', attempts: 0 });
    sender.close();
  });
});
