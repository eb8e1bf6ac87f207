/**
 * A file named .xlsx that is no Excel workbook (random bytes, a renamed CSV, a damaged or
 * truncated workbook, another zip) is refused in the office's words on every route that reads
 * one, never with exceljs's English error text.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strToU8, unzipSync, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { countRows, sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf, uploadForm, xlsxOf } from '../helpers/sheets.js';

const NOT_EXCEL = /^此文件不是有效的 Excel 文件/;

/** A real workbook with one of its parts replaced. */
async function withPart(name: string, content: string | undefined): Promise<Uint8Array> {
  const parts = unzipSync(await xlsxOf([['代码', '名称', '分组']]));
  if (content === undefined) delete parts[name];
  else parts[name] = strToU8(content);
  return zipSync(parts);
}

async function brokenFiles(): Promise<[string, Uint8Array][]> {
  const good = await xlsxOf([['代码', '名称', '分组']]);
  return [
    ['random bytes', new Uint8Array(randomBytes(4096))],
    [
      'a renamed CSV',
      strToU8(
        csvOf([
          ['代码', '名称', '分组'],
          ['D001', '市发改委', 'economic'],
        ]),
      ),
    ],
    ['a truncated workbook', good.slice(0, good.length - 200)],
    ['a workbook whose workbook part is broken', await withPart('xl/workbook.xml', '<workbook>')],
    [
      'a workbook whose sheet names a string it lacks',
      await withPart(
        'xl/worksheets/sheet1.xml',
        '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>99</v></c></row></sheetData></worksheet>',
      ),
    ],
    ['a workbook without its workbook part', await withPart('xl/workbook.xml', undefined)],
    ['another zip', zipSync({ 'readme.txt': strToU8('hello') })],
  ];
}

let db: Db;
let app: ReturnType<typeof createApp>;
let admin: LoggedIn;
let campaign: Campaign;
let dir: string;
const clock = fixedClock('2026-10-20T08:00:00Z');
const config = defaultConfig();

beforeAll(async () => {
  db = await sqliteDb();
  const deps = { db, config, clock };
  app = createApp(deps);
  const services = createServices(deps);
  campaign = await createTestCampaign(db, services, { departments: 1, state: 'draft' });
  admin = await loginAs(app, services, 'admin');
  dir = mkdtempSync(join(tmpdir(), 'minping-broken-xlsx-'));
});
afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(await brokenFiles())('%s named .xlsx', (_what, bytes) => {
  it.each(['departments', 'evaluators'] as const)(
    'is refused by POST …/%s/import in Chinese, importing nothing',
    async (table) => {
      const before = await countRows(db, table);
      const res = await app.request(`/api/campaigns/${campaign.slug}/${table}/import`, {
        method: 'POST',
        headers: admin.headers(),
        body: uploadForm(bytes, `${table}.xlsx`),
      });
      expect(res.status).toBe(422);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.message).toMatch(NOT_EXCEL);
      expect(error.message).not.toMatch(/Cannot|undefined|properties|character|[Zz]ip\b/);
      expect(await countRows(db, table)).toBe(before);
    },
  );

  it('is refused by minping import departments in Chinese, with a non-zero exit code', async () => {
    const path = join(dir, '部门.xlsx');
    writeFileSync(path, bytes);
    const { code, err } = await runCommand(['import', 'departments', '--campaign', campaign.slug, path], {
      db,
      clock,
      config,
    });
    expect(code).not.toBe(0);
    expect(err).toMatch(/此文件不是有效的 Excel 文件/);
    expect(err).not.toMatch(/Cannot|undefined|properties|character/);
  });
});
