import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { runCliProcess } from '../helpers/cli.js';
import { sqliteFile } from '../helpers/db.js';
import { csvOf } from '../helpers/sheets.js';
import { type SurveySetup, surveySetup, webAnswers } from '../evaluator/helpers.js';

const DAY = 86_400_000;
const PUBLIC_URL = 'https://pj.example.gov.cn';
const MAIL = { SMTP_HOST: '127.0.0.1', SMTP_PORT: '2525', SMTP_FROM: 'pingyi@example.gov.cn' };

let db: Db;
let path: string;
let s: SurveySetup;
/** `minping invitations remind …` as the office runs it: its own process on the server's database file */
const remind = (args: string[], env: Record<string, string> = MAIL) =>
  runCliProcess(['invitations', 'remind', '--campaign', s.campaign.slug, ...args], {
    DATABASE_URL: path,
    PUBLIC_URL,
    ...env,
  });
const outbox = () => db.kysely.selectFrom('outbox').select(['recipient', 'channel', 'body']).execute();

beforeAll(async () => {
  ({ path, db } = await sqliteFile());
  // the process runs on the system clock: a campaign open now
  const now = Date.now();
  s = await surveySetup(db, {
    time: new Date(now).toISOString(),
    overrides: { opensAt: new Date(now - DAY).toISOString(), closesAt: new Date(now + 30 * DAY).toISOString() },
    // the server's secret, as the CLI has it (runCliProcess): it opens the server's pending spends
    config: { publicUrl: PUBLIC_URL, networkSalt: 'test' },
  });
  await s.services.roster.importEvaluators(
    s.campaign,
    {
      bytes: new TextEncoder().encode(
        csvOf([
          ['姓名', '单位/项目', '类别', '电话', '邮箱'],
          ['王建国', '轨道交通3号线项目部', 'project', '13800138000', 'wang@example.cn'],
          ['刘芳', '市人大代表', 'deputies', '13900139000', 'liu@example.cn'],
          ['陈明', '', 'public', '', ''],
        ]),
      ),
      filename: 'r.csv',
    },
    { actor: 'test' },
  );
  const links = await s.services.invitations.generate(s.campaign, { actor: 'test' });
  const wang = links.find((l) => l.name === '王建国')!;
  const submitted = await s.app.request(`/api/s/${wang.token}/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
  });
  expect(submitted.status).toBe(201);
}, 60_000);
afterAll(() => db.close());

describe('minping invitations remind (the CLI in its own process, on a SQLite file)', () => {
  it('refuses a bad --days and a channel with no transport, queueing nothing', async () => {
    const badDays = await remind(['--days', '0']);
    expect(badDays.code).toBe(2);
    expect(badDays.err).toBe('--days 应为 1–365 的整数');
    const noMail = await remind([], {});
    expect(noMail.code).toBe(2);
    expect(noMail.err).toContain('未配置邮件服务器');
    const noSms = await remind(['--sms']);
    expect(noSms.code).toBe(2);
    expect(noSms.err).toContain('未配置短信网关');
    expect(await outbox()).toEqual([]);
  }, 60_000);

  it('refuses to remind anyone when started with another NETWORK_SALT than the server that sealed a waiting spend', async () => {
    const other = await remind([], { ...MAIL, NETWORK_SALT: 'not-the-server-salt' });
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/^错误：本程序的密钥设置与服务器不一致/);
    expect(other.err).toContain('系统设置：NETWORK_SALT');
    expect(await outbox()).toEqual([]);
  }, 60_000);

  it('queues an e-mail for each with an address no flagged batch shows as submitted (王建国 waits for his), then none within the interval', async () => {
    const first = await remind([]);
    expect(first.code, first.err).toBe(0);
    expect(first.out).toBe(
      '已提醒 2 人（邮件 2，短信 0）；3 天内提醒过的和已成批登记为已提交的没有再提醒，最近提交、尚未成批登记的代表也在其中（匿名评议不知道是谁）。',
    );
    const messages = await outbox();
    expect(messages.map((m) => [m.recipient, m.channel]).sort()).toEqual([
      ['liu@example.cn', 'email'],
      ['wang@example.cn', 'email'],
    ]);
    for (const message of messages) expect(message.body).not.toContain('/s/');

    const again = await remind(['--days', '1']);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^已提醒 0 人（邮件 0，短信 0）；1 天内提醒过的/);
    expect(await outbox()).toHaveLength(2);
    expect((await s.services.audit.list({ action: 'invitations_remind' })).map((a) => [a.actor, a.detail])).toEqual(
      expect.arrayContaining([['cli', { people: 2, queued: { email: 2, sms: 0 }, intervalDays: 3 }]]),
    );
  }, 60_000);
});
