import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import type { SheetDetail } from '../../server/notices/service.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { postForm } from '../portal/helpers.js';
import { resultsSetup } from '../results/helpers.js';
import { noticeTables, office, verifiedNegatives } from './helpers.js';

describe('the office edits and issues a draft sheet from its page, with plain forms', () => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  let officeUser: LoggedIn;
  let analyst: LoggedIn;
  let sheet: SheetDetail;
  let page: string;

  /** A plain form's POST: the session cookie and the csrf field (a forged one when given), nothing a script would add. */
  const post = async (who: LoggedIn, path: string, fields: Record<string, string>, forged?: string) => {
    const { res, body } = await postForm(ctx.app, path, who, forged ? { ...fields, csrf: forged } : fields, {
      csrf: !forged,
    });
    return { status: res.status, location: res.headers.get('location'), text: body };
  };
  const html = async (who: LoggedIn, path: string) =>
    (await ctx.app.request(path, { headers: { cookie: who.cookie, accept: 'text/html' } })).text();

  beforeAll(async () => {
    db = await sqliteDb();
    ctx = await resultsSetup(db, { records: false });
    for (const report of await verifiedNegatives(db, ctx.services, ctx.campaign, 'D001', 3))
      await db.kysely
        .transaction()
        .execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, office));
    [sheet] = await ctx.services.notices.sheets('test-2026');
    page = `/admin/campaigns/test-2026/notices/${sheet.id}`;
    officeUser = await loginAs(ctx.app, ctx.services, 'admin', { username: 'office-a' });
    analyst = await loginAs(ctx.app, ctx.services, 'analyst');
  });
  afterAll(() => db.close());

  it('shows a draft sheet with a form for its requirement, one per item and one to issue it', async () => {
    const text = await html(officeUser, page);
    expect(text).toContain('修改与印发');
    expect(text).toContain(`action="${page}/edit"`);
    expect(text).toContain(`action="${page}/items/${sheet.items[0].id}/edit"`);
    expect(text).toContain(`action="${page}/issue"`);
    expect(text).toContain(`action="${page}/items/${sheet.items[2].id}/withdraw"`);
    expect(text).toContain('我已核对以上内容，确认印发（印发后不能撤回）');
    expect(text).toContain('确认撤销 001-03');
    expect(text).toContain('001-02 反馈期限');
    expect(text).toContain('name="csrf"');
  });

  it('saves the sheet’s requirement and an item’s requirement and period, then says so', async () => {
    const saved = await post(officeUser, `${page}/edit`, { requirement: '请于收到后认真整改。' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe(`${page}?done=sheet`);
    expect(await html(officeUser, `${page}?done=sheet`)).toContain('已保存工作要求。');
    const item = sheet.items[1];
    const edited = await post(officeUser, `${page}/items/${item.id}/edit`, {
      requirement: '限期办结并书面说明原因',
      respondDays: '20',
    });
    expect(edited.status).toBe(303);
    const [after] = await ctx.services.notices.sheets('test-2026');
    expect(after.requirement).toBe('请于收到后认真整改。');
    expect(after.items[1]).toMatchObject({ requirement: '限期办结并书面说明原因', respondDays: 20 });
  });

  it('refuses a bad period or an empty requirement in Chinese, keeping what was typed and changing nothing', async () => {
    const before = await noticeTables(db);
    const item = sheet.items[0];
    const res = await post(officeUser, `${page}/items/${item.id}/edit`, { requirement: '新的要求', respondDays: '3' });
    expect(res.status).toBe(422);
    const { text } = res;
    expect(text).toContain('反馈期限应为 5–60 个工作日');
    expect(text).toContain('>新的要求</textarea>');
    expect(text).toContain('value="3"');
    expect((await post(officeUser, `${page}/edit`, { requirement: '  ' })).status).toBe(422);
    // an item of another sheet, a forged form, an analyst
    expect((await post(officeUser, `${page}/items/nope/edit`, { requirement: 'x', respondDays: '10' })).status).toBe(
      404,
    );
    expect((await post(officeUser, `${page}/edit`, { requirement: '伪造' }, 'forged')).status).toBe(403);
    expect((await post(analyst, `${page}/issue`, { confirm: '1' })).status).toBe(403);
    expect(await noticeTables(db)).toEqual(before);
  });

  it('issues and withdraws only when the confirmation is ticked, keeping the reason typed', async () => {
    const before = await noticeTables(db);
    const unticked = await post(officeUser, `${page}/issue`, {});
    expect(unticked.status).toBe(422);
    expect(unticked.text).toContain('请勾选确认后再印发');
    const item = sheet.items[2];
    const withdraw = await post(officeUser, `${page}/items/${item.id}/withdraw`, { reason: '与 001-01 重复' });
    expect(withdraw.status).toBe(422);
    expect(withdraw.text).toContain('请勾选确认后再撤销');
    expect(withdraw.text).toContain('与 001-01 重复</textarea>');
    expect((await post(officeUser, `${page}/items/${item.id}/withdraw`, { confirm: '1' })).text).toContain(
      '请填写撤销理由',
    );
    expect((await post(analyst, `${page}/items/${item.id}/withdraw`, { reason: 'x', confirm: '1' })).status).toBe(403);
    expect(await noticeTables(db)).toEqual(before);
  });

  it('withdraws one draft item from the page: it is not issued and the others keep their forms', async () => {
    const item = sheet.items[2];
    const done = await post(officeUser, `${page}/items/${item.id}/withdraw`, {
      reason: '与 001-01 重复',
      confirm: '1',
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe(`${page}?done=withdraw`);
    const text = await html(officeUser, `${page}?done=withdraw`);
    expect(text).toContain('已撤销该事项');
    expect(text).not.toContain(`${page}/items/${item.id}/edit`);
    expect(text).toContain(`${page}/items/${sheet.items[0].id}/withdraw`);
    const [after] = await ctx.services.notices.sheets('test-2026');
    expect(after.items.find((i) => i.id === item.id)?.state).toBe('withdrawn');
  });

  it('issues the sheet: items registered with their deadlines, the forms gone, a second issue refused', async () => {
    const issued = await post(officeUser, `${page}/issue`, { confirm: '1' });
    expect(issued.status).toBe(303);
    const text = await html(officeUser, `${page}?done=issue`);
    expect(text).toContain('工作提示单已印发');
    expect(text).not.toContain('修改与印发');
    const [after] = await ctx.services.notices.sheets('test-2026');
    expect(after.state).toBe('issued');
    const states = new Map(after.items.map((i) => [i.id, i.state]));
    expect(sheet.items.map((i) => states.get(i.id))).toEqual(['registered', 'registered', 'withdrawn']);
    const again = await post(officeUser, `${page}/issue`, { confirm: '1' });
    expect(again.status).toBe(409);
    expect(again.text).toContain('该工作提示单已经印发');
    expect((await post(officeUser, `${page}/edit`, { requirement: '改' })).status).toBe(409);
  });
});
