import type { ErrorBody } from '../../server/contracts.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign, setState } from '../helpers/fixtures.js';
import { csvOf, uploadForm, xlsxOf } from '../helpers/sheets.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let services: ReturnType<typeof createServices>;
let admin: LoggedIn;
let campaign: Campaign;

beforeEach(async () => {
  db = await sqliteDb();
  const deps = { db, config: defaultConfig(), clock: fixedClock('2026-10-20T08:00:00Z') };
  app = createApp(deps);
  services = createServices(deps);
  campaign = await createTestCampaign(db, services);
  admin = await loginAs(app, services, 'admin');
});
afterEach(() => db.close());

const upload = (body: Uint8Array | string, filename: string, headers: Record<string, string> = admin.headers()) =>
  app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
    method: 'POST',
    headers,
    body: uploadForm(body, filename),
  });

type SummaryBody = { summary: { rows: number; inserted: number; updated: number; unchanged: number } };

const evaluators = () => db.kysely.selectFrom('evaluators').selectAll().orderBy('name').execute();

const FILE = csvOf([
  ['姓名', '单位/项目', '类别', '电话', '邮箱'],
  ['王建国', '轨道交通3号线项目部', '项目参建单位/服务对象代表', '138 0013 8000', ''],
  ['刘芳', '市人大代表', 'deputies', '', 'LIU@example.com'],
  ['陈明', '', '社会公众', '', ''],
]);

describe('importing evaluators', () => {
  it('refuses evaluators once the campaign has closed: their links would open nothing', async () => {
    for (const state of ['closed', 'published', 'settled'] as const) {
      campaign = await setState(db, campaign, state);
      const res = await upload(FILE, '代表.csv');
      expect(res.status).toBe(409);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.message).toMatch(/^不能导入评议代表：评议活动已(截止|发布|结算)/);
    }
    expect(await evaluators()).toEqual([]);
  });

  it('imports a CSV with Chinese headers, category given as label or code', async () => {
    const res = await upload(FILE, '代表.csv');
    expect(res.status).toBe(200);
    expect(((await res.json()) as SummaryBody).summary).toMatchObject({
      rows: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
    });
    const rows = await evaluators();
    expect(rows.map((e) => [e.name, e.organisation, e.category, e.phone, e.email])).toEqual([
      ['刘芳', '市人大代表', 'deputies', null, 'liu@example.com'],
      ['王建国', '轨道交通3号线项目部', 'project', '13800138000', null],
      ['陈明', null, 'public', null, null],
    ]);
    expect(rows.every((e) => /^[0-9a-f]{64}$/.test(e.row_key))).toBe(true);
  });

  it('imports an .xlsx file with numbers as phone numbers', async () => {
    const bytes = await xlsxOf([
      ['name', 'organisation', 'category', 'phone'],
      ['赵六', '某建设集团', 'project', 13900139000],
      ['孙七', '某街道办事处', 'grassroots', null],
    ]);
    const res = await upload(bytes, 'evaluators.xlsx');
    expect(res.status).toBe(200);
    expect((await evaluators()).find((e) => e.name === '赵六')?.phone).toBe('13900139000');
  });

  it('changes nothing when the same file is imported again, even re-typed with other spacing and case', async () => {
    await upload(FILE, '代表.csv');
    const before = await evaluators();
    const again = await upload(FILE.replace('138 0013 8000', '13800138000').replace('LIU@', 'liu@'), '代表.csv');
    expect(((await again.json()) as SummaryBody).summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await evaluators()).toEqual(before);
  });

  it('adds only the new rows of a longer file', async () => {
    await upload(FILE, '代表.csv');
    const res = await upload(`${FILE}周八,某社区,基层单位,,\n`, '代表.csv');
    expect(((await res.json()) as SummaryBody).summary).toMatchObject({ rows: 4, inserted: 1, unchanged: 3 });
  });

  it('reports every bad row with its line and field and imports nothing', async () => {
    const file = csvOf([
      ['name', 'organisation', 'category', 'phone', 'email'],
      ['王建国', '项目部', 'project', '', ''],
      ['', '项目部', 'project', '', ''],
      ['刘芳', '人大', '领导', '', ''],
      ['陈明', '', 'public', '12ab', ''],
      ['赵六', '', 'public', '', 'zhao@'],
      ['王建国', '项目部', '项目参建单位/服务对象代表', '', ''],
    ]);
    const res = await upload(file, 'bad.csv');
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details!.map((d) => [d.line, d.field])).toEqual([
      [3, 'name'],
      [4, 'category'],
      [5, 'phone'],
      [6, 'email'],
      [7, 'name'],
    ]);
    expect(body.error.details![1].message).toMatch(/^不是本活动的评议代表类别（应为：.+）$/);
    // the categories by the office's labels only, never their config codes
    expect(body.error.details![1].message).not.toMatch(/[A-Za-z]/);
    expect(body.error.details![4].message).toContain('与第 2 行重复');
    expect(await evaluators()).toEqual([]);
  });

  it('refuses a mobile number that is not 11 digits, and keeps landlines and +86 mobiles', async () => {
    const refused = await upload(
      csvOf([
        ['name', 'organisation', 'category', 'phone'],
        ['陈明', '', 'public', '1380013'],
      ]),
      'short.csv',
    );
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as ErrorBody).error.details).toEqual([
      { line: 2, field: 'phone', message: '手机号码应为 11 位' },
    ]);
    const res = await upload(
      csvOf([
        ['name', 'organisation', 'category', 'phone'],
        ['陈明', '', 'public', '0574-8718 0000'],
        ['赵六', '', 'public', '+86 139 0013 9000'],
      ]),
      'ok.csv',
    );
    expect(res.status).toBe(200);
    expect((await evaluators()).map((e) => e.phone).sort()).toEqual(['+8613900139000', '057487180000']);
  });

  it.each(['csv', 'xlsx'])('names every error of a row by the .%s header as uploaded', async (kind) => {
    const rows = [
      ['名字', '所在单位', '评议代表类别', '手机号', '电子邮箱'],
      ['', '项目部', '领导', '12ab', 'zhao@'],
    ];
    const res = await upload(kind === 'csv' ? csvOf(rows) : await xlsxOf(rows), `代表.${kind}`);
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.details!.map((d) => [d.line, d.field, d.message.slice(0, 12)])).toEqual([
      [2, '名字', '不能为空'],
      [2, '评议代表类别', '不是本活动的评议代表类别'],
      [2, '手机号', '不是有效的电话号码'],
      [2, '电子邮箱', '不是有效的邮箱地址'],
    ]);
    expect(error.message).toMatch(/^文件有 4 处错误，没有导入任何数据。第2行「名字」：不能为空；「评议代表类别」：/);
    expect(await evaluators()).toEqual([]);
  });

  it('reports a row with two bad fields twice', async () => {
    const res = await upload(
      csvOf([
        ['name', 'organisation', 'category', 'email'],
        ['', 'x', 'nope', 'bad'],
      ]),
      'bad.csv',
    );
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details!.map((d) => [d.line, d.field])).toEqual([
      [2, 'name'],
      [2, 'category'],
      [2, 'email'],
    ]);
  });

  it('keeps the personal roster away from analysts', async () => {
    await upload(FILE, '代表.csv');
    const analyst = await loginAs(app, services, 'analyst');
    expect(
      (await app.request(`/api/campaigns/${campaign.slug}/evaluators`, { headers: analyst.headers() })).status,
    ).toBe(403);
    expect((await upload(FILE, 'x.csv', analyst.headers())).status).toBe(403);
    const list = await app.request(`/api/campaigns/${campaign.slug}/evaluators?q=${encodeURIComponent('王')}`, {
      headers: admin.headers(),
    });
    expect(list.status).toBe(200);
    const body = (await list.json()) as { total: number; evaluators: { name: string; invited: boolean }[] };
    expect(body.total).toBe(3);
    expect(body.evaluators).toEqual([expect.objectContaining({ name: '王建国', invited: false })]);
  });
});
