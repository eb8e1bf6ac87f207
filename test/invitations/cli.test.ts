import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
import { bundleOf, csvOf, tokenOfLink } from '../helpers/sheets.js';

let db: Db;
let dir: string;
const clock = fixedClock('2026-10-20T08:00:00Z');
const config = defaultConfig({ publicUrl: 'https://minping.example.gov.cn' });
const cli = (...argv: string[]) => runCommand(argv, { db, clock, config });

beforeEach(async () => {
  db = await sqliteDb();
  dir = mkdtempSync(join(tmpdir(), 'minping-invitations-cli-'));
  expect((await cli('campaign', 'create', '--config', EXAMPLE_CONFIG_PATH)).code).toBe(0);
});
afterEach(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const roster = () => {
  const path = join(dir, 'e.csv');
  writeFileSync(
    path,
    csvOf([
      ['姓名', '单位', '类别', '电话', '邮箱'],
      ['王建国', '项目部', 'project', '13800138000', 'wang@example.cn'],
      ['刘芳', '人大', '两代表一委员', '', ''],
    ]),
  );
  return path;
};
const storedHashes = async () =>
  (await db.kysely.selectFrom('invitations').select('token_hash').execute()).map((r) => r.token_hash).sort();

describe('minping import evaluators --out links.zip', () => {
  it('writes the letters, the .xlsx and the .csv of the same new links into one .zip', async () => {
    const out = join(dir, 'links.zip');
    const res = await cli('import', 'evaluators', '--campaign', 'demo-2026', '--out', out, roster());
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain('已生成 2 个邀请链接');
    const bundle = await bundleOf(readFileSync(out));
    expect(bundle.links.letters).toHaveLength(2);
    expect(bundle.links.xlsx).toEqual(bundle.links.letters);
    expect(bundle.links.csv).toEqual(bundle.links.letters);
    expect(bundle.links.letters.map((l) => sha256(tokenOfLink(l))).sort()).toEqual(await storedHashes());
  });

  it('refuses a .zip for an address on this machine unless --allow-loopback, before importing anyone', async () => {
    const local = (...argv: string[]) => runCommand(argv, { db, clock, config: defaultConfig() });
    const out = join(dir, 'links.zip');
    const refused = await local('import', 'evaluators', '--campaign', 'demo-2026', '--out', out, roster());
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('PUBLIC_URL');
    expect(await db.kysely.selectFrom('evaluators').selectAll().execute()).toEqual([]);
    const allowed = await local(
      'import',
      'evaluators',
      '--campaign',
      'demo-2026',
      '--out',
      out,
      '--allow-loopback',
      roster(),
    );
    expect(allowed.code, allowed.err).toBe(0);
    expect((await bundleOf(readFileSync(out))).links.letters).toHaveLength(2);
  });
});

describe('minping invitations export', () => {
  it('writes a named campaign’s unused links again, and refuses an anonymous campaign', async () => {
    const named = { ...config, invitationKey: Buffer.alloc(32, 3).toString('hex') };
    const run = (...argv: string[]) => runCommand(argv, { db, clock, config: named });
    const first = join(dir, 'first.zip');
    // the example campaign is anonymous: nothing held
    expect((await run('import', 'evaluators', '--campaign', 'demo-2026', '--out', first, roster())).code).toBe(0);
    const refused = await run('invitations', 'export', '--campaign', 'demo-2026', '--out', join(dir, 'x.zip'));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('匿名评议不保存链接');

    await db.kysely.updateTable('campaigns').set({ mode: 'named' }).execute();
    await db.kysely.deleteFrom('invitations').execute();
    expect((await run('import', 'evaluators', '--campaign', 'demo-2026', '--out', first, roster())).code).toBe(0);
    const again = join(dir, 'again.csv');
    const res = await run('invitations', 'export', '--campaign', 'demo-2026', '--out', again);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain('已导出 2 个未使用的邀请链接');
    const links = (await bundleOf(readFileSync(first))).links.xlsx;
    const csv = readFileSync(again, 'utf8');
    for (const link of links) expect(csv).toContain(link);
  });
});
