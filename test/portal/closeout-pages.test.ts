/**
 * The office's close-out pages at /admin/closeout, as a browser without scripts uses them: the
 * queue of what waits for the office, an item's response and evidence, 销号 / 退回, extension and
 * appeal decisions; whoever entered a response cannot close it, and the page says why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { actorOfUser } from '../notices/helpers.js';
import type { NoticeActor } from '../../server/notices/service.js';
import { sqliteDb } from '../helpers/db.js';
import { noticeTables } from '../notices/helpers.js';
import { zonesNote } from '../../server/notices/closeout.js';
import { page, PDF, portalSetup, postFiles, postForm, type PortalSetup } from './helpers.js';

let db: Db;
let s: PortalSetup;
/** D001's items: the first answered by the department, the second entered by office-wang from paper */
let answered: string;
let onPaper: string;
/** D002's items: an extension asked for, an appeal lodged */
let extended: string;
let appealed: string;

const main = (body: string) => /<main[^>]*>([\s\S]*)<\/main>/.exec(body)?.[1] ?? '';

beforeAll(async () => {
  db = await sqliteDb();
  s = await portalSetup(db);
  const users = await s.services.accounts.listUsers();
  const actor = (username: string): Promise<NoticeActor> =>
    actorOfUser(s.services, users.find((u) => u.username === username)!);
  const [d001, d002] = [s.sheet('D001'), s.sheet('D002')];
  [answered, onPaper] = d001.items.map((i) => i.id);
  [extended, appealed] = d002.items.map((i) => i.id);
  const liaison = await actor(s.people.liaison.username);
  const other = await actor(s.people.other.username);
  await s.services.notices.acknowledgeSheet(d001.id, liaison);
  await s.services.notices.acknowledgeSheet(d002.id, other);
  const plan = { measures: '逐件核查，限期办结', responsible: '王科长', date: '2027-01-20' };
  for (const id of [answered, onPaper]) await s.services.notices.act(id, { type: 'plan', plan }, liaison);
  await s.services.notices.respond(answered, '3 件积压件已全部办结', [{ name: '办结清单.pdf', bytes: PDF }], liaison);
  await s.services.notices.act(extended, { type: 'request_extension', days: 30, reason: '需跨部门协调' }, other);
  await s.services.notices.act(appealed, { type: 'appeal', reason: '该件已按时办结，有回执为证' }, other);
}, 60_000);
afterAll(() => db.close());

describe('the queue of what waits for the office', () => {
  it('lists responses to verify, extensions to approve and appeals to decide, with the office’s own deadline', async () => {
    const { res, body } = await page(s.app, '/admin/closeout', s.people.office);
    expect(res.status).toBe(200);
    expect(body).not.toContain('<script');
    const text = main(body);
    const section = (title: string) => new RegExp(`<h2>${title}</h2>([\\s\\S]*?)(<h2>|$)`).exec(text)?.[1] ?? '';
    expect(section('待核验的整改反馈')).toContain(`/admin/closeout/items/${answered}`);
    expect(section('待核验的整改反馈')).not.toContain(onPaper);
    // the office checks a response within 5 working days
    expect(section('待核验的整改反馈')).toContain('还剩 5 个工作日');
    expect(section('待审批的延期申请')).toContain(`/admin/closeout/items/${extended}`);
    expect(section('待裁定的申诉')).toContain(`/admin/closeout/items/${appealed}`);
    expect(text).toContain('测试部门2');
  });

  it('is the office’s only: liaisons and analysts get 403, no session goes to the login page, a liaison’s close is refused', async () => {
    for (const who of [s.people.liaison, s.people.analyst]) {
      expect((await page(s.app, '/admin/closeout', who)).res.status).toBe(403);
      expect((await page(s.app, `/admin/closeout/items/${answered}`, who)).res.status).toBe(403);
    }
    const anonymous = await page(s.app, '/admin/closeout');
    expect(anonymous.res.status).toBe(303);
    expect(anonymous.res.headers.get('location')).toBe('/login?next=%2Fadmin%2Fcloseout');
    const before = await noticeTables(db);
    expect((await postForm(s.app, `/admin/closeout/items/${answered}/close`, s.people.liaison, {})).res.status).toBe(
      403,
    );
    expect(await noticeTables(db)).toEqual(before);
  });
});

describe('the time zone of the queue', () => {
  it("is said once when the items' campaigns share it, without a campaign column", async () => {
    const text = main((await page(s.app, '/admin/closeout', s.people.office)).body);
    expect(text).toContain('时间均为北京时间。');
    expect(text).not.toContain('<th>评议活动</th>');
  });

  it('is said per campaign when the items come from campaigns in different zones, not from the first campaign only', () => {
    const campaign = (id: string, name: string, timeZone: string) => ({ id, name, config: { timeZone } }) as never;
    const campaigns = [
      campaign('ny', '纽约评议', 'America/New_York'),
      campaign('sh', '2026 年度评议', 'Asia/Shanghai'),
      campaign('tk', '东京评议', 'Asia/Tokyo'),
    ];
    expect(zonesNote(campaigns, ['sh', 'sh'])).toBe('时间均为北京时间。');
    expect(zonesNote(campaigns, ['sh', 'ny'])).toBe(
      '时间按各评议活动的时区：纽约评议为时区 America/New_York；2026 年度评议为北京时间。',
    );
    // nothing listed: no time shown, the newest campaign's zone
    expect(zonesNote(campaigns, [])).toBe('时间均为时区 America/New_York。');
  });
});

describe("an item's response and evidence", () => {
  it('shows who responded, when, the text, and the files to download', async () => {
    const text = main((await page(s.app, `/admin/closeout/items/${answered}`, s.people.office)).body);
    expect(text).toContain('3 件积压件已全部办结');
    expect(text).toContain('liaison-d001 于 <time');
    expect(text).toContain('逐件核查，限期办结');
    const link = /href="(\/admin\/closeout\/items\/[^"]+\/evidence\/[^"]+)"/.exec(text)?.[1];
    const file = await s.app.request(link!, { headers: { cookie: s.people.office.cookie } });
    expect(file.status).toBe(200);
    expect(new Uint8Array(await file.arrayBuffer())).toEqual(PDF);
    const sheetPage = `/admin/campaigns/test-2026/notices/${s.sheet('D001').id}`;
    expect(text).toContain(`href="${sheetPage}"`);
    expect((await page(s.app, sheetPage, s.people.office)).res.status).toBe(200);
    expect(text).toContain('id="decide-close"');
    expect(text).toContain('id="decide-return"');
  });
});

describe('a response entered from paper, and who may close it', () => {
  it('keeps the text when the scanned file is refused', async () => {
    const before = await noticeTables(db);
    const { res, body } = await postFiles(
      s.app,
      `/admin/closeout/items/${onPaper}/respond`,
      s.people.office,
      { text: '纸质反馈：已办结' },
      [{ name: '扫描件.pdf', bytes: new TextEncoder().encode('not a pdf') }],
    );
    expect(res.status).toBe(415);
    expect(main(body)).toContain('纸质反馈：已办结');
    expect(await noticeTables(db)).toEqual(before);
  });

  it('offers no 销号 to the person who entered the response, says who closes it, and refuses their post', async () => {
    const entered = await postFiles(
      s.app,
      `/admin/closeout/items/${onPaper}/respond`,
      s.people.office,
      { text: '纸质反馈：已办结' },
      [{ name: '扫描件.pdf', bytes: PDF }],
    );
    expect(entered.res.status).toBe(303);
    const own = main((await page(s.app, `/admin/closeout/items/${onPaper}`, s.people.office)).body);
    expect(own).toContain('这条反馈是您录入的，由另一位评议办人员销号。');
    expect(own).not.toContain('id="decide-close"');
    expect(own).toContain('id="decide-return"');
    const other = main((await page(s.app, `/admin/closeout/items/${onPaper}`, s.people.second)).body);
    expect(other).not.toContain('这条反馈是您录入的');
    expect(other).toContain('id="decide-close"');
    const before = await noticeTables(db);
    const { res, body } = await postForm(s.app, `/admin/closeout/items/${onPaper}/close`, s.people.office, {
      note: '材料齐全',
    });
    expect(res.status).toBe(403);
    // a post from a page opened before the response was entered: refused, and still no 销号 form
    expect(main(body)).toContain('反馈人不能为自己的反馈销号，请由另一位评议办人员核验');
    expect(main(body)).not.toContain('id="decide-close"');
    expect(await noticeTables(db)).toEqual(before);
  });

  it('lets a second office user close it: 已销号, for the department too; closing again is refused', async () => {
    const { res } = await postForm(s.app, `/admin/closeout/items/${onPaper}/close`, s.people.second, {
      note: '材料齐全，予以销号',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/closeout/items/${onPaper}?done=close`);
    const text = main((await page(s.app, res.headers.get('location')!, s.people.second)).body);
    expect(text).toContain('已销号。');
    expect(text).toContain('<strong>office-li</strong> 销号');
    expect(text).toContain('材料齐全，予以销号');
    expect(main((await page(s.app, `/my/items/${onPaper}`, s.people.liaison)).body)).toContain('已销号');
    const again = await postForm(s.app, `/admin/closeout/items/${onPaper}/close`, s.people.second, {});
    expect(again.res.status).toBe(409);
    expect(main(again.body)).toContain('事项当前为“已销号”，不能销号');
  });
});

describe('returning a response (退回)', () => {
  it('needs a reason, then gives the department 10 working days again, the reason in its history', async () => {
    const missing = await postForm(s.app, `/admin/closeout/items/${answered}/return`, s.people.second, { reason: ' ' });
    expect(missing.res.status).toBe(422);
    expect(main(missing.body)).toContain('请填写退回理由');
    const { res } = await postForm(s.app, `/admin/closeout/items/${answered}/return`, s.people.second, {
      reason: '缺少办结回执，请补充',
    });
    expect(res.status).toBe(303);
    const mine = main((await page(s.app, `/my/items/${answered}`, s.people.liaison)).body);
    expect(mine).toContain('整改中');
    expect(mine).toContain('还剩 10 个工作日');
    expect(mine).toContain('缺少办结回执，请补充');
  });
});

describe('deciding an extension and an appeal', () => {
  it('refuses a refusal without a reason, keeping the choice; approves with a new response deadline', async () => {
    const refused = await postForm(s.app, `/admin/closeout/items/${extended}/extension`, s.people.office, {
      decision: 'refuse',
    });
    expect(refused.res.status).toBe(422);
    expect(main(refused.body)).toContain('请填写不予延期的理由');
    expect(main(refused.body)).toMatch(/value="refuse" required="" checked=""/);
    const { res } = await postForm(s.app, `/admin/closeout/items/${extended}/extension`, s.people.office, {
      decision: 'approve',
    });
    expect(res.status).toBe(303);
    const theirs = main((await page(s.app, `/my/items/${extended}`, s.people.other)).body);
    expect(theirs).toContain('已批准延期至印发后 30 个工作日');
    expect(theirs).toContain('审批延期：批准');
  });

  it('dismisses an appeal with a reason: the item goes back to rectifying', async () => {
    const noChoice = await postForm(s.app, `/admin/closeout/items/${appealed}/appeal`, s.people.office, {
      reason: '经核实，确未按时办结',
    });
    expect(noChoice.res.status).toBe(422);
    expect(main(noChoice.body)).toContain('请选择申诉成立或驳回申诉');
    expect(main(noChoice.body)).toContain('经核实，确未按时办结');
    const { res } = await postForm(s.app, `/admin/closeout/items/${appealed}/appeal`, s.people.office, {
      decision: 'dismiss',
      reason: '经核实，确未按时办结',
    });
    expect(res.status).toBe(303);
    const theirs = main((await page(s.app, `/my/items/${appealed}`, s.people.other)).body);
    expect(theirs).toContain('裁定申诉：驳回申诉');
    expect(theirs).toContain('经核实，确未按时办结');
  });

  it('answers an unknown item with a 404 page and hostile bodies below 500', async () => {
    expect((await page(s.app, '/admin/closeout/items/no-such-item', s.people.office)).res.status).toBe(404);
    const res = await s.app.request(`/admin/closeout/items/${extended}/respond`, {
      method: 'POST',
      headers: {
        cookie: s.people.office.cookie,
        'x-csrf-token': s.people.office.csrfToken,
        'content-type': 'multipart/form-data; boundary=x',
        accept: 'text/html',
      },
      body: '--x\r\ngarbage',
    });
    expect(res.status).toBe(400);
  });
});
