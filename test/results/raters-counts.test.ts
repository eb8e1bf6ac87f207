/**
 * A department's two head counts, named alike on every page and export: 有效评议人数 (evaluators with
 * at least one answer other than 不了解: the scores and the ranking's minimum) and
 * 评议人数（含不了解） (every evaluator who chose the department: the work-style problems'
 * denominator). Excluded responses are in neither.
 */
import ExcelJS from 'exceljs';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { resultCsv, resultXlsx } from '../../server/results/export.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { knownRecords, record, RESULTS_TIME, storeRecords } from './helpers.js';

const db = await sqliteDb();
afterAll(() => db.close());

async function liveView() {
  const deps = { db, config: defaultConfig(), clock: fixedClock(RESULTS_TIME) };
  const services = createServices(deps);
  const campaign = await createTestCampaign(db, services, { departments: 6 });
  const { records, verify } = knownRecords();
  // two evaluators choose D001 and know nothing of it (one still names a work-style problem)
  records.push(
    record('project', [{ code: 'D001', efficiency: 'unknown', quality: 'unknown', problems: [2] }]),
    record('project', [{ code: 'D001', efficiency: 'unknown', quality: 'unknown' }]),
  );
  // a speeder giving D001–D003 the same level: excluded, counted nowhere
  records.push(
    record(
      'public',
      ['D001', 'D002', 'D003'].map((code) => ({ code, efficiency: 'satisfied', quality: 'satisfied' })),
      20,
    ),
  );
  await storeRecords(services, campaign, records, verify);
  return { view: await services.results.live(campaign.slug, { uncertainty: false }), services, app: createApp(deps) };
}
const setup = liveView();

describe('有效评议人数 and 评议人数（含不了解）', () => {
  it('count the evaluators with a valid answer, and all who chose the department, excluded responses in neither', async () => {
    const { view } = await setup;
    expect(view.inputs.excluded).toBe(1);
    const d = view.departments.find((x) => x.code === 'D001')!;
    // 40 project + 2 deputies answered; 2 more answered only 不了解
    expect(d.validRaters).toBe(42);
    expect(d.raters).toBe(44);
    expect(d.problems.find((p) => p.problem === 2)?.share).toBe(Number((1 / 44).toFixed(4)));

    // the CSV: both, by these names
    const [head, ...rows] = resultCsv(view)
      .replace(/^\uFEFF/, '')
      .trim()
      .split(/\r?\n/)
      .map((l) => l.split(','));
    const row = rows.find((r) => r[head.indexOf('部门代码')] === 'D001')!;
    expect(head.filter((h) => h.includes('评议人数'))).toEqual(['有效评议人数', '评议人数（含不了解）']);
    expect([row[head.indexOf('有效评议人数')], row[head.indexOf('评议人数（含不了解）')]]).toEqual(['42', '44']);

    // the XLSX: the problems sheet's denominator by the same name, and the method sheet saying what each counts
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load((await resultXlsx(view)) as unknown as ArrayBuffer);
    const problems = wb.getWorksheet('作风问题与负面情形')!;
    const header = (problems.getRow(1).values as unknown[]).slice(1);
    expect(header).toContain('评议人数（含不了解）');
    expect(header).not.toContain('评议人数');
    const params = new Map<unknown, unknown>();
    wb.getWorksheet('计分方法')!.eachRow((r) => params.set(r.getCell(1).value, r.getCell(2).value));
    expect(params.get('有效评议人数')).toBe(
      '对该部门至少有一项评价不是“不了解”的评议代表，得分按他们的评价计算，满 30 人才参与排名；不计剔除的答卷',
    );
    expect(params.get('评议人数（含不了解）')).toBe(
      '在答卷里选了该部门的评议代表，包括对它只答了“不了解”的；作风问题的比例以它为分母；不计剔除的答卷',
    );
  });

  it('are both on the liaison’s published results, by the same names, with what each counts', async () => {
    const { app, services } = await setup;
    await services.results.publish('test-2026', 'test');
    const liaison = await loginAs(app, services, 'liaison', { departmentCode: 'D001' });
    const page = await (await app.request('/my/results', { headers: liaison.headers() })).text();
    const figure = (label: string) =>
      page.match(
        new RegExp(`<div class="figure"><span class="value">([^<]*)</span><span class="label">${label}</span>`),
      )?.[1];
    expect([figure('有效评议人数'), figure('评议人数（含不了解）')]).toEqual(['42', '44']);
    expect(page).toContain(
      '有效评议人数：对该部门至少有一项评价不是“不了解”的评议代表，得分按他们的评价计算，满 30 人才参与排名。评议人数（含不了解）：在答卷里选了该部门的评议代表，包括对它只答了“不了解”的；作风问题的比例以它为分母。两者都不计剔除的答卷，相差的是只答了“不了解”的人。',
    );
  });
});
