import ExcelJS from 'exceljs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { uploadForm } from '../helpers/sheets.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let services: ReturnType<typeof createServices>;
let admin: LoggedIn;
let campaign: Campaign;

const GROUPS = [
  { code: 'economic', label: '综合经济管理类' },
  { code: 'window', label: '窗口服务类' },
];

beforeEach(async () => {
  db = await sqliteDb();
  const deps = { db, config: defaultConfig(), clock: fixedClock('2026-10-20T08:00:00Z') };
  app = createApp(deps);
  services = createServices(deps);
  campaign = await createTestCampaign(db, services, { departments: 0, state: 'draft', overrides: { groups: GROUPS } });
  admin = await loginAs(app, services, 'admin');
});
afterEach(() => db.close());

const template = (table: string, headers = admin.headers()) =>
  app.request(`/api/campaigns/${campaign.slug}/${table}/template.xlsx`, { headers });

const upload = (table: string, bytes: Uint8Array, filename: string) =>
  app.request(`/api/campaigns/${campaign.slug}/${table}/import`, {
    method: 'POST',
    headers: admin.headers(),
    body: uploadForm(bytes, filename),
  });

async function workbookOf(res: Response) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(await res.arrayBuffer());
  return workbook;
}

const rowValues = (sheet: ExcelJS.Worksheet, n: number) => (sheet.getRow(n).values as unknown[]).slice(1);

/** The values a list validation offers: the cells of the range its formula names. */
function listValues(workbook: ExcelJS.Workbook, validation: ExcelJS.DataValidation): string[] {
  const [, sheetName, from, to] = /^'(.+)'!\$([A-Z]+\$\d+):\$([A-Z]+\$\d+)$/.exec(validation.formulae[0])!;
  const sheet = workbook.getWorksheet(sheetName)!;
  const values: string[] = [];
  const [col, first] = from.split('$');
  const last = Number(to.split('$')[1]);
  for (let row = Number(first); row <= last; row++) values.push(String(sheet.getCell(`${col}${row}`).value));
  return values;
}

describe('import templates', () => {
  it('gives the departments template with the office headers, an example row and the campaign groups as a drop-down', async () => {
    const res = await template('departments');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('部门导入模板-test-2026.xlsx'));
    const workbook = await workbookOf(res);
    const sheet = workbook.worksheets[0];
    expect(rowValues(sheet, 1)).toEqual(['部门代码', '部门名称', '部门分组', '部门简称', '联络员', '联络员邮箱']);
    expect(rowValues(sheet, 2)).toEqual([
      'D001',
      '市发展和改革委员会',
      '综合经济管理类',
      '发改委、发改',
      '张三',
      'zhangsan@example.gov.cn',
    ]);
    const validation = sheet.getCell('C3').dataValidation;
    expect(validation).toMatchObject({ type: 'list', showErrorMessage: true });
    expect(listValues(workbook, validation)).toEqual(['综合经济管理类', '窗口服务类']);
    expect(sheet.getCell('A2').dataValidation).toBeUndefined();
  });

  it('gives the evaluators template with the campaign categories as a drop-down', async () => {
    const workbook = await workbookOf(await template('evaluators'));
    const sheet = workbook.worksheets[0];
    expect(rowValues(sheet, 1)).toEqual(['姓名', '单位/项目', '代表类别', '手机号码', '邮箱']);
    expect(rowValues(sheet, 2)[2]).toBe(campaign.config.categories[0].label);
    expect(listValues(workbook, sheet.getCell('C2').dataValidation)).toEqual(
      campaign.config.categories.map((c) => c.label),
    );
  });

  it('refuses a filled-in template whose example row was left unchanged, naming its line, and imports it once the row is replaced', async () => {
    const departments = await workbookOf(await template('departments'));
    departments.worksheets[0].addRow(['D002', '市行政审批服务局', '窗口服务类', '审批局', '', '']);
    departments.worksheets[0].addRow(['D003', '市财政局', '综合经济管理类']);
    const refused = await upload(
      'departments',
      new Uint8Array(await departments.xlsx.writeBuffer()),
      '部门导入模板-test-2026.xlsx',
    );
    expect(refused.status).toBe(422);
    const { error } = (await refused.json()) as ErrorBody;
    expect(error.details).toEqual([
      { line: 2, field: '部门代码', message: '这一行是导入模板的示例，请改成实际内容或删除这一行' },
    ]);
    expect(await services.campaigns.departments(campaign.id)).toEqual([]);

    departments.worksheets[0].getRow(2).getCell(2).value = '市发展和改革局';
    const res = await upload('departments', new Uint8Array(await departments.xlsx.writeBuffer()), '部门.xlsx');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { summary: unknown }).summary).toMatchObject({
      rows: 3,
      inserted: 3,
      ignoredColumns: [],
    });
    expect((await services.campaigns.departments(campaign.id)).map((d) => [d.code, d.group, d.shortNames])).toEqual([
      ['D001', 'economic', ['发改委', '发改']],
      ['D002', 'window', ['审批局']],
      ['D003', 'economic', []],
    ]);

    const evaluators = await workbookOf(await template('evaluators'));
    evaluators.worksheets[0].addRow(['刘芳', '市人大', '两代表一委员', '13900139000', '']);
    const withExample = await upload('evaluators', new Uint8Array(await evaluators.xlsx.writeBuffer()), '代表.xlsx');
    expect(withExample.status).toBe(422);
    evaluators.worksheets[0].spliceRows(2, 1);
    const imported = await upload('evaluators', new Uint8Array(await evaluators.xlsx.writeBuffer()), '代表.xlsx');
    expect(imported.status).toBe(200);
    expect(((await imported.json()) as { summary: unknown }).summary).toMatchObject({ rows: 1, inserted: 1 });
  });

  it('names the template header of each bad cell when a filled-in template has errors', async () => {
    const workbook = await workbookOf(await template('departments'));
    workbook.worksheets[0].spliceRows(2, 1);
    workbook.worksheets[0].addRow(['D002', '', '公安类', '', '', 'not-an-email']);
    const res = await upload('departments', new Uint8Array(await workbook.xlsx.writeBuffer()), '部门.xlsx');
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.details!.map((d) => [d.line, d.field])).toEqual([
      [2, '部门名称'],
      [2, '部门分组'],
      [2, '联络员邮箱'],
    ]);
    expect(error.message).toContain('第2行「部门名称」：不能为空；「部门分组」：不是本活动的部门分组');
  });

  it('is for the office only and answers 404 for an unknown campaign', async () => {
    expect((await template('departments', {})).status).toBe(401);
    const analyst = await loginAs(app, services, 'analyst');
    expect((await template('evaluators', analyst.headers())).status).toBe(403);
    const res = await app.request('/api/campaigns/nope/departments/template.xlsx', { headers: admin.headers() });
    expect(res.status).toBe(404);
  });
});
