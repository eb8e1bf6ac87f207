import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { CampaignCloned, ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { AppError } from '../../server/errors.js';
import { createServices, type Services } from '../../server/services.js';
import { SURVEYS_DIR } from '../../surveys/campaign-config.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { dialects, sqliteDb } from '../helpers/db.js';
import { createTestCampaign, setState } from '../helpers/fixtures.js';
import { csvOf } from '../helpers/sheets.js';
import { postForm } from '../portal/helpers.js';

const clock = fixedClock('2027-01-10T08:00:00Z');

/** The test campaign with a liaison on D001, D002's liaison named on the department, and a roster of three with links. */
async function sourceCampaign(db: Db, services: Services): Promise<Campaign> {
  // its roster and links were made before it opened; by this clock it has closed
  const campaign = await createTestCampaign(db, services, { state: 'draft' });
  await db.kysely
    .updateTable('departments')
    .set({ liaison_name: '王联络', liaison_email: 'wang@example.gov.cn' })
    .where('campaign_id', '=', campaign.id)
    .where('code', '=', 'D002')
    .execute();
  await services.accounts.addUser(
    { username: 'liaison-d001', role: 'liaison', departmentCode: 'D001', password: 'correct horse battery staple' },
    'test',
  );
  const rows = [
    ['name', 'organisation', 'category', 'phone'],
    ['甲', '单位一', 'project', '13800000001'],
    ['乙', '单位二', 'deputies', ''],
    ['丙', '', 'public', ''],
  ];
  await services.roster.importEvaluators(
    campaign,
    { bytes: new TextEncoder().encode(csvOf(rows)), filename: 'e.csv' },
    { actor: 'test' },
  );
  await services.invitations.generate(campaign, { actor: 'test' });
  return setState(db, campaign, 'open');
}

const count = async (db: Db, table: 'campaigns' | 'audit_log' | 'departments' | 'evaluators' | 'invitations') =>
  Number(
    (
      await db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

const refusal = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe.each(await dialects())('cloning a campaign on $name', ({ open }) => {
  let db: Db;
  let services: Services;
  let source: Campaign;
  beforeAll(async () => {
    db = await open();
    services = createServices({ db, config: defaultConfig(), clock });
    source = await sourceCampaign(db, services);
  });
  afterAll(() => db.close());

  it('copies the config with the new name and dates, the groups and the departments with their codes', async () => {
    const { campaign, copied } = await services.campaigns.clone(
      source.slug,
      { slug: 'test-2027', name: '2027年度民主评议机关', withRoster: false },
      'office',
    );
    expect(campaign).toMatchObject({
      slug: 'test-2027',
      name: '2027年度民主评议机关',
      mode: source.mode,
      // no dates given: the source's a year later
      opensAt: '2027-10-31T16:00:00.000Z',
      closesAt: '2027-12-31T15:59:59.000Z',
    });
    const stored = await services.campaigns.getBySlug('test-2027');
    const { slug, name, opensAt, closesAt, ...rest } = stored.config;
    const { slug: _s, name: _n, opensAt: _o, closesAt: _c, ...sourceRest } = source.config;
    expect(rest).toEqual(sourceRest);
    expect({ slug, name }).toEqual({ slug: 'test-2027', name: '2027年度民主评议机关' });
    expect([opensAt, closesAt].map((x) => new Date(x).toISOString())).toEqual([campaign.opensAt, campaign.closesAt]);
    expect(stored.config.groups).toEqual(source.config.groups);

    const strip = ({ id: _id, ...d }: { id: string }) => d;
    const [before, after] = await Promise.all([
      services.campaigns.departments(source.id),
      services.campaigns.departments(campaign.id),
    ]);
    expect(after.map(strip)).toEqual(before.map(strip));
    expect(after.find((d) => d.code === 'D002')).toMatchObject({ liaisonName: '王联络' });
    expect(after.filter((d) => before.some((b) => b.id === d.id))).toEqual([]);
    expect(copied).toEqual({ groups: 3, departments: 6, evaluators: 0, liaisonAccounts: 1 });
    expect(await services.roster.countEvaluators(campaign.id)).toBe(0);
  });

  it('carries the questionnaire the source’s evaluators answered, as version 1', async () => {
    const campaign = await services.campaigns.getBySlug('test-2027');
    const questionnaire = await services.campaigns.questionnaire(campaign.id);
    expect(questionnaire.version).toBe(1);
    expect(questionnaire.definition).toEqual((await services.campaigns.questionnaire(source.id)).definition);
  });

  it('keeps liaison accounts on their department: the new campaign names it', async () => {
    await db.kysely
      .updateTable('departments')
      .set({ name: '改名后的部门一' })
      .where('campaign_id', '=', (await services.campaigns.getBySlug('test-2027')).id)
      .where('code', '=', 'D001')
      .execute();
    const liaison = (await services.accounts.listUsers()).find(
      (u) => u.role === 'liaison' && u.departmentCode === 'D001',
    );
    // the header's name: the account's row in its newest campaign
    expect((await services.accounts.liaisonDepartments(liaison!.id))[0].name).toBe('改名后的部门一');
  });

  it('records one audit row with what was copied', async () => {
    const rows = (await services.audit.list()).filter((r) => r.action === 'campaign_clone');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      actor: 'office',
      detail: { from: source.slug, slug: 'test-2027', withRoster: false, departments: 6, evaluators: 0 },
    });
  });

  it('copies the roster only on request, and without invitations', async () => {
    const invitationsBefore = await count(db, 'invitations');
    const { campaign, copied } = await services.campaigns.clone(
      source.slug,
      {
        slug: 'test-2028',
        name: '2028年度',
        opensAt: '2028-11-01T00:00:00+08:00',
        closesAt: '2028-12-31T23:59:59+08:00',
        withRoster: true,
      },
      'office',
    );
    expect(campaign.opensAt).toBe('2028-10-31T16:00:00.000Z');
    expect(copied.evaluators).toBe(3);
    const people = (e: { name: string; organisation: string | null; category: string; phone: string | null }) =>
      `${e.name}|${e.organisation}|${e.category}|${e.phone}`;
    const [before, after] = await Promise.all([
      services.roster.evaluators(source.id),
      services.roster.evaluators(campaign.id),
    ]);
    expect(after.map(people).sort()).toEqual(before.map(people).sort());
    expect(before.every((e) => e.invited)).toBe(true);
    expect(after.some((e) => e.invited)).toBe(false);
    expect(await count(db, 'invitations')).toBe(invitationsBefore);
    // re-importing last year's file into the clone adds nobody: the rows keep their identity
    const rows = [
      ['name', 'organisation', 'category', 'phone'],
      ['甲', '单位一', 'project', '13800000001'],
    ];
    const again = await services.roster.importEvaluators(
      campaign,
      { bytes: new TextEncoder().encode(csvOf(rows)), filename: 'e.csv' },
      { actor: 'test' },
    );
    expect(again.inserted).toBe(0);
  });

  it('refuses an existing slug, an unknown source and bad dates, naming the field, writing nothing', async () => {
    const before = await Promise.all([count(db, 'campaigns'), count(db, 'audit_log'), count(db, 'departments')]);
    const taken = await refusal(
      services.campaigns.clone(source.slug, { slug: 'test-2027', name: 'x', withRoster: false }, 'o'),
    );
    expect(taken.code).toBe('CONFLICT');
    expect(taken.message).toBe('活动代码：评议活动 test-2027 已存在');
    expect(taken.details).toEqual([{ field: 'slug', message: '评议活动 test-2027 已存在' }]);

    const unknown = await refusal(
      services.campaigns.clone('nope', { slug: 'x-2027', name: 'x', withRoster: false }, 'o'),
    );
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toContain('来源活动');

    const backwards = await refusal(
      services.campaigns.clone(
        source.slug,
        {
          slug: 'x-2027',
          name: 'x',
          opensAt: '2027-12-31T00:00:00Z',
          closesAt: '2027-01-01T00:00:00Z',
          withRoster: false,
        },
        'o',
      ),
    );
    expect(backwards.code).toBe('VALIDATION_FAILED');
    expect(backwards.message).toMatch(/^截止时间：必须晚于开始时间/);

    // only one date given: the other is the source's a year later, and must still come after it
    const late = await refusal(
      services.campaigns.clone(
        source.slug,
        { slug: 'x-2027', name: 'x', opensAt: '2028-06-01T00:00:00Z', withRoster: false },
        'o',
      ),
    );
    expect(late.details?.[0]?.field).toBe('closesAt');
    expect(await Promise.all([count(db, 'campaigns'), count(db, 'audit_log'), count(db, 'departments')])).toEqual(
      before,
    );
  });
});

describe('a clone over HTTP and on the office page', () => {
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let services: Services;
  let admin: LoggedIn;
  let analyst: LoggedIn;
  let source: Campaign;
  beforeAll(async () => {
    db = await sqliteDb();
    const deps = { db, config: defaultConfig(), clock };
    app = createApp(deps);
    services = createServices(deps);
    source = await sourceCampaign(db, services);
    admin = await loginAs(app, services, 'admin');
    analyst = await loginAs(app, services, 'analyst');
  });
  afterAll(() => db.close());

  const api = (body: unknown, who: LoggedIn = admin, slug = 'test-2026') =>
    app.request(`/api/campaigns/${slug}/clone`, {
      method: 'POST',
      headers: who.headers({ 'content-type': 'application/json' }),
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const errorOf = async (res: Response) => ((await res.json()) as ErrorBody).error;

  it('POST /api/campaigns/:slug/clone makes the campaign and says what it copied', async () => {
    const res = await api({ slug: 'api-2027', name: '接口复制', withRoster: true });
    expect(res.status).toBe(201);
    const body = (await res.json()) as CampaignCloned;
    expect(body).toMatchObject({
      campaign: { slug: 'api-2027', name: '接口复制', status: 'draft' },
      from: 'test-2026',
      copied: { groups: 3, departments: 6, evaluators: 3, liaisonAccounts: 1 },
    });
    expect((await services.audit.list()).find((r) => r.action === 'campaign_clone')?.actor).toBe(admin.username);
  });

  it('is the office’s alone', async () => {
    expect((await api({ slug: 'analyst-2027', name: 'x' }, analyst)).status).toBe(403);
    const res = await app.request('/api/campaigns/test-2026/clone', { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });

  it('answers 404, 409 and 422 in the error envelope, naming the field', async () => {
    const unknown = await api({ slug: 'x-2027', name: 'x' }, admin, 'nope');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toContain('来源活动');
    const taken = await api({ slug: 'api-2027', name: 'x' });
    expect(taken.status).toBe(409);
    expect((await errorOf(taken)).message).toBe('活动代码：评议活动 api-2027 已存在');
    const badSlug = await api({ slug: 'Not A Slug', name: 'x' });
    expect(badSlug.status).toBe(422);
    expect((await errorOf(badSlug)).message).toMatch(/^活动代码：/);
    const badDate = await api({ slug: 'x-2027', name: 'x', opensAt: 'next year' });
    expect(badDate.status).toBe(422);
    const dateError = await errorOf(badDate);
    expect(dateError).toMatchObject({ details: [{ field: 'opensAt' }] });
    expect(dateError.message).toMatch(/^开始时间：/);
    const noName = await api({ slug: 'x-2027', name: '  ' });
    expect((await errorOf(noName)).message).toBe('活动名称：不能为空（不能只有空格或看不见的字符）');
    const extra = await api({ slug: 'x-2027', name: 'x', questionnaire: '../../etc/passwd' });
    expect(extra.status).toBe(422);
    expect((await api('not json')).status).toBe(400);
  });

  it('offers the form on the campaign page, its fields filled for next year in the campaign’s zone', async () => {
    const res = await app.request('/admin/campaigns/test-2026', { headers: admin.headers() });
    const html = await res.text();
    expect(html).toContain('以此为模板新建活动');
    expect(html).toContain('action="/admin/campaigns/test-2026/clone"');
    expect(html).toContain('value="test-2027"');
    expect(html).toContain('value="2027-11-01T00:00:00"');
    expect(html).toContain('value="2027-12-31T23:59:59"');
    expect(html).toContain('同时复制评议代表名单');
  });

  const form = async (fields: Record<string, string>) => {
    const { res, body } = await postForm(app, '/admin/campaigns/test-2026/clone', admin, fields);
    return { status: res.status, location: res.headers.get('location'), html: body };
  };

  it('the form makes the campaign, times read in the campaign’s zone, and leads to its page', async () => {
    const res = await form({
      name: '页面复制',
      slug: 'page-2027',
      opensAt: '2027-11-01T09:00',
      closesAt: '2027-12-31T23:59:59',
    });
    expect(res.status).toBe(303);
    expect(res.location).toBe('/admin/campaigns/page-2027?done=clone');
    const campaign = await services.campaigns.getBySlug('page-2027');
    expect([campaign.opensAt, campaign.closesAt]).toEqual(['2027-11-01T01:00:00.000Z', '2027-12-31T15:59:59.000Z']);
    expect(await services.roster.countEvaluators(campaign.id)).toBe(0);
    const page = await app.request('/admin/campaigns/page-2027?done=clone', { headers: admin.headers() });
    expect(await page.text()).toContain('已以模板新建本活动');
  });

  it('copies the roster when the box is ticked', async () => {
    expect((await form({ name: '带名单', slug: 'roster-2027', withRoster: '1' })).status).toBe(303);
    const campaign = await services.campaigns.getBySlug('roster-2027');
    expect(await services.roster.countEvaluators(campaign.id)).toBe(3);
  });

  it('shows a refusal on the page with the message and what was typed', async () => {
    const campaigns = (await services.campaigns.list()).length;
    const taken = await form({ name: '重复代码', slug: 'page-2027', opensAt: '2027-11-01T09:00' });
    expect(taken.status).toBe(409);
    const { html } = taken;
    expect(html).toContain('活动代码：评议活动 page-2027 已存在');
    expect(html).toContain('value="重复代码"');
    expect(html).toContain('value="2027-11-01T09:00"');
    const badTime = await form({ name: 'x', slug: 'bad-2027', opensAt: '2027-02-30T09:00' });
    expect(badTime.status).toBe(422);
    expect(badTime.html).toContain('开始时间：请按“年-月-日 时:分”填写');
    // the times it names read as the page's: in the campaign's zone, never UTC
    const backwards = await form({
      name: 'x',
      slug: 'back-2027',
      opensAt: '2027-12-01T09:00',
      closesAt: '2027-11-01T09:00',
    });
    expect(backwards.status).toBe(422);
    expect(backwards.html).toContain('截止时间：必须晚于开始时间（2027年12月1日 09:00（北京时间））');
    expect(backwards.html).not.toContain('2027-12-01T01:00');
    const farOff = await form({ name: 'x', slug: 'far-2027', closesAt: '9999-12-31T23:59' });
    expect(farOff.status).toBe(422);
    expect(farOff.html).toContain('截止时间：应在 2000 年至 2100 年之间，请检查年份');
    expect((await services.campaigns.list()).length).toBe(campaigns);
  });

  it('refuses the form without the CSRF token', async () => {
    const { res } = await postForm(
      app,
      '/admin/campaigns/test-2026/clone',
      admin,
      { name: 'x', slug: 'csrf-2027' },
      { csrf: false },
    );
    expect(res.status).toBe(403);
    await expect(services.campaigns.getBySlug('csrf-2027')).rejects.toThrow(AppError);
    expect(source.slug).toBe('test-2026');
  });
});

describe('cloning a campaign whose questionnaire was uploaded', () => {
  let db: Db;
  let services: Services;
  beforeAll(async () => {
    db = await sqliteDb();
    services = createServices({ db, config: defaultConfig(), clock });
  });
  afterAll(() => db.close());

  it('carries an uploaded questionnaire with the office’s own questions, not the file the config names', async () => {
    const file = JSON.parse(readFileSync(resolve(SURVEYS_DIR, 'questionnaire.default.json'), 'utf8')) as {
      pages: { name: string; elements: unknown[] }[];
    };
    const uploaded = {
      ...file,
      pages: [
        ...file.pages,
        { name: 'after', elements: [{ type: 'comment', name: 'anythingElse', title: '还有什么想说的？' }] },
      ],
    };
    const withExtras = await createTestCampaign(db, services, { questionnaire: uploaded });
    const { campaign } = await services.campaigns.clone(
      withExtras.slug,
      { slug: 'extras-2027', name: '2027年度（自定义问题）', withRoster: false },
      'office',
    );
    expect((await services.campaigns.questionnaire(campaign.id)).definition).toEqual(uploaded);
    expect((await services.campaigns.departmentIndex(campaign)).extras.record.map((q) => q.name)).toEqual([
      'anythingElse',
    ]);
  });
});
