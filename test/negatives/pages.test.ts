import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { postForm } from '../portal/helpers.js';
import { queueSetup } from './helpers.js';

let db: Db;
let s: Awaited<ReturnType<typeof queueSetup>>;
let admin: LoggedIn;
let analyst: LoggedIn;
let liaison: LoggedIn;

const page = async (who: LoggedIn, path: string) => {
  const res = await s.app.request(path, { headers: who.headers({ accept: 'text/html' }) });
  return { status: res.status, html: await res.text(), res };
};

beforeAll(async () => {
  db = await sqliteDb();
  s = await queueSetup(db);
  await s.report('2026-11-02', {
    code: 'D001',
    kind: 3,
    matter: '施工许可',
    description: '王科长一直拖，电话13812345678',
    contact: '13900001111',
    suggestion: '希望<b>一次性告知</b>，联系张女士',
  });
  await s.report('2026-11-03', { code: 'D001', kind: 3, matter: '施工许可', description: '同一件事，第二个人反映' });
  await s.report('2026-11-30', { code: 'D002', kind: 5, description: '窗口态度冷硬' });
  s.clock.set('2026-12-01T04:00:00Z');
  admin = await loginAs(s.app, s.services, 'admin');
  analyst = await loginAs(s.app, s.services, 'analyst');
  liaison = await loginAs(s.app, s.services, 'liaison', { departmentCode: 'D001' });
});
afterAll(() => db.close());

describe('the office’s verification pages', () => {
  it('lists the queue with the overdue reports marked, and filters by a plain form', async () => {
    const { status, html } = await page(admin, '/admin/campaigns/test-2026/negatives');
    expect(status).toBe(200);
    expect(html).toContain('待核实 3 条');
    expect(html).toContain('（其中逾期 2 条）');
    expect(html.match(/class="card report overdue"/g)).toHaveLength(2);
    expect(html).toContain('已逾期 11 个工作日（期限 2026-11-16）');
    const filtered = await page(admin, '/admin/campaigns/test-2026/negatives?department=D002&kind=&state=&q=');
    expect(filtered.status).toBe(200);
    expect(filtered.html).toContain('测试部门2 ·');
    expect(filtered.html).not.toContain('测试部门1 ·');
    expect(filtered.html).not.toContain('class="card report overdue"');
    const bad = await page(admin, '/admin/campaigns/test-2026/negatives?kind=99');
    expect(bad.status).toBe(422);
    expect(bad.html).toContain('不是有效的负面情形编号');
  });

  it('shows one report: the original with findings marked, the contact, and the text for the department', async () => {
    const id = await s.idOf('王科长一直拖，电话13812345678');
    const { status, html } = await page(admin, `/admin/campaigns/test-2026/negatives/${id}`);
    expect(status).toBe(200);
    expect(html).toContain('<mark class="finding" title="手机号">13812345678</mark>');
    expect(html).toContain('13900001111');
    expect(html).toContain('某科长一直拖，电话〔手机号已隐去〕');
    expect(html).toContain('合并同一事项的其他反映');
  });

  it('redacts by hand, merges, verifies and refuses a decision without a reason, all by plain forms', async () => {
    const id = await s.idOf('王科长一直拖，电话13812345678');
    const duplicate = await s.idOf('同一件事，第二个人反映');
    const base = `/admin/campaigns/test-2026/negatives/${id}`;
    const redacted = (
      await postForm(s.app, `${base}/redaction`, admin, { matter: '某项审批', description: '工作人员一直拖' })
    ).res;
    expect(redacted.status).toBe(303);
    expect(redacted.headers.get('location')).toBe(`${base}?done=redaction`);
    const merged = (await postForm(s.app, `${base}/merge`, admin, { duplicates: duplicate, reason: '同一件施工许可' }))
      .res;
    expect(merged.status).toBe(303);
    const refused = await postForm(s.app, `${base}/verify`, admin, { reason: '  ' });
    expect(refused.res.status).toBe(422);
    expect(refused.body).toContain('请填写理由');
    const verified = (await postForm(s.app, `${base}/verify`, admin, { reason: '电话核实属实' })).res;
    expect(verified.status).toBe(303);
    const after = await page(admin, `${base}?done=verify`);
    expect(after.html).toContain('已核实：扣分已计入实时结果');
    expect(after.html).toContain('已合并到本条的反映（1）');
    expect(after.html).toContain('电话核实属实');
    expect(after.html).not.toContain(`action="${base}/dismiss"`);
    const report = await s.services.negatives.report('test-2026', id);
    expect(report).toMatchObject({
      status: 'verified',
      redacted: { matter: '某项审批', description: '工作人员一直拖' },
    });
  });

  it('shows the suggestions with their redacted text, searched and escaped, with export links', async () => {
    const { status, html } = await page(admin, '/admin/campaigns/test-2026/suggestions?q=一次性');
    expect(status).toBe(200);
    expect(html).toContain('希望&lt;b&gt;一次性告知&lt;/b&gt;，联系张女士');
    expect(html).toContain('联系某女士');
    expect(html).toContain('/api/campaigns/test-2026/suggestions/export.xlsx?q=');
    expect(html).not.toContain('<b>一次性');
  });

  it('is the office’s only: analysts and liaisons get the 403 page, and a form post changes nothing', async () => {
    const id = await s.idOf('窗口态度冷硬');
    for (const who of [analyst, liaison]) {
      for (const path of [
        '/admin/campaigns/test-2026/negatives',
        `/admin/campaigns/test-2026/negatives/${id}`,
        '/admin/campaigns/test-2026/suggestions',
      ]) {
        const { status, html } = await page(who, path);
        expect(status, `${who.username} ${path}`).toBe(403);
        expect(html).not.toContain('窗口态度冷硬');
      }
      const res = (await postForm(s.app, `/admin/campaigns/test-2026/negatives/${id}/dismiss`, who, { reason: '越权' }))
        .res;
      expect(res.status).toBe(403);
    }
    expect((await s.services.negatives.report('test-2026', id)).status).toBe('pending');
  });
});

describe('how long ago a report came in', () => {
  it('says 今天 for a report of today and N 天前 otherwise, on the queue and the report', async () => {
    await s.report('2026-12-01', { code: 'D002', kind: 5, description: '今天刚反映的情况' });
    const queue = (await page(admin, '/admin/campaigns/test-2026/negatives')).html;
    expect(queue).toContain('2026-12-01 反映（今天）');
    expect(queue).toContain('2026-11-30 反映（1 天前）');
    expect(queue).not.toContain('0 天前');
    const id = await s.idOf('今天刚反映的情况');
    expect((await page(admin, `/admin/campaigns/test-2026/negatives/${id}`)).html).toContain('2026-12-01（今天）');
  });
});
