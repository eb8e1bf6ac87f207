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
