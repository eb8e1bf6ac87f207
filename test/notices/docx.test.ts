import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { sheetDocx, sheetFileName } from '../../server/notices/docx.js';
import type { SheetDetail } from '../../server/notices/service.js';
import { sqliteDb } from '../helpers/db.js';
import { docxParagraphs, zipText } from '../helpers/zip.js';
import { office, publishedSetup } from './helpers.js';

describe('an issued sheet as a .docx laid out like an official notice', () => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof publishedSetup>>;
  let sheet: SheetDetail;
  let docx: Buffer;
  let paragraphs: string[];

  beforeAll(async () => {
    db = await sqliteDb();
    ctx = await publishedSetup(db);
    const d002 = (await ctx.services.notices.sheets('test-2026')).find((s) => s.departmentCode === 'D002')!;
    // issued Tuesday 5 January 2027, 16:00 in Shanghai
    sheet = await ctx.services.notices.issueSheet('test-2026', d002.id, office);
    docx = await sheetDocx(sheet, ctx.campaign);
    paragraphs = docxParagraphs(docx);
  });
  afterAll(() => db.close());

  it('carries the office, the serial number, the title and the addressee with a full-width colon', () => {
    expect(paragraphs.slice(0, 4)).toEqual([
      '民主评议机关工作领导小组办公室',
      '评议提示〔2026〕第003号',
      '民主评议机关工作提示单',
      '测试部门2：',
    ]);
    expect(paragraphs[4]).toContain('最终得分 80.00 分，在执法监管类 2 个参评部门中排名第 1 位，等级为“较好”');
  });

  it('lists every item with its number, kind, evidence, requirement and deadline', () => {
    const text = paragraphs.join('\n');
    expect(paragraphs).toContain('（一）003-01　不作为、慢作为、办事拖拉（作风问题）');
    expect(paragraphs).toContain('（二）003-02　超法定或承诺时限、久拖不办（办事负面情形）');
    expect(text).toContain('40 名评议代表中有 10 名（25%）认为存在“不作为、慢作为、办事拖拉”问题');
    expect(text).toContain('反映情况：施工许可拖了三个月，经办人电话 [电话已隐去]');
    expect(text).not.toContain('13800138000');
    expect(text).toContain(`整改要求：${sheet.items[0].requirement}`);
    // 15 working days after Tuesday 5 January 2027
    expect(paragraphs.filter((p) => p === '反馈期限：2027年1月26日前')).toHaveLength(2);
    expect(text).toContain('二、工作要求');
  });

  it('ends with the issuing office and the date in Arabic numerals, full year, no padding', () => {
    expect(paragraphs.slice(-2)).toEqual(['民主评议机关工作领导小组办公室', '2027年1月5日']);
  });

  it('is A4 with the GB/T 9704 margins and text block, 仿宋 3号 body, and "— n —" page numbers', () => {
    const xml = zipText(docx, 'word/document.xml') ?? '';
    expect(xml).toMatch(/<w:pgSz w:w="11906" w:h="16838"/);
    const margins = /<w:pgMar ([^>]*)\/>/.exec(xml)?.[1] ?? '';
    expect(margins).toContain('w:top="2098"');
    expect(margins).toContain('w:left="1587"');
    // 210 − 28 − 156 = 26 mm on the right, 297 − 37 − 225 = 35 mm at the bottom
    expect(margins).toContain('w:right="1474"');
    expect(margins).toContain('w:bottom="1984"');
    expect(xml).toMatch(/<w:docGrid w:type="linesAndChars" w:linePitch="579"/);
    const styles = zipText(docx, 'word/styles.xml') ?? '';
    expect(styles).toMatch(/w:eastAsia="仿宋"/);
    expect(styles).toMatch(/<w:sz w:val="32"\/>/);
    const footer = zipText(docx, 'word/footer1.xml') ?? '';
    expect(footer).toContain('— ');
    expect(footer).toContain('PAGE');
    expect(footer).toMatch(/<w:sz w:val="28"\/>/);
    // the title in 2号 小标宋
    expect(xml).toMatch(/w:eastAsia="方正小标宋简体"[\s\S]*?<w:sz w:val="44"\/>/);
  });

  it('is named after its serial number and addressee', () => {
    expect(sheetFileName(sheet)).toBe('评议提示〔2026〕第003号 测试部门2.docx');
  });
});
