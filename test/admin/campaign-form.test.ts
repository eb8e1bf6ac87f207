import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createApp } from '../../server/app.js';
import { parseCampaignConfig } from '../../server/campaigns/config-errors.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { AppError } from '../../server/errors.js';
import { createServices, type Services } from '../../server/services.js';
import { EXAMPLE_CONFIG_PATH } from '../../surveys/campaign-config.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { page, postForm } from '../portal/helpers.js';

const clock = fixedClock('2026-10-20T08:00:00Z');

const unescapeHtml = (text: string) =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The fields of the creation form as a browser would send them: its inputs and each select's chosen option. */
function formFields(html: string): Record<string, string> {
  const form = html.slice(
    html.indexOf('id="campaign-form"'),
    html.indexOf('</form>', html.indexOf('id="campaign-form"')),
  );
  const fields: Record<string, string> = {};
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(m[0])?.[1];
    if (name && name !== 'csrf') fields[name] = unescapeHtml(/value="([^"]*)"/.exec(m[0])?.[1] ?? '');
  }
  for (const m of form.matchAll(/<select name="([^"]+)">([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="([^"]*)" selected/.exec(m[2]) ?? /<option value="([^"]*)"/.exec(m[2]);
    fields[m[1]] = chosen?.[1] ?? '';
  }
  return fields;
}

describe('creating a campaign with the form', () => {
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let services: Services;
  let office: LoggedIn;
  beforeAll(async () => {
    db = await sqliteDb();
    const deps = { db, config: defaultConfig(), clock };
    app = createApp(deps);
    services = createServices(deps);
    office = await loginAs(app, services, 'admin');
  });
  afterAll(() => db.close());

  it('is linked from the campaign list, beside the upload that stays', async () => {
    const { body } = await page(app, '/admin', office);
    expect(body).toContain('href="/admin/campaigns/new"');
    expect(body).toContain('id="create-campaign"');
  });

  it('starts from the example, with its dates in the campaign time zone', async () => {
    const { res, body } = await page(app, '/admin/campaigns/new', office);
    expect(res.status).toBe(200);
    const fields = formFields(body);
    expect(fields).toMatchObject({
      from: 'example',
      name: '2026年度民主评议机关',
      slug: 'appraisal-2026',
      mode: 'anonymous',
      timeZone: 'Asia/Shanghai',
      scale: 'four-level',
      opensAt: '2026-11-01T00:00:00',
      closesAt: '2026-12-31T23:59:59',
      'categories.0.code': 'project',
      'categories.0.weight': '0.5',
      'categories.4.label': '社会公众',
      'groups.2.code': 'service',
      'items.1.code': 'quality',
    });
    expect(body).toContain('开始时间（北京时间）');
  });

  it('offers a fresh code of the year, never the demo’s, and the next free one once it is taken', async () => {
    const fields = formFields((await page(app, '/admin/campaigns/new', office)).body);
    expect(fields.slug).not.toBe('demo-2026');
    const { res } = await postForm(app, '/admin/campaigns/new', office, fields);
    expect(res.headers.get('location')).toBe('/admin/campaigns/appraisal-2026?done=create');
    expect(formFields((await page(app, '/admin/campaigns/new', office)).body).slug).toBe('appraisal-2026-2');
    await postForm(app, '/admin/campaigns/new', office, { ...fields, slug: 'appraisal-2026-2' });
    expect(formFields((await page(app, '/admin/campaigns/new', office)).body).slug).toBe('appraisal-2026-3');
    // an earlier campaign's code a year on is offered only when free too
    await postForm(app, '/admin/campaigns/new', office, { ...fields, slug: 'appraisal-2027' });
    const next = formFields((await page(app, '/admin/campaigns/new?from=appraisal-2026', office)).body);
    expect(next.slug).toBe('appraisal-2027-2');
  });

  it('offers the time zones China’s offices use by their Chinese names, 北京时间 first, and refuses any other', async () => {
    const { body } = await page(app, '/admin/campaigns/new', office);
    const select = /<select name="timeZone"[^>]*>([\s\S]*?)<\/select>/.exec(body)?.[1] ?? '';
    const options = [...select.matchAll(/<option value="([^"]+)"( selected)?[^>]*>([^<]*)</g)].map((m) => [m[1], m[3]]);
    expect(options).toEqual([
      ['Asia/Shanghai', '北京时间'],
      ['Asia/Urumqi', '乌鲁木齐时间（比北京时间晚 2 小时）'],
      ['Asia/Hong_Kong', '香港时间'],
      ['Asia/Macau', '澳门时间'],
      ['Asia/Taipei', '台北时间'],
    ]);
    expect(select).toMatch(/<option value="Asia\/Shanghai" selected/);
    const fields = formFields(body);
    const { res, body: refused } = await postForm(app, '/admin/campaigns/new', office, {
      ...fields,
      slug: 'berlin-2026',
      timeZone: 'Europe/Berlin',
    });
    expect(res.status).toBe(422);
    expect(refused).toMatch(/id="error-timeZone">请从列表中选择/);
    expect(refused).toContain('时区：请从列表中选择');
  });

  it('refuses a year outside 2000–2100 beside the field, on the form and on the dates of a draft', async () => {
    const fields = formFields((await page(app, '/admin/campaigns/new', office)).body);
    const { res, body } = await postForm(app, '/admin/campaigns/new', office, {
      ...fields,
      slug: 'years-2026',
      opensAt: '1900-11-01T00:00:00',
      closesAt: '9999-12-31T23:59:59',
    });
    expect(res.status).toBe(422);
    expect(body).toMatch(/id="error-opensAt">应在 2000 年至 2100 年之间，请检查年份/);
    expect(body).toMatch(/id="error-closesAt">应在 2000 年至 2100 年之间，请检查年份/);
    expect(body).toContain('开始时间：应在 2000 年至 2100 年之间');
    await expect(services.campaigns.getBySlug('years-2026')).rejects.toThrow(AppError);
    // a draft's new deadline, over the campaign page's dates form and the API alike
    const draft = await services.campaigns.create(
      { raw: { ...(YAML.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as object), slug: 'dates-2026' } },
      'test',
    );
    await expect(services.campaigns.setDates(draft.slug, { closesAt: '9999-12-31T15:59:59Z' }, 'test')).rejects.toThrow(
      '活动时间：截止时间应在 2000 年至 2100 年之间，请检查年份',
    );
    const dates = await postForm(app, `/admin/campaigns/${draft.slug}/dates`, office, { closesAt: '9999-12-31T23:59' });
    expect(dates.res.status).toBe(303);
    expect((await services.campaigns.getBySlug(draft.slug)).closesAt).toBe(draft.closesAt);
  });

  it('keeps an uploaded campaign’s own IANA zone when the form starts from it', async () => {
    const raw = YAML.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
    await services.campaigns.create({ raw: { ...raw, slug: 'tokyo-2026', timeZone: 'Asia/Tokyo' } }, 'test');
    const { body } = await page(app, '/admin/campaigns/new?from=tokyo-2026', office);
    expect(body).toContain('<option value="Asia/Tokyo" selected="">沿用来源活动的时区（Asia/Tokyo）</option>');
    const { res } = await postForm(app, '/admin/campaigns/new', office, formFields(body));
    expect(res.status).toBe(303);
    expect((await services.campaigns.getBySlug('tokyo-2027')).config.timeZone).toBe('Asia/Tokyo');
  });

  it('builds the same config as uploading the example, through the same schema', async () => {
    const fields = formFields((await page(app, '/admin/campaigns/new', office)).body);
    const { res } = await postForm(app, '/admin/campaigns/new', office, {
      ...fields,
      slug: 'form-2026',
      name: '表单活动',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/admin/campaigns/form-2026?done=create');
    const created = await services.campaigns.getBySlug('form-2026');
    const uploaded = parseCampaignConfig({
      ...(YAML.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as object),
      slug: 'form-2026',
      name: '表单活动',
    });
    expect(created.config).toEqual({
      ...uploaded,
      opensAt: new Date(uploaded.opensAt).toISOString(),
      closesAt: new Date(uploaded.closesAt).toISOString(),
    });
    expect((await page(app, '/admin/campaigns/form-2026?done=create', office)).body).toContain('已创建本活动');
  });

  it('takes the edits: other weights, a dropped category, a group added, another scale, mode and zone', async () => {
    const fields = formFields((await page(app, '/admin/campaigns/new', office)).body);
    const { res } = await postForm(app, '/admin/campaigns/new', office, {
      ...fields,
      slug: 'edited-2026',
      mode: 'named',
      scale: 'three-level',
      timeZone: 'Asia/Urumqi',
      opensAt: '2026-11-01T09:00',
      'categories.0.weight': '０.６',
      'categories.4.code': '',
      'categories.4.label': '',
      'categories.4.weight': '',
      'groups.3.code': 'party',
      'groups.3.label': '党群类',
    });
    expect(res.status).toBe(303);
    const { config } = await services.campaigns.getBySlug('edited-2026');
    expect(config.mode).toBe('named');
    expect(config.timeZone).toBe('Asia/Urumqi');
    expect(config.opensAt).toBe('2026-11-01T03:00:00.000Z');
    expect(config.scale.map((l) => l.label)).toEqual(['满意', '基本满意', '不满意', '不了解']);
    expect(config.categories.map((c) => [c.code, c.weight, c.english])).toEqual([
      ['project', 0.6, 'Project parties and service users'],
      ['deputies', 0.2, 'Deputies and CPPCC members'],
      ['supervisors', 0.1, 'Invited supervisors'],
      ['grassroots', 0.1, 'Grassroots units'],
    ]);
    expect(config.groups.at(-1)).toEqual({ code: 'party', label: '党群类' });
  });

  it('says weights need not sum to 1 and, weights summing to 6 saved, shows their shares as a note, never a red warning', async () => {
    const { body: form } = await page(app, '/admin/campaigns/new', office);
    expect(form).toContain('权重按比例计算（合计不必为 1）');
    const fields = formFields(form);
    const { res } = await postForm(app, '/admin/campaigns/new', office, {
      ...fields,
      slug: 'shares-2026',
      'categories.0.weight': '2',
      'categories.1.weight': '1',
      'categories.2.weight': '1',
      'categories.3.weight': '1',
      'categories.4.weight': '1',
    });
    expect(res.status).toBe(303);
    const { body } = await page(app, res.headers.get('location')!.split('?')[0], office);
    const errors = [...body.matchAll(/<p class="error"[^>]*>([\s\S]*?)<\/p>/g)].map((m) => m[1]);
    expect(errors.filter((e) => e.includes('权重'))).toEqual([]);
    expect(body).toMatch(
      /<p class="muted config-note" role="note">评议类别的权重按比例计算（合计 6，不必为 1），各占：项目参建单位\/服务对象代表 33.33%，两代表一委员 16.67%/,
    );
  });

  it('refuses a bad field in Chinese beside it, keeping everything typed', async () => {
    const fields = formFields((await page(app, '/admin/campaigns/new', office)).body);
    const { res, body: sent } = await postForm(app, '/admin/campaigns/new', office, {
      ...fields,
      slug: 'kept-2026',
      name: '保留输入的活动',
      'categories.2.weight': '一成',
      'groups.0.label': '',
    });
    expect(res.status).toBe(422);
    const body = sent;
    expect(body).toContain('第 3 个评议类别的权重：应为数字');
    expect(body).toContain('第 1 个部门分组的名称：不能为空');
    const kept = formFields(body);
    expect(kept).toMatchObject({ slug: 'kept-2026', name: '保留输入的活动', 'categories.2.weight': '一成' });
    expect(body).toMatch(/name="categories\.2\.weight" value="一成" aria-invalid="true"/);
    expect(await db.kysely.selectFrom('campaigns').select('slug').where('slug', '=', 'kept-2026').execute()).toEqual(
      [],
    );
  });

  it('lists a refusal’s problems at the top in the order of the fields on the page', async () => {
    const fields = formFields((await page(app, '/admin/campaigns/new', office)).body);
    const { res, body } = await postForm(app, '/admin/campaigns/new', office, {
      ...fields,
      name: '',
      slug: 'Ordered 2026',
      'items.0.weight': '一半',
      'categories.1.weight': '两成',
      'groups.0.label': '',
    });
    expect(res.status).toBe(422);
    const summary = body.slice(
      body.indexOf('id="form-errors"'),
      body.indexOf('</div>', body.indexOf('id="form-errors"')),
    );
    const listed = [...summary.matchAll(/<li>([^：<]+)：/g)].map((m) => m[1]);
    expect(listed).toEqual([
      '活动名称',
      '活动代码',
      '第 2 个评议类别的权重',
      '第 1 个部门分组的名称',
      '第 1 个评议项目的权重',
    ]);
  });

  it('refuses a code already taken beside the code field', async () => {
    const fields = formFields((await page(app, '/admin/campaigns/new', office)).body);
    const { res, body: sent } = await postForm(app, '/admin/campaigns/new', office, { ...fields, slug: 'form-2026' });
    expect(res.status).toBe(409);
    expect(sent).toMatch(/id="error-slug">评议活动 form-2026 已存在/);
  });

  it('adds a row on 再加一行 without creating anything', async () => {
    const fields = formFields((await page(app, '/admin/campaigns/new', office)).body);
    const { res, body: sent } = await postForm(app, '/admin/campaigns/new', office, {
      ...fields,
      slug: 'rows-2026',
      add: 'groups',
    });
    expect(res.status).toBe(200);
    const shown = formFields(sent);
    expect(shown).toHaveProperty('groups.4.code', '');
    expect(shown.slug).toBe('rows-2026');
  });

  it('starts from an earlier campaign chosen in the list: its config, a year on', async () => {
    const list = (await page(app, '/admin/campaigns/new', office)).body;
    expect(list).toContain('<option value="edited-2026">');
    const { body } = await page(app, '/admin/campaigns/new?from=edited-2026', office);
    expect(formFields(body)).toMatchObject({
      from: 'edited-2026',
      slug: 'edited-2027',
      mode: 'named',
      scale: 'three-level',
      timeZone: 'Asia/Urumqi',
      opensAt: '2027-11-01T09:00:00',
      'groups.3.code': 'party',
    });
    const { res } = await postForm(app, '/admin/campaigns/new', office, formFields(body));
    expect(res.status).toBe(303);
    const next = await services.campaigns.getBySlug('edited-2027');
    expect(next.config.categories).toHaveLength(4);
  });

  it('is the office’s only', async () => {
    const analyst = await loginAs(app, services, 'analyst');
    const { res } = await page(app, '/admin/campaigns/new', analyst);
    expect(res.status).toBe(403);
  });
});
