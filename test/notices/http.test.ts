import type {
  ErrorBody,
  NoticeItemDetail,
  NoticeItemView,
  NoticeSheetList,
  NoticeSheetView,
} from '../../server/contracts.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { docxParagraphs } from '../helpers/zip.js';
import { noticeTables, office, publishedSetup } from './helpers.js';

const PDF = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');

describe('notices over HTTP', () => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof publishedSetup>>;
  let officeA: LoggedIn;
  let officeB: LoggedIn;
  let analyst: LoggedIn;
  let liaison: LoggedIn;
  let otherLiaison: LoggedIn;
  let sheet: NoticeSheetView;

  const call = async (who: LoggedIn | null, method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method, headers: who ? who.headers() : {} };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...init.headers, 'content-type': 'application/json' };
    }
    return ctx.app.request(path, init);
  };
  const json = async <T>(res: Response, status = 200): Promise<T> => {
    const text = await res.text();
    expect(res.status, text).toBe(status);
    return JSON.parse(text) as T;
  };
  /** A refusal: the status, the code, a Chinese message, and no row of any notice table changed. */
  const refused = async (run: () => Response | Promise<Response>, status: number, code: string) => {
    const before = await noticeTables(db);
    const body = await json<ErrorBody>(await run(), status);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/[\u4e00-\u9fff]/);
    expect(await noticeTables(db)).toEqual(before);
    return body.error.message;
  };

  beforeAll(async () => {
    db = await sqliteDb();
    ctx = await publishedSetup(db);
    officeA = await loginAs(ctx.app, ctx.services, 'admin', { username: 'office-a' });
    officeB = await loginAs(ctx.app, ctx.services, 'admin', { username: 'office-b' });
    analyst = await loginAs(ctx.app, ctx.services, 'analyst');
    liaison = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D002' });
    otherLiaison = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D001' });
  });
  afterAll(() => db.close());

  it('lists the campaign’s sheets for the office only', async () => {
    const { sheets } = await json<NoticeSheetList>(await call(officeA, 'GET', '/api/campaigns/test-2026/notices'));
    expect(sheets.map((s) => [s.serialText, s.departmentCode, s.state, s.items.length])).toEqual([
      ['评议提示〔2026〕第001号', 'D005', 'draft', 3],
      ['评议提示〔2026〕第002号', 'D004', 'draft', 1],
      ['评议提示〔2026〕第003号', 'D002', 'draft', 2],
    ]);
    sheet = sheets[2];
    expect((await call(null, 'GET', '/api/campaigns/test-2026/notices')).status).toBe(401);
    expect((await call(analyst, 'GET', '/api/campaigns/test-2026/notices')).status).toBe(403);
    expect((await call(liaison, 'GET', `/api/items/${sheet.items[0].id}`)).status).toBe(403);
  });

  it('drafts again without duplicating anything', async () => {
    const outcome = await json<{ sheetsCreated: number; itemsCreated: number }>(
      await call(officeA, 'POST', '/api/campaigns/test-2026/notices/draft'),
    );
    expect(outcome).toMatchObject({ sheetsCreated: 0, itemsCreated: 0 });
  });

  it('lets the office edit a draft item’s requirement and response period, checking the body', async () => {
    const item = await json<NoticeItemView>(
      await call(officeA, 'PATCH', `/api/items/${sheet.items[0].id}`, { requirement: '限期整改', respondDays: 20 }),
    );
    expect(item).toMatchObject({ respondDays: 20, stateLabel: '草拟' });
    await refused(
      () => call(officeA, 'PATCH', `/api/items/${sheet.items[0].id}`, { respondDays: 90 }),
      422,
      'VALIDATION_FAILED',
    );
    await refused(
      () => call(officeA, 'PATCH', `/api/items/${sheet.items[0].id}`, { colour: 'red' }),
      422,
      'VALIDATION_FAILED',
    );
    await refused(
      () =>
        ctx.app.request(`/api/items/${sheet.items[0].id}`, {
          method: 'PATCH',
          headers: { ...officeA.headers(), 'content-type': 'application/json' },
          body: '{not json',
        }),
      400,
      'BAD_REQUEST',
    );
  });

  it('keeps drafts from the department: its liaison sees nothing until the sheet is issued', async () => {
    const { sheets } = await json<NoticeSheetList>(await call(liaison, 'GET', '/api/my/notices'));
    expect(sheets).toEqual([]);
    await refused(() => call(liaison, 'GET', `/api/my/notices/${sheet.id}`), 404, 'NOT_FOUND');
  });

  it('issues the sheet once; issuing again is a conflict', async () => {
    const issued = await json<NoticeSheetView>(
      await call(officeA, 'POST', `/api/campaigns/test-2026/notices/${sheet.id}/issue`),
    );
    expect(issued.items.map((i) => [i.number, i.state])).toEqual([
      ['003-01', 'registered'],
      ['003-02', 'registered'],
    ]);
    const message = await refused(
      () => call(officeA, 'POST', `/api/campaigns/test-2026/notices/${sheet.id}/issue`),
      409,
      'CONFLICT',
    );
    expect(message).toBe('该工作提示单已经印发');
  });

  it('serves the issued sheet as a .docx to the office and to the department', async () => {
    for (const [who, path] of [
      [officeA, `/api/campaigns/test-2026/notices/${sheet.id}/docx`],
      [liaison, `/api/my/notices/${sheet.id}/docx`],
    ] as const) {
      const res = await call(who, 'GET', path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      );
      expect(decodeURIComponent(res.headers.get('content-disposition') ?? '')).toContain('评议提示〔2026〕第003号');
      expect(docxParagraphs(new Uint8Array(await res.arrayBuffer()))).toContain('测试部门2：');
    }
  });

  it('keeps every liaison to their own department: 403 with a clear message, nothing changed', async () => {
    const message = await refused(() => call(otherLiaison, 'GET', `/api/my/notices/${sheet.id}`), 403, 'FORBIDDEN');
    expect(message).toContain('不是您所在部门');
    await refused(() => call(otherLiaison, 'POST', `/api/my/notices/${sheet.id}/acknowledge`), 403, 'FORBIDDEN');
    await refused(() => call(otherLiaison, 'GET', `/api/my/items/${sheet.items[0].id}`), 403, 'FORBIDDEN');
    await refused(
      () => call(otherLiaison, 'POST', `/api/my/items/${sheet.items[0].id}/appeal`, { reason: '不是我们的' }),
      403,
      'FORBIDDEN',
    );
    await refused(() => call(officeA, 'GET', '/api/my/notices'), 403, 'FORBIDDEN');
  });

  it('lets the liaison sign for the sheet once', async () => {
    const signed = await json<NoticeSheetView>(await call(liaison, 'POST', `/api/my/notices/${sheet.id}/acknowledge`));
    expect(signed.items.every((i) => i.state === 'acknowledged')).toBe(true);
    const message = await refused(
      () => call(liaison, 'POST', `/api/my/notices/${sheet.id}/acknowledge`),
      409,
      'CONFLICT',
    );
    expect(message).toContain('已经签收过了');
    await refused(() => call(liaison, 'POST', `/api/my/items/${sheet.items[0].id}/acknowledge`), 409, 'CONFLICT');
  });

  it('takes a plan, checking every field', async () => {
    const path = `/api/my/items/${sheet.items[0].id}/plan`;
    await refused(
      () => call(liaison, 'POST', path, { measures: '整改', responsible: '陈科长', date: '下个月' }),
      422,
      'VALIDATION_FAILED',
    );
    await refused(
      () => call(liaison, 'POST', path, { measures: '', responsible: '陈科长', date: '2027-01-20' }),
      422,
      'VALIDATION_FAILED',
    );
    const planned = await json<NoticeItemView>(
      await call(liaison, 'POST', path, { measures: '建立限时办结台账', responsible: '陈科长', date: '2027-01-20' }),
    );
    expect(planned.state).toBe('rectifying');
  });

  it('takes a response with evidence files checked by content, and serves them back', async () => {
    const path = `/api/my/items/${sheet.items[0].id}/respond`;
    const bad = new FormData();
    bad.set('text', '已整改');
    bad.append('files', new File([Buffer.from('MZ\x90\x00')], '整改报告.pdf', { type: 'application/pdf' }));
    await refused(() => call(liaison, 'POST', path, bad), 415, 'UNSUPPORTED_MEDIA_TYPE');
    const form = new FormData();
    form.set('text', '已约谈经办人并办结');
    form.append('files', new File([PDF], '整改报告.pdf', { type: 'application/octet-stream' }));
    const responded = await json<NoticeItemDetail>(await call(liaison, 'POST', path, form));
    expect(responded.state).toBe('verifying');
    const [file] = responded.files;
    expect(file.mediaType).toBe('application/pdf');
    expect(responded.history.at(-1)).toMatchObject({ action: 'respond', evidence: [file.sha256] });
    for (const [who, prefix] of [
      [officeA, '/api'],
      [liaison, '/api/my'],
    ] as const) {
      const res = await call(who, 'GET', `${prefix}/items/${sheet.items[0].id}/evidence/${file.id}`);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await res.arrayBuffer())).toEqual(PDF);
    }
    await refused(
      () => call(otherLiaison, 'GET', `/api/my/items/${sheet.items[0].id}/evidence/${file.id}`),
      403,
      'FORBIDDEN',
    );
  });

  it('closes an item only by someone other than whoever entered the response', async () => {
    const second = sheet.items[1].id;
    await json(
      await call(liaison, 'POST', `/api/my/items/${second}/plan`, {
        measures: '复核',
        responsible: '陈科长',
        date: '2027-01-20',
      }),
    );
    // a reply on paper: office A enters it for the department
    await json(await call(officeA, 'POST', `/api/items/${second}/respond`, { text: '书面报告已收到并录入' }));
    const message = await refused(() => call(officeA, 'POST', `/api/items/${second}/close`, {}), 403, 'FORBIDDEN');
    expect(message).toContain('另一位评议办人员');
    const closed = await json<NoticeItemView>(
      await call(officeB, 'POST', `/api/items/${second}/close`, { reason: '材料齐全' }),
    );
    expect(closed.stateLabel).toBe('已销号');
  });

  it('returns a response with a reason and a new deadline', async () => {
    const first = sheet.items[0].id;
    await refused(() => call(officeA, 'POST', `/api/items/${first}/return`, {}), 422, 'VALIDATION_FAILED');
    const returned = await json<NoticeItemView>(
      await call(officeA, 'POST', `/api/items/${first}/return`, { reason: '缺少办结凭证' }),
    );
    expect(returned.state).toBe('rectifying');
  });

  it('takes an extension request before the due date and lets the office decide it', async () => {
    const first = sheet.items[0].id;
    await refused(
      () => call(liaison, 'POST', `/api/my/items/${first}/extension`, { days: 45, reason: '协调' }),
      422,
      'VALIDATION_FAILED',
    );
    const asked = await json<NoticeItemView>(
      await call(liaison, 'POST', `/api/my/items/${first}/extension`, { days: 30, reason: '涉及多部门协调' }),
    );
    expect(asked.extensionPendingDays).toBe(30);
    await refused(
      () => call(liaison, 'POST', `/api/my/items/${first}/extension`, { days: 60, reason: '再延' }),
      409,
      'CONFLICT',
    );
    await refused(() => call(liaison, 'POST', `/api/items/${first}/extension`, { approve: true }), 403, 'FORBIDDEN');
    const decided = await json<NoticeItemView>(
      await call(officeB, 'POST', `/api/items/${first}/extension`, { approve: true }),
    );
    expect(decided.extensionGrantedDays).toBe(30);
  });

  it('takes an appeal within the window and lets the office decide it', async () => {
    const d004 = (await ctx.services.notices.sheets('test-2026')).find((s) => s.departmentCode === 'D004')!;
    await ctx.services.notices.issueSheet('test-2026', d004.id, office);
    const d004Liaison = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D004' });
    const item = d004.items[0].id;
    const appealed = await json<NoticeItemView>(
      await call(d004Liaison, 'POST', `/api/my/items/${item}/appeal`, { reason: '样本集中于个别项目，不具代表性' }),
    );
    expect(appealed.stateLabel).toBe('申诉中');
    await refused(
      () => call(officeA, 'POST', `/api/items/${item}/appeal`, { uphold: false }),
      422,
      'VALIDATION_FAILED',
    );
    const decided = await json<NoticeItemView>(
      await call(officeA, 'POST', `/api/items/${item}/appeal`, { uphold: false, reason: '结果依规计算' }),
    );
    expect(decided.state).toBe('rectifying');
  });

  it('answers 404 for an unknown sheet or item', async () => {
    await refused(() => call(officeA, 'GET', '/api/campaigns/test-2026/notices/nope'), 404, 'NOT_FOUND');
    await refused(() => call(officeA, 'POST', '/api/items/nope/close', {}), 404, 'NOT_FOUND');
    await refused(() => call(liaison, 'GET', '/api/my/items/nope'), 404, 'NOT_FOUND');
  });

  it('shows each sheet as a web page and all issued sheets as one print page, a sheet to an article', async () => {
    const page = async (who: LoggedIn, path: string, status = 200) => {
      const res = await ctx.app.request(path, { headers: who.headers({ accept: 'text/html' }) });
      const html = await res.text();
      expect(res.status, html.slice(0, 300)).toBe(status);
      return html;
    };
    const list = await page(officeA, '/admin/campaigns/test-2026/notices');
    expect(list).toContain('评议提示〔2026〕第002号');
    const one = await page(officeA, `/admin/campaigns/test-2026/notices/${sheet.id}`);
    expect(one).toContain('<p class="addressee">测试部门2：</p>');
    expect(one).toContain('<p class="signature date">2027年1月5日</p>');
    expect(one).toContain(`/api/campaigns/test-2026/notices/${sheet.id}/docx`);
    const print = await page(officeA, '/admin/campaigns/test-2026/notices/print');
    // D004 and D002 are issued; D005 is still a draft
    expect(print.match(/<article class="notice"/g)).toHaveLength(2);
    expect(print).not.toContain('site-header');
    expect(await page(liaison, `/my/notices/${sheet.id}/print`)).toContain('测试部门2：');
    await page(otherLiaison, `/my/notices/${sheet.id}/print`, 403);
    const d005 = (await ctx.services.notices.sheets('test-2026')).find((x) => x.departmentCode === 'D005')!;
    const d005Liaison = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D005' });
    await page(d005Liaison, `/my/notices/${d005.id}/print`, 404);
    await page(analyst, '/admin/campaigns/test-2026/notices', 403);
  });
});
