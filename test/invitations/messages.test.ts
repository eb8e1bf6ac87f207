import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../server/config.js';
import type { ErrorBody, ReminderSummary } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { dialects } from '../helpers/db.js';
import { mailbox } from '../helpers/mailbox.js';
import { csvOf, tokenOfLink, xlsxRows } from '../helpers/sheets.js';
import { type SurveySetup, surveySetup, webAnswers } from '../evaluator/helpers.js';

const PUBLIC_URL = 'https://pj.example.gov.cn';
const ROSTER = csvOf([
  ['姓名', '单位/项目', '类别', '电话', '邮箱'],
  ['王建国', '轨道交通3号线项目部', 'project', '13800138000', 'wang@example.cn'],
  ['刘芳', '市人大代表', 'deputies', '13900139000', 'liu@example.cn'],
  ['陈明', '', 'public', '', ''],
]);

/** The SMS gateway's test double: records each request; `status` is what it answers. */
async function smsGateway(status = 200) {
  const received: { headers: IncomingHttpHeaders; body: { to: string; text: string } }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(raw) });
      res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  return { url, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe.each(await dialects())('invitations and reminders through the outbox on $name', ({ open }) => {
  let db: Db;
  let s: SurveySetup;
  let admin: LoggedIn;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    db = await open();
  });
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
    await db.close();
  });

  const setup = async (config: Partial<AppConfig>, mode: 'anonymous' | 'named' = 'anonymous') => {
    s = await surveySetup(db, { overrides: { mode }, config: { publicUrl: PUBLIC_URL, ...config } });
    admin = await loginAs(s.app, s.services, 'admin');
    await s.services.roster.importEvaluators(
      s.campaign,
      { bytes: new TextEncoder().encode(ROSTER), filename: 'r.csv' },
      { actor: 'test' },
    );
  };
  const generate = (query: string) =>
    s.app.request(`/api/campaigns/${s.campaign.slug}/invitations?format=xlsx${query}`, {
      method: 'POST',
      headers: admin.headers(),
    });
  const linksOf = async (res: Response) => (await xlsxRows(await res.arrayBuffer())).slice(1).map((r) => r[5]);
  const outbox = () => db.kysely.selectFrom('outbox').selectAll().orderBy('recipient').execute();
  const remind = (body: unknown) =>
    s.app.request(`/api/campaigns/${s.campaign.slug}/invitations/remind`, {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });

  it('mails each evaluator with an address their link over SMTP, then erases the link from the outbox', async () => {
    const box = await mailbox();
    closers.push(box.close);
    await setup({ smtpHost: '127.0.0.1', smtpPort: box.port, smtpFrom: '评议办 <pingyi@example.gov.cn>' });
    const res = await generate('&sendEmail=1');
    expect(res.status).toBe(200);
    const links = await linksOf(res);
    const queued = await outbox();
    expect(queued.map((m) => [m.recipient, m.channel, m.transient])).toEqual([
      ['liu@example.cn', 'email', 1],
      ['wang@example.cn', 'email', 1],
    ]);
    expect((await s.services.outbox.sendDue()).sent).toHaveLength(2);
    // the text as the recipient reads it (nodemailer sends Chinese text as base64 or quoted-printable)
    const mails = box.received.map(({ raw }) => {
      const body = raw.slice(raw.search(/\r?\n\r?\n/)).trim();
      return /Content-Transfer-Encoding: base64/i.test(raw)
        ? Buffer.from(body, 'base64').toString('utf8')
        : body.replace(/=\r?\n/g, '');
    });
    expect(mails).toHaveLength(2);
    for (const mail of mails) expect(links.some((l) => mail.includes(l))).toBe(true);
    const after = await outbox();
    expect(after.map((m) => [m.state, m.body])).toEqual([
      ['sent', ''],
      ['sent', ''],
    ]);
    for (const link of links) expect(JSON.stringify(after)).not.toContain(tokenOfLink(link));
  });

  it('sends SMS through the gateway (POST {to, text}, bearer token, idempotency key), erasing the link once sent', async () => {
    const gateway = await smsGateway();
    closers.push(gateway.close);
    await setup({ smsGatewayUrl: gateway.url, smsGatewayToken: 'gw-secret' });
    const links = await linksOf(await generate('&sendSms=1'));
    await s.services.outbox.sendDue();
    expect(gateway.received.map((r) => r.body.to).sort()).toEqual(['13800138000', '13900139000']);
    for (const r of gateway.received) {
      expect(r.headers.authorization).toBe('Bearer gw-secret');
      expect(r.headers['idempotency-key']).toBeTruthy();
      expect(links.some((l) => r.body.text.includes(l))).toBe(true);
    }
    expect((await outbox()).map((m) => [m.channel, m.state, m.body])).toEqual([
      ['sms', 'sent', ''],
      ['sms', 'sent', ''],
    ]);
  });

  it('gives up on an SMS the gateway refuses (4xx), erases its link and refuses a retry', async () => {
    const gateway = await smsGateway(400);
    closers.push(gateway.close);
    await setup({ smsGatewayUrl: gateway.url, smsGatewayToken: 'gw-secret' });
    await generate('&sendSms=1');
    expect((await s.services.outbox.sendDue()).failed).toHaveLength(2);
    const [failed] = await outbox();
    expect([failed.state, failed.body]).toEqual(['failed', '']);
    await expect(s.services.outbox.retry(failed.id)).rejects.toThrow('请在评议代表名单中为此人补发链接');
  });

  it('refuses to send on a channel this server has no transport for, generating nothing', async () => {
    await setup({});
    const res = await generate('&sendEmail=1');
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.message).toContain('未配置邮件服务器');
    expect(await db.kysely.selectFrom('invitations').selectAll().execute()).toEqual([]);
    expect(await outbox()).toEqual([]);
  });

  const submit = ({ token, category }: { token: string; category: string }) =>
    s.app.request(`/api/s/${token}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: webAnswers({ category }), elapsedSeconds: 400 }),
    });
  const remindedAt = async () =>
    Object.fromEntries(
      (
        await db.kysely
          .selectFrom('invitations')
          .innerJoin('evaluators', 'evaluators.id', 'invitations.evaluator_id')
          .select(['evaluators.name', 'invitations.used', 'invitations.reminded_at'])
          .execute()
      ).map((r) => [r.name, { used: Number(r.used), reminded: r.reminded_at !== null }]),
    );
  const mailSetup = async (mode: 'anonymous' | 'named' = 'anonymous') => {
    const box = await mailbox();
    closers.push(box.close);
    await setup({ smtpHost: '127.0.0.1', smtpPort: box.port, smtpFrom: 'pingyi@example.gov.cn' }, mode);
    return s.services.invitations.generate(s.campaign, { actor: 'test' });
  };

  it('reminds, in an anonymous campaign, a submission still waiting for its batch like everyone else, so reminders tell nothing the flags do not', async () => {
    const links = await mailSetup();
    expect((await submit(links.find((l) => l.name === '王建国')!)).status).toBe(201);

    const first = await remind({});
    expect(first.status).toBe(200);
    expect((await first.json()) as ReminderSummary).toEqual({
      people: 2,
      queued: { email: 2, sms: 0 },
      intervalDays: 3,
    });
    // the one who submitted and the one who did not look alike in the invitations and the outbox
    expect(await remindedAt()).toEqual({
      王建国: { used: 0, reminded: true },
      刘芳: { used: 0, reminded: true },
      陈明: { used: 0, reminded: false },
    });
    const messages = await outbox();
    expect(messages.map((m) => m.recipient)).toEqual(['liu@example.cn', 'wang@example.cn']);
    for (const message of messages) {
      expect(message.body).toContain('请使用此前收到的邀请链接');
      expect(message.body).toContain('如您已经提交，请忽略本提醒');
      expect(message.body).not.toContain('您还没有提交');
      expect(message.body).not.toContain('/s/');
      expect(message.transient).toBe(0);
    }

    expect((await (await remind({})).json()) as ReminderSummary).toMatchObject({ people: 0 });
    s.clock.advance(3 * 86_400_000);
    admin = await loginAs(s.app, s.services, 'admin');
    expect((await (await remind({ intervalDays: 5 })).json()) as ReminderSummary).toMatchObject({ people: 0 });
    expect((await (await remind({})).json()) as ReminderSummary).toMatchObject({ people: 2 });
    expect((await s.services.audit.list({ action: 'invitations_remind' })).map((a) => a.detail)).toEqual(
      expect.arrayContaining([{ people: 2, queued: { email: 2, sms: 0 }, intervalDays: 3 }]),
    );
    expect(await s.services.audit.list({ action: 'invitations_remind' })).toHaveLength(4);
  });

  it('leaves out, in an anonymous campaign, the invitations a flagged batch has shown as submitted, their reminder times cleared', async () => {
    const links = await mailSetup();
    // nine more with an address: with 王建国 they make a batch of 10
    const more = Array.from({ length: 9 }, (_, i) => [`代表${i + 1}`, '某单位', 'public', '', `d${i + 1}@example.cn`]);
    await s.services.roster.importEvaluators(
      s.campaign,
      {
        bytes: new TextEncoder().encode(csvOf([['姓名', '单位/项目', '类别', '电话', '邮箱'], ...more])),
        filename: 'r2.csv',
      },
      { actor: 'test' },
    );
    links.push(...(await s.services.invitations.generate(s.campaign, { actor: 'test' })));
    expect((await (await remind({})).json()) as ReminderSummary).toMatchObject({ people: 11 });
    const batch = links.filter((l) => l.name !== '刘芳' && l.name !== '陈明');
    for (const link of batch) expect((await submit(link)).status).toBe(201);
    const flagged = await remindedAt();
    for (const { name } of batch) expect(flagged[name], name).toEqual({ used: 1, reminded: false });

    s.clock.advance(3 * 86_400_000);
    admin = await loginAs(s.app, s.services, 'admin');
    expect((await (await remind({})).json()) as ReminderSummary).toMatchObject({ people: 1 });
    expect((await remindedAt()).刘芳).toEqual({ used: 0, reminded: true });
  });

  it('reminds, in a named campaign, only those who have not submitted, telling them so', async () => {
    const links = await mailSetup('named');
    expect((await submit(links.find((l) => l.name === '王建国')!)).status).toBe(201);
    expect((await (await remind({})).json()) as ReminderSummary).toMatchObject({ people: 1 });
    const [message, ...others] = await outbox();
    expect(others).toEqual([]);
    expect(message.recipient).toBe('liu@example.cn');
    expect(message.body).toContain('您还没有提交评议');
  });

  it('refuses a reminder body with unknown fields or a bad interval (4xx, Chinese), and after the close', async () => {
    await setup({ smtpHost: '127.0.0.1', smtpPort: 25, smtpFrom: 'pingyi@example.gov.cn' });
    for (const body of [{ colour: 1 }, { intervalDays: 0 }, { email: 'yes' }])
      expect((await remind(body)).status).toBe(422);
    s.clock.set(new Date(Date.parse(s.campaign.closesAt) + 1000).toISOString());
    admin = await loginAs(s.app, s.services, 'admin');
    const closed = await remind({});
    expect(closed.status).toBe(409);
    expect(((await closed.json()) as ErrorBody).error.message).toContain('活动不在进行中');
  });
});
