/**
 * The liaison's portal at /my as a browser without scripts uses it: plain pages and forms, the
 * CSRF token in a form field, refusals shown on the page with what was typed, only the liaison's
 * own department, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { noticeTables } from '../notices/helpers.js';
import { insertNotification, page, PDF, portalSetup, postFiles, postForm, type PortalSetup } from './helpers.js';

let db: Db;
let s: PortalSetup;
let mine: ReturnType<PortalSetup['sheet']>;
let theirs: ReturnType<PortalSetup['sheet']>;

beforeAll(async () => {
  db = await sqliteDb();
  s = await portalSetup(db);
  mine = s.sheet('D001');
  theirs = s.sheet('D002');
}, 60_000);
afterAll(() => db.close());

/** The page without its header, for what the page itself says. */
const main = (body: string) => /<main[^>]*>([\s\S]*)<\/main>/.exec(body)?.[1] ?? '';
const decoded = (html: string) =>
  html
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');

describe("the portal's home: the department's sheets and open items, counted down in working days", () => {
  it('lists only their own issued sheet and items, each with its state and working days left, and no script', async () => {
    const { res, body } = await page(s.app, '/my', s.people.liaison);
    expect(res.status).toBe(200);
    expect(body).not.toContain('<script');
    const text = main(body);
    expect(text).toContain('需要办理（2 项）');
    expect(text).toContain('评议提示〔2026〕第001号');
    expect(text.match(/已挂号/g)).toHaveLength(2);
    // issued Tuesday: signed for by the end of Thursday
    expect(text).toContain('还剩 2 个工作日');
    expect(text).toContain('2027-01-07（星期四）');
    for (const item of mine.items) expect(text).toContain(`/my/items/${item.id}`);
    for (const other of [theirs, s.sheet('D003')]) {
      expect(text).not.toContain(other.id);
      expect(text).not.toContain(other.serialText);
      for (const item of other.items) expect(text).not.toContain(item.id);
    }
  });

  it("shows the department's notifications, and no other department's", async () => {
    await insertNotification(db, 'D001', { level: 'orange', title: '催办：请尽快反馈', body: '事项 001-01 已逾期。' });
    await insertNotification(db, 'D002', { level: 'red', title: '督办：另一个部门', body: '不应出现' });
    const text = main((await page(s.app, '/my', s.people.liaison)).body);
    expect(text).toContain('催办：请尽快反馈');
    expect(text).toContain('事项 001-01 已逾期。');
    expect(text).not.toContain('督办：另一个部门');
    expect(main((await page(s.app, '/my', s.people.other)).body)).not.toContain('催办：请尽快反馈');
  });

  it('is for liaisons only: the office gets a 403 page, no session goes to the login page', async () => {
    expect((await page(s.app, '/my', s.people.office)).res.status).toBe(403);
    const anonymous = await page(s.app, '/my');
    expect(anonymous.res.status).toBe(303);
    expect(anonymous.res.headers.get('location')).toBe('/login?next=%2Fmy');
  });
});

describe('another department’s sheets and items', () => {
  it('are refused (403) or unknown (404) on every page and form, changing nothing', async () => {
    const before = await noticeTables(db);
    const [item] = theirs.items;
    const draft = s.sheet('D003');
    // the tag of the report behind their item, in its text
    const tag = /D002-\w+-0/.exec(item.evidence)![0];
    for (const [path, status] of [
      [`/my/sheets/${theirs.id}`, 403],
      [`/my/items/${item.id}`, 403],
      [`/my/items/${item.id}/plan`, 403],
      [`/my/items/${item.id}/respond`, 403],
      [`/my/items/${item.id}/evidence/any`, 403],
      [`/my/sheets/${draft.id}`, 403],
      ['/my/sheets/no-such-sheet', 404],
      ['/my/items/no-such-item', 404],
    ] as const) {
      const { res, body } = await page(s.app, path, s.people.liaison);
      expect(res.status, path).toBe(status);
      expect(body, path).not.toContain(tag);
    }
    for (const [path, fields] of [
      [`/my/sheets/${theirs.id}/acknowledge`, {}],
      [`/my/items/${item.id}/plan`, { measures: '改', responsible: '张三', date: '2027-02-01' }],
      [`/my/items/${item.id}/appeal`, { reason: '不是我们的' }],
      [`/my/items/${item.id}/extension`, { days: '30', reason: '来不及' }],
    ] as const) {
      const { res } = await postForm(s.app, path, s.people.liaison, fields);
      expect(res.status, path).toBe(403);
    }
    const respond = await postFiles(s.app, `/my/items/${item.id}/respond`, s.people.liaison, { text: '已整改' }, [
      { name: 'a.pdf', bytes: PDF },
    ]);
    expect(respond.res.status).toBe(403);
    expect(await noticeTables(db)).toEqual(before);
  });
});

describe('signing for a sheet (签收), once', () => {
  it('refuses a form without the CSRF token, changing nothing', async () => {
    const before = await noticeTables(db);
    const { res } = await postForm(s.app, `/my/sheets/${mine.id}/acknowledge`, s.people.liaison, {}, { csrf: false });
    expect(res.status).toBe(403);
    expect(await noticeTables(db)).toEqual(before);
  });

  it('signs for every item with a plain form, then says so; a second time shows the refusal on the sheet page', async () => {
    const first = await postForm(s.app, `/my/sheets/${mine.id}/acknowledge`, s.people.liaison, {});
    expect(first.res.status).toBe(303);
    expect(first.res.headers.get('location')).toBe(`/my/sheets/${mine.id}?done=acknowledge`);
    const after = main((await page(s.app, first.res.headers.get('location')!, s.people.liaison)).body);
    expect(after).toContain('已签收。请逐项提交整改方案。');
    expect(after.match(/已签收/g)?.length).toBeGreaterThanOrEqual(3);
    expect(after).not.toContain('/acknowledge');
    // the sheet as the official .docx, from the notices API
    const docx = /href="(\/api\/my\/notices\/[^"]+\/docx)"/.exec(after)?.[1];
    const file = await s.app.request(docx!, { headers: { cookie: s.people.liaison.cookie } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('wordprocessingml');
    expect(after).toContain(`href="/my/notices/${mine.id}/print"`);
    expect((await page(s.app, `/my/notices/${mine.id}/print`, s.people.liaison)).res.status).toBe(200);

    const before = await noticeTables(db);
    const again = await postForm(s.app, `/my/sheets/${mine.id}/acknowledge`, s.people.liaison, {});
    expect(again.res.status).toBe(409);
    expect(main(again.body)).toContain('该工作提示单已经签收过了，不需要再次签收');
    expect(await noticeTables(db)).toEqual(before);
  });
});

describe('the rectification plan', () => {
  it('keeps what was typed when a field is missing, and names it', async () => {
    const id = mine.items[0].id;
    const before = await noticeTables(db);
    const { res, body } = await postForm(s.app, `/my/items/${id}/plan`, s.people.liaison, {
      measures: '一、建立限时办结台账 <b>逐件</b> 销号',
      responsible: '',
      date: '2027-01-20',
    });
    expect(res.status).toBe(422);
    const form = main(body);
    expect(form).toContain('请填写责任人');
    expect(form).toContain('一、建立限时办结台账 &lt;b&gt;逐件&lt;/b&gt; 销号');
    expect(form).toContain('value="2027-01-20"');
    expect(await noticeTables(db)).toEqual(before);
  });

  it('refuses text that cannot be stored (a NUL character), naming the field', async () => {
    const { res, body } = await postForm(s.app, `/my/items/${mine.items[0].id}/plan`, s.people.liaison, {
      measures: '建立台账\u0000',
      responsible: '王科长',
      date: '2027-01-20',
    });
    expect(res.status).toBe(422);
    expect(main(body)).toContain('整改措施不能包含空字符');
  });

  it("refuses a completion date before today (the campaign's day), keeping what was typed", async () => {
    const id = mine.items[0].id;
    const before = await noticeTables(db);
    const form = await page(s.app, `/my/items/${id}/plan`, s.people.liaison);
    expect(main(form.body)).toContain('min="2027-01-05"');
    expect(main(form.body)).toContain('反馈期限为 2027-01-26（星期二）');
    const { res, body } = await postForm(s.app, `/my/items/${id}/plan`, s.people.liaison, {
      measures: '建立限时办结台账',
      responsible: '王科长',
      date: '2027-01-04',
    });
    expect(res.status).toBe(422);
    expect(main(body)).toContain('计划完成日期不能早于今天（2027-01-05）');
    expect(main(body)).toContain('建立限时办结台账');
    expect(await noticeTables(db)).toEqual(before);
  });

  it('is filed, and the item page shows it with the response deadline counting down', async () => {
    const id = mine.items[0].id;
    const { res } = await postForm(s.app, `/my/items/${id}/plan`, s.people.liaison, {
      measures: '建立限时办结台账，逐件销号',
      responsible: '王科长',
      date: '2027-01-20',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/my/items/${id}?done=plan`);
    const text = main((await page(s.app, `/my/items/${id}?done=plan`, s.people.liaison)).body);
    expect(text).toContain('整改方案已提交');
    expect(text).toContain('整改中');
    expect(text).toContain('王科长');
    // the response is due 15 working days after issue: 26 January, 15 left on the day of issue
    expect(text).toContain('还剩 15 个工作日');
    expect(text).toContain(`href="/my/items/${id}/respond"`);
    expect(text).toContain('修改整改方案');
    expect(text).not.toContain('晚于反馈期限');
  });

  it('takes a date after the response deadline and warns of it beside the date', async () => {
    const id = mine.items[0].id;
    const plan = { measures: '建立限时办结台账，逐件销号', responsible: '王科长' };
    const late = await postForm(s.app, `/my/items/${id}/plan`, s.people.liaison, { ...plan, date: '2027-03-01' });
    expect(late.res.status).toBe(303);
    const text = main((await page(s.app, `/my/items/${id}`, s.people.liaison)).body);
    expect(text).toContain('2027-03-01');
    expect(text).toContain('晚于反馈期限 2027-01-26（星期二）：请按期反馈整改情况，或在期限前申请延期。');
  });
});

describe('the response with evidence files', () => {
  it('refuses a file that is not a document or an image by its content, keeping the text and storing nothing', async () => {
    const id = mine.items[0].id;
    const before = await noticeTables(db);
    const { res, body } = await postFiles(s.app, `/my/items/${id}/respond`, s.people.liaison, { text: '已全部办结' }, [
      { name: '照片.pdf', bytes: new TextEncoder().encode('MZ this is a program') },
    ]);
    expect(res.status).toBe(415);
    const form = decoded(main(body));
    expect(form).toContain('文件“照片.pdf”不是 PDF、图片');
    expect(form).toContain('已全部办结');
    expect(form).toContain('请重新选择');
    expect(await noticeTables(db)).toEqual(before);
  });

  it('refuses a response without text, naming it', async () => {
    const { res, body } = await postFiles(s.app, `/my/items/${mine.items[0].id}/respond`, s.people.liaison, {}, []);
    expect(res.status).toBe(422);
    expect(main(body)).toContain('请填写整改情况说明');
  });

  it('stores the text and files with the token in a multipart field; the file downloads as uploaded', async () => {
    const id = mine.items[0].id;
    const { res } = await postFiles(
      s.app,
      `/my/items/${id}/respond`,
      s.people.liaison,
      { text: '已建立台账，3 件积压件全部办结' },
      [{ name: '整改报告.pdf', bytes: PDF }],
    );
    expect(res.status).toBe(303);
    const text = main((await page(s.app, `/my/items/${id}?done=respond`, s.people.liaison)).body);
    expect(text).toContain('整改情况已反馈，等待评议办核验。');
    expect(text).toContain('核验中');
    expect(text).toContain('已建立台账，3 件积压件全部办结');
    const link = /href="(\/my\/items\/[^"]+\/evidence\/[^"]+)"/.exec(text)?.[1];
    expect(link).toBeDefined();
    const file = await s.app.request(link!, { headers: { cookie: s.people.liaison.cookie } });
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toContain(encodeURIComponent('整改报告.pdf'));
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF);
    // the other department cannot fetch it by its address
    expect((await s.app.request(link!, { headers: { cookie: s.people.other.cookie } })).status).toBe(403);
  });

  it('lists every step in the history: who, when, what', async () => {
    const text = main((await page(s.app, `/my/items/${mine.items[0].id}`, s.people.liaison)).body);
    const history = /<ol class="history">([\s\S]*?)<\/ol>/.exec(text)?.[1] ?? '';
    const steps = [...history.matchAll(/<strong>([^<]+)<\/strong> ([^<（]+)/g)].map((m) => [m[1], m[2].trim()]);
    expect(steps).toEqual([
      ['office-wang', '登记事项'],
      ['office-wang', '印发'],
      ['liaison-d001', '签收'],
      ['liaison-d001', '提交整改方案'],
      // the revision to a date after the deadline
      ['liaison-d001', '提交整改方案'],
      ['liaison-d001', '反馈整改情况'],
    ]);
    expect(history).toContain('2027-01-05 16:00');
    expect(history).toContain('证明材料：整改报告.pdf');
  });

  it('offers nothing more to do while the office verifies, and says so if asked', async () => {
    const id = mine.items[0].id;
    const text = main((await page(s.app, `/my/items/${id}`, s.people.liaison)).body);
    expect(text).toContain('已反馈，等待评议办核验');
    expect(text).not.toContain(`/my/items/${id}/respond"`);
    const { res, body } = await page(s.app, `/my/items/${id}/respond`, s.people.liaison);
    expect(res.status).toBe(409);
    expect(main(body)).toContain('该事项目前不能反馈整改情况');
  });
});

describe('asking for more time (延期)', () => {
  it('offers 30 and 60 working days with the day each ends, refuses another length keeping the reason', async () => {
    const id = mine.items[1].id;
    const screen = main((await page(s.app, `/my/items/${id}/extension`, s.people.liaison)).body);
    expect(screen).toContain('印发后 30 个工作日');
    expect(screen).toContain('印发后 60 个工作日');
    const { res, body } = await postForm(s.app, `/my/items/${id}/extension`, s.people.liaison, {
      days: '45',
      reason: '涉及跨部门协调',
    });
    expect(res.status).toBe(422);
    expect(main(body)).toContain('请选择延期到多少个工作日');
    expect(main(body)).toContain('涉及跨部门协调');
  });

  it('is asked for once, and shows as waiting for approval', async () => {
    const id = mine.items[1].id;
    const { res } = await postForm(s.app, `/my/items/${id}/extension`, s.people.liaison, {
      days: '30',
      reason: '涉及跨部门协调',
    });
    expect(res.status).toBe(303);
    const text = main((await page(s.app, `/my/items/${id}?done=extension`, s.people.liaison)).body);
    expect(text).toContain('延期申请已提交');
    expect(text).toContain('申请延至印发后 30 个工作日，待评议办审批');
    expect(text).not.toContain(`/my/items/${id}/extension"`);
    const again = await postForm(s.app, `/my/items/${id}/extension`, s.people.liaison, { days: '60', reason: '再延' });
    expect(again.res.status).toBe(409);
    expect(main(again.body)).toContain('已有一项延期申请待审批');
    expect(main(again.body)).toContain('再延');
  });
});

describe('appealing (申诉) within the window', () => {
  it('is accepted within 5 working days of issue, once', async () => {
    const id = mine.items[1].id;
    expect(main((await page(s.app, `/my/items/${id}/appeal`, s.people.liaison)).body)).toContain(
      '2027-01-12（星期二）',
    );
    const { res } = await postForm(s.app, `/my/items/${id}/appeal`, s.people.liaison, {
      reason: '该件系申请人材料不全，已一次性告知',
    });
    expect(res.status).toBe(303);
    const text = main((await page(s.app, `/my/items/${id}`, s.people.liaison)).body);
    expect(text).toContain('申诉中');
    expect(text).toContain('该件系申请人材料不全，已一次性告知');
  });

  it('is refused after the window with the service’s message, keeping the reason; overdue deadlines say by how much', async () => {
    const [item] = theirs.items;
    await postForm(s.app, `/my/sheets/${theirs.id}/acknowledge`, s.people.other, {});
    // Friday 15 January: 8 working days after issue, the plan (due 12 January) 3 working days late
    s.clock.set('2027-01-15T02:00:00Z');
    try {
      // sessions last 12 hours: a new day, a new sign-in
      const other = await loginAs(s.app, s.services, 'liaison', { departmentCode: 'D002' });
      const text = main((await page(s.app, `/my/items/${item.id}`, other)).body);
      expect(text).toContain('已逾期 3 个工作日');
      expect(text).not.toContain(`/my/items/${item.id}/appeal"`);
      const before = await noticeTables(db);
      const { res, body } = await postForm(s.app, `/my/items/${item.id}/appeal`, other, {
        reason: '我们有异议',
      });
      expect(res.status).toBe(409);
      expect(main(body)).toContain('申诉须在印发后 5 个工作日内提出');
      expect(main(body)).toContain('我们有异议');
      expect(await noticeTables(db)).toEqual(before);
    } finally {
      s.clock.set('2027-01-05T08:00:00Z');
    }
  });
});

describe('hostile forms', () => {
  it('answers a broken multipart body with a 4xx page, not a 500', async () => {
    const res = await s.app.request(`/my/items/${mine.items[1].id}/respond`, {
      method: 'POST',
      headers: {
        cookie: s.people.liaison.cookie,
        accept: 'text/html',
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': '20',
      },
      body: 'not multipart at all',
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
  });

  it('refuses a body over the upload limit with a readable 413 page', async () => {
    const big = new Uint8Array(21 * 1024 * 1024);
    big.set(PDF);
    const { res, body } = await postFiles(s.app, `/my/items/${mine.items[1].id}/respond`, s.people.liaison, {}, [
      { name: 'big.pdf', bytes: big },
    ]);
    expect(res.status).toBe(413);
    expect(body).toContain('上传的内容合计超过 20 MB');
  });
});
