import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/contracts.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { resultsSetup } from '../results/helpers.js';
import { office } from './helpers.js';

const db = await sqliteDb();
const ctx = await resultsSetup(db);
const { app, services } = ctx;
const SLUG = 'test-2026';
const SETTLED = '该评议已结算，不能再更改工作提示单和负面情形（只能查看和导出）';
let admin: LoggedIn;
let liaison: LoggedIn;
let issuedSheet: string;
let draftSheet: string;
let closedItem: string;
let draftItem: string;
let pendingReport: string;

const json = (who: LoggedIn, method: string, path: string, body?: unknown) =>
  app.request(path, {
    method,
    headers: who.headers({ 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const form = (who: LoggedIn, path: string, fields: Record<string, string>) =>
  app.request(path, {
    method: 'POST',
    headers: who.headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }),
    body: new URLSearchParams(fields).toString(),
  });
const page = async (who: LoggedIn, path: string) => {
  const res = await app.request(path, { headers: who.headers({ accept: 'text/html' }) });
  return { status: res.status, html: await res.text() };
};
const refusal = async (res: Response) => ({ status: res.status, error: ((await res.json()) as ErrorBody).error });

beforeAll(async () => {
  await services.results.publish(SLUG, 'office');
  const sheets = await services.notices.sheets(SLUG);
  const d005 = sheets.find((s) => s.departmentCode === 'D005');
  const other = sheets.find((s) => s.departmentCode !== 'D005');
  if (!d005 || !other) throw new Error('the publication drafts sheets for D005 and another department');
  issuedSheet = d005.id;
  draftSheet = other.id;
  draftItem = other.items[0].id;
  await services.notices.issueSheet(SLUG, issuedSheet, office);
  // closed without the department's steps: the notice machine has its own tests
  await db.kysely
    .updateTable('tracked_items')
    .set({ state: 'closed', acknowledged_at: '2027-01-05T08:00:00.000Z' })
    .where('sheet_id', '=', issuedSheet)
    .execute();
  closedItem = d005.items[0].id;
  const { unverifiedNegatives } = await services.campaigns.settlement(SLUG);
  await services.campaigns.settle(SLUG, 'office', { unverified: unverifiedNegatives });
  pendingReport = (await services.negatives.queue(SLUG, { state: 'pending' })).items[0].id;
  admin = await loginAs(app, services, 'admin');
  liaison = await loginAs(app, services, 'liaison', { departmentCode: 'D005' });
});
afterAll(() => db.close());

describe('a settled campaign’s follow-up', () => {
  it('refuses every notice action of the office on the API with 409 in Chinese', async () => {
    const tries: [string, string, unknown, string][] = [
      ['POST', `/api/campaigns/${SLUG}/notices/${draftSheet}/issue`, undefined, '不能印发工作提示单'],
      ['PATCH', `/api/campaigns/${SLUG}/notices/${draftSheet}`, { requirement: '请整改' }, '不能修改工作提示单'],
      ['POST', `/api/campaigns/${SLUG}/notices/draft`, undefined, '不能起草工作提示单'],
      ['PATCH', `/api/items/${draftItem}`, { respondDays: 20 }, '不能修改事项'],
      ['POST', `/api/items/${draftItem}/withdraw`, { reason: '重复' }, '不能撤销'],
      ['POST', `/api/items/${closedItem}/return`, { reason: '材料不全' }, '不能退回'],
      ['POST', `/api/items/${closedItem}/respond`, { text: '已整改' }, '不能反馈整改情况'],
    ];
    for (const [method, path, body, what] of tries) {
      expect(await refusal(await json(admin, method, path, body)), `${method} ${path}`).toMatchObject({
        status: 409,
        error: { code: 'CONFLICT', message: `${what}：${SETTLED}` },
      });
    }
    const sheet = await services.notices.sheet(SLUG, draftSheet);
    expect([sheet.state, sheet.items.every((i) => i.state === 'draft')]).toEqual(['draft', true]);
  });

  it('refuses the department’s signature, appeal and reply on the API', async () => {
    const tries: [string, unknown, string][] = [
      [`/api/my/notices/${issuedSheet}/acknowledge`, undefined, '不能签收'],
      [`/api/my/items/${closedItem}/appeal`, { reason: '不属于本部门职责' }, '不能申诉'],
      [`/api/my/items/${closedItem}/respond`, { text: '已整改' }, '不能反馈整改情况'],
    ];
    for (const [path, body, what] of tries)
      expect(await refusal(await json(liaison, 'POST', path, body)), path).toMatchObject({
        status: 409,
        error: { message: `${what}：${SETTLED}` },
      });
  });

  it('refuses every negative-report decision on the API, and nothing changes', async () => {
    const base = `/api/campaigns/${SLUG}/negatives/${pendingReport}`;
    const tries: [string, string, unknown, string][] = [
      ['POST', 'verify', { reason: '属实' }, '不能核实'],
      ['POST', 'dismiss', { reason: '不属实' }, '不能作不予采纳处理'],
      ['PUT', 'redaction', { matter: '施工许可', description: '拖延' }, '不能修改转交文本'],
      ['POST', 'merge', { duplicates: ['x'], reason: '同一事项' }, '不能合并'],
      ['POST', 'unmerge', { reason: '不是同一事项' }, '不能取消合并'],
    ];
    for (const [method, path, body, what] of tries)
      expect(await refusal(await json(admin, method, `${base}/${path}`, body)), path).toMatchObject({
        status: 409,
        error: { message: `${what}：${SETTLED}` },
      });
    expect((await services.negatives.report(SLUG, pendingReport)).status).toBe('pending');
  });

  it('still reads and exports the notices and the reports', async () => {
    expect((await app.request(`/api/campaigns/${SLUG}/notices`, { headers: admin.headers() })).status).toBe(200);
    const docx = await app.request(`/api/campaigns/${SLUG}/notices/${issuedSheet}/docx`, { headers: admin.headers() });
    expect(docx.status).toBe(200);
    expect((await app.request(`/api/my/notices/${issuedSheet}/docx`, { headers: liaison.headers() })).status).toBe(200);
    expect((await app.request(`/api/campaigns/${SLUG}/negatives`, { headers: admin.headers() })).status).toBe(200);
    expect((await page(admin, `/admin/campaigns/${SLUG}/notices/${issuedSheet}/print`)).status).toBe(200);
  });

  it('offers no edit or issue on a draft sheet’s page and says why; a posted form is refused', async () => {
    const list = await page(admin, `/admin/campaigns/${SLUG}/notices`);
    expect(list.html).toContain(`${SETTLED}。`);
    const sheet = await page(admin, `/admin/campaigns/${SLUG}/notices/${draftSheet}`);
    expect(sheet.status).toBe(200);
    expect(sheet.html).toContain(`${SETTLED}。`);
    expect(sheet.html).not.toContain('id="draft-editor"');
    expect(sheet.html).not.toContain('印发工作提示单</button>');
    const posted = await form(admin, `/admin/campaigns/${SLUG}/notices/${draftSheet}/issue`, { confirm: '1' });
    expect(posted.status).toBe(409);
    expect(await posted.text()).toContain(`不能印发工作提示单：${SETTLED}`);
  });

  it('offers no decision on a report’s page and says why, on the queue too; a posted form is refused', async () => {
    const queue = await page(admin, `/admin/campaigns/${SLUG}/negatives`);
    expect(queue.html).toContain(`${SETTLED}。`);
    const report = await page(admin, `/admin/campaigns/${SLUG}/negatives/${pendingReport}`);
    expect(report.status).toBe(200);
    expect(report.html).toContain(`${SETTLED}。`);
    for (const action of ['verify', 'dismiss', 'redaction', 'merge', 'unmerge'])
      expect(report.html).not.toContain(`${pendingReport}/${action}"`);
    const posted = await form(admin, `/admin/campaigns/${SLUG}/negatives/${pendingReport}/verify`, { reason: '属实' });
    expect(posted.status).toBe(409);
    expect(await posted.text()).toContain(`不能核实：${SETTLED}`);
  });

  it('refuses a correction, an import of responses and the campaign’s own steps with 409 in Chinese', async () => {
    const campaign = await services.campaigns.getBySlug(SLUG);
    const refusals = await Promise.all(
      [
        () => services.results.publish(SLUG, 'office'),
        () => services.responses.importJsonl(campaign, '{}'),
        () => services.campaigns.settle(SLUG, 'office'),
        () => services.campaigns.open(SLUG, 'office'),
        () => services.campaigns.close(SLUG, 'office'),
        () => services.campaigns.pause(SLUG, 'office'),
        () => services.campaigns.setDates(SLUG, { closesAt: '2027-12-31T00:00:00+08:00' }, 'office'),
      ].map((step) =>
        step().then(
          () => null,
          (error: { code: string; message: string }) => [error.code, error.message],
        ),
      ),
    );
    expect(refusals).toEqual([
      ['CONFLICT', '不能发布结果：评议活动已结算'],
      ['CONFLICT', '不能导入答卷：结果已经发布（已结算），不能再导入答卷'],
      ['CONFLICT', '不能结算：评议活动已经结算'],
      ['CONFLICT', '不能开启：评议活动已截止，不能再开启（当前：已结算）'],
      ['CONFLICT', '不能截止：评议活动已结算'],
      ['CONFLICT', '不能暂停：只有进行中的评议可以暂停（当前：已结算）'],
      ['CONFLICT', '不能修改时间：评议活动已结算，时间不能再改'],
    ]);
    expect(services.campaigns.status(await services.campaigns.getBySlug(SLUG))).toBe('settled');
  });

  it('refuses the CLI’s drafting and decisions with the same reason, exit code 2', async () => {
    const cli = (...argv: string[]) => runCommand(argv, { db, clock: ctx.clock, config: ctx.deps.config });
    const drafted = await cli('notices', 'draft', '--campaign', SLUG);
    expect([drafted.code, drafted.err]).toEqual([2, `错误：不能起草工作提示单：${SETTLED}`]);
    const verified = await cli('negatives', 'verify', '--campaign', SLUG, '--id', pendingReport, '--reason', '属实');
    expect([verified.code, verified.err]).toEqual([2, `错误：不能核实：${SETTLED}`]);
  });
});
