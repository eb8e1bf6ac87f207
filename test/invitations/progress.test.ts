import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Chase, ErrorBody, Progress } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { POOLED_UNITS, unitLabel, unitRows } from '../../server/invitations/chase.js';
import { createServices } from '../../server/services.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { dialects, sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { csvOf, downloadNames, uploadForm, xlsxRows } from '../helpers/sheets.js';
import { webAnswers } from '../evaluator/helpers.js';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PUBLIC_URL = 'https://pj.example.gov.cn';

/** A campaign with its roster imported and invitations generated; `tokens` by name. */
async function setup(db: Db, mode: 'named' | 'anonymous', roster: string[][]) {
  const clock = fixedClock('2026-11-23T08:00:00Z');
  const config = defaultConfig({ publicUrl: PUBLIC_URL });
  const deps = { db, config, clock };
  const app = createApp(deps);
  const services = createServices(deps);
  const campaign = await createTestCampaign(db, services, { overrides: { mode } });
  const admin = await loginAs(app, services, 'admin');
  const imported = await app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
    method: 'POST',
    headers: admin.headers(),
    body: uploadForm(csvOf([['姓名', '单位/项目', '类别', '电话'], ...roster]), 'r.csv'),
  });
  expect(imported.status).toBe(200);
  const res = await app.request(`/api/campaigns/${campaign.slug}/invitations?format=csv`, {
    method: 'POST',
    headers: admin.headers(),
  });
  expect(res.status).toBe(200);
  const tokens = new Map(
    (await res.text())
      .split('\r\n')
      .slice(1)
      .filter(Boolean)
      .map((line) => [line.split(',')[0], line.split('/s/')[1]] as const),
  );
  const submit = async (name: string) => {
    const r = await app.request(`/api/s/${tokens.get(name)}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
    });
    expect(r.status).toBe(201);
  };
  return { app, services, campaign, admin, clock, config, tokens, submit };
}

async function importPaper(db: Db, campaign: Campaign, categories: string[]) {
  await db.kysely
    .insertInto('responses')
    .values(
      categories.map((category, i) => ({
        id: `paper-${i}`,
        campaign_id: campaign.id,
        questionnaire_version: 1,
        invitation_id: null,
        category,
        organisation: null,
        duration_seconds: null,
        overall: 'satisfied',
        suggestion: null,
        record_json: '{}',
        source: 'import',
        network_key: null,
        submitted_day: '2026-11-23',
      })),
    )
    .execute();
}

const NAMED_ROSTER = [
  ['王建国', '轨道交通3号线项目部', 'project', '13800138000'],
  ['李四', '轨道交通3号线项目部', 'project', '13900139000'],
  ['赵六', '某建设集团', 'project', ''],
  ['陈明', '', 'public', ''],
];

/** Anonymous: one unit of 6, two of 2 and 3 (pooled: 5 together). */
const ANONYMOUS_ROSTER = [
  ...['甲一', '甲二', '甲三', '甲四', '甲五', '甲六'].map((n) => [n, '大项目指挥部', 'project', '13800000001']),
  ['乙一', '小单位乙', 'project', '13800000002'],
  ['乙二', '小单位乙', 'project', ''],
  ['丙一', '小单位丙', 'project', ''],
  ['丙二', '小单位丙', 'project', ''],
  ['丙三', '小单位丙', 'project', ''],
];

describe.each(await dialects())('progress per unit and the chasing list on $name', ({ open }) => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('names, in named mode, who has not submitted, by unit then name, with phone and how far they got', async () => {
    db = await open();
    const s = await setup(db, 'named', NAMED_ROSTER);
    await s.submit('王建国');
    expect((await s.app.request(`/api/s/${s.tokens.get('李四')}`)).status).toBe(200);
    const chase = await s.services.invitations.chase(s.campaign);
    expect(chase.people?.map((p) => [p.organisation, p.name, p.phone, p.stage, p.categoryLabel])).toEqual([
      ['轨道交通3号线项目部', '李四', '13900139000', 'opened', '项目参建单位/服务对象代表'],
      ['某建设集团', '赵六', null, 'invited', '项目参建单位/服务对象代表'],
      [null, '陈明', null, 'invited', '社会公众'],
    ]);
    const named = { category: null, categoryLabel: null, pooled: false, units: 1 };
    expect(chase.organisations).toEqual([
      { organisation: '轨道交通3号线项目部', ...named, evaluators: 2, invited: 2, submitted: 1, notSubmitted: 1 },
      { organisation: '某建设集团', ...named, evaluators: 1, invited: 1, submitted: 0, notSubmitted: 1 },
      { organisation: null, ...named, evaluators: 1, invited: 1, submitted: 0, notSubmitted: 1 },
    ]);
  });

  it('gives, in anonymous mode, counts per unit only, pooling units of fewer than minCellSize invitees, spent links not yet flagged included', async () => {
    db = await open();
    const s = await setup(db, 'anonymous', ANONYMOUS_ROSTER);
    await s.submit('乙一'); // one spent link, waiting for its batch of 10
    const chase = await s.services.invitations.chase(s.campaign);
    expect(chase.people).toBeNull();
    const project = { category: 'project', categoryLabel: '项目参建单位/服务对象代表' };
    expect(chase.organisations).toEqual([
      {
        organisation: '大项目指挥部',
        ...project,
        pooled: false,
        units: 1,
        evaluators: 6,
        invited: 6,
        submitted: 0,
        notSubmitted: 6,
      },
      {
        organisation: null,
        ...project,
        pooled: true,
        units: 2,
        evaluators: 5,
        invited: 5,
        submitted: 1,
        notSubmitted: 4,
      },
    ]);
    const text = JSON.stringify(chase);
    for (const word of ['乙一', '甲一', '小单位乙', '小单位丙', '1380000']) expect(text).not.toContain(word);
  });
});

describe('the small-cell rule on units (anonymous mode)', () => {
  const CATEGORIES = [
    { code: 'project', label: '项目参建单位/服务对象代表' },
    { code: 'grassroots', label: '基层单位' },
  ];
  const unit = (organisation: string, invited: number, submitted = 0, category = 'project') => ({
    organisation,
    category,
    evaluators: invited,
    invited,
    submitted,
  });
  const rules = { anonymous: true, minCellSize: 5, categories: CATEGORIES };
  const shown = (rows: ReturnType<typeof unitRows>) =>
    rows.map((r) => (r.pooled ? `pool:${r.units}:${r.invited}:${r.submitted}` : r.organisation));

  it('pools small units within their category, so a category’s total less its shown units gives no one away', () => {
    // 基层单位: one unit of 6 and one of a single person; the progress page shows the category's totals
    const units = [
      unit('大项目指挥部', 6, 1),
      unit('小单位乙', 2, 1),
      unit('小单位丙', 3),
      unit('某街道', 6, 2, 'grassroots'),
      unit('某社区', 1, 1, 'grassroots'),
    ];
    const rows = unitRows(units, rules);
    expect(
      rows.map((r) => [r.categoryLabel, r.pooled ? POOLED_UNITS : r.organisation, r.invited, r.submitted]),
    ).toEqual([
      ['项目参建单位/服务对象代表', '大项目指挥部', 6, 1],
      ['项目参建单位/服务对象代表', POOLED_UNITS, 5, 1],
      // pooled alone, 某社区 would be 1 of 1 by subtraction from the category; 某街道 joins it
      ['基层单位', POOLED_UNITS, 7, 3],
    ]);
    expect(POOLED_UNITS).toBe('其他单位（合并）');
    expect(rows.map((r) => unitLabel(r))).not.toContain('某社区');
    // the pools hold the real units only: their counts add up to the roster's
    for (const k of ['evaluators', 'invited', 'submitted'] as const)
      expect(rows.reduce((n, r) => n + (r[k] ?? 0), 0)).toBe(units.reduce((n, u) => n + u[k], 0));
  });

  it('moves the smallest unit shown into a pool still under minCellSize, so the totals give the pool away neither', () => {
    const rows = unitRows([unit('甲', 6, 1), unit('丁', 7, 2), unit('乙', 2, 1), unit('丙', 2)], rules);
    expect(shown(rows)).toEqual(['丁', 'pool:3:10:2']);
  });

  it('withholds the pool’s counts when its whole category has fewer than minCellSize invitees', () => {
    const [pool] = unitRows([unit('甲', 1, 1), unit('乙', 2)], rules);
    expect(pool).toMatchObject({ pooled: true, units: 2, invited: 3, submitted: null, notSubmitted: null });
  });

  it('keeps a unit nobody is invited from yet as its own row, and every unit in named mode', () => {
    const units = [unit('甲', 0), unit('乙', 2, 2)];
    expect(shown(unitRows(units, rules))).toEqual(['甲', 'pool:1:2:null']);
    expect(shown(unitRows(units, { ...rules, anonymous: false }))).toEqual(['甲', '乙']);
  });
});

describe('the progress and chasing API, page and command', () => {
  let db: Db;
  afterEach(() => db.close());

  const get = (s: { app: ReturnType<typeof createApp> }, path: string, who: LoggedIn) =>
    s.app.request(path, { headers: who.headers() });

  it('counts imported responses apart, never in the rate: 社会公众 no longer shows more answers than people', async () => {
    db = await sqliteDb();
    const s = await setup(db, 'named', NAMED_ROSTER);
    await s.submit('王建国');
    await importPaper(db, s.campaign, ['public', 'public', 'public']);
    const progress = (await (await get(s, `/api/campaigns/${s.campaign.slug}/progress`, s.admin)).json()) as Progress;
    expect(progress.categories.find((c) => c.code === 'public')).toMatchObject({
      invited: 1,
      submitted: 0,
      imported: 3,
    });
    expect(progress.totals).toMatchObject({ invited: 4, submitted: 1, imported: 3 });
    const page = await (await get(s, `/admin/campaigns/${s.campaign.slug}/progress`, s.admin)).text();
    expect(page).toContain('导入答卷（纸质录入或其他系统收集，不对应邀请，不计入提交率）：3 份（社会公众 3）');
    expect(page).toContain('25.0%'); // 1 of 4 invited, the 3 paper forms left out
  });

  it('downloads the named chasing list as .xlsx and .csv (formula-guarded), the office only', async () => {
    db = await sqliteDb();
    const s = await setup(db, 'named', [...NAMED_ROSTER, ['=HYPERLINK("x")', '某建设集团', 'project', '']]);
    const base = `/api/campaigns/${s.campaign.slug}/chase`;
    const xlsx = await get(s, `${base}?format=xlsx`, s.admin);
    expect(xlsx.status).toBe(200);
    expect(downloadNames(xlsx)).toEqual({
      name: expect.stringMatching(/^2026年度民主评议机关（示例）-催办名单-\d{8}-\d{4}\.xlsx$/),
      ascii: expect.stringMatching(/^test-2026-chase-\d{8}-\d{4}\.xlsx$/),
    });
    const rows = await xlsxRows(await xlsx.arrayBuffer());
    expect(rows[0]).toEqual(['单位/项目', '姓名', '类别', '电话', '邮箱', '进度']);
    expect(rows.slice(1).map((r) => r[1])).toEqual(['李四', '王建国', '=HYPERLINK("x")', '赵六', '陈明']);
    const csv = await (await get(s, `${base}?format=csv`, s.admin)).text();
    expect(csv).toContain(`某建设集团,"'=HYPERLINK(""x"")"`);
    expect(csv).toContain('轨道交通3号线项目部,王建国,项目参建单位/服务对象代表,13800138000,,未打开');

    const analyst = await loginAs(s.app, s.services, 'analyst');
    expect((await get(s, base, analyst)).status).toBe(403);
    const refused = await get(s, `${base}?format=exe`, s.admin);
    expect(refused.status).toBe(422);
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.details?.[0].path).toBe('format');
    expect(body.error.message).toBe('文件格式不对：应为JSON 数据（json）、Excel 名单（xlsx）或CSV 名单（csv）');
  });

  it('shows the anonymous progress page with unit counts and no names', async () => {
    db = await sqliteDb();
    const s = await setup(db, 'anonymous', ANONYMOUS_ROSTER);
    await s.submit('甲一');
    const res = await get(s, `/admin/campaigns/${s.campaign.slug}/progress`, s.admin);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('大项目指挥部');
    expect(page).toContain('其他单位（合并）');
    expect(page).toContain('不列出姓名');
    for (const word of ['甲一', '乙一', '小单位乙']) expect(page).not.toContain(word);
    const chase = (await (await get(s, `/api/campaigns/${s.campaign.slug}/chase`, s.admin)).json()) as Chase;
    expect(chase.people).toBeNull();
    const csv = await (await get(s, `/api/campaigns/${s.campaign.slug}/chase?format=csv`, s.admin)).text();
    expect(csv.split('\r\n').slice(0, 3)).toEqual([
      '类别,单位/项目,名单人数,已邀请,已提交（网上）,未提交,提交率',
      '项目参建单位/服务对象代表,大项目指挥部,6,6,1,5,16.7%',
      '项目参建单位/服务对象代表,其他单位（合并）,5,5,0,5,0.0%',
    ]);
  });

  it('prints the progress and the chasing list on the command line, and writes it with --out', async () => {
    db = await sqliteDb();
    const s = await setup(db, 'named', NAMED_ROSTER);
    await s.submit('王建国');
    await importPaper(db, s.campaign, ['public']);
    const cli = (...argv: string[]) => runCommand(argv, { db, clock: s.clock, config: s.config });

    const plain = await cli('progress', '--campaign', 'test-2026');
    expect(plain.code).toBe(0);
    expect(plain.out).toMatch(/合计\s+4\s+4\s+1\s+25\.0%/);
    expect(plain.out).toContain('导入答卷（纸质录入或其他系统收集，不对应邀请，不计入提交率）：1 份（社会公众 1）');
    expect(plain.out).toMatch(/轨道交通3号线项目部\s+2\s+2\s+1\s+1\s+50\.0%/);
    expect(plain.out).not.toContain('李四');

    const out = join(mkdtempSync(join(tmpdir(), 'chase-')), '催报.xlsx');
    const chased = await cli('progress', '--campaign', 'test-2026', '--chase', '--out', out);
    expect(chased.code).toBe(0);
    expect(chased.out).toContain('【催报名单】未提交 3 人');
    expect(chased.out).toMatch(/轨道交通3号线项目部\s+李四\s+项目参建单位\/服务对象代表\s+13900139000\s+未打开/);
    expect((await xlsxRows(readFileSync(out))).slice(1).map((r) => r[1])).toEqual(['李四', '赵六', '陈明']);

    expect((await cli('progress', '--campaign', 'test-2026', '--out', out)).err).toBe(
      '--out 导出催报名单，请同时给出 --chase',
    );
    const badName = await cli('progress', '--campaign', 'test-2026', '--chase', '--out', 'x.pdf');
    expect([badName.code, badName.err]).toEqual([2, '--out x.pdf：文件名应以 .xlsx 或 .csv 结尾']);
    expect((await cli('progress', '--campaign', 'nope')).code).toBe(2);
  });
});
