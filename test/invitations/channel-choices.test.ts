/** The campaign page offers e-mail and SMS only where the server can send them, and never ticks them for the office. */
import { afterEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../server/config.js';
import type { ErrorBody } from '../../server/contracts.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import type { Db } from '../../server/db/connect.js';
import { surveySetup } from '../evaluator/helpers.js';

const MAIL: Partial<AppConfig> = { smtpHost: 'mail.example.gov.cn', smtpFrom: 'pingyi@example.gov.cn' };
const SMS: Partial<AppConfig> = { smsGatewayUrl: 'https://sms.example.gov.cn/send', smsGatewayToken: 't' };

let db: Db;
afterEach(() => db?.close());

async function campaignPage(config: Partial<AppConfig>) {
  db = await sqliteDb();
  const s = await surveySetup(db, { config: { publicUrl: 'https://pj.example.gov.cn', ...config } });
  const admin = await loginAs(s.app, s.services, 'admin');
  const res = await s.app.request(`/admin/campaigns/${s.campaign.slug}`, { headers: { cookie: admin.cookie } });
  expect(res.status).toBe(200);
  return { html: await res.text(), s, admin };
}

/** The <input> of a checkbox named `name`, or undefined. */
const checkbox = (html: string, name: string) => new RegExp(`<input[^>]*name="${name}"[^>]*>`).exec(html)?.[0];

describe('the invitations and reminder forms', () => {
  it('offer no e-mail or SMS without a mail server or gateway, and say why in one line', async () => {
    const { html } = await campaignPage({});
    for (const name of ['sendEmail', 'sendSms', 'email', 'sms']) expect(checkbox(html, name), name).toBeUndefined();
    expect(html).toContain('未配置邮件服务器和短信网关，不能发送邮件或短信（需要时请系统管理员设置）。');
    // the reminder form has nothing to send by: no button to press
    expect(html).not.toContain('发送提醒');
    expect(html).toContain('生成并下载');
  });

  it('offer e-mail unticked with a mail server, and say SMS is missing', async () => {
    const { html } = await campaignPage(MAIL);
    for (const name of ['sendEmail', 'email']) {
      expect(checkbox(html, name), name).toBeDefined();
      expect(checkbox(html, name), name).not.toMatch(/\bchecked\b/);
    }
    for (const name of ['sendSms', 'sms']) expect(checkbox(html, name), name).toBeUndefined();
    expect(html).toContain('未配置短信网关，不能发送短信（需要时请系统管理员设置）。');
    expect(html).toContain('发送提醒');
  });

  it('offer both unticked with both, and no line about what is missing', async () => {
    const { html, s, admin } = await campaignPage({ ...MAIL, ...SMS });
    for (const name of ['sendEmail', 'sendSms', 'email', 'sms']) {
      expect(checkbox(html, name), name).toBeDefined();
      expect(checkbox(html, name), name).not.toMatch(/\bchecked\b/);
    }
    expect(html).not.toContain('channels-missing');
    // the reminder form sent with nothing ticked is refused, not sent by e-mail behind the office's back
    const res = await s.app.request(`/api/campaigns/${s.campaign.slug}/invitations/remind`, {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ email: false, sms: false }),
    });
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.message).toBe('请选择提醒方式（邮件或短信）');
  });
});
