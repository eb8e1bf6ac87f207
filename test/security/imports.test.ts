/**
 * Imports that cannot exhaust memory: a tiny .xlsx whose rows reach column XFD is refused from its
 * XML before exceljs builds anything, every import runs in a worker thread with a heap and a time
 * budget, and evaluators are answered normally while an import runs or dies.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { runImportTask } from '../../server/imports/worker.js';
import { SHEET_LIMITS, SheetScanner } from '../../server/roster/sheet-scan.js';
import { assertXlsxWithinLimits, XLSX_LIMITS } from '../../server/roster/zip-guard.js';
import { zipEntries } from '../../server/shared/zip.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { uploadForm, xlsxOf } from '../helpers/sheets.js';
import { zip } from '../helpers/zip.js';
import { createInvitation, jsonRequest, surveySetup, type SurveySetup } from '../evaluator/helpers.js';

const worksheet = (rows: string, dimension?: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">${
    dimension ? `<dimension ref="${dimension}"/>` : ''
  }<cols><col min="1" max="16384" width="9"/></cols><sheetData>${rows}</sheetData></worksheet>`;
const cell = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t>${text}</t></is></c>`;
/** 1,500 rows, each with a cell in column A and one in column XFD (16,384) */
const sparseRows = Array.from(
  { length: 1500 },
  (_, i) => `<row r="${i + 1}">${cell(`A${i + 1}`, '张三')}${cell(`XFD${i + 1}`, 'x')}</row>`,
).join('');

const xlsxWith = (sheetXml: string) =>
  zip([
    {
      name: 'xl/worksheets/sheet1.xml',
      data: deflateRawSync(Buffer.from(sheetXml)),
      method: 8,
      declaredSize: Buffer.byteLength(sheetXml),
    },
  ]);

/** An office's roster as Excel writes it: a title merged across the header, a category drop-down, a highlighted column. */
async function officeRoster(validationRange = 'C3:C502'): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('代表');
  sheet.addRow(['2026 年度评议代表名单']);
  sheet.mergeCells('A1:E1');
  sheet.addRow(['姓名', '单位/项目', '类别', '电话', '邮箱']);
  for (let i = 0; i < 500; i++) sheet.addRow([`张${i}`, '某建设公司', 'project', '', `a${i}@example.com`]);
  // exceljs's typings leave out the sheet's validations
  (sheet as unknown as { dataValidations: { add(range: string, rule: object): void } }).dataValidations.add(
    validationRange,
    { type: 'list', allowBlank: true, formulae: ['"project,public"'] },
  );
  sheet.addConditionalFormatting({
    ref: 'E3:E1048576',
    rules: [{ type: 'containsText', operator: 'containsText', text: '@', priority: 1, style: {} }],
  });
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

/** The same archive with its first sheet's XML changed by `edit`: what a crafted file looks like. */
function withSheet(archive: Uint8Array, edit: (xml: string) => string): Buffer {
  const bytes = Buffer.from(archive);
  return zip(
    zipEntries(bytes).map((entry) => {
      const data = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
      const text = (entry.method === 8 ? inflateRawSync(data) : data).toString('utf8');
      const xml = Buffer.from(entry.name === 'xl/worksheets/sheet1.xml' ? edit(text) : text);
      return { name: entry.name, data: deflateRawSync(xml), method: 8, declaredSize: xml.length };
    }),
  );
}
const beforeEnd = (xml: string, tag: string) => xml.replace('</worksheet>', `${tag}</worksheet>`);
/** Ranges a crafted sheet declares, each beyond what an import allows; exceljs builds every cell of some. */
const CRAFTED: [string, (xml: string) => string, RegExp][] = [
  [
    'a merge of A2:XFD1048576',
    (xml) => xml.replace(/<mergeCell ref="A1:E1"\/>/, '<mergeCell ref="A2:XFD1048576"/>'),
    /合并单元格 A2:XFD1048576 超出了可导入的范围（最多 200000 行、256 列）/,
  ],
  [
    'a used range to the last row',
    (xml) => xml.replace(/<dimension ref="[^"]*"\/>/, '<dimension ref="A1:E1048576"/>'),
    /使用范围是 A1:E1048576（到第 1048576 行），超过 200000 行的上限/,
  ],
  [
    'a row whose spans reach column 300',
    (xml) => xml.replace(/<row r="3"( spans="[^"]*")?/, '<row r="3" spans="1:300"'),
    /第 3 行声明的列范围 1:300 超出了可导入的范围/,
  ],
  [
    'column settings beyond Excel’s last column',
    (xml) => xml.replace('<sheetData>', '<cols><col min="1" max="3000000" width="9"/></cols><sheetData>'),
    /列设置到了第 3000000 列/,
  ],
  [
    'a shared formula over A3:XFD1048576',
    (xml) =>
      xml.replace(
        /<c r="D3"[^>]*\/>|<c r="D3"[^>]*>.*?<\/c>/,
        '<c r="D3"><f t="shared" ref="A3:XFD1048576" si="0">1</f></c>',
      ),
    /共享公式的范围 A3:XFD1048576 超出了可导入的范围/,
  ],
  [
    'conditional formatting over the whole sheet',
    (xml) => xml.replace('sqref="E3:E1048576"', 'sqref="A1:XFD1048576"'),
    /条件格式的范围 A1:XFD1048576 超出了可导入的范围/,
  ],
  [
    'a data validation over three million cells of whole columns',
    (xml) => xml.replace('sqref="C3:C502"', 'sqref="C1:C1048576 D1:D1048576 E100000:E1048576"'),
    /数据验证（下拉列表）的范围 E100000:E1048576 覆盖的单元格太多（连同数据超过 3000000 个单元格的上限）/,
  ],
  [
    'a data validation over columns A to ZZ to the last row',
    (xml) => xml.replace('sqref="C3:C502"', 'sqref="C3 A2:ZZ1048576"'),
    /数据验证（下拉列表）的范围 A2:ZZ1048576 超出了可导入的范围/,
  ],
  [
    'a hyperlink over 300,000 rows',
    (xml) => beforeEnd(xml, '<hyperlinks><hyperlink ref="A1:B300000" location="代表!A1"/></hyperlinks>'),
    /超链接的范围 A1:B300000 超出了可导入的范围/,
  ],
];

describe('the sheet check before exceljs', () => {
  it('refuses 1,500 rows reaching column XFD from the cells themselves, whatever the used range claims', async () => {
    const file = xlsxWith(worksheet(sparseRows, 'A1:B2'));
    expect(file.length).toBeLessThan(20_000);
    await expect(assertXlsxWithinLimits(file)).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/第 1 行用到了 XFD1（第 16384 列），超过 256 列的上限/),
    });
  });

  it('refuses on the declared used range before reading a row', async () => {
    await expect(assertXlsxWithinLimits(xlsxWith(worksheet('', 'A1:XFD1500')))).rejects.toMatchObject({
      message: expect.stringContaining('使用范围是 A1:XFD1500'),
    });
  });

  it('counts cells up to each row’s last column, rows, and cells that carry no address', () => {
    const limits = { maxRows: 10, maxColumns: 20, maxCells: 50 };
    const scan = (xml: string) => {
      const scanner = new SheetScanner('第 1 张工作表', limits);
      // in chunks of 7 characters: tags cut anywhere are read whole
      for (let i = 0; i < xml.length; i += 7) scanner.write(xml.slice(i, i + 7));
      scanner.end();
    };
    const rows = (n: number, lastColumn: string) =>
      Array.from(
        { length: n },
        (_, i) => `<row r="${i + 1}">${cell(`A${i + 1}`, 'a')}${cell(`${lastColumn}${i + 1}`, 'b')}</row>`,
      ).join('');
    expect(() => scan(worksheet(rows(4, 'L')))).not.toThrow(); // 4 × 12 = 48 cells
    expect(() => scan(worksheet(rows(5, 'L')))).toThrow(/单元格太多.*50 个的上限/); // 60
    expect(() => scan(worksheet(rows(11, 'A')))).toThrow(/超过 10 行/);
    const unaddressed = `<row>${'<c t="inlineStr"><is><t>x</t></is></c>'.repeat(21)}</row>`;
    expect(() => scan(worksheet(unaddressed))).toThrow(/第 21 列/);
    // namespaced tags count too; <col> and <cols> are not cells
    expect(() => scan(worksheet(`<x:row r="1"><x:c r="U1"/></x:row>`))).toThrow(/第 21 列/);
  });

  it.each(CRAFTED)('refuses %s from the XML, naming it, with nothing loaded', async (_, edit, message) => {
    const file = withSheet(await officeRoster(), edit);
    expect(file.length).toBeLessThan(40_000);
    await expect(assertXlsxWithinLimits(file)).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message });
  });

  it('passes the whole columns and rows Excel writes for an entire column’s drop-down, format or width', async () => {
    const file = withSheet(await officeRoster('C3:C1048576'), (xml) =>
      beforeEnd(
        xml.replace(
          '<sheetData>',
          '<cols><col min="1" max="5" width="12"/><col min="6" max="16384" hidden="1"/></cols><sheetData>',
        ),
        '<hyperlinks><hyperlink ref="A1" location="代表!A2"/></hyperlinks>',
      ).replace('<mergeCell ref="A1:E1"/>', '<mergeCell ref="A1:E1"/><mergeCell ref="A502:XFD502"/>'),
    );
    await expect(assertXlsxWithinLimits(file)).resolves.toBeUndefined();
  });

  it('passes a real roster sheet within the limits', async () => {
    expect(SHEET_LIMITS.maxColumns).toBeGreaterThanOrEqual(26);
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('代表');
    sheet.addRow(['姓名', '单位/项目', '类别', '电话', '邮箱']);
    for (let i = 0; i < 500; i++) sheet.addRow([`张${i}`, '某建设公司', 'project', '13800000000', `a${i}@example.com`]);
    await expect(assertXlsxWithinLimits(new Uint8Array(await workbook.xlsx.writeBuffer()))).resolves.toBeUndefined();
    expect(XLSX_LIMITS.maxEntries).toBeGreaterThan(0);
  });
});

describe('imports in a worker thread with a budget', () => {
  let db: Db;
  let s: SurveySetup;
  let admin: LoggedIn;
  let token: string;

  beforeAll(async () => {
    db = await sqliteDb();
    s = await surveySetup(db, { config: { importMemoryMb: 48 } });
    admin = await loginAs(s.app, s.services, 'admin');
    ({ token } = await createInvitation(db, s.campaign));
  });
  afterAll(() => db.close());

  /**
   * Evaluator requests (opening the questionnaire, saving the draft, in turn), 20 ms apart, for as
   * long as `work` runs: each answered 200, and how many were answered before `work` ended. Before
   * imports ran in a worker an evaluator waited 11.4 s during the sparse sheet: none was answered
   * while it ran.
   */
  async function evaluatorsAnsweredDuring(
    work: Response | Promise<Response>,
  ): Promise<{ res: Response; answered: number; whileRunning: number }> {
    let done = false;
    const finished = Promise.resolve(work).finally(() => {
      done = true;
    });
    let answered = 0;
    let whileRunning = 0;
    do {
      const res =
        answered % 2 === 0
          ? await s.app.request(`/api/s/${token}`)
          : await s.app.request(
              `/api/s/${token}/draft`,
              jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: answered }),
            );
      expect(res.status).toBe(200);
      answered++;
      if (!done) whileRunning++;
      // a timer turn: the worker's answer arrives as an event, never between microtasks
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (!done || answered < 2);
    return { res: await finished, answered, whileRunning };
  }

  const upload = (path: string, bytes: Uint8Array | string, name: string) =>
    s.app.request(`/api/campaigns/test-2026/${path}`, {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(bytes, name),
    });

  // the worker may refuse this sheet before a single evaluator request completes, so only the
  // answers, not their overlap with the import, are asserted (the memory-budget case shows the overlap)
  it('refuses the 16.7 KB sheet of 1,500 rows reaching XFD with 413, opening and draft saves answered alongside', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('代表');
    sheet.addRow(['姓名', '单位/项目', '类别']);
    for (let r = 2; r <= 1500; r++) {
      sheet.getCell(r, 1).value = `张${r}`;
      sheet.getCell(r, 16384).value = 'x';
    }
    const bytes = new Uint8Array(await workbook.xlsx.writeBuffer());
    expect(bytes.length).toBeLessThan(30_000);
    const { res, answered } = await evaluatorsAnsweredDuring(upload('evaluators/import', bytes, '代表.xlsx'));
    expect(res.status).toBe(413);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.message).toContain('超过 256 列的上限');
    expect(answered).toBeGreaterThanOrEqual(2);
    expect(await db.kysely.selectFrom('evaluators').select('id').execute()).toHaveLength(1);
  }, 60_000);

  it('refuses the 12 KB sheet merging A2:XFD1048576 with 413 from its XML, not holding the import queue, and imports an office roster with a merged title', async () => {
    const crafted = withSheet(
      await xlsxOf([
        ['姓名', '单位/项目', '类别'],
        ['张三', '某公司', 'project'],
      ]),
      (xml) =>
        xml.replace('</sheetData>', '</sheetData><mergeCells count="1"><mergeCell ref="A2:XFD1048576"/></mergeCells>'),
    );
    expect(crafted.length).toBeLessThan(12_000);
    const { res } = await evaluatorsAnsweredDuring(upload('evaluators/import', crafted, '代表.xlsx'));
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.message).toContain('合并单元格 A2:XFD1048576 超出了可导入的范围');
    const before = await db.kysely.selectFrom('evaluators').select('id').execute();
    const office = await upload('evaluators/import', await officeRoster(), '代表.xlsx');
    expect(office.status).toBe(200);
    expect(((await office.json()) as { summary: { inserted: number } }).summary.inserted).toBe(500);
    expect(await db.kysely.selectFrom('evaluators').select('id').execute()).toHaveLength(before.length + 500);
  });

  it('ends an import past its memory budget with 413, while evaluators are answered and the server lives on', async () => {
    const line = (i: number) =>
      JSON.stringify({
        category: 'project',
        overall: 'satisfied',
        suggestion: `${i} ${'x'.repeat(900)}`,
        departments: [{ code: 'D001', efficiency: 'satisfied', quality: 'satisfied', suggestion: 'y'.repeat(200) }],
      });
    const big = Array.from({ length: 15_000 }, (_, i) => line(i)).join('\n');
    const { res, whileRunning } = await evaluatorsAnsweredDuring(upload('responses/import', big, 'big.jsonl'));
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.message).toContain('超过了 48 MB 的内存限额');
    expect(whileRunning).toBeGreaterThan(0);
    expect(await s.services.responses.count(s.campaign.id)).toBe(0);
    // the next import gets a fresh worker
    const small = await upload('responses/import', `${line(1)}\n${line(2)}\n`, 'small.jsonl');
    expect(small.status).toBe(201);
    expect((await s.app.request('/healthz')).status).toBe(200);
  }, 60_000);

  it('ends an import past its time budget with 413', async () => {
    await expect(
      runImportTask(
        { kind: 'jsonl', text: '{}', rules: { config: s.campaign.config, departmentCodes: [] }, departmentNames: [] },
        { importMemoryMb: 256, importTimeoutSeconds: 0.05 },
      ),
    ).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('0.05 秒的时限') });
  });
});
