import { afterAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/contracts.js';
import { loginAs } from '../helpers/auth.js';
import { countRows, sqliteDb } from '../helpers/db.js';
import { createInvitation, snapshotCounts, surveySetup } from '../evaluator/helpers.js';

const db = await sqliteDb();
afterAll(() => db.close());
const { app, services, campaign } = await surveySetup(db);
const admin = await loginAs(app, services, 'admin');

/** 中文 in GBK, as Chinese Windows writes it: not UTF-8 */
const GBK_ZHONGWEN = Buffer.from('d6d0cec4', 'hex');
const withGbk = (before: string, after: string) =>
  new Uint8Array(Buffer.concat([Buffer.from(before), GBK_ZHONGWEN, Buffer.from(after)]));

async function refusedAsNotUtf8(res: Response, status = 400): Promise<string> {
  expect(res.status).toBe(status);
  const { error } = (await res.json()) as ErrorBody;
  expect(error.code).toBe(status === 400 ? 'BAD_REQUEST' : 'VALIDATION_FAILED');
  expect(error.message).toContain('UTF-8');
  return error.message;
}

describe('text that is not UTF-8 is refused, never stored with its characters replaced', () => {
  it("refuses an evaluator's draft autosave and submission in another encoding with 400, storing nothing", async () => {
    const { token } = await createInvitation(db, campaign);
    const before = await snapshotCounts(db);
    const answers = withGbk('{"answers":{"category":"project","organisation":"', '建设"},"elapsedSeconds":60}');
    for (const [method, path] of [
      ['PUT', 'draft'],
      ['POST', 'submit'],
    ]) {
      const res = await app.request(`/api/s/${token}/${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        body: answers,
      });
      expect(await refusedAsNotUtf8(res)).toBe(
        '请求内容不是 UTF-8 编码的文本（可能是 GBK 等其他编码，或传输中损坏）：请以 UTF-8 编码保存后重新提交',
      );
    }
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it("refuses the office's campaign config and questionnaire uploaded in GBK, as a body or a form's file, creating nothing", async () => {
    const campaigns = await countRows(db, 'campaigns');
    const yaml = await app.request('/api/campaigns', {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/yaml' }),
      body: withGbk('slug: gbk-2026\nname: ', '评议\n'),
    });
    expect(await refusedAsNotUtf8(yaml)).toContain('请求体不是 UTF-8');

    const form = new FormData();
    form.set('config', new File([withGbk('slug: gbk-2026\nname: ', '评议\n')], 'campaign.yaml'));
    const uploaded = await app.request('/api/campaigns', { method: 'POST', headers: admin.headers(), body: form });
    expect(await refusedAsNotUtf8(uploaded)).toContain('活动配置文件不是 UTF-8');

    const questionnaire = new FormData();
    questionnaire.set('questionnaire', new File([withGbk('{"title":"', '"}')], 'survey.json'));
    const replaced = await app.request(`/api/campaigns/${campaign.slug}/questionnaire`, {
      method: 'PUT',
      headers: admin.headers(),
      body: questionnaire,
    });
    expect(await refusedAsNotUtf8(replaced)).toContain('问卷文件不是 UTF-8');
    expect(await countRows(db, 'campaigns')).toBe(campaigns);
  });

  it('refuses an office form’s text field sent in GBK (urlencoded) with 400 naming the field, creating nothing', async () => {
    const campaigns = await countRows(db, 'campaigns');
    const res = await app.request('/admin/campaigns/new', {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: `slug=gbk-2026&name=${[...GBK_ZHONGWEN].map((b) => `%${b.toString(16).toUpperCase()}`).join('')}%E8%AF%84%E8%AE%AE`,
    });
    expect(await refusedAsNotUtf8(res)).toBe(
      '表单字段 name 不是 UTF-8 编码的文本（可能是 GBK 等其他编码，或传输中损坏）：请以 UTF-8 编码保存后重新提交',
    );
    expect(await countRows(db, 'campaigns')).toBe(campaigns);
  });

  it('shows the office the refusal as a page when the form asked for one', async () => {
    const res = await app.request('/admin/campaigns/new', {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }),
      body: 'slug=gbk-2026&name=%D6%D0%CE%C4',
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('表单字段 name 不是 UTF-8 编码的文本');
  });

  it('refuses a multipart form’s text field in GBK, while its files are left to their readers', async () => {
    // a text part of bytes: FormData can only send a string as UTF-8
    const boundary = 'minping-gbk';
    const text = await app.request('/api/campaigns', {
      method: 'POST',
      headers: admin.headers({ 'content-type': `multipart/form-data; boundary=${boundary}` }),
      body: withGbk(
        `--${boundary}\r\nContent-Disposition: form-data; name="config"\r\n\r\nslug: gbk-2026\nname: `,
        `评议\n\r\n--${boundary}--\r\n`,
      ),
    });
    expect(await refusedAsNotUtf8(text)).toMatch(/^表单字段 config 不是 UTF-8/);

    const files = new FormData();
    files.set('config', new File([withGbk('slug: gbk-2026\nname: ', '评议\n')], 'campaign.yaml'));
    const file = await app.request('/api/campaigns', { method: 'POST', headers: admin.headers(), body: files });
    expect(await refusedAsNotUtf8(file)).toMatch(/^活动配置文件不是 UTF-8/);
  });

  it('takes the same forms in UTF-8: the office’s Chinese reaches the service as typed', async () => {
    const res = await app.request('/admin/campaigns/new', {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }),
      body: new URLSearchParams({ slug: 'utf8-2026', name: '中文评议', add: 'departments' }).toString(),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('value="中文评议"');
  });

  it('refuses a department CSV that is neither UTF-8 nor GBK (Excel’s UTF-16 “Unicode 文本”), telling the office how to save it', async () => {
    const utf16 = new Uint8Array(Buffer.from('\uFEFF代码\t名称\t分组\r\nD901\t中文\teconomic\r\n', 'utf16le'));
    const departments = await countRows(db, 'departments');
    const res = await app.request(`/api/campaigns/${campaign.slug}/departments/import?filename=d.txt`, {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'text/plain' }),
      body: utf16,
    });
    expect(await refusedAsNotUtf8(res, 422)).toContain('另存为“CSV UTF-8（逗号分隔）”或 .xlsx');
    expect(await countRows(db, 'departments')).toBe(departments);
  });
});
