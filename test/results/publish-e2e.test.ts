import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { commands, runCli } from '../../server/cli/commands.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { simulateResponses } from '../../server/demo/simulate.js';
import type { CanonicalRecord, ResultView } from '../../server/contracts.js';
import { createServices } from '../../server/services.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { RESULTS_TIME } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'minping-results-'));
const clock = fixedClock(RESULTS_TIME);
let db: Db;
let out: string[];
let err: string[];
const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  out = [];
  err = [];
  const code = await runCli(argv, commands, io, { db, clock, config: defaultConfig() });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** The canonical record as a line of a response file, in the questionnaire's flat per-item shape. */
function line(r: CanonicalRecord): string {
  return JSON.stringify({
    ...r,
    departments: r.departments.map(({ ratings, ...d }) => ({ ...d, ...ratings })),
  });
}

let departments: { code: string; name: string; group: string }[];
async function responseFile(name: string, evaluators: number, seed: number): Promise<string> {
  const services = createServices({ db, clock, config: defaultConfig() });
  const campaign = await services.campaigns.getBySlug('test-2026');
  departments ??= await services.campaigns.departments(campaign.id);
  const sim = simulateResponses(campaign.config, departments, { evaluators, seed });
  const path = join(dir, name);
  writeFileSync(path, `${sim.records.map((r) => line(r.record)).join('\n')}\n`);
  return path;
}

beforeAll(async () => {
  db = await sqliteDb();
  const services = createServices({ db, clock, config: defaultConfig() });
  await createTestCampaign(db, services, { departments: 9 });
});
afterAll(() => db.close());

describe('import, score, publish: the snapshot is immutable', () => {
  let firstId: string;
  let firstStored: unknown;

  it('imports a response file and prints a ranking table per group', async () => {
    const imported = await run(
      'import',
      'responses',
      '--campaign',
      'test-2026',
      await responseFile('a.jsonl', 300, 11),
    );
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toContain('已导入 300 份答卷');
    const table = await run('score', '--campaign', 'test-2026');
    expect(table.code, table.err).toBe(0);
    for (const group of ['【综合经济管理类】', '【执法监管类】', '【社会服务类】']) expect(table.out).toContain(group);
    expect(table.out).toMatch(/排名\s+部门\s+最终得分\s+95%区间\s+等级\s+有效评议人数/);
    expect(table.out).toContain('答卷 300');
  });

  it('prints the full result with --json', async () => {
    const { code, out } = await run('score', '--campaign', 'test-2026', '--json');
    expect(code).toBe(0);
    const view = JSON.parse(out) as ResultView;
    expect(Object.keys(view)).toEqual(expect.arrayContaining(['campaign', 'method', 'inputs', 'departments']));
    expect(view.campaign.slug).toBe('test-2026');
    expect(view.inputs).toEqual({
      responses: 300,
      included: expect.any(Number),
      excluded: expect.any(Number),
      flagged: expect.any(Number),
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(view.inputs.excluded).toBeGreaterThan(0); // the simulated speeders giving one level everywhere
    expect(view.method.bootstrap.samples).toBe(1000);
    expect(view.departments).toHaveLength(9);
    for (const d of view.departments) {
      expect(d).toEqual(
        expect.objectContaining({
          code: expect.stringMatching(/^D\d{3}$/),
          name: expect.any(String),
          group: expect.any(String),
          validRaters: expect.any(Number),
          items: expect.objectContaining({ efficiency: expect.any(Object), quality: expect.any(Object) }),
          deduction: expect.any(Number),
          ranked: expect.any(Boolean),
          problems: expect.any(Array),
          negatives: expect.any(Array),
          uncertainty: expect.objectContaining({
            scoreInterval: expect.any(Array),
            statisticallyTiedWith: expect.any(Array),
          }),
          rectification: expect.any(Boolean),
        }),
      );
      expect(['好', '较好', '一般', '差', null]).toContain(d.grade);
    }
  });

  it('writes CSV and XLSX files that read back with the same figures', async () => {
    const csv = join(dir, 'r.csv');
    const xlsx = join(dir, 'r.xlsx');
    const { code } = await run('score', '--campaign', 'test-2026', '--csv', csv, '--xlsx', xlsx);
    expect(code).toBe(0);
    const view = JSON.parse((await run('score', '--campaign', 'test-2026', '--json')).out) as ResultView;
    const lines = readFileSync(csv, 'utf8')
      .replace(/^\ufeff/, '')
      .trim()
      .split('\n');
    expect(lines).toHaveLength(10);
    const header = lines[0].split(',');
    const first = lines[1].split(',');
    expect(first[header.indexOf('部门代码')]).toBe(view.departments[0].code);
    expect(Number(first[header.indexOf('最终得分')])).toBe(view.departments[0].finalScore);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(xlsx);
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '综合经济管理类',
      '执法监管类',
      '社会服务类',
      '作风问题与负面情形',
      '计分方法',
    ]);
    const sheet = wb.worksheets[0];
    const sh = (sheet.getRow(1).values as unknown[]).slice(1);
    const rows = view.departments.filter((d) => d.group === 'economic');
    expect(sheet.rowCount).toBe(rows.length + 1);
    expect(sheet.getRow(2).getCell(sh.indexOf('最终得分') + 1).value).toBe(rows[0].finalScore);
    expect(sheet.getRow(2).getCell(sh.indexOf('等级') + 1).value).toBe(rows[0].grade);
  });

  it('publishes a snapshot and prints its id', async () => {
    const { code, out, err } = await run('publish', '--campaign', 'test-2026');
    expect(code, err).toBe(0);
    firstId = out.trim();
    expect(firstId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err).toContain('已发布');
    const services = createServices({ db, clock, config: defaultConfig() });
    const row = await services.results.storedSnapshot(firstId);
    firstStored = structuredClone(row);
    expect(JSON.parse(row.counts_json)).toMatchObject({ responses: 300 });
    expect(row.inputs_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(row.method_json).minRankedRaters).toBe(30);
  });

  it('refuses responses imported after the publication, exit 2, storing none', async () => {
    const late = await run('import', 'responses', '--campaign', 'test-2026', await responseFile('late.jsonl', 5, 13));
    expect(late.code).toBe(2);
    expect(late.err).toContain('不能导入答卷：结果已经发布');
    const services = createServices({ db, clock, config: defaultConfig() });
    expect((await services.results.compute('test-2026', { uncertainty: false })).result.inputs.responses).toBe(300);
  });

  it('keeps the first snapshot unchanged when the stored responses change and a new one is published', async () => {
    clock.advance(3_600_000);
    const services = createServices({ db, clock, config: defaultConfig() });
    const campaign = await services.campaigns.getBySlug('test-2026');
    const more = simulateResponses(campaign.config, departments, { evaluators: 120, seed: 12 });
    await services.responses.storeMany(
      campaign,
      more.records.map((r) => r.record),
      { source: 'import' },
    );
    const { out } = await run('publish', '--campaign', 'test-2026');
    const secondId = out.trim();
    expect(secondId).not.toBe(firstId);
    expect(await services.results.storedSnapshot(firstId)).toEqual(firstStored);
    const second = await services.results.storedSnapshot(secondId);
    expect(JSON.parse(second.counts_json)).toMatchObject({ responses: 420 });
    expect(second.inputs_hash).not.toBe((firstStored as { inputs_hash: string }).inputs_hash);
    expect((await services.results.snapshots('test-2026')).map((s) => s.id)).toEqual([secondId, firstId]);
    const view = await services.results.snapshot(firstId);
    expect(view.inputs.responses).toBe(300);
  });

  it('gives the same figures when the same inputs are published again', async () => {
    const services = createServices({ db, clock, config: defaultConfig() });
    const [latest] = await services.results.snapshots('test-2026');
    const again = await services.results.publish('test-2026', 'test');
    expect(again.id).not.toBe(latest.id);
    expect(again.inputsHash).toBe(latest.inputsHash);
    const a = await services.results.storedSnapshot(latest.id);
    const b = await services.results.storedSnapshot(again.id);
    expect(b.result_json).toBe(a.result_json);
    expect(Date.parse(b.created_at)).toBeGreaterThan(Date.parse(a.created_at));
  });

  it('refuses a --csv or --xlsx it cannot write (missing folder, a directory) with exit code 2, before computing', async () => {
    const missing = await run('score', '--fast', '--campaign', 'test-2026', '--csv', join(dir, 'no', 'such', 'r.csv'));
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('所在目录不存在');
    expect(missing.out).toBe('');
    const directory = await run('score', '--fast', '--campaign', 'test-2026', '--xlsx', dir);
    expect(directory.code).toBe(2);
    expect(directory.err).toContain('这是一个目录');
  });

  it('refuses score and publish without --campaign, and an unknown campaign, with exit code 2', async () => {
    expect((await run('score')).code).toBe(2);
    expect((await run('publish')).code).toBe(2);
    const unknown = await run('score', '--campaign', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('nope');
  });
});
