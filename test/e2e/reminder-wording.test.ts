import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems, signIn } from '../helpers/browser.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

/** What the campaign page says a reminder does, and what it did, in each mode (the invitations service's `remind`). */
describe.skipIf(!browserAvailable())('the reminder form’s words by campaign mode, in Chromium', () => {
  let stage: BrowserStage;

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const config = defaultConfig({
        publicUrl: 'https://pj.example.gov.cn',
        smtpHost: 'mail.example.gov.cn',
        smtpFrom: 'pingyi@example.gov.cn',
      });
      const deps = { db, config, clock: fixedClock('2026-11-23T08:00:00Z') };
      const services = createServices(deps);
      const roster = csvOf([
        ['姓名', '单位/项目', '类别', '邮箱'],
        ['王建国', '项目部', 'project', 'wang@example.cn'],
        ['刘芳', '人大', 'deputies', 'liu@example.cn'],
      ]);
      for (const mode of ['anonymous', 'named']) {
        const campaign = await createTestCampaign(db, services, { slug: `${mode}-2026`, overrides: { mode } });
        await services.roster.importEvaluators(
          campaign,
          { bytes: new TextEncoder().encode(roster), filename: 'r.csv' },
          { actor: 'test' },
        );
        await services.invitations.generate(campaign, { actor: 'test' });
      }
      await services.accounts.addUser(
        { username: 'office', role: 'admin', password: 'office-password-1', displayName: '评议办' },
        'test',
      );
      return createApp(deps);
    });
  });
  afterAll(() => stage?.close());

  const remind = async (slug: string) => {
    const page = await stage.browser.newPage({ viewport: { width: 1200, height: 900 } });
    const problems = pageProblems(page);
    await signIn(page, stage.url, 'office', 'office-password-1');
    await page.goto(`${stage.url}/admin/campaigns/${slug}`);
    const form = page.locator('#invitations-remind');
    const rule = await form.locator('#remind-rule').innerText();
    await form.getByLabel('邮件').check();
    await form.getByRole('button', { name: '发送提醒' }).click();
    const outcome = await form.locator('.result .ok').innerText();
    await page.close();
    return { rule, outcome, problems };
  };

  it('says in a named campaign that those who submitted get no reminder', async () => {
    const { rule, outcome, problems } = await remind('named-2026');
    expect(rule).toBe('提醒不含链接，只请对方使用此前收到的邀请链接；已提交的代表不会收到，每人每 3 天至多一次。');
    expect(outcome).toBe('已提醒 2 人（邮件 2，短信 0）；3 天内提醒过的和已提交的没有再提醒。');
    expect(problems).toEqual([]);
  });

  it('says in an anonymous campaign that it can’t know who submitted, so all invited but a flagged batch get it', async () => {
    const { rule, outcome, problems } = await remind('anonymous-2026');
    expect(rule).toBe(
      '提醒不含链接，只请对方使用此前收到的邀请链接。匿名评议中系统不知道谁已提交：提醒发给已邀请的全部代表，只有每满 10 份答卷成批登记为已提交的链接除外，所以最近提交、尚未成批登记的（至多 9 人）也会收到，提醒中写明“如您已经提交，请忽略本提醒”；每人每 3 天至多一次。',
    );
    expect(rule).not.toContain('已提交的代表不会收到');
    expect(outcome).toBe(
      '已提醒 2 人（邮件 2，短信 0）；3 天内提醒过的和已成批登记为已提交的没有再提醒，最近提交、尚未成批登记的代表也在其中（匿名评议不知道是谁）。',
    );
    expect(problems).toEqual([]);
  });
});
