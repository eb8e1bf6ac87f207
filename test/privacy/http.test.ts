import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import type { ErrorBody, PurgeReport } from '../../server/contracts.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { replayOpen } from '../helpers/fixtures.js';
import { OPEN_TIME } from '../evaluator/helpers.js';
import { postForm } from '../portal/helpers.js';
import { purgeSetup } from './helpers.js';

let db: Db;
let s: Awaited<ReturnType<typeof purgeSetup>>;
let admin: LoggedIn;
let analyst: LoggedIn;

beforeEach(async () => {
  db = await sqliteDb();
  s = await purgeSetup(db);
  admin = await loginAs(s.app, s.services, 'admin');
  analyst = await loginAs(s.app, s.services, 'analyst');
}, 60_000);
afterEach(() => db.close());

const names = async () => (await db.kysely.selectFrom('evaluators').select('name').execute()).map((r) => r.name);

// the setup's 14 items and the network row of the test's sign-ins
describe('POST /api/campaigns/:slug/purge', () => {
  const purge = (who: LoggedIn, body: unknown) =>
    s.app.request('/api/campaigns/test-2026/purge', {
      method: 'POST',
      headers: who.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify(body),
    });

  it('refuses a confirmation that is not the slug (400) and an analyst (403), blanking nothing', async () => {
    const mismatch = await purge(admin, { confirm: 'test-2025' });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as ErrorBody).error.message).toBe('确认文字与活动代码不符：请输入 test-2026');
    expect((await purge(admin, { confirm: 'test-2026', extra: 1 })).status).toBe(422);
    expect((await purge(analyst, { confirm: 'test-2026' })).status).toBe(403);
    expect(await names()).toEqual(['张三', '张三', '张三']);
  });

  it('refuses while the campaign is open with a Chinese 409', async () => {
    await replayOpen(s.db, s.clock, s.campaign, OPEN_TIME);
    const res = await purge(admin, { confirm: 'test-2026' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('正在进行，截止（2026年12月31日 23:59（北京时间））后才能清除个人信息'),
    });
  });

  it('purges for the office and reports the counts; a second call reports 0', async () => {
    const res = await purge(admin, { confirm: 'test-2026' });
    expect(res.status).toBe(200);
    const report = (await res.json()) as PurgeReport;
    expect(report).toMatchObject({ campaign: 'test-2026', total: 15, previouslyPurgedAt: null });
    expect(await names()).toEqual(['', '', '']);
    const again = (await (await purge(admin, { confirm: 'test-2026' })).json()) as PurgeReport;
    expect(again).toMatchObject({ total: 0, previouslyPurgedAt: report.purgedAt });
    expect((await s.services.audit.list({ action: 'personal_data_purge' }))[0].actor).toBe(admin.username);
  });
});

describe('the office’s campaign page', () => {
  const page = async () => {
    const res = await s.app.request('/admin/campaigns/test-2026', { headers: admin.headers({ accept: 'text/html' }) });
    return { status: res.status, html: await res.text() };
  };

  it('offers no purge while the campaign is open, and refuses a forged form post with 409', async () => {
    await replayOpen(s.db, s.clock, s.campaign, OPEN_TIME);
    const { html } = await page();
    expect(html).toContain('评议截止（<time');
    expect(html).not.toContain('id="purge-form"');
    const { res, body } = await postForm(s.app, '/admin/campaigns/test-2026/purge', admin, { confirm: 'test-2026' });
    expect(res.status).toBe(409);
    expect(body).toContain('正在进行');
    expect(await names()).toEqual(['张三', '张三', '张三']);
  });

  it('lists what would go, refuses a wrong confirmation on the page, then purges and says when', async () => {
    const before = await page();
    expect(before.html).toContain('评议代表的姓名、单位、电话、邮箱：3 人');
    expect(before.html).toContain('未提交的草稿：1 份');
    expect(before.html).toContain('action="/admin/campaigns/test-2026/purge"');
    expect(before.html).not.toContain('id="purged-at"');

    const wrong = await postForm(s.app, '/admin/campaigns/test-2026/purge', admin, { confirm: '2026' });
    expect(wrong.res.status).toBe(400);
    const refused = wrong.body;
    expect(refused).toContain('确认文字与活动代码不符：请输入 test-2026');
    expect(refused).toContain('value="2026"');
    expect(await names()).toEqual(['张三', '张三', '张三']);

    const done = await postForm(s.app, '/admin/campaigns/test-2026/purge', admin, { confirm: 'test-2026' });
    expect(done.res.status).toBe(303);
    expect(done.res.headers.get('location')).toBe('/admin/campaigns/test-2026?purged=15#purge');
    expect(await names()).toEqual(['', '', '']);

    const res = await s.app.request('/admin/campaigns/test-2026?purged=15', {
      headers: admin.headers({ accept: 'text/html' }),
    });
    const after = await res.text();
    expect(after).toContain('个人信息已于 <time datetime="2027-01-05T08:00:00.000Z">2027-01-05 16:00</time> 清除');
    expect(after).toContain('本次清除 15 项');
    expect(after).toContain('目前没有需要清除的个人信息');

    // a report whose evaluator had agreed to be contacted says where the contact went
    const { id } = await db.kysely
      .selectFrom('negative_reports')
      .select('id')
      .where('contact_allowed', '=', 1)
      .executeTakeFirstOrThrow();
    const report = await s.app.request(`/admin/campaigns/test-2026/negatives/${id}`, {
      headers: admin.headers({ accept: 'text/html' }),
    });
    expect(await report.text()).toContain('<dd id="contact">联系方式已随个人信息清除</dd>');
  });

  it('refuses the form post without the CSRF token, and to an analyst', async () => {
    const forged = await postForm(
      s.app,
      '/admin/campaigns/test-2026/purge',
      admin,
      { confirm: 'test-2026' },
      { csrf: false },
    );
    expect(forged.res.status).toBe(403);
    const other = await postForm(s.app, '/admin/campaigns/test-2026/purge', analyst, { confirm: 'test-2026' });
    expect(other.res.status).toBe(403);
    expect(await names()).toEqual(['张三', '张三', '张三']);
  });
});

describe('minping purge', () => {
  const cli = (...argv: string[]) => runCommand(argv, { db, clock: s.clock });

  it('without --yes lists the counts, purges nothing and exits 1', async () => {
    const { code, out, err } = await cli('purge', '--campaign', 'test-2026');
    expect(code).toBe(1);
    expect(out).toContain('将清除：');
    expect(out).toContain('评议代表的姓名、单位、电话、邮箱：3 人');
    // the two setup rows and the test's sign-ins
    expect(out).toContain('网络地址标识（限流记录）：3 条');
    expect(err).toContain('minping purge --campaign test-2026 --yes');
    expect(await names()).toEqual(['张三', '张三', '张三']);
  });

  it('with --yes purges, and a second run says nothing was left', async () => {
    const first = await cli('purge', '--campaign', 'test-2026', '--yes');
    expect(first.code).toBe(0);
    expect(first.out).toContain('已清除评议活动');
    expect(first.out).toContain('负面情形中留下的联系方式：2 条');
    expect(await names()).toEqual(['', '', '']);
    const second = await cli('purge', '--campaign', 'test-2026', '--yes');
    expect(second).toMatchObject({ code: 0 });
    expect(second.out).toContain('没有需要清除的个人信息（已于 2027年1月5日 16:00（北京时间） 清除）');
    expect((await s.services.audit.list({ action: 'personal_data_purge' })).map((a) => a.actor)).toEqual([
      'cli',
      'cli',
    ]);
  });

  it('refuses an open campaign and a missing slug, exit 2', async () => {
    await replayOpen(s.db, s.clock, s.campaign, OPEN_TIME);
    const open = await cli('purge', '--campaign', 'test-2026', '--yes');
    expect(open.code).toBe(2);
    expect(open.err).toContain('正在进行');
    expect((await cli('purge', '--yes')).err).toBe('用法：minping purge --campaign SLUG [--yes]');
    expect(await names()).toEqual(['张三', '张三', '张三']);
  });
});
