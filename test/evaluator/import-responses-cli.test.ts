import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { commands, runCli } from '../../server/cli/commands.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { sqliteDb } from '../helpers/db.js';
import { OPEN_TIME, surveySetup } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'minping-import-'));
const file = (name: string, lines: unknown[]) => {
  const path = join(dir, name);
  writeFileSync(path, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);
  return path;
};
const good = (code: string, extra: Record<string, unknown> = {}) => ({
  category: 'project',
  durationSeconds: 420,
  overall: 'basically_satisfied',
  departments: [
    {
      code,
      efficiency: 'satisfied',
      quality: 'fairly_satisfied',
      problems: [2, 5],
      negatives: [{ kind: 3, matter: '…', date: '2026-06', description: '…' }],
      suggestion: '…',
    },
  ],
  suggestion: '…',
  ...extra,
});

let db: Db;
let out: string[];
let err: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
const run = (argv: string[]) =>
  runCli(argv, commands, io, { db, clock: fixedClock(OPEN_TIME), config: defaultConfig() });
const stored = async () =>
  Number(
    (
      await db.kysely
        .selectFrom('responses')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeEach(async () => {
  db = await sqliteDb();
  await surveySetup(db);
  out = [];
  err = [];
});
afterEach(() => db.close());

describe('minping import responses', () => {
  it('is listed in --help', async () => {
    expect(await run(['--help'])).toBe(0);
    expect(out.join('\n')).toContain('import responses --campaign SLUG [--dry-run] FILE.jsonl');
  });

  it('loads a good file and says how many responses it stored', async () => {
    const path = file('good.jsonl', [
      good('D001'),
      good('D002', { category: 'public', overall: '满意' }),
      '',
      good('D003'),
    ]);
    expect(await run(['import', 'responses', '--campaign', 'test-2026', path])).toBe(0);
    expect(out.join('\n')).toContain('已导入 3 份答卷');
    expect(await stored()).toBe(3);
    const negatives = await db.kysely.selectFrom('negative_reports').select('status').execute();
    expect(negatives).toHaveLength(3);
  });

  it('checks a file with --dry-run and stores nothing; a second real import of the same file is refused', async () => {
    const path = file('dry.jsonl', [good('D001'), good('D002')]);
    expect(await run(['import', 'responses', '--campaign', 'test-2026', '--dry-run', path])).toBe(0);
    expect(out.join('\n')).toContain('检查通过：2 份答卷');
    expect(await stored()).toBe(0);
    expect(await run(['import', 'responses', '--campaign', 'test-2026', path])).toBe(0);
    expect(await run(['import', 'responses', '--campaign', 'test-2026', path])).toBe(2);
    expect(err.join('\n')).toContain('已于');
    expect(await stored()).toBe(2);
  });

  it('stores nothing from a file with errors and prints each with its line number and field, a department by its name', async () => {
    const path = file('bad.jsonl', [
      good('D001'),
      good('D002'),
      good('D003', {
        departments: [{ code: 'D003', efficiency: 'satisfied', quality: 'satisfied', problems: [1, 2, 3, 4] }],
      }),
      good('D999'),
      '{"category":',
      good('D004', { overall: 'excellent' }),
      good('D005', {
        departments: [
          {
            code: 'D005',
            efficiency: 'satisfied',
            quality: 'satisfied',
            negatives: [{ kind: 3, matter: '…', date: '2099-06', description: '…' }],
          },
        ],
      }),
    ]);
    expect(await run(['import', 'responses', '--campaign', 'test-2026', path])).toBe(2);
    const printed = err.join('\n');
    expect(printed).toMatch(/^错误：文件有 5 处错误，没有导入任何答卷/);
    expect(printed).toContain('第 3 行 测试部门3 · 作风问题（departments.0.problems）：最多选择 3 项');
    expect(printed).toContain('第 4 行 第 1 个部门的部门代码（departments.0.code）：不是本次评议的部门代码');
    expect(printed).toContain('第 5 行：不是有效的 JSON');
    expect(printed).toMatch(/第 6 行 总体评价（overall）：应为以下之一/);
    expect(printed).toContain(
      '第 7 行 测试部门5 · 负面情形1 · 大约时间（departments.0.negatives.0.date）：不能晚于今天',
    );
    expect(printed).not.toMatch(/第 [12] 行/);
    expect(printed).toContain('没有导入任何答卷');
    expect(await stored()).toBe(0);
  });

  it('refuses a file that is not UTF-8 (here GB18030 from Excel), naming the line, and stores nothing', async () => {
    const path = join(dir, 'gbk.jsonl');
    const line = (suggestion: Buffer) =>
      Buffer.concat([Buffer.from(JSON.stringify(good('D001')).replace('"…"}', '"')), suggestion, Buffer.from('"}\n')]);
    writeFileSync(path, Buffer.concat([line(Buffer.from('好')), line(Buffer.from([0xba, 0xc3]))]));
    expect(await run(['import', 'responses', '--campaign', 'test-2026', path])).toBe(2);
    expect(err.join('\n')).toMatch(/第 2 行.*UTF-8/);
    expect(await stored()).toBe(0);
  });

  it('exits 2 with a clear message for a directory instead of a file', async () => {
    expect(await run(['import', 'responses', '--campaign', 'test-2026', dir])).toBe(2);
    expect(err.join('\n')).toContain('这是一个目录');
    expect(await stored()).toBe(0);
  });

  it('exits 2 with a clear message for a missing file, an unknown campaign or missing arguments', async () => {
    expect(await run(['import', 'responses', '--campaign', 'test-2026', join(dir, 'nope.jsonl')])).toBe(2);
    expect(err.join('\n')).toContain('无法读取文件');
    err = [];
    const path = file('one.jsonl', [good('D001')]);
    expect(await run(['import', 'responses', '--campaign', 'no-such', path])).toBe(2);
    expect(err.join('\n')).toContain('no-such');
    err = [];
    expect(await run(['import', 'responses', path])).toBe(2);
    expect(err.join('\n')).toContain('用法');
    expect(await stored()).toBe(0);
  });
});
