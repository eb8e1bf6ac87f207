import type { ErrorBody } from '../../server/contracts.js';
import ExcelJS from 'exceljs';
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
  campaign = await createTestCampaign(db, services, { departments: 0, state: 'draft' });
  admin = await loginAs(app, services, 'admin');
});
afterEach(() => db.close());

const upload = (
  body: Uint8Array | string,
  filename: string,
  headers: Record<string, string> = admin.headers(),
  query = '',
) =>
  app.request(`/api/campaigns/${campaign.slug}/departments/import${query}`, {
    method: 'POST',
    headers,
    body: uploadForm(body, filename),
  });

type SummaryBody = {
  summary: {
    rows: number;
    inserted: number;
    updated: number;
    unchanged: number;
    updatedCodes: string[];
    ignoredColumns: string[];
  };
};

const departments = () => db.kysely.selectFrom('departments').selectAll().orderBy('code').execute();

const CHINESE = csvOf([
  ['代码', '名称', '分组', '联络员', '联络员邮箱'],
  ['D001', '市发展和改革委员会', '综合经济管理类', '张三', 'zhang@example.gov.cn'],
  ['D002', '市市场监督管理局', 'enforcement', '', ''],
  ['D003', '市人力资源和社会保障局', '社会服务类', '李四', ''],
]);

describe('importing departments', () => {
  it('refuses new, renamed and regrouped departments once the campaign has opened, and still takes liaisons and short names', async () => {
    expect((await upload(CHINESE, '部门.csv')).status).toBe(200);
    campaign = await setState(db, campaign, 'published');
    const before = await departments();
    const changed = csvOf([
      ['代码', '名称', '分组', '联络员', '联络员邮箱'],
      ['D001', '市某某局', '综合经济管理类', '张三', 'zhang@example.gov.cn'],
      ['D002', '市市场监督管理局', '社会服务类', '', ''],
      ['D009', '市新设局', '社会服务类', '', ''],
    ]);
    const refused = await upload(changed, '部门.csv');
    expect(refused.status).toBe(409);
    const { error } = (await refused.json()) as ErrorBody;
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('不能新增部门 D009');
    expect(error.message).toContain('修改名称或分组 D001、D002');
    expect(error.message).toContain('本次没有导入任何数据');
    expect(await departments()).toEqual(before);

    const liaisons = csvOf([
      ['代码', '名称', '分组', '联络员', '联络员邮箱', '简称'],
      ['D003', '市人力资源和社会保障局', '社会服务类', '王五', 'wang@example.gov.cn', '人社局'],
    ]);
    const taken = await upload(liaisons, '部门.csv');
    expect(taken.status).toBe(200);
    expect(((await taken.json()) as SummaryBody).summary).toMatchObject({ updated: 1, updatedCodes: ['D003'] });
    const d003 = (await departments()).find((d) => d.code === 'D003');
    expect(d003).toMatchObject({ liaison_name: '王五', short_name: '人社局', name: '市人力资源和社会保障局' });
  });

  it('refuses every import of a settled campaign, a new liaison and a dry run too, with 409 已结算的评议只能查看, and changes nothing', async () => {
    expect((await upload(CHINESE, '部门.csv')).status).toBe(200);
    campaign = await setState(db, campaign, 'settled');
    const before = await departments();
    const liaison = csvOf([
      ['代码', '名称', '分组', '联络员'],
      ['D002', '市市场监督管理局', 'enforcement', '王五'],
    ]);
    for (const query of ['', '?dryRun=1']) {
      const refused = await upload(liaison, '部门.csv', admin.headers(), query);
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as ErrorBody).error).toMatchObject({
        code: 'CONFLICT',
        message: '不能导入部门：已结算的评议只能查看（本次没有导入任何数据）',
      });
    }
    expect(await departments()).toEqual(before);
    expect((await services.accounts.listAccounts()).map((u) => u.username)).not.toContain('liaison-d002');
  });

  it('imports 33,000 departments in one file (more codes than SQLite binds in one statement), and again as unchanged', async () => {
    const groups = ['economic', 'enforcement', 'service'];
    const lines = Array.from({ length: 33_000 }, (_, i) => `D${i},部门${i},${groups[i % 3]}`);
    const csv = `code,name,group\n${lines.join('\n')}\n`;
    const first = await upload(csv, 'departments.csv');
    expect(first.status, await first.clone().text()).toBe(200);
    expect(((await first.json()) as SummaryBody).summary).toMatchObject({ inserted: 33_000, unchanged: 0 });
    const again = await upload(csv, 'departments.csv');
    expect(again.status).toBe(200);
    expect(((await again.json()) as SummaryBody).summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 33_000 });
    // reading 40,000 rows twice takes seconds on a busy 2-core machine
  }, 120_000);

  it('imports a CSV with Chinese headers, group given as label or code', async () => {
    const res = await upload(CHINESE, '部门.csv');
    expect(res.status).toBe(200);
    expect(((await res.json()) as SummaryBody).summary).toMatchObject({
      rows: 3,
      inserted: 3,
      updated: 0,
      unchanged: 0,
    });
    const rows = await departments();
    expect(rows.map((d) => [d.code, d.name, d.group_code, d.liaison_name, d.liaison_email])).toEqual([
      ['D001', '市发展和改革委员会', 'economic', '张三', 'zhang@example.gov.cn'],
      ['D002', '市市场监督管理局', 'enforcement', null, null],
      ['D003', '市人力资源和社会保障局', 'service', '李四', null],
    ]);
  });

  it('imports an .xlsx file with English headers and a title row above them', async () => {
    const bytes = await xlsxOf([
      ['2026 年度参评部门名单'],
      ['code', 'name', 'group'],
      ['D010', '市交通运输局', 'enforcement'],
      ['D011', '市教育局', 'service'],
    ]);
    const res = await upload(bytes, 'departments.xlsx');
    expect(res.status).toBe(200);
    expect(((await res.json()) as SummaryBody).summary.inserted).toBe(2);
    expect((await departments()).map((d) => d.code)).toEqual(['D010', 'D011']);
  });

  it('imports short names (简称) from a CSV with a Chinese header, several separated by 、, and from an .xlsx with short_name', async () => {
    const csv = csvOf([
      ['代码', '名称', '分组', '简称'],
      ['D001', '市住房和城乡建设局', 'enforcement', '住建局'],
      ['D002', '市自然资源和规划局', 'enforcement', '资规局、规划局，资规局'],
      ['D003', '市教育局', 'service', ''],
    ]);
    expect((await upload(csv, '部门.csv')).status).toBe(200);
    const xlsx = await xlsxOf([
      ['code', 'name', 'group', 'short_name'],
      ['D010', '市发展和改革委员会', 'economic', '发改委; 市发改委'],
    ]);
    expect((await upload(xlsx, 'departments.xlsx')).status).toBe(200);
    expect((await departments()).map((d) => [d.code, d.short_name])).toEqual([
      ['D001', '住建局'],
      ['D002', '资规局、规划局'],
      ['D003', null],
      ['D010', '发改委、市发改委'],
    ]);
    const listed = await services.campaigns.departments(campaign.id);
    expect(listed.map((d) => d.shortNames)).toEqual([['住建局'], ['资规局', '规划局'], [], ['发改委', '市发改委']]);
  });

  it('counts a changed short name as an update, and the same short names again as unchanged', async () => {
    const file = (short: string) =>
      csvOf([
        ['代码', '名称', '分组', '部门简称'],
        ['D001', '市住房和城乡建设局', 'enforcement', short],
      ]);
    await upload(file('住建局'), '部门.csv');
    expect(((await (await upload(file('住建局'), '部门.csv')).json()) as SummaryBody).summary).toMatchObject({
      unchanged: 1,
    });
    const res = await upload(file('住建局、住建委'), '部门.csv');
    expect(((await res.json()) as SummaryBody).summary).toMatchObject({ updated: 1, updatedCodes: ['D001'] });
    expect((await departments())[0].short_name).toBe('住建局、住建委');
  });

  it('refuses a short name over 20 characters, naming its row and column', async () => {
    const res = await upload(
      csvOf([
        ['代码', '名称', '分组', '简称'],
        ['D001', '市住房和城乡建设局', 'enforcement', '一二三四五六七八九十一二三四五六七八九十一'],
      ]),
      '部门.csv',
    );
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.details).toEqual([
      { line: 2, field: '简称', message: '简称“一二三四五六七八九十一二三四五六七八九十一”超过 20 个字' },
    ]);
    expect(await departments()).toEqual([]);
  });

  it('changes nothing when the same file is imported again', async () => {
    await upload(CHINESE, '部门.csv');
    const before = await departments();
    const res = await upload(CHINESE, '部门.csv');
    expect(((await res.json()) as SummaryBody).summary).toMatchObject({ inserted: 0, updated: 0, unchanged: 3 });
    expect(await departments()).toEqual(before);
  });

  it('updates a known code whose name or group changed and reports it', async () => {
    await upload(CHINESE, '部门.csv');
    const changed = CHINESE.replace('市市场监督管理局,enforcement', '市市场监管局,enforcement').replace('李四', '王五');
    const res = await upload(changed, '部门.csv');
    const { summary } = (await res.json()) as SummaryBody;
    expect(summary).toMatchObject({ inserted: 0, updated: 2, unchanged: 1, updatedCodes: ['D002', 'D003'] });
    const rows = await departments();
    expect(rows.find((d) => d.code === 'D002')?.name).toBe('市市场监管局');
    expect(rows.find((d) => d.code === 'D003')?.liaison_name).toBe('王五');
  });

  it('reports every bad row with its line and field and imports nothing', async () => {
    const file = csvOf([
      ['code', 'name', 'group', 'liaison_email'],
      ['D001', '市发展和改革委员会', 'economic', ''],
      ['D002', '市财政局', 'economic', ''],
      ['D003', '', 'service', ''],
      ['D 4', '市民政局', 'service', ''],
      ['D005', '市卫生健康委员会', 'service', 'not-an-email'],
      ['D006', '市公安局', '公安类', ''],
      ['D002', '市审计局', 'economic', ''],
    ]);
    const res = await upload(file, 'bad.csv');
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('没有导入任何数据');
    expect(body.error.details!.map((d) => [d.line, d.field])).toEqual([
      [4, 'name'],
      [5, 'code'],
      [6, 'liaison_email'],
      [7, 'group'],
      [8, 'code'],
    ]);
    expect(body.error.details!.find((d) => d.line === 7)?.message).toMatch(/^不是本活动的部门分组/);
    expect(body.error.details!.find((d) => d.line === 8)?.message).toContain('与第 3 行重复');
    expect(await departments()).toEqual([]);
  });

  it.each(['csv', 'xlsx'])(
    'names every error of a row at once by the header of the .%s as uploaded, in Chinese',
    async (kind) => {
      const rows = [
        ['部门编码', '单位名称', '组别', '联络员', '联络员电子邮箱'],
        ['D001', '市发展和改革委员会', '综合经济管理类', '张三', 'zhang@example.gov.cn'],
        ['D001', '', '公安类', '李四', 'li@'],
        ['D 3', '市民政局', 'service', '', ''],
      ];
      const res = await upload(kind === 'csv' ? csvOf(rows) : await xlsxOf(rows), `部门.${kind}`);
      expect(res.status).toBe(422);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.details).toEqual([
        { line: 3, field: '部门编码', message: '部门代码 D001 与第 2 行重复' },
        { line: 3, field: '单位名称', message: '不能为空' },
        {
          line: 3,
          field: '组别',
          message: '不是本活动的部门分组（应为：综合经济管理类、执法监管类、社会服务类）',
        },
        { line: 3, field: '联络员电子邮箱', message: '不是有效的邮箱地址' },
        { line: 4, field: '部门编码', message: expect.stringContaining('部门代码只能包含') },
      ]);
      expect(error.message).toBe(
        '文件有 5 处错误（2 行），没有导入任何数据。第3行「部门编码」：部门代码 D001 与第 2 行重复；「单位名称」：不能为空；' +
          '「组别」：不是本活动的部门分组（应为：综合经济管理类、执法监管类、社会服务类）；' +
          '「联络员电子邮箱」：不是有效的邮箱地址。第4行「部门编码」：部门代码只能包含字母、数字、下划线和连字符（1–40 个字符）',
      );
    },
  );

  it('keeps every stored department as it was when a later import is refused', async () => {
    await upload(CHINESE, '部门.csv');
    const before = await departments();
    const res = await upload(
      CHINESE.replace('市市场监督管理局', '市市场监管局').replace('zhang@example.gov.cn', 'zhang@'),
      '部门.csv',
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.details).toEqual([
      { line: 2, field: '联络员邮箱', message: '不是有效的邮箱地址' },
    ]);
    expect(await departments()).toEqual(before);
  });

  it('names both headers of a column given twice', async () => {
    const res = await upload(
      csvOf([
        ['代码', '名称', '分组', '类别'],
        ['D001', '甲', 'economic', 'economic'],
      ]),
      'x.csv',
    );
    expect(res.status).toBe(422);
    expect(((await res.json()) as ErrorBody).error.details).toEqual([
      { line: 1, field: '类别', message: '表头中「分组」（第 3 列）和「类别」（第 4 列）是同一列，请删去一列' },
    ]);
  });

  it('names the cell of a date-formatted number beyond the calendar and imports nothing', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('部门');
    sheet.addRow(['代码', '名称', '分组']);
    sheet.addRow(['D001', '市发展和改革委员会', '综合经济管理类']);
    sheet.addRow([1e20, '市市场监督管理局', 'enforcement']).getCell(1).numFmt = 'yyyy-mm-dd';
    const res = await upload(new Uint8Array(await workbook.xlsx.writeBuffer()), 'dates.xlsx');
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.details).toEqual([expect.objectContaining({ line: 3, field: 'A3' })]);
    expect(await departments()).toEqual([]);
  });

  it('reads a formula saved without a result (as scripts write them) as an empty cell, not as "[object Object]"', async () => {
    const bytes = await xlsxOf([
      ['代码', '名称', '分组'],
      ['D001', { formula: 'CONCAT("市","委")' }, '综合经济管理类'],
    ]);
    const res = await upload(bytes, 'formula.xlsx');
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details).toEqual([expect.objectContaining({ line: 2, field: '名称' })]);
    expect(JSON.stringify(body)).not.toContain('object Object');
    expect(await departments()).toEqual([]);
  });

  it('names a missing column in the office words', async () => {
    const res = await upload(
      csvOf([
        ['code', 'name'],
        ['D001', 'x'],
      ]),
      'x.csv',
    );
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.details).toEqual([
      { line: 1, field: '部门分组', message: '缺少列「部门分组」（表头可写：部门分组 / 分组 / 类别）' },
    ]);
  });

  it('reads a CSV saved by Chinese Excel in GB18030', async () => {
    const gbk = Buffer.from('b4fac2eb2cc3fbb3c62cb7d6d7e90d0a443030312cd6d0cec42c65636f6e6f6d69630d0a', 'hex'); // 代码,名称,分组 / D001,中文,economic
    const res = await upload(new Uint8Array(gbk), 'gbk.csv');
    expect(res.status).toBe(200);
    expect((await departments())[0].name).toBe('中文');
  });

  it('checks without writing on dryRun', async () => {
    const res = await upload(CHINESE, '部门.csv', admin.headers(), '?dryRun=1');
    expect(((await res.json()) as SummaryBody).summary).toMatchObject({ inserted: 3, dryRun: true });
    expect(await departments()).toEqual([]);
  });

  it('accepts a raw body with the file name in the query', async () => {
    const res = await app.request(`/api/campaigns/${campaign.slug}/departments/import?filename=d.csv`, {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'text/csv' }),
      body: CHINESE,
    });
    expect(res.status).toBe(200);
    expect((await departments()).length).toBe(3);
  });

  it('refuses other file types with 415', async () => {
    const res = await upload('x', 'departments.xls');
    expect(res.status).toBe(415);
    expect(((await res.json()) as ErrorBody).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('is for the office only: 401 without a session, 403 for an analyst, 403 without the CSRF token; nothing imported', async () => {
    expect((await upload(CHINESE, 'd.csv', {})).status).toBe(401);
    const analyst = await loginAs(app, services, 'analyst');
    expect((await upload(CHINESE, 'd.csv', analyst.headers())).status).toBe(403);
    const noCsrf = await upload(CHINESE, 'd.csv', { cookie: admin.cookie });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as ErrorBody).error.code).toBe('CSRF_FAILED');
    expect(await departments()).toEqual([]);
  });

  it('answers 404 for an unknown campaign', async () => {
    const res = await app.request('/api/campaigns/nope/departments/import', {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(CHINESE, 'd.csv'),
    });
    expect(res.status).toBe(404);
  });

  it('writes an audit row for an import', async () => {
    await upload(CHINESE, '部门.csv');
    const audit = await services.audit.list({ action: 'import_departments' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: admin.username,
      campaignId: campaign.id,
      detail: { file: '部门.csv', inserted: 3 },
    });
  });

  it('makes the new departments valid in submitted records (the validator re-keys on the list)', async () => {
    const before = (await services.campaigns.departmentIndex(campaign)).validate;
    await upload(CHINESE, '部门.csv');
    const after = (await services.campaigns.departmentIndex(campaign)).validate;
    expect(after).not.toBe(before);
  });
});
