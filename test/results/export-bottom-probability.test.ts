/** 末位概率 in the people's exports (CSV, XLSX) reads as on the dashboard; the JSON keeps the computed 0–1 figure. */
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ResultView } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { resultCsv, resultXlsx } from '../../server/results/export.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { knownRecords, RESULTS_TIME, storeRecords } from './helpers.js';

const dbs: Db[] = [];
afterAll(() => Promise.all(dbs.map((db) => db.close())));

/** The live result of the known records, with the example's three groups or all departments in one. */
async function liveView(groups?: { code: string; label: string }[]) {
  const db = await sqliteDb();
  dbs.push(db);
  const deps = { db, config: defaultConfig(), clock: fixedClock(RESULTS_TIME) };
  const services = createServices(deps);
  const campaign = await createTestCampaign(db, services, { departments: 6, overrides: groups ? { groups } : {} });
  const { records, verify } = knownRecords();
  await storeRecords(services, campaign, records, verify);
  return { view: await services.results.live(campaign.slug), app: createApp(deps), services };
}

/** The 末位概率 cell of each department code in the CSV. */
function csvCells(view: ResultView): Map<string, string> {
  const [head, ...rows] = resultCsv(view)
    .replace(/^\uFEFF/, '')
    .trim()
    .split(/\r?\n/)
    .map((l) => l.split(','));
  const [code, p] = [head.indexOf('部门代码'), head.indexOf('末位概率')];
  return new Map(rows.map((r) => [r[code], r[p]]));
}

async function workbook(view: ResultView) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load((await resultXlsx(view)) as unknown as ArrayBuffer);
  return wb;
}

describe('末位概率 in the results export', () => {
  it('is capped as on the dashboard (<1%, whole percent, >99%), — for an unranked department, never the raw share', async () => {
    const { view, app, services } = await liveView([{ code: 'economic', label: '综合经济管理类' }]);
    const raw = new Map(view.departments.map((d) => [d.code, d.uncertainty.bottomProbability]));
    // five ranked in one group: the best is rarely among the last three, the worst nearly always
    // (the exact shares move with the responses' random ids, so the caps are also shown on set values)
    expect(raw.get('D001')).toBeLessThan(0.05);
    expect(raw.get('D005')).toBeGreaterThan(0.95);
    const cells = csvCells(view);
    expect(cells.get('D006')).toBe('—');
    for (const code of ['D001', 'D002', 'D003', 'D004', 'D005']) {
      const p = raw.get(code) as number;
      expect(cells.get(code), code).toBe(p < 0.01 ? '<1%' : p > 0.99 ? '>99%' : `${Math.round(p * 100)}%`);
    }
    const setTo = (shares: Record<string, number>): ResultView => ({
      ...view,
      departments: view.departments.map((d) =>
        d.code in shares ? { ...d, uncertainty: { ...d.uncertainty, bottomProbability: shares[d.code] } } : d,
      ),
    });
    const capped = csvCells(setTo({ D001: 0.0099, D002: 0.014, D003: 0.5, D004: 0.986, D005: 0.9901 }));
    expect([...['D001', 'D002', 'D003', 'D004', 'D005'].map((c) => capped.get(c))]).toEqual([
      '<1%',
      '1%',
      '50%',
      '99%',
      '>99%',
    ]);

    const wb = await workbook(view);
    const sheet = wb.getWorksheet('综合经济管理类')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const xlsx = new Map<unknown, unknown>();
    sheet.eachRow((row, n) => {
      if (n > 1)
        xlsx.set(row.getCell(header.indexOf('部门代码') + 1).value, row.getCell(header.indexOf('末位概率') + 1).value);
    });
    expect(Object.fromEntries(xlsx)).toEqual(Object.fromEntries(cells));
    const params = new Map<unknown, unknown>();
    wb.getWorksheet('计分方法')!.eachRow((row) => params.set(row.getCell(1).value, row.getCell(2).value));
    expect(params.get('重点整改：末位概率不低于')).toBe('80%');
    expect(params.get('末位概率的显示')).toBe(
      '抽样中排在本组后 3 名的比例，取整到 1%，两端显示为 <1% 和 >99%；未参与排名的部门为 —；原始值（0–1）见结果的 JSON 数据',
    );

    // the JSON, for programs, keeps the computed share
    const analyst = await loginAs(app, services, 'analyst');
    const res = await app.request('/api/campaigns/test-2026/results', { headers: analyst.headers() });
    const json = (await res.json()) as ResultView;
    expect(json.departments.find((d) => d.code === 'D005')?.uncertainty.bottomProbability).toBe(raw.get('D005'));
  });

  it('says 不计算 in a group no larger than the last places, with the dashboard’s reason on the method sheet', async () => {
    const { view } = await liveView();
    const groupOf = new Map(view.departments.map((d) => [d.code, d.group]));
    const economic = view.departments.filter((d) => d.group === 'economic' && d.ranked);
    expect(economic.map((d) => d.uncertainty.bottomProbability)).toEqual([1, 1]);
    const cells = csvCells(view);
    for (const [code, cell] of cells) if (groupOf.get(code) === 'economic') expect(cell, code).toBe('不计算');
    const params = new Map<unknown, unknown>();
    (await workbook(view))
      .getWorksheet('计分方法')!
      .eachRow((row) => params.set(row.getCell(1).value, row.getCell(2).value));
    expect(params.get('末位概率（综合经济管理类）')).toBe(
      '本组只有 2 个部门参与排名，不多于后 3 名的名额，每个部门都必然在后 3 名之内：不计算末位概率。',
    );
  });
});
