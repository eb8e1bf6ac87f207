import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import type { Comparison, DepartmentView, ErrorBody, ResultView } from '../../server/contracts.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { record, resultsSetup, storeRecords } from './helpers.js';

let db: Db;
let ctx: Awaited<ReturnType<typeof resultsSetup>>;
let admin: LoggedIn;
let analyst: LoggedIn;
let liaison: LoggedIn;

beforeAll(async () => {
  db = await sqliteDb();
  ctx = await resultsSetup(db);
  admin = await loginAs(ctx.app, ctx.services, 'admin');
  analyst = await loginAs(ctx.app, ctx.services, 'analyst');
  liaison = await loginAs(ctx.app, ctx.services, 'liaison', { departmentCode: 'D005' });
});
afterAll(() => db.close());

const get = (path: string, who?: LoggedIn) => ctx.app.request(path, { headers: who ? who.headers() : {} });
const post = (path: string, who?: LoggedIn) =>
  ctx.app.request(path, { method: 'POST', headers: who ? who.headers() : {} });
const dept = (view: ResultView, code: string) => view.departments.find((d) => d.code === code) as DepartmentView;

async function publish(): Promise<string> {
  const res = await post('/api/campaigns/test-2026/snapshots', admin);
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe('results API: roles', () => {
  it('answers 401 without a session on every results endpoint', async () => {
    for (const path of [
      '/api/campaigns/test-2026/results',
      '/api/campaigns/test-2026/snapshots',
      '/api/snapshots/x',
      '/api/snapshots/x/export.csv',
      '/api/compare?from=a&to=b',
      '/api/my/results',
    ]) {
      expect((await get(path)).status, path).toBe(401);
    }
    expect((await post('/api/campaigns/test-2026/snapshots')).status).toBe(401);
  });

  it('lets analysts and the office read results but refuses liaisons', async () => {
    expect((await get('/api/campaigns/test-2026/results', analyst)).status).toBe(200);
    expect((await get('/api/campaigns/test-2026/results?uncertainty=0', admin)).status).toBe(200);
    expect((await get('/api/campaigns/test-2026/results', liaison)).status).toBe(403);
    expect((await get('/api/campaigns/test-2026/snapshots', liaison)).status).toBe(403);
  });

  it('lets only the office publish', async () => {
    const res = await post('/api/campaigns/test-2026/snapshots', analyst);
    expect(res.status).toBe(403);
    expect(((await res.json()) as ErrorBody).error.code).toBe('FORBIDDEN');
    expect((await post('/api/campaigns/test-2026/snapshots', liaison)).status).toBe(403);
  });

  it('refuses a publish without the CSRF token', async () => {
    const res = await ctx.app.request('/api/campaigns/test-2026/snapshots', {
      method: 'POST',
      headers: { cookie: admin.cookie },
    });
    expect(res.status).toBe(403);
  });

  it('answers 404 in the error envelope for an unknown campaign or snapshot', async () => {
    const a = await get('/api/campaigns/nope/results', analyst);
    expect(a.status).toBe(404);
    expect(((await a.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
    expect((await get('/api/snapshots/nope', analyst)).status).toBe(404);
    expect((await get('/api/compare?from=a', analyst)).status).toBe(422);
  });
});

describe('results API: live results and suppression', () => {
  let view: ResultView;
  beforeAll(async () => {
    view = (await (await get('/api/campaigns/test-2026/results', analyst)).json()) as ResultView;
  });

  it('returns the campaign, method, inputs and every department with its group label', () => {
    expect(view.campaign).toEqual({ slug: 'test-2026', name: expect.any(String), timeZone: 'Asia/Shanghai' });
    expect(view.inputs).toMatchObject({ responses: 45, excluded: 0, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(view.method.minCellSize).toBe(5);
    expect(view.departments.map((d) => d.code).sort()).toEqual(['D001', 'D002', 'D003', 'D004', 'D005', 'D006']);
    expect(dept(view, 'D001')).toMatchObject({
      group: 'economic',
      groupLabel: '综合经济管理类',
      ranked: true,
      rank: 1,
    });
    expect(dept(view, 'D005')).toMatchObject({ verifiedNegatives: 2, deduction: 1 });
    expect(dept(view, 'D001').uncertainty.scoreInterval).toHaveLength(2);
  });

  it('withholds a category cell with fewer than 5 evaluators', () => {
    const cells = dept(view, 'D001').items.efficiency.categoryBreakdown;
    const deputies = cells.find((c) => c.category === 'deputies')!;
    expect(deputies).toMatchObject({ validAnswers: 2, mean: null, satisfiedShare: null, suppressed: true });
    const project = cells.find((c) => c.category === 'project')!;
    expect(project).toMatchObject({ validAnswers: 40, mean: 100, suppressed: false });
  });

  it('withholds every figure of a department with fewer than 5 valid raters', () => {
    const small = dept(view, 'D006');
    expect(small).toMatchObject({
      validRaters: 3,
      suppressed: true,
      surveyScore: null,
      finalScore: null,
      satisfactionRate: null,
      awareness: null,
      ranked: false,
      rank: null,
    });
    expect(small.rankNote).toBe('样本不足，不予排名');
    expect(small.items.efficiency).toMatchObject({ score: null, suppressed: true });
  });

  it('shows the problem and negative tallies of a department with enough evaluators, however few ticked', () => {
    expect(dept(view, 'D001').problems.find((p) => p.problem === 4)).toEqual({
      problem: 4,
      mentions: 2,
      share: 0.0476,
      suppressed: false,
    });
    expect(dept(view, 'D002').problems.find((p) => p.problem === 2)).toEqual({
      problem: 2,
      mentions: 10,
      share: 0.25,
      suppressed: false,
    });
    expect(dept(view, 'D002').problems.find((p) => p.problem === 7)).toEqual({
      problem: 7,
      mentions: 0,
      share: 0,
      suppressed: false,
    });
    expect(dept(view, 'D005').negatives.find((n) => n.kind === 3)).toEqual({
      kind: 3,
      reported: 3,
      verified: 2,
      suppressed: false,
    });
    // D006's 3 raters: no tally of theirs, not even a zero
    expect(dept(view, 'D006').problems.every((p) => p.suppressed && p.mentions === null)).toBe(true);
    expect(dept(view, 'D006').negatives.every((n) => n.suppressed && n.reported === null)).toBe(true);
  });

  it('gives no cell anywhere a figure when it counts fewer than 5 evaluators', () => {
    for (const d of view.departments) {
      for (const item of Object.values(d.items)) {
        for (const c of item.categoryBreakdown)
          if (c.validAnswers < 5) expect(c.mean, `${d.code} ${c.category}`).toBeNull();
      }
      for (const p of d.problems) expect(p.mentions === null, `${d.code} ${p.problem}`).toBe(d.raters < 5);
    }
  });

  it('reports the screening summary', () => {
    expect(view.screening.counts).toMatchObject({ responses: 45, excluded: 0, included: 45 });
    expect(view.screening.excludedIds).toEqual([]);
  });
});

describe('results API: snapshots, exports, comparison, liaison', () => {
  let first: string;
  let second: string;
  beforeAll(async () => {
    first = await publish();
    ctx.clock.advance(60_000);
    // more evaluators: D005 gets better, D006 reaches 5 raters
    await storeRecords(ctx.services, ctx.campaign, [
      ...Array.from({ length: 10 }, () =>
        record('project', [{ code: 'D005', efficiency: 'satisfied', quality: 'satisfied' }]),
      ),
      ...Array.from({ length: 2 }, () =>
        record('public', [{ code: 'D006', efficiency: 'satisfied', quality: 'fairly_satisfied' }]),
      ),
    ]);
    second = await publish();
  });

  it('lists the snapshots newest first and serves each as published', async () => {
    const list = (await (await get('/api/campaigns/test-2026/snapshots', analyst)).json()) as {
      snapshots: { id: string; counts: { responses: number } }[];
    };
    expect(list.snapshots.map((s) => s.id)).toEqual([second, first]);
    expect(list.snapshots.map((s) => s.counts.responses)).toEqual([57, 45]);
    const one = (await (await get(`/api/snapshots/${first}`, analyst)).json()) as ResultView;
    expect(one.snapshot).toMatchObject({ id: first, createdBy: 'admin-user' });
    expect(one.inputs.responses).toBe(45);
    expect(dept(one, 'D006').suppressed).toBe(true);
    const two = (await (await get(`/api/snapshots/${second}`, analyst)).json()) as ResultView;
    expect(dept(two, 'D006')).toMatchObject({ validRaters: 5, suppressed: false });
  });

  it('records the publication in the audit log', async () => {
    const entries = await ctx.services.audit.list({ action: 'results_publish' });
    expect(entries.map((e) => e.detail.snapshot)).toEqual(expect.arrayContaining([first, second]));
  });

  it('exports a snapshot as CSV with withheld cells saying why', async () => {
    const res = await get(`/api/snapshots/${first}/export.csv`, analyst);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    expect(res.headers.get('content-disposition')).toContain('attachment');
    const text = (await res.text()).replace(/^\ufeff/, '');
    const [header, ...rows] = text
      .trim()
      .split('\n')
      .map((l) => l.split(','));
    expect(rows).toHaveLength(6);
    const col = (name: string) => header.indexOf(name);
    const row = (code: string) => rows.find((r) => r[col('部门代码')] === code)!;
    expect(row('D001')[col('工作效率·两代表一委员·均值')]).toBe('人数不足（少于5人）');
    expect(row('D001')[col('工作效率·项目参建单位/服务对象代表·均值')]).toBe('100');
    expect(row('D006')[col('最终得分')]).toBe('人数不足（少于5人）');
    expect(row('D006')[col('备注')]).toBe('样本不足，不予排名');
    expect(row('D001')[col('作风问题4 态度生硬、冷硬横推')]).toBe('2');
    expect(row('D006')[col('作风问题4 态度生硬、冷硬横推')]).toBe('人数不足（少于5人）');
    expect(row('D002')[col('作风问题2 不作为、慢作为、办事拖拉')]).toBe('10');
  });

  it('exports a snapshot as XLSX: a sheet per group, a problems sheet and a method sheet, suppressed alike', async () => {
    const res = await get(`/api/snapshots/${first}/export.xlsx`, admin);
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    expect(wb.worksheets.map((w) => w.name)).toEqual([
      '综合经济管理类',
      '执法监管类',
      '社会服务类',
      '作风问题与负面情形',
      '计分方法',
    ]);
    const sheet = wb.getWorksheet('综合经济管理类')!;
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const codes = [2, 3].map((r) => sheet.getRow(r).getCell(header.indexOf('部门代码') + 1).value);
    expect(codes).toEqual(['D001', 'D004']);
    expect(sheet.getRow(2).getCell(header.indexOf('工作效率·两代表一委员·均值') + 1).value).toBe('人数不足（少于5人）');
    expect(sheet.getRow(2).getCell(header.indexOf('排名') + 1).value).toBe(1);
    const service = wb.getWorksheet('社会服务类')!;
    const sh = (service.getRow(1).values as unknown[]).slice(1);
    const d006 = [2, 3]
      .map((r) => service.getRow(r))
      .find((r) => r.getCell(sh.indexOf('部门代码') + 1).value === 'D006')!;
    expect(d006.getCell(sh.indexOf('测评得分') + 1).value).toBe('人数不足（少于5人）');
    const method = wb.getWorksheet('计分方法')!;
    const params = new Map<unknown, unknown>();
    method.eachRow((row) => params.set(row.getCell(1).value, row.getCell(2).value));
    expect(params.get('快照编号')).toBe(first);
    expect(params.get('小样本抑制：单元格最少评议人数')).toBe(5);
    expect(params.get('答卷总数')).toBe(45);
  });

  it('exports the live result too', async () => {
    const res = await get('/api/campaigns/test-2026/results/export.xlsx', analyst);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
  });

  it('compares two snapshots department by department', async () => {
    const res = await get(`/api/compare?from=${first}&to=${second}`, analyst);
    expect(res.status).toBe(200);
    const cmp = (await res.json()) as Comparison;
    const d005 = cmp.departments.find((d) => d.code === 'D005')!;
    expect(d005.scoreChange).toBeGreaterThan(0);
    expect(d005.scoreChange).toBeCloseTo(d005.to!.finalScore! - d005.from!.finalScore!, 2);
    const d006 = cmp.departments.find((d) => d.code === 'D006')!;
    expect(d006.from!.finalScore).toBeNull();
    expect(d006.scoreChange).toBeNull();
  });

  it('shows a liaison only their own department, from published snapshots only', async () => {
    const res = await get('/api/my/results', liaison);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      department: string;
      results: { snapshot: { id: string }; department: DepartmentView }[];
    };
    expect(body.department).toBe('D005');
    expect(body.results).toHaveLength(1);
    expect(body.results[0].snapshot.id).toBe(second);
    expect(body.results[0].department.code).toBe('D005');
    expect(JSON.stringify(body)).not.toContain('D001');
    expect((await get(`/api/snapshots/${second}`, liaison)).status).toBe(403);
    expect((await get(`/api/snapshots/${second}/export.csv`, liaison)).status).toBe(403);
  });

  it('renders the liaison page with their department only, suppressed alike', async () => {
    const res = await get('/my/results', liaison);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('本部门评议结果');
    expect(text).toContain('（D005）');
    expect(text).not.toContain('测试部门1<');
    expect((await get('/my/results', analyst)).status).toBe(403);
  });

  it('serves the dashboard pages to analysts and the office only', async () => {
    expect((await get('/dashboard', analyst)).status).toBe(200);
    expect((await get('/dashboard?campaign=test-2026', admin)).status).toBe(200);
    expect((await get('/dashboard/departments/D001?campaign=test-2026', analyst)).status).toBe(200);
    expect((await get('/dashboard/departments/D999?campaign=test-2026', analyst)).status).toBe(404);
    expect((await get('/dashboard', liaison)).status).toBe(403);
    const anonymous = await get('/dashboard');
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toContain('/login');
    const html = await (await get('/dashboard', analyst)).text();
    // no inline scripts (CSP script-src 'self'): every script has a src
    expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g)).toBeNull();
    expect(html).toMatch(/<script type="module" src="\/assets\/dashboard-[A-Za-z0-9]+\.js">/);
    expect(html).toContain('data-campaign="test-2026"');
  });

  it('opens a published campaign on its latest snapshot and labels the interim figures 中期 on asking', async () => {
    const published = await (await get('/dashboard?campaign=test-2026', analyst)).text();
    expect(published).toContain(`data-snapshot="${second}"`);
    expect(published).toContain('已发布的结果（第 2 次发布），发布于');
    const interim = await (await get('/dashboard?campaign=test-2026&snapshot=live', analyst)).text();
    expect(interim).toContain('data-snapshot=""');
    expect(interim).toContain('<strong class="interim">中期结果</strong>');
    const department = await (
      await get('/dashboard/departments/D001?campaign=test-2026&snapshot=live', analyst)
    ).text();
    expect(department).toContain('中期结果（未发布）');
    expect(department).toContain('snapshot=live');
  });

  it('tells the office a published result by its publication number and time, never its snapshot id or input hash', async () => {
    const text = (html: string) => html.replace(/<[^>]*>/g, '');
    const [latest, earlier] = await ctx.services.results.snapshots('test-2026');
    const overview = text(await (await get(`/dashboard?campaign=test-2026&snapshot=${first}`, admin)).text());
    expect(overview).toContain('已发布的结果（第 1 次发布），发布于');
    expect(overview).toContain('第 2 次发布 · ');
    const department = text(
      await (await get(`/dashboard/departments/D001?campaign=test-2026&snapshot=${second}`, admin)).text(),
    );
    expect(department).toContain('已发布的结果（第 2 次发布），发布于');
    const campaign = text(await (await get('/admin/campaigns/test-2026', admin)).text());
    expect(campaign).toContain('第 2 次发布');
    expect(campaign).toContain('第 1 次发布');
    for (const page of [overview, department, campaign]) {
      for (const s of [latest, earlier]) {
        expect(page).not.toContain(s.id);
        expect(page).not.toContain(s.inputsHash.slice(0, 8));
      }
    }
  });

  it('names the interim export 中期 in its file name and its method sheet', async () => {
    const res = await get('/api/campaigns/test-2026/results/export.xlsx', analyst);
    expect(decodeURIComponent(res.headers.get('content-disposition')!)).toContain('test-2026-中期结果');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const params = new Map<unknown, unknown>();
    wb.getWorksheet('计分方法')!.eachRow((row) => params.set(row.getCell(1).value, row.getCell(2).value));
    expect(params.get('结果性质')).toBe('中期结果（未发布）：实时计算，不是最终结果');
    const csv = await get('/api/campaigns/test-2026/results/export.csv', analyst);
    expect(decodeURIComponent(csv.headers.get('content-disposition')!)).toContain('中期结果');
  });

  it('gives a department trend across campaigns', async () => {
    const res = await get('/api/departments/D005/trend', analyst);
    const body = (await res.json()) as { points: { snapshot: string; finalScore: number }[] };
    expect(body.points.map((p) => p.snapshot)).toEqual([second]);
  });
});
