import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { docxParagraphs } from '../helpers/zip.js';
import { resultsSetup } from '../results/helpers.js';
import { office } from './helpers.js';

describe('minping notices draft | list | export', () => {
  let db: Db;
  let dir: string;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  const cli = (...argv: string[]) => runCommand(argv, { db, clock: ctx.clock, config: ctx.deps.config });

  beforeAll(async () => {
    db = await sqliteDb();
    dir = mkdtempSync(join(tmpdir(), 'minping-notices-'));
    ctx = await resultsSetup(db);
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to draft before results are published, and without --campaign', async () => {
    expect(await cli('notices', 'draft', '--campaign', 'test-2026')).toMatchObject({
      code: 2,
      err: expect.stringContaining('还没有发布结果'),
    });
    expect(await cli('notices', 'draft')).toMatchObject({ code: 2, err: '请用 --campaign 指定评议活动代码' });
  });

  it('drafts once however often it runs', async () => {
    // publishing drafts already: running draft afterwards finds everything in place
    await ctx.services.results.publish('test-2026', 'tester');
    const first = await cli('notices', 'draft', '--campaign', 'test-2026');
    expect(first.code).toBe(0);
    expect(first.out).toContain('新建工作提示单 0 份、事项 0 个（涉及 3 个部门）');
    expect(await ctx.services.notices.sheets('test-2026')).toHaveLength(3);
  });

  it('lists the sheets as a table, or as JSON', async () => {
    const { code, out } = await cli('notices', 'list', '--campaign', 'test-2026');
    expect(code).toBe(0);
    expect(out.split('\n')[0]).toMatch(/^编号\s+部门\s+状态\s+事项\s+办理情况$/);
    expect(out).toContain('评议提示〔2026〕第003号');
    expect(out).toContain('测试部门2（D002）');
    expect(out).toContain('草拟 1');
    const json = await cli('notices', 'list', '--campaign', 'test-2026', '--json');
    const sheets = JSON.parse(json.out) as { serialText: string; items: unknown[] }[];
    expect(sheets.map((s) => s.serialText)).toEqual([
      '评议提示〔2026〕第001号',
      '评议提示〔2026〕第002号',
      '评议提示〔2026〕第003号',
    ]);
  });

  it('exports one .docx per issued sheet', async () => {
    const d002 = (await ctx.services.notices.sheets('test-2026')).find((s) => s.departmentCode === 'D002')!;
    await ctx.services.notices.issueSheet('test-2026', d002.id, office);
    const out = join(dir, 'notices');
    const { code, err } = await cli('notices', 'export', '--campaign', 'test-2026', '--out', out);
    expect(code).toBe(0);
    expect(err).toBe('已导出 1 份工作提示单');
    expect(readdirSync(out)).toEqual(['评议提示〔2026〕第003号 测试部门2.docx']);
    const paragraphs = docxParagraphs(readFileSync(join(out, readdirSync(out)[0])));
    expect(paragraphs).toContain('测试部门2：');
    expect(paragraphs.at(-1)).toBe('2027年1月5日');
  });

  it('refuses an --out that is a file', async () => {
    const path = join(dir, 'a-file');
    writeFileSync(path, '');
    expect(await cli('notices', 'export', '--campaign', 'test-2026', '--out', path)).toMatchObject({
      code: 2,
      err: expect.stringContaining('--out'),
    });
  });
});
