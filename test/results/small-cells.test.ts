import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeOfficialScores } from '../../scoring/index.js';
import type { Db } from '../../server/db/connect.js';
import type { DepartmentView, ResultView } from '../../server/contracts.js';
import { toView } from '../../server/results/view.js';
import { WITHHELD_MARK, withheldNote } from '../../web/lib/format.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { dept as scoringDept, method, raters, response, S } from '../scoring/helpers.js';
import { resultsSetup, smallCellRecords, storeRecords } from './helpers.js';

const WITHHELD_5 = '人数不足（少于5人）';
const problemLabel = '作风问题4 态度生硬、冷硬横推';
const negativeLabel = '负面情形3 超法定或承诺时限、久拖不办·反映';

describe('the result view applies the small-cell rule by evaluators, not ticks', () => {
  const catalogs = {
    items: [
      { code: 'efficiency', label: '工作效率' },
      { code: 'quality', label: '工作质量' },
    ],
    categories: [{ code: 'project', label: '项目', weight: 1 }],
    groups: [{ code: 'G', label: '组' }],
    problems: [
      { id: 1, label: '问题一' },
      { id: 4, label: '问题四' },
    ],
    negatives: [{ id: 3, label: '情形三' }],
  };
  const view = toView(
    { slug: 's', name: 'n', timeZone: 'Asia/Shanghai' },
    catalogs,
    computeOfficialScores(
      method(),
      [scoringDept('BIG'), scoringDept('TINY')],
      [
        ...Array.from({ length: 3 }, () =>
          response('project', [
            { code: 'BIG', eff: S, qual: S, problems: [4], negatives: [{ kind: 3, verified: false }] },
          ]),
        ),
        ...raters(247, 'project', 'BIG', S),
        ...raters(4, 'project', 'TINY', S, S, { problems: [1] }),
      ],
    ),
  );
  const d = (code: string) => view.departments.find((x) => x.code === code)!;

  it('shows 3 ticks of a department rated by 250, and the 0 ticks beside them', () => {
    expect(d('BIG').problems).toEqual([
      { problem: 1, mentions: 0, share: 0, suppressed: false },
      { problem: 4, mentions: 3, share: 0.012, suppressed: false },
    ]);
    expect(d('BIG').negatives).toEqual([{ kind: 3, reported: 3, verified: 0, suppressed: false }]);
  });

  it('withholds every figure of a department rated by 4, though all 4 ticked', () => {
    expect(d('TINY')).toMatchObject({ raters: 4, suppressed: true, finalScore: null, satisfactionRate: null });
    expect(d('TINY').problems).toEqual([
      { problem: 1, mentions: null, share: null, suppressed: true },
      { problem: 4, mentions: null, share: null, suppressed: true },
    ]);
    expect(d('TINY').negatives).toEqual([{ kind: 3, reported: null, verified: null, suppressed: true }]);
  });
});

describe('one small-cell rule in the API, CSV, XLSX and the liaison page', () => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  let analyst: LoggedIn;
  let snapshotId: string;
  const get = (path: string, who: LoggedIn, accept = 'application/json') =>
    ctx.app.request(path, { headers: who.headers({ accept }) });
  const of = (view: ResultView, code: string) => view.departments.find((d) => d.code === code) as DepartmentView;

  beforeAll(async () => {
    db = await sqliteDb();
    ctx = await resultsSetup(db, { records: false });
    await storeRecords(ctx.services, ctx.campaign, smallCellRecords());
    snapshotId = (await ctx.services.results.publish('test-2026', 'admin')).id;
    analyst = await loginAs(ctx.app, ctx.services, 'analyst');
  });
  afterAll(() => db.close());

  it('answers the small tallies of a big department and nothing of a tiny one, live and published', async () => {
    for (const path of ['/api/campaigns/test-2026/results', `/api/snapshots/${snapshotId}`]) {
      const view = (await (await get(path, analyst)).json()) as ResultView;
      const big = of(view, 'D001');
      expect(big.raters).toBe(253);
      expect(big.problems.find((p) => p.problem === 4)).toEqual({
        problem: 4,
        mentions: 3,
        share: 0.0119,
        suppressed: false,
      });
      expect(big.problems.find((p) => p.problem === 1)).toMatchObject({ mentions: 0, suppressed: false });
      expect(big.negatives.find((n) => n.kind === 3)).toEqual({ kind: 3, reported: 2, verified: 0, suppressed: false });
      const deputies = big.items.efficiency.categoryBreakdown.find((c) => c.category === 'deputies')!;
      expect(deputies).toMatchObject({ validAnswers: 3, mean: null, suppressed: true });
      const tiny = of(view, 'D002');
      expect(tiny).toMatchObject({ raters: 4, suppressed: true, finalScore: null, awareness: null });
      expect(tiny.problems.every((p) => p.suppressed && p.mentions === null && p.share === null)).toBe(true);
    }
  });

  it('writes the same cells into the CSV and the XLSX, a withheld one saying why', async () => {
    const csv = (await (await get(`/api/snapshots/${snapshotId}/export.csv`, analyst)).text()).replace(/^\ufeff/, '');
    const [header, ...rows] = csv
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    const cell = (code: string, column: string) =>
      rows.find((r) => r[header.indexOf('部门代码')] === code)![header.indexOf(column)];
    expect(cell('D001', problemLabel)).toBe('3');
    expect(cell('D001', negativeLabel)).toBe('2');
    expect(cell('D001', '工作效率·两代表一委员·均值')).toBe(WITHHELD_5);
    expect(cell('D002', problemLabel)).toBe(WITHHELD_5);
    expect(cell('D002', '最终得分')).toBe(WITHHELD_5);

    const res = await get(`/api/campaigns/test-2026/results/export.xlsx`, analyst);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const sheet = wb.getWorksheet('作风问题与负面情形')!;
    const head = (sheet.getRow(1).values as unknown[]).slice(1);
    const value = (code: string, column: string) => {
      let found: unknown;
      sheet.eachRow((row) => {
        if (row.getCell(1).value === code) found = row.getCell(head.indexOf(column) + 1).value;
      });
      return found;
    };
    expect(value('D001', problemLabel)).toBe(3);
    expect(value('D001', negativeLabel)).toBe(2);
    expect(value('D002', problemLabel)).toBe(WITHHELD_5);
  });

  it('shows a liaison of the big department its 3 ticks and a liaison of the tiny one nothing but why', async () => {
    const problemRow = (html: string) =>
      [
        ...(html.match(
          /态度生硬、冷硬横推<\/td><td[^>]*><span class="cell-head">[^<]*<\/span>([^<]*)<\/td><td[^>]*><span class="cell-head">[^<]*<\/span>([^<]*)</,
        ) ?? []),
      ].slice(1);
    const big = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D001' });
    const mine = (await (await get('/api/my/results', big)).json()) as { results: { department: DepartmentView }[] };
    expect(mine.results[0].department.problems.find((p) => p.problem === 4)).toMatchObject({ mentions: 3 });
    expect(problemRow(await (await get('/my/results', big, 'text/html')).text())).toEqual(['3', '1.2%']);

    const tiny = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D002' });
    const theirs = (await (await get('/api/my/results', tiny)).json()) as { results: { department: DepartmentView }[] };
    expect(theirs.results[0].department).toMatchObject({ suppressed: true, finalScore: null });
    expect(theirs.results[0].department.problems.every((p) => p.mentions === null)).toBe(true);
    // the cells a short mark, the table's one note says why
    const page = await (await get('/my/results', tiny, 'text/html')).text();
    expect(problemRow(page)).toEqual([WITHHELD_MARK, WITHHELD_MARK]);
    expect(page).toContain(withheldNote(5));
  });

  it('takes its minimum from the campaign config (scoring.minCellSize)', async () => {
    const strict = await createTestCampaign(db, ctx.services, {
      slug: 'strict-2026',
      departments: 2,
      overrides: { scoring: { minCellSize: 300 } },
    });
    await storeRecords(ctx.services, strict, smallCellRecords());
    const view = (await (await get('/api/campaigns/strict-2026/results', analyst)).json()) as ResultView;
    expect(view.method.minCellSize).toBe(300);
    expect(of(view, 'D001')).toMatchObject({ raters: 253, suppressed: true, finalScore: null });
    expect(of(view, 'D001').problems.every((p) => p.suppressed)).toBe(true);
    const csv = await (await get('/api/campaigns/strict-2026/results/export.csv', analyst)).text();
    expect(csv).toContain('人数不足（少于300人）');
    expect(csv).not.toContain(WITHHELD_5);
  });
});
