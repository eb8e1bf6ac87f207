/**
 * The office's pages and the refusals they show speak the office's words: no environment variable,
 * file path or file-format jargon (those stay in docs/ and the CLI).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';

/** What a developer says and the office does not: setting names, paths, file formats, flags. */
const DEVELOPER_WORDS =
  /[A-Z][A-Z0-9]*_[A-Z0-9_]+|SMTP|\.jsonl|JSONL|README|docs\/|surveys\/|\.ya?ml\b|allowLoopback|\bAPI\b|--[a-z]/;

/** The text a person reads on a page: no scripts, styles or tags; entities decoded. */
const visibleText = (html: string) =>
  html
    .replace(/<(script|style)\b[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');

const developerWordsIn = (text: string) => text.match(new RegExp(DEVELOPER_WORDS, 'g')) ?? [];

let db: Db;
let app: ReturnType<typeof createApp>;
let admin: LoggedIn;
let named: Campaign;
let anonymous: Campaign;

beforeAll(async () => {
  db = await sqliteDb();
  // no public address, no link key, no mail server, no SMS gateway: everything the pages warn of
  const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
  const services = createServices(deps);
  app = createApp(deps, services);
  named = await createTestCampaign(db, services, { slug: 'named-2026', overrides: { mode: 'named' }, state: 'draft' });
  anonymous = await createTestCampaign(db, services, { slug: 'anon-2026' });
  const roster = csvOf([
    ['姓名', '单位/项目', '代表类别', '手机号码', '邮箱'],
    ['王建国', '某建设集团', 'project', '13800138000', 'wang@example.cn'],
  ]);
  for (const campaign of [named, anonymous])
    await services.roster.importEvaluators(
      campaign,
      { bytes: new TextEncoder().encode(roster), filename: 'r.csv' },
      { actor: 'test' },
    );
  admin = await loginAs(app, services, 'admin');
});
afterAll(() => db.close());

describe('the office pages', () => {
  it('name no setting, path or file format, in any state the campaign page shows', async () => {
    const pages = [
      '/admin',
      '/admin/campaigns/new',
      `/admin/campaigns/${named.slug}`,
      `/admin/campaigns/${named.slug}/edit`,
      `/admin/campaigns/${anonymous.slug}`,
      `/admin/campaigns/${anonymous.slug}/progress`,
    ];
    for (const path of pages) {
      const res = await app.request(path, { headers: { cookie: admin.cookie } });
      expect(res.status, path).toBe(200);
      expect(developerWordsIn(visibleText(await res.text())), path).toEqual([]);
    }
    // the advanced upload's format is shown by an example to download, not by a path on the server
    const example = await app.request('/admin/example-config.yaml', { headers: { cookie: admin.cookie } });
    expect(example.status).toBe(200);
    expect(example.headers.get('content-disposition')).toContain(encodeURIComponent('活动配置示例.yaml'));
    expect(await example.text()).toContain('slug: demo-2026');
  });

  it('say in office words that the public address is missing, before and when letters are refused', async () => {
    const page = visibleText(
      await (await app.request(`/admin/campaigns/${named.slug}`, { headers: { cookie: admin.cookie } })).text(),
    );
    expect(page).toContain('对外访问地址未设置');
    expect(page).toContain('请系统管理员设置');
    const refused = await app.request(`/api/campaigns/${named.slug}/invitations?format=letters`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(refused.status).toBe(409);
    const { message, details } = ((await refused.json()) as ErrorBody).error;
    expect(message).toContain('对外访问地址未设置');
    expect(developerWordsIn(message)).toEqual([]);
    // the page tabulates a detail's field or path under 位置: never a parameter's name
    for (const d of details ?? []) expect(d.field ?? d.path ?? '仍然生成').toMatch(/^[^A-Za-z]*$/);
  });

  it('refuse mail and SMS without a server for them, and a second download without a link key, in office words', async () => {
    const refusals = [
      app.request(`/api/campaigns/${named.slug}/invitations?format=csv&sendEmail=1`, {
        method: 'POST',
        headers: admin.headers(),
      }),
      app.request(`/api/campaigns/${named.slug}/invitations?format=csv&sendSms=1`, {
        method: 'POST',
        headers: admin.headers(),
      }),
      app.request(`/api/campaigns/${named.slug}/invitations/download?format=csv`, {
        method: 'POST',
        headers: admin.headers(),
      }),
      app.request(`/api/campaigns/${anonymous.slug}/invitations/remind`, {
        method: 'POST',
        headers: admin.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ email: true }),
      }),
    ];
    for (const res of await Promise.all(refusals)) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      const { message } = ((await res.json()) as ErrorBody).error;
      expect(message).toMatch(/[\u4e00-\u9fff]/);
      expect(developerWordsIn(message), message).toEqual([]);
    }
  });
});
