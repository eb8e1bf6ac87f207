import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, SettlementPreview } from '../../server/contracts.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { resultsSetup } from '../results/helpers.js';

const db = await sqliteDb();
const { app, services } = await resultsSetup(db);
let admin: LoggedIn;
beforeAll(async () => {
  admin = await loginAs(app, services, 'admin');
});
afterAll(() => db.close());

const SLUG = 'test-2026';
const preview = async () =>
  (await (
    await app.request(`/api/campaigns/${SLUG}/settlement`, { headers: admin.headers() })
  ).json()) as SettlementPreview;
const settle = (body?: unknown) =>
  app.request(`/api/campaigns/${SLUG}/settle`, {
    method: 'POST',
    headers: admin.headers({ 'content-type': 'application/json' }),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const message = async (res: Response) => ((await res.json()) as ErrorBody).error.message;
const settlePage = () => app.request(`/admin/campaigns/${SLUG}/settle`, { headers: admin.headers() });
const postPage = (fields: Record<string, string>) =>
  app.request(`/admin/campaigns/${SLUG}/settle`, {
    method: 'POST',
    headers: admin.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
    body: new URLSearchParams(fields).toString(),
  });
/** The publication's drafted notice items of department `code` put in `state` (the notice machine has its own tests). */
const itemsOf = async (code: string, state: string, source?: string) => {
  const departments = db.kysely.selectFrom('departments').select('id').where('code', '=', code);
  let q = db.kysely.updateTable('tracked_items').set({ state }).where('department_id', 'in', departments);
  if (source) q = q.where('source', '=', source);
  await q.execute();
};

describe('settling a campaign (结算)', () => {
  it('is refused before the results are published, in Chinese', async () => {
    expect((await preview()).refused).toBe('结果发布后才能结算（当前：已截止）');
    const res = await settle({ unverified: 1 });
    expect(res.status).toBe(409);
    expect(await message(res)).toBe('不能结算：结果发布后才能结算（当前：已截止）');
  });

  it('is refused with 409 while issued notice items are open, naming how many and in which states', async () => {
    await services.results.publish(SLUG, 'office');
    // drafts never issued don't hold it up
    expect((await preview()).items).toMatchObject({ issued: 0, drafted: 5, open: 0 });
    await itemsOf('D005', 'rectifying', 'negative');
    await itemsOf('D005', 'verifying', 'rectification');
    await itemsOf('D004', 'closed');
    const facts = await preview();
    expect(facts.items).toEqual({
      issued: 4,
      drafted: 1,
      closed: 1,
      withdrawn: 0,
      open: 3,
      openByState: [
        { state: 'rectifying', label: '整改中', count: 2 },
        { state: 'verifying', label: '核验中', count: 1 },
      ],
      openByDepartment: [{ code: 'D005', name: '测试部门5', count: 3 }],
    });
    const res = await settle({ unverified: facts.unverifiedNegatives });
    expect(res.status).toBe(409);
    expect(await message(res)).toBe(
      '不能结算：还有 3 项已下发的工作提示单事项未办结（整改中 2，核验中 1）：全部销号或撤销后才能结算',
    );
    const page = await (await settlePage()).text();
    expect(page).toContain('未办结 3 项');
    expect(page).toContain('测试部门5（D005）：3 项未办结');
    expect(page).not.toContain('id="settle"');
  });

  it('requires the count of unverified negative reports, refusing none, a stale one and a non-number', async () => {
    await itemsOf('D005', 'closed');
    await itemsOf('D005', 'withdrawn', 'negative');
    const { refused, unverifiedNegatives } = await preview();
    expect(refused).toBeNull();
    expect(unverifiedNegatives).toBe(1);
    const none = await settle();
    expect(none.status).toBe(409);
    expect(await message(none)).toBe(
      '不能结算：还有 1 条负面情形反映未核实：它们不计入已发布的结果，结算后也不能再发布更正；请确认知道这 1 条后再结算',
    );
    const stale = await settle({ unverified: 2 });
    expect(stale.status).toBe(409);
    expect(await message(stale)).toContain('未核实的负面情形反映现在是 1 条（确认的是 2 条）');
    const typed = await settle({ unverified: '1' });
    expect(typed.status).toBe(422);
    expect(await message(typed)).toBe('结算：确认的未核实负面情形条数应为数字');
    expect(services.campaigns.status(await services.campaigns.getBySlug(SLUG))).toBe('published');
  });

  it('shows what settling means and what is still open on its own page, with a tick for the unverified reports', async () => {
    const campaignPage = await (await app.request(`/admin/campaigns/${SLUG}`, { headers: admin.headers() })).text();
    expect(campaignPage).toContain(`href="/admin/campaigns/${SLUG}/settle" id="settle-link"`);
    expect(campaignPage).not.toContain('lifecycle/settle');
    const page = await (await settlePage()).text();
    expect(page).toContain('结算不能撤销');
    expect(page).toContain('不能再发布更正结果');
    expect(page).toContain('已下发 4 项，已销号 2 项，已撤销 2 项');
    expect(page).toContain('另有 1 项在尚未下发的草拟工作提示单上');
    expect(page).toMatch(/<strong>1 条未核实<\/strong>/);
    expect(page).toContain('name="unverified" value="1" required');
    expect(page).toContain(`href="/admin/campaigns/${SLUG}/negatives"`);

    const unticked = await postPage({ unverified: '1' });
    expect(unticked.status).toBe(422);
    expect(await unticked.text()).toContain('请勾选“确认结算本次评议”后再结算');
    const unacknowledged = await postPage({ confirm: '1' });
    expect(unacknowledged.status).toBe(409);
    expect(await unacknowledged.text()).toContain('还有 1 条负面情形反映未核实');
  });

  it('settles with both ticks, records the count in the audit log, and is then refused again', async () => {
    const res = await postPage({ confirm: '1', unverified: '1' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/campaigns/${SLUG}?done=settle#lifecycle`);
    expect(services.campaigns.status(await services.campaigns.getBySlug(SLUG))).toBe('settled');
    const [entry] = await services.audit.list({ action: 'campaign_settle' });
    expect(entry).toMatchObject({ actor: admin.username, detail: { unverifiedNegatives: 1, to: 'settled' } });
    const page = await (await app.request(`/admin/campaigns/${SLUG}?done=settle`, { headers: admin.headers() })).text();
    expect(page).toContain('已结算：本次评议的后续工作已经结束。');
    const again = await settle({ unverified: 1 });
    expect(again.status).toBe(409);
    expect(await message(again)).toBe('不能结算：评议活动已经结算');
    expect((await preview()).refused).toBe('评议活动已经结算');
  });
});
