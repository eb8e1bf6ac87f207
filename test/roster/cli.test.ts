import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { sha256 } from '../../server/shared/ids.js';
import { EXAMPLE_CONFIG_PATH } from '../../surveys/campaign-config.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { csvOf, tokenOfLink, xlsxOf, xlsxRows } from '../helpers/sheets.js';

let db: Db;
let dir: string;
const clock = fixedClock('2026-10-20T08:00:00Z');
const config = defaultConfig({ publicUrl: 'https://minping.example.gov.cn' });

beforeEach(async () => {
  db = await sqliteDb();
  dir = mkdtempSync(join(tmpdir(), 'minping-cli-'));
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const cli = (...argv: string[]) => runCommand(argv, { db, clock, config });

const file = (name: string, content: string | Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};

describe('minping campaign create', () => {
  it('creates the example campaign from its YAML file', async () => {
    const { code, out } = await cli('campaign', 'create', '--config', EXAMPLE_CONFIG_PATH);
    expect(code).toBe(0);
    expect(out).toContain('demo-2026');
    const rows = await db.kysely.selectFrom('campaigns').selectAll().execute();
    expect(rows.map((r) => r.slug)).toEqual(['demo-2026']);
    expect(
      (await db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'campaign_create').execute()).length,
    ).toBe(1);
  });

  it('creates a campaign from JSON', async () => {
    const json = JSON.stringify({
      slug: 'json-2026',
      name: 'JSON 活动',
      opensAt: '2026-11-01T00:00:00+08:00',
      closesAt: '2026-12-31T23:59:59+08:00',
      categories: [{ code: 'public', label: '社会公众', weight: 1 }],
      groups: [{ code: 'all', label: '全部' }],
    });
    const { code } = await cli('campaign', 'create', '--config', file('c.json', json));
    expect(code).toBe(0);
  });

  it('rejects an unknown key and a bad value, printing each path, exit 2, nothing created', async () => {
    const yaml = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8').replace('mode: anonymous', 'mode: secret\ncolour: red');
    const { code, err } = await cli('campaign', 'create', '--config', file('bad.yaml', yaml));
    expect(code).toBe(2);
    expect(err).toMatch(/评议方式（mode）：/);
    expect(err).toContain('colour');
    expect(await db.kysely.selectFrom('campaigns').selectAll().execute()).toEqual([]);
  });

  it('reports a YAML syntax error and a missing file with exit 2', async () => {
    expect((await cli('campaign', 'create', '--config', file('broken.yaml', 'slug: [unclosed\n'))).code).toBe(2);
    const missing = await cli('campaign', 'create', '--config', join(dir, 'nope.yaml'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('找不到');
  });

  it('refuses a second campaign with the same slug', async () => {
    await cli('campaign', 'create', '--config', EXAMPLE_CONFIG_PATH);
    const again = await cli('campaign', 'create', '--config', EXAMPLE_CONFIG_PATH);
    expect(again.code).toBe(2);
    expect(again.err).toContain('已存在');
  });
});

describe('minping import', () => {
  beforeEach(async () => {
    await cli('campaign', 'create', '--config', EXAMPLE_CONFIG_PATH);
  });

  it('imports departments and prints each bad row as "第 N 行 field：message"', async () => {
    const bad = file(
      'd.csv',
      csvOf([
        ['code', 'name', 'group'],
        ['D001', '甲', 'economic'],
        ['D002', '乙', 'economic'],
        ['D003', '丙', 'economic'],
        ['D004', '丁', 'economic'],
        ['D005', '戊', 'economic'],
        ['D006', '己', '其他类'],
      ]),
    );
    const res = await cli('import', 'departments', '--campaign', 'demo-2026', bad);
    expect(res.code).toBe(2);
    expect(res.err).toContain('第 7 行 group：不是本活动的部门分组');
    expect(await db.kysely.selectFrom('departments').selectAll().execute()).toEqual([]);

    const good = file(
      'ok.xlsx',
      await xlsxOf([
        ['代码', '部门名称', '类别'],
        ['D001', '甲', '综合经济管理类'],
        ['D002', '乙', '执法监管类'],
      ]),
    );
    const ok = await cli('import', 'departments', '--campaign', 'demo-2026', good);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('新增 2');
    expect((await cli('import', 'departments', '--campaign', 'demo-2026', good)).out).toContain('未变 2');
  });

  it('prints every error of a bad row with its line and the column header of the file', async () => {
    const bad = file(
      '部门.xlsx',
      await xlsxOf([
        ['部门代码', '部门名称', '部门分组', '联络员邮箱'],
        ['D001', '市财政局', '综合经济管理类', ''],
        ['D002', '', '综合经济管理类', 'wang@'],
      ]),
    );
    const res = await cli('import', 'departments', '--campaign', 'demo-2026', bad);
    expect(res.code).toBe(2);
    expect(res.err).toContain('第3行「部门名称」：不能为空；「联络员邮箱」：不是有效的邮箱地址');
    expect(res.err).toContain('  第 3 行 部门名称：不能为空\n  第 3 行 联络员邮箱：不是有效的邮箱地址');
    expect(await db.kysely.selectFrom('departments').selectAll().execute()).toEqual([]);
  });

  it('writes the import templates of a campaign, whose example row left unchanged is refused by name and line', async () => {
    for (const [table, sheet] of [
      ['departments', '部门'],
      ['evaluators', '评议代表'],
    ]) {
      const out = join(dir, `${table}.xlsx`);
      const res = await cli('template', table, '--campaign', 'demo-2026', '--out', out);
      expect(res.code).toBe(0);
      expect(res.out).toContain(`已写出${sheet}导入模板`);
      const imported = await cli('import', table, '--campaign', 'demo-2026', out);
      expect(imported.code).not.toBe(0);
      expect(imported.err).toContain('第2行');
      expect(imported.err).toContain('这一行是导入模板的示例，请改成实际内容或删除这一行');
    }
    expect((await cli('template', 'responses', '--campaign', 'demo-2026', '--out', join(dir, 'r.xlsx'))).code).toBe(2);
    expect((await cli('template', 'departments', '--campaign', 'demo-2026', '--out', join(dir, 'd.csv'))).code).toBe(2);
    const missing = await cli('template', 'departments', '--out', join(dir, 'd.xlsx'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--campaign');
  });

  it('imports evaluators and writes their links with --out, once', async () => {
    const roster = file(
      'e.csv',
      csvOf([
        ['姓名', '单位', '类别', '电话'],
        ['王建国', '项目部', 'project', '13800138000'],
        ['刘芳', '人大', '两代表一委员', ''],
      ]),
    );
    const out = join(dir, 'links.xlsx');
    const res = await cli('import', 'evaluators', '--campaign', 'demo-2026', '--out', out, roster);
    expect(res.code).toBe(0);
    expect(res.out).toContain('已生成 2 个邀请链接');
    const rows = await xlsxRows(readFileSync(out));
    expect(rows[0]).toEqual(['姓名', '单位/项目', '类别', '电话', '邮箱', '链接']);
    const links = rows.slice(1).map((r) => r[5]);
    expect(links).toHaveLength(2);
    const hashes = (await db.kysely.selectFrom('invitations').select('token_hash').execute())
      .map((r) => r.token_hash)
      .sort();
    expect(links.map((l) => sha256(tokenOfLink(l))).sort()).toEqual(hashes);
    for (const link of links)
      expect(link).toMatch(
        /^https:\/\/minping\.example\.gov\.cn\/s\/([0-9A-HJKMNP-TV-Z]{4}-){9}[0-9A-HJKMNP-TV-Z]{4}$/,
      );

    const csvOut = join(dir, 'again.csv');
    const again = await cli('import', 'evaluators', '--campaign', 'demo-2026', '--out', csvOut, roster);
    expect(again.code).toBe(0);
    expect(again.out).toContain('没有新链接');
  });

  it('refuses an unknown campaign, a missing file and an --out of another type', async () => {
    const roster = file(
      'e.csv',
      csvOf([
        ['name', 'organisation', 'category'],
        ['a', 'b', 'public'],
      ]),
    );
    expect((await cli('import', 'evaluators', '--campaign', 'nope', roster)).code).toBe(2);
    expect((await cli('import', 'evaluators', '--campaign', 'demo-2026', join(dir, 'missing.csv'))).code).toBe(2);
    expect(
      (await cli('import', 'evaluators', '--campaign', 'demo-2026', '--out', join(dir, 'x.pdf'), roster)).code,
    ).toBe(2);
    expect(await db.kysely.selectFrom('evaluators').selectAll().execute()).toEqual([]);
  });

  it('refuses an --out in a missing folder or onto a directory before importing or inviting anyone', async () => {
    const roster = file(
      'e.csv',
      csvOf([
        ['name', 'organisation', 'category'],
        ['a', 'b', 'public'],
      ]),
    );
    const missing = await cli(
      'import',
      'evaluators',
      '--campaign',
      'demo-2026',
      '--out',
      join(dir, 'no', 'such', 'links.xlsx'),
      roster,
    );
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('所在目录不存在');
    mkdirSync(join(dir, 'links.csv'));
    const directory = await cli(
      'import',
      'evaluators',
      '--campaign',
      'demo-2026',
      '--out',
      join(dir, 'links.csv'),
      roster,
    );
    expect(directory.code).toBe(2);
    expect(directory.err).toContain('这是一个目录');
    expect(await db.kysely.selectFrom('evaluators').selectAll().execute()).toEqual([]);
    expect(await db.kysely.selectFrom('invitations').selectAll().execute()).toEqual([]);
  });

  it('refuses letters for a PUBLIC_URL on this machine before importing anyone, unless --allow-loopback', async () => {
    const roster = file(
      'e.csv',
      csvOf([
        ['name', 'organisation', 'category'],
        ['a', 'b', 'public'],
      ]),
    );
    const local = (...argv: string[]) => runCommand(argv, { db, clock, config: defaultConfig() });
    const letters = join(dir, 'letters.html');
    const refused = await local('import', 'evaluators', '--campaign', 'demo-2026', '--out', letters, roster);
    expect(refused.code).not.toBe(0);
    expect(refused.err).toContain('PUBLIC_URL');
    expect(refused.err).toContain('--allow-loopback');
    expect(await db.kysely.selectFrom('evaluators').selectAll().execute()).toEqual([]);
    const allowed = await local(
      'import',
      'evaluators',
      '--campaign',
      'demo-2026',
      '--out',
      letters,
      '--allow-loopback',
      roster,
    );
    expect(allowed.code).toBe(0);
    expect(readFileSync(letters, 'utf8')).toContain('http://localhost:3000/s/');
  });

  it('says a directory given as the roster file is a directory', async () => {
    const res = await cli('import', 'departments', '--campaign', 'demo-2026', dir);
    expect(res.code).toBe(2);
    expect(res.err).toContain('这是一个目录');
  });
});
