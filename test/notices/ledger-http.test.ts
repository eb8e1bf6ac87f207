import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody, NoticeLedger } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { docxParagraphs, zipText } from '../helpers/zip.js';
import { ledgerSetup } from './ledger-helpers.js';

const Q1 = 'from=2027-01-01&to=2027-03-31';

/** Every row of a worksheet as the text of its cells. */
async function sheetRows(buffer: Buffer | Uint8Array, name: string): Promise<string[][]> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(buffer) as unknown as ArrayBuffer);
  const sheet = book.getWorksheet(name);
  if (!sheet) throw new Error(`no worksheet ${name}`);
  const rows: string[][] = [];
  sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ''))));
  return rows;
}

describe('the ledger over HTTP, as files and on the command line', () => {
  let db: Db;
  let dir: string;
  let ctx: Awaited<ReturnType<typeof ledgerSetup>>;
  let officeUser: LoggedIn;
  let analyst: LoggedIn;
  let liaison: LoggedIn;
  const get = (who: LoggedIn, path: string, accept = 'application/json') =>
    ctx.app.request(path, { headers: { ...who.headers(), accept } });
  const cli = (...argv: string[]) => runCommand(argv, { db, clock: ctx.clock, config: ctx.deps.config });

  beforeAll(async () => {
    db = await sqliteDb();
    dir = mkdtempSync(join(tmpdir(), 'minping-ledger-'));
    ctx = await ledgerSetup(db);
    officeUser = await loginAs(ctx.app, ctx.services, 'admin', { username: 'office-a' });
    analyst = await loginAs(ctx.app, ctx.services, 'analyst');
    liaison = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D001' });
  }, 60_000);
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the office with the ledger, the statement and the settlement as JSON', async () => {
    const res = await get(officeUser, `/api/campaigns/test-2026/ledger?${Q1}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as NoticeLedger;
    expect(body.statement.period.label).toBe('2027年第一季度');
    expect(body.statement.total).toMatchObject({ registered: 4, closedOnTime: 2, closedLate: 1, openAtEnd: 2 });
    expect(body.statement.forCirculation).toHaveLength(2);
    expect(body.settlement.total).toMatchObject({ closedOnTime: 2, closedLate: 2, open: 2, reopened: 1 });
  });

  it('refuses analysts and liaisons the API, the files and the page', async () => {
    for (const who of [analyst, liaison]) {
      for (const path of ['/api/campaigns/test-2026/ledger', '/api/campaigns/test-2026/ledger/xlsx']) {
        const res = await get(who, path);
        expect(res.status, path).toBe(403);
        expect(((await res.json()) as ErrorBody).error.message).toMatch(/[\u4e00-\u9fff]/);
      }
      expect((await get(who, '/admin/ledger?campaign=test-2026', 'text/html')).status).toBe(403);
    }
    expect((await ctx.app.request('/api/campaigns/test-2026/ledger')).status).toBe(401);
  });

  it('refuses a bad period with a 422 naming the field, never a 500', async () => {
    const res = await get(officeUser, '/api/campaigns/test-2026/ledger?from=2027-01-01');
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.details?.[0]).toMatchObject({ path: 'to' });
    expect(error.message).toContain('截止日期 to');
    expect((await get(officeUser, '/api/campaigns/test-2026/ledger?from=2027-1-1&to=x')).status).toBe(422);
    expect((await get(officeUser, '/api/campaigns/nope/ledger')).status).toBe(404);
  });

  it('shows the office the page: the period form, the statement, the items listed for 通报, the settlement', async () => {
    const res = await get(officeUser, `/admin/ledger?campaign=test-2026&${Q1}`, 'text/html');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('对账单（2027年第一季度）');
    expect(html).toContain('期末逾期未办结、列入通报的事项（2 项）');
    expect(html).toContain('红色督办');
    expect(html).toContain('2027年度结算');
    expect(html).toContain(`/admin/closeout/items/${ctx.ids.d}`);
    expect(html).toContain(`/api/campaigns/test-2026/ledger/xlsx?${Q1.replace('&', '&amp;')}`);
    // the form keeps the period; an empty form means the current quarter
    expect(html).toContain('value="2027-01-01"');
    const current = await (await get(officeUser, '/admin/ledger?campaign=test-2026&from=&to=', 'text/html')).text();
    expect(current).toContain('对账单（2027年第三季度）');
    const bad = await get(officeUser, '/admin/ledger?campaign=test-2026&from=2027-04-01&to=2027-01-01', 'text/html');
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('起始日期 from 不能晚于截止日期 to');
  });

  it('downloads the statement as an .xlsx that reads back with its figures', async () => {
    const res = await get(officeUser, `/api/campaigns/test-2026/ledger/xlsx?${Q1}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('2027年第一季度'));
    const file = new Uint8Array(await res.arrayBuffer());
    const statement = await sheetRows(file, '对账单');
    expect(statement[0][0]).toContain('对账单（2027年第一季度）');
    expect(statement[2]).toEqual([
      '部门',
      '期初未办结',
      '本期挂号',
      '回头看重新挂号',
      '本期销号',
      '其中按期',
      '其中逾期',
      '撤销',
      '期末未办结',
      '其中逾期',
      '对账',
    ]);
    expect(statement.slice(3)).toEqual([
      ['测试部门1', '0', '4', '1', '3', '2', '1', '0', '2', '2', '相符'],
      ['测试部门2', '0', '0', '0', '0', '0', '0', '0', '0', '0', '相符'],
      ['合计', '0', '4', '1', '3', '2', '1', '0', '2', '2', '相符'],
    ]);
    const open = await sheetRows(file, '期末未办结');
    expect(open.slice(3).map((r) => [r[3], r[6]])).toEqual([
      ['已签收', '红色督办'],
      ['整改中', '橙色催办'],
    ]);
    expect((await sheetRows(file, '年度结算')).at(-1)).toEqual(['合计', '2', '2', '2', '1']);
  });

  it('downloads the statement as a .docx on the official page, its text checked', async () => {
    const res = await get(officeUser, `/api/campaigns/test-2026/ledger/docx?${Q1}`);
    expect(res.status).toBe(200);
    const file = new Uint8Array(await res.arrayBuffer());
    const paragraphs = docxParagraphs(file);
    expect(paragraphs[0]).toBe('2026年度民主评议机关（示例）工作提示单办理情况对账单');
    expect(paragraphs[1]).toContain('对账期间：2027年第一季度（2027年1月1日至2027年3月31日）');
    expect(paragraphs[1]).toContain('销号 3 项（按期 2 项、逾期 1 项）');
    expect(paragraphs).toContain('一、对账单（2027年第一季度）');
    expect(paragraphs).toContain('二、期末逾期未办结、列入通报的事项（2 项）');
    expect(paragraphs.slice(-2)).toEqual(['民主评议机关工作领导小组办公室', '2027年7月10日']);
    const xml = zipText(file, 'word/document.xml') ?? '';
    // A4 with the GB/T 9704 margins
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    expect(xml).toContain('<w:tbl>');
  });

  it('prints the ledger, writes the files and refuses bad options by name on the command line', async () => {
    const text = await cli('ledger', '--campaign', 'test-2026', '--from', '2027-01-01', '--to', '2027-03-31');
    expect(text.code).toBe(0);
    expect(text.out).toContain('对账期间 2027年第一季度');
    expect(text.out).toContain('【期末逾期未办结、列入通报的事项（2 项）】');
    const json = await cli('ledger', '--campaign', 'test-2026', '--json');
    expect((JSON.parse(json.out) as NoticeLedger).statement.period.label).toBe('2027年第三季度');
    const [xlsx, docx] = [join(dir, 'ledger.xlsx'), join(dir, 'ledger.docx')];
    const files = await cli(
      'ledger',
      '--campaign',
      'test-2026',
      '--from',
      '2027-01-01',
      '--to',
      '2027-03-31',
      '--xlsx',
      xlsx,
      '--docx',
      docx,
    );
    expect(files.code).toBe(0);
    expect((await sheetRows(readFileSync(xlsx), '对账单')).at(-1)?.[0]).toBe('合计');
    expect(docxParagraphs(readFileSync(docx))).toContain('三、2027年度结算');
    expect(await cli('ledger', '--campaign', 'test-2026', '--from', '2027-01-01')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--to：请同时给出'),
    });
    expect(await cli('ledger', '--campaign', 'test-2026', '--from', '2027-02-30', '--to', '2027-03-31')).toMatchObject({
      code: 2,
      err: expect.stringContaining('--from 2027-02-30：'),
    });
    expect(await cli('ledger')).toMatchObject({ code: 2, err: '请用 --campaign 指定评议活动代码' });
  });
});
