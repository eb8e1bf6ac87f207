import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { CampaignChanged, CanonicalRecord, ErrorBody, PublicationPreview } from '../../server/contracts.js';
import * as lifecycleMigration from '../../server/db/migrations/0032_campaign_lifecycle.js';
import { newId } from '../../server/shared/ids.js';
import { newLinkToken } from '../../server/shared/link-token.js';
import type { Db } from '../../server/db/connect.js';
import { reminderMessage } from '../../server/invitations/messages.js';
import { createServices, type Services } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { dialects, sqliteDb } from '../helpers/db.js';
import { createInvitation, jsonRequest, webAnswers } from '../evaluator/helpers.js';
import { createTestCampaign, insertEvaluators } from '../helpers/fixtures.js';
import { knownRecords, storeRecords } from '../results/helpers.js';

/** A canonical record as a line of a response file, in the questionnaire's flat per-item shape. */
const line = (r: CanonicalRecord) =>
  JSON.stringify({ ...r, departments: r.departments.map(({ ratings, ...d }) => ({ ...d, ...ratings })) });

let db: Db;
let services: Services;
const clock = fixedClock('2026-11-10T02:00:00Z');
const deps = () => ({ db, config: defaultConfig(), clock });

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );

describe.each(await dialects())('a campaign’s lifecycle on $name', ({ open }) => {
  beforeEach(async () => {
    db = await open();
    clock.set('2026-11-10T02:00:00Z');
    services = createServices(deps());
  });
  afterEach(() => db.close());

  /** A campaign of the known records, published, and the office's POST to one of its API paths. */
  async function publishedWithOffice() {
    const app = createApp(deps(), services);
    const campaign = await createTestCampaign(db, services);
    await storeRecords(services, campaign, knownRecords().records);
    clock.set('2027-01-05T00:00:00Z');
    await services.results.publish(campaign.slug, 'office');
    const admin = await loginAs(app, services, 'admin');
    const post = (path: string, body?: unknown) =>
      app.request(`/api/campaigns/${campaign.slug}/${path}`, {
        method: 'POST',
        headers: admin.headers({ 'content-type': 'application/json' }),
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    return { campaign, post };
  }

  it('is a draft when created and refuses to open, in Chinese, without departments and evaluators', async () => {
    const draft = await createTestCampaign(db, services, { departments: 0, state: 'draft' });
    expect(services.campaigns.status(draft)).toBe('draft');
    const refused = await refusal(services.campaigns.open(draft.slug, 'office'));
    expect(refused?.code).toBe('CONFLICT');
    expect(refused?.message).toContain('不能开启评议');
    expect(refused?.message).toContain('还没有部门');
    expect(refused?.message).toContain('还没有评议代表');
  });

  it('opens with departments and evaluators, extends, pauses, resumes and closes early, each audited', async () => {
    const draft = await createTestCampaign(db, services, { state: 'draft' });
    await insertEvaluators(db, draft, 3);
    expect(services.campaigns.status(await services.campaigns.open(draft.slug, 'office'))).toBe('open');
    const later = await services.campaigns.setDates(draft.slug, { closesAt: '2027-01-10T00:00:00Z' }, 'office');
    expect(later.closesAt).toBe('2027-01-10T00:00:00.000Z');
    expect(later.config.closesAt).toBe('2027-01-10T00:00:00.000Z');
    expect(
      await refusal(services.campaigns.setDates(draft.slug, { closesAt: '2026-11-01T00:00:00Z' }, 'office')),
    ).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('早于现在') });
    expect(
      await refusal(services.campaigns.setDates(draft.slug, { opensAt: '2026-11-05T00:00:00Z' }, 'office')),
    ).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('开始时间不能再改') });
    expect(services.campaigns.status(await services.campaigns.pause(draft.slug, 'office'))).toBe('paused');
    expect(services.campaigns.status(await services.campaigns.resume(draft.slug, 'office'))).toBe('open');
    expect(await refusal(services.results.publish(draft.slug, 'office'))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('评议尚未截止'),
    });
    const closed = await services.campaigns.close(draft.slug, 'office');
    expect(services.campaigns.status(closed)).toBe('closed');
    expect(closed.closesAt).toBe(clock.now().toISOString());
    expect(await refusal(services.campaigns.pause(draft.slug, 'office'))).toMatchObject({ code: 'CONFLICT' });
    const audited = (await services.audit.list({})).filter((r) => r.action.startsWith('campaign_'));
    expect(audited.map((r) => r.action).sort()).toEqual(
      [
        'campaign_create',
        'campaign_open',
        'campaign_dates',
        'campaign_pause',
        'campaign_resume',
        'campaign_close',
      ].sort(),
    );
  });

  it('takes no answers while a draft, paused or closed, telling the evaluator why', async () => {
    const app = createApp(deps(), services);
    const draft = await createTestCampaign(db, services, { state: 'draft' });
    const { token } = await createInvitation(db, draft);
    const other = await createInvitation(db, draft);
    const submit = (link = token) =>
      app.request(
        `/api/s/${link}/submit`,
        jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, { 'Idempotency-Key': newLinkToken() }),
      );
    const refusedWith = async (res: Response) => {
      const { error } = (await res.json()) as ErrorBody;
      expect(res.status, error.message).toBe(403);
      return error;
    };
    expect(await refusedWith(await submit())).toMatchObject({
      code: 'CAMPAIGN_NOT_OPEN',
      message: expect.stringContaining('尚未开启，评议办开启后即可填写'),
    });
    await services.campaigns.open(draft.slug, 'office');
    await services.campaigns.pause(draft.slug, 'office');
    expect(await refusedWith(await submit())).toMatchObject({
      code: 'CAMPAIGN_NOT_OPEN',
      message: expect.stringContaining('评议暂停中'),
    });
    const page = await app.request(`/s/${token}`);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('您已保存的内容不会丢失');
    await services.campaigns.resume(draft.slug, 'office');
    expect((await submit()).status).toBe(201);
    await services.campaigns.close(draft.slug, 'office');
    expect((await refusedWith(await submit(other.token))).code).toBe('CAMPAIGN_CLOSED');
  });

  it('takes a past year entered from paper: departments and imported responses, closed as it is, published, then no more imports', async () => {
    const paper = await createTestCampaign(db, services, {
      slug: 'paper-2025',
      state: 'draft',
      overrides: { opensAt: '2025-11-01T00:00:00+08:00', closesAt: '2025-12-31T23:59:00+08:00' },
    });
    expect(await refusal(services.campaigns.open(paper.slug, 'office'))).toMatchObject({
      message: expect.stringContaining('往年补录的活动请直接截止'),
    });
    const text = `${knownRecords().records.map(line).join('\n')}\n`;
    expect((await services.responses.importJsonl(paper, text)).stored).toBeGreaterThan(0);
    const closed = await services.campaigns.close(paper.slug, 'office');
    expect(services.campaigns.status(closed)).toBe('closed');
    expect(closed.closesAt).toBe(paper.closesAt);
    await services.results.publish(paper.slug, 'office');
    // an import checked against the campaign as read before the publication is refused when it stores
    expect(await refusal(services.responses.importJsonl(closed, text.replace(/"/, ' "')))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('不能导入答卷：评议活动刚被另一操作改为“已发布”'),
    });
    const published = await services.campaigns.getBySlug(paper.slug);
    expect(services.campaigns.status(published)).toBe('published');
    expect(await refusal(services.responses.importJsonl(published, text))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('不能导入答卷：结果已经发布'),
    });
    // the known records' 3 negative reports are unverified: the settlement names their count
    expect(services.campaigns.status(await services.campaigns.settle(paper.slug, 'office', { unverified: 3 }))).toBe(
      'settled',
    );
  });

  it('settles once when two settlements arrive together, the other refused with 409 in Chinese', async () => {
    const { post } = await publishedWithOffice();
    const settle = () => post('settle', { unverified: 3 });
    const answers = await Promise.all([settle(), settle()]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 409]);
    const refused = (await answers.find((r) => r.status === 409)!.json()) as ErrorBody;
    expect(refused.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('不能结算') });
    const settlements = (await services.audit.list({})).filter((r) => r.action === 'campaign_settle');
    expect(settlements).toHaveLength(1);
  });

  it('keeps a campaign settled when a correction is published at the same moment: the publication is refused and stores nothing', async () => {
    const { campaign, post } = await publishedWithOffice();
    const [published, settled] = await Promise.all([post('snapshots'), post('settle', { unverified: 3 })]);
    expect(settled.status).toBe(200);
    expect(published.status).toBe(409);
    expect(((await published.json()) as ErrorBody).error.message).toMatch(/不能发布结果.*已结算/);
    expect(services.campaigns.status(await services.campaigns.getBySlug(campaign.slug))).toBe('settled');
    expect(await services.results.snapshots(campaign.slug)).toHaveLength(1);
  });

  it('is closed once its deadline passes by the clock', async () => {
    const campaign = await createTestCampaign(db, services);
    clock.set('2027-01-01T00:00:00Z');
    expect(services.campaigns.status(campaign)).toBe('closed');
  });

  it('gives existing campaigns the state their data shows when migrated (0032)', async () => {
    const empty = await createTestCampaign(db, services, { slug: 'empty-2026', departments: 0 });
    const running = await createTestCampaign(db, services, { slug: 'running-2026' });
    const done = await createTestCampaign(db, services, { slug: 'done-2026' });
    const interim = await createTestCampaign(db, services, { slug: 'interim-2026' });
    await storeRecords(services, done, knownRecords().records);
    clock.set('2027-01-05T00:00:00Z');
    await services.results.publish(done.slug, 'office');
    // an interim publication of the old days, before the deadline: the same row, a month earlier
    const row = await db.kysely.selectFrom('snapshots').selectAll().executeTakeFirstOrThrow();
    await db.kysely
      .insertInto('snapshots')
      .values({ ...row, id: newId(), campaign_id: interim.id, created_at: '2026-12-01T00:00:00.000Z' })
      .execute();
    const kysely = db.kysely as unknown as Kysely<unknown>;
    await lifecycleMigration.down(kysely);
    await lifecycleMigration.up(kysely);
    const states = Object.fromEntries(
      (await services.campaigns.list()).map((c) => [c.slug, services.campaigns.status(c)]),
    );
    expect(states).toEqual({
      [empty.slug]: 'draft',
      [running.slug]: 'closed',
      [done.slug]: 'published',
      [interim.slug]: 'closed',
    });
    clock.set('2026-12-02T00:00:00Z');
    expect(services.campaigns.status(await services.campaigns.getBySlug(interim.slug))).toBe('open');
  });
});

describe('the lifecycle over HTTP and the CLI', () => {
  beforeEach(async () => {
    db = await sqliteDb();
    clock.set('2026-11-10T02:00:00Z');
    services = createServices(deps());
  });
  afterEach(() => db.close());

  it('POST /api/campaigns/:slug/open refuses with 409 and its reasons, then opens', async () => {
    const app = createApp(deps());
    const admin = await loginAs(app, services, 'admin');
    const draft = await createTestCampaign(db, services, { state: 'draft' });
    const post = (path: string) =>
      app.request(`/api/campaigns/${draft.slug}/${path}`, { method: 'POST', headers: admin.headers() });
    const refused = await post('open');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorBody).error.message).toContain('还没有评议代表');
    await insertEvaluators(db, draft, 2);
    const opened = await post('open');
    expect(opened.status).toBe(200);
    expect(((await opened.json()) as CampaignChanged).campaign).toMatchObject({
      status: 'open',
      statusLabel: '进行中',
    });
    const dates = await app.request(`/api/campaigns/${draft.slug}/dates`, {
      method: 'PUT',
      headers: admin.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ closesAt: '2026-11-09T00:00:00Z' }),
    });
    expect(dates.status).toBe(409);
    expect(((await dates.json()) as ErrorBody).error.message).toContain('不能修改截止时间：新的截止时间');
    const early = await app.request(`/api/campaigns/${draft.slug}/snapshots`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(early.status).toBe(409);
    const preview = await app.request(`/api/campaigns/${draft.slug}/publication`, { headers: admin.headers() });
    expect(((await preview.json()) as PublicationPreview).refused).toContain('评议尚未截止');
    expect((await post('close')).status).toBe(200);
  });

  it('answers every lifecycle form with a redirect, a refusal shown once on the campaign page after it', async () => {
    const app = createApp(deps());
    const admin = await loginAs(app, services, 'admin');
    const draft = await createTestCampaign(db, services, { state: 'draft' });
    const page = `/admin/campaigns/${draft.slug}`;
    const form = (path: string, fields: Record<string, string> = {}) =>
      app.request(`${page}/${path}`, {
        method: 'POST',
        headers: admin.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        body: new URLSearchParams(fields).toString(),
      });
    const flashOf = (res: Response) => /minping-lifecycle=[^;]*/.exec(res.headers.get('set-cookie') ?? '')?.[0] ?? '';
    // the page's confirming button sends confirm=1: without it nothing opens, whatever the draft holds
    const unconfirmed = await form('lifecycle/open');
    expect(decodeURIComponent(flashOf(unconfirmed))).toContain('请点“确认开启”后再开启');
    const refused = await form('lifecycle/open', { confirm: '1' });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe(`${page}#lifecycle`);
    const shown = await app.request(page, { headers: { cookie: `${admin.cookie}; ${flashOf(refused)}` } });
    const html = await shown.text();
    expect(html).toMatch(/id="lifecycle-error">[^<]*还没有评议代表/);
    // read once: the cookie is cleared, so a refresh shows the page without the refusal
    expect(shown.headers.get('set-cookie')).toMatch(/minping-lifecycle=;.*Max-Age=0/);
    const dates = await form('dates', { opensAt: '2026-11-20T08:00:00', closesAt: '不是时间' });
    expect(dates.status).toBe(303);
    const datesPage = await (
      await app.request(page, { headers: { cookie: `${admin.cookie}; ${flashOf(dates)}` } })
    ).text();
    expect(datesPage).toContain('截止时间：请按“年-月-日 时:分”填写');
    expect(datesPage).toContain('value="不是时间"');
    expect(flashOf(dates)).not.toContain(admin.csrfToken);
    for (const action of ['close', 'pause', 'resume']) {
      const res = await form(`lifecycle/${action}`);
      expect(res.status, action).toBe(303);
      expect(flashOf(res), action).not.toBe('');
    }
    await insertEvaluators(db, draft, 2);
    const opened = await form('lifecycle/open', { confirm: '1' });
    expect(opened.headers.get('location')).toBe(`${page}?done=open#lifecycle`);
  });

  it('reminds after an extension that printed letters still say the old deadline and reminders the new one', async () => {
    const app = createApp(deps(), services);
    const admin = await loginAs(app, services, 'admin');
    const campaign = await createTestCampaign(db, services);
    const page = `/admin/campaigns/${campaign.slug}`;
    const extended = await app.request(`${page}/dates`, {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
      body: new URLSearchParams({ closesAt: '2027-01-10T18:00' }).toString(),
    });
    expect(extended.status).toBe(303);
    const html = await (await app.request(extended.headers.get('location')!, { headers: admin.headers() })).text();
    const notice = (/<p[^>]*id="deadline-moved"[^>]*>([\s\S]*?)<\/p>/.exec(html)?.[1] ?? '').replace(/<[^>]+>/g, '');
    expect(notice).toMatch(/^截止时间已从 2026-12-31 23:59 改为 2027-01-10 18:00。已打印的邀请函.*写的仍是原截止时间/);
    expect(notice).toContain('此后再发的催报提醒（短信、邮件）和问卷页面写的是新的截止时间');
    const reminder = reminderMessage(
      await services.campaigns.getBySlug(campaign.slug),
      { name: '刘芳', organisation: null },
      'i',
      'sms',
      '1',
      'now',
    );
    expect(reminder.body).toContain('2027年1月10日');
    // the page as bookmarked later, or its ?was= altered to nothing: no notice
    expect(await (await app.request(`${page}?done=dates&was=x`, { headers: admin.headers() })).text()).not.toContain(
      'deadline-moved',
    );
  });

  it("shows 提前截止's refusal without its tickbox beside the tickbox, and what a close means once after it", async () => {
    const app = createApp(deps());
    const admin = await loginAs(app, services, 'admin');
    const campaign = await createTestCampaign(db, services, { state: 'draft' });
    await insertEvaluators(db, campaign, 2);
    const page = `/admin/campaigns/${campaign.slug}`;
    const close = (fields: Record<string, string> = {}) =>
      app.request(`${page}/lifecycle/close`, {
        method: 'POST',
        headers: admin.headers({ 'content-type': 'application/x-www-form-urlencoded' }),
        body: new URLSearchParams(fields).toString(),
      });
    await services.campaigns.open(campaign.slug, 'test');
    const unticked = await close();
    const flash = /minping-lifecycle=[^;]*/.exec(unticked.headers.get('set-cookie') ?? '')?.[0];
    const refused = await (await app.request(page, { headers: { cookie: `${admin.cookie}; ${flash}` } })).text();
    expect(refused).toMatch(
      /id="lifecycle-close"[^>]*>(?:(?!<\/form>)[\s\S])*id="lifecycle-close-error">请勾选确认后再截止</,
    );
    expect(refused).not.toContain('id="lifecycle-error"');

    const closed = await close({ confirm: '1' });
    expect(closed.headers.get('location')).toBe(`${page}?done=close#lifecycle`);
    const after = await (await app.request(`${page}?done=close`, { headers: { cookie: admin.cookie } })).text();
    expect(after).toContain('已截止本活动。');
    expect(after.split('不再接受网上提交')).toHaveLength(2);
  });

  it('minping campaign list shows the status; campaign open, pause, resume, extend, close and publish change it', async () => {
    const draft = await createTestCampaign(db, services, { state: 'draft' });
    const cli = (...argv: string[]) => runCommand(argv, { db, clock, config: defaultConfig() });
    expect((await cli('campaign', 'list')).out).toContain('草稿');
    const refused = await cli('campaign', 'open', '--campaign', draft.slug);
    expect(refused).toMatchObject({ code: 2, err: expect.stringContaining('还没有评议代表') });
    await insertEvaluators(db, draft, 2);
    expect((await cli('campaign', 'open', '--campaign', draft.slug)).out).toContain('进行中');
    expect((await cli('campaign', 'pause', '--campaign', draft.slug)).out).toContain('已暂停');
    expect((await cli('campaign', 'resume', '--campaign', draft.slug)).out).toContain('进行中');
    expect(await cli('campaign', 'extend', '--campaign', draft.slug)).toMatchObject({
      code: 2,
      err: expect.stringContaining('请用 --closes-at 指定新的截止时间'),
    });
    const extended = await cli(
      'campaign',
      'extend',
      '--campaign',
      draft.slug,
      '--closes-at',
      '2027-01-10T18:00:00+08:00',
    );
    expect(extended.out).toContain('2027-01-10 18:00');
    const early = await cli('campaign', 'extend', '--campaign', draft.slug, '--closes-at', '2026-11-01T00:00:00+08:00');
    expect(early).toMatchObject({ code: 2, err: expect.stringContaining('早于现在') });
    expect(await cli('publish', '--campaign', draft.slug)).toMatchObject({
      code: 2,
      err: expect.stringContaining('不能发布结果：评议尚未截止'),
    });
    expect((await cli('campaign', 'close', '--campaign', draft.slug)).out).toContain('已截止');
    expect((await cli('campaign', 'open', '--campaign', draft.slug)).code).toBe(2);
    // responses collected elsewhere are imported after the close, until the publication
    const paper = join(mkdtempSync(join(tmpdir(), 'minping-lifecycle-')), 'paper.jsonl');
    writeFileSync(paper, `${knownRecords().records.map(line).join('\n')}\n`);
    expect((await cli('import', 'responses', '--campaign', draft.slug, paper)).out).toContain('已导入');
    const published = await cli('publish', '--campaign', draft.slug);
    expect(published.code, published.err).toBe(0);
    expect((await cli('campaign', 'list')).out).toContain('已发布');
    expect(await cli('import', 'responses', '--campaign', draft.slug, paper)).toMatchObject({
      code: 2,
      err: expect.stringContaining('不能导入答卷：结果已经发布'),
    });
    // the known records' 3 negative reports are unverified: the office confirms it knows the count
    const unconfirmed = await cli('campaign', 'settle', '--campaign', draft.slug);
    expect(unconfirmed).toMatchObject({ code: 2, err: expect.stringContaining('--unverified 3') });
    expect(unconfirmed.out).toContain('未核实的负面情形反映：3 条');
    expect(await cli('campaign', 'settle', '--campaign', draft.slug, '--unverified', '2')).toMatchObject({
      code: 2,
      err: expect.stringContaining('现在是 3 条（确认的是 2 条）'),
    });
    expect((await cli('campaign', 'settle', '--campaign', draft.slug, '--unverified', 'all')).err).toContain(
      '--unverified 应为未核实的负面情形反映的条数',
    );
    const settled = await cli('campaign', 'settle', '--campaign', draft.slug, '--unverified', '3');
    expect(settled.out, settled.err).toContain('已结算');
  });
});
