/**
 * Each scale preset end to end: the questionnaire generated from a city's config (its items, its
 * scale, an office question after the department pages and one in the department panel) rendered
 * in Chromium, filled on the evaluator page and submitted; the stored record, the raw-data export
 * (CLI and HTTP) and the scores checked by hand; 差评率 beside 满意率 for the 好差评 scale.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ResultView } from '../../server/contracts.js';
import { createServices, type Services } from '../../server/services.js';
import { resolveQuestionnairePath } from '../../surveys/campaign-config.js';
import { SCALE_PRESETS } from '../../surveys/catalogs.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage, pageProblems } from '../helpers/browser.js';
import { runCommand } from '../helpers/cli.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { xlsxSheets } from '../helpers/sheets.js';
import { createInvitation, OPEN_TIME } from '../evaluator/helpers.js';

type Element = Record<string, unknown>;
type Definition = { pages: { name?: string; elements: Element[] }[] };

/** The bundled questionnaire with the office's two questions: a page after the departments, one in each panel. */
function withOfficeQuestions(): Definition {
  const definition = JSON.parse(
    readFileSync(resolveQuestionnairePath('questionnaire.default.json'), 'utf8'),
  ) as Definition;
  const rate = definition.pages.findIndex((p) => p.name === 'rate');
  const panel = definition.pages[rate].elements[0] as { templateElements: Element[] };
  panel.templateElements.push({
    type: 'radiogroup',
    name: 'channel',
    title: '主要通过什么渠道办事？',
    choices: [
      { value: 'counter', text: '窗口办理' },
      { value: 'online', text: '网上办理' },
    ],
  });
  definition.pages.splice(rate + 1, 0, {
    name: 'office',
    elements: [{ type: 'comment', name: 'remark', title: '对本次评议工作的意见', maxLength: 200 }],
  });
  return definition;
}

type PresetName = keyof typeof SCALE_PRESETS;

interface Preset {
  title: string;
  slug: string;
  scale: PresetName;
  /** the items as configured; left out: the example's 工作效率 and 工作质量 */
  items?: { code: string; label: string; weight: number }[];
  /** the level label the evaluator picks for each item, in order */
  answers: string[];
  overall: string;
  /** worked by hand from the answers */
  expected: { surveyScore: number; satisfactionRate: number; unfavourableRate?: number };
}

const PRESETS: Preset[] = [
  {
    title: 'Hangzhou: three weighted items on the three-level scale',
    slug: 'hangzhou-2026',
    scale: 'three-level',
    items: [
      { code: 'attitude', label: '服务态度和工作效率', weight: 2 },
      { code: 'integrity', label: '办事公正和廉洁自律', weight: 1 },
      { code: 'impact', label: '工作实效和社会影响', weight: 1 },
    ],
    answers: ['满意', '基本满意', '不满意'],
    overall: '基本满意',
    // items 100, 60, 0 weighted 2:1:1 → (200 + 60 + 0) / 4 = 65; 满意率 (2·1 + 1·1 + 1·0) / 4 = 75
    expected: { surveyScore: 65, satisfactionRate: 75 },
  },
  {
    title: 'five items on the four-level scale',
    slug: 'five-items-2026',
    scale: 'four-level',
    items: [
      { code: 'style', label: '机关作风', weight: 1 },
      { code: 'service', label: '服务质量', weight: 1 },
      { code: 'law', label: '依法行政', weight: 1 },
      { code: 'speed', label: '办事效率', weight: 1 },
      { code: 'integrity', label: '廉政状况', weight: 1 },
    ],
    answers: ['满意', '比较满意', '比较满意', '基本满意', '不满意'],
    overall: '比较满意',
    // (100 + 80 + 80 + 60 + 0) / 5 = 64; 满意率 4 of 5 = 80
    expected: { surveyScore: 64, satisfactionRate: 80 },
  },
  {
    title: 'the 好差评 five-level scale',
    slug: 'haochaping-2026',
    scale: 'five-level-haochaping',
    answers: ['非常满意', '不满意'],
    overall: '非常不满意',
    // 工作效率 100, 工作质量 25 → 62.5; 满意率 (1 + 0) / 2 = 50; 差评率 (0 + 1) / 2 = 50
    expected: { surveyScore: 62.5, satisfactionRate: 50, unfavourableRate: 50 },
  },
];

const REMARK = '希望评议结果及时公开';

describe.skipIf(!browserAvailable())('each scale preset, generated, answered in a browser, stored and scored', () => {
  let stage: BrowserStage;
  let services: Services;
  let app: ReturnType<typeof createApp>;
  let admin: LoggedIn;
  const campaigns = new Map<string, Campaign>();
  const clock = fixedClock(OPEN_TIME);
  const cliEnv = () => ({ db: stage.db, clock, config: defaultConfig() });

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      const deps = { db, config: defaultConfig(), clock };
      services = createServices(deps);
      app = createApp(deps, services);
      for (const preset of PRESETS) {
        const campaign = await createTestCampaign(db, services, {
          slug: preset.slug,
          questionnaire: withOfficeQuestions(),
          overrides: {
            scale: preset.scale,
            ...(preset.items ? { items: preset.items } : {}),
            // one evaluator is enough to score, rank and show a department: the figures are checked by hand
            scoring: { minCategoryAnswers: 1, minRankedRaters: 1, minCellSize: 1, bootstrap: { samples: 0, seed: 1 } },
          },
        });
        campaigns.set(preset.slug, campaign);
      }
      admin = await loginAs(app, services, 'admin');
      return app;
    });
  });
  afterAll(() => stage?.close());

  const next = (page: Page) => page.getByRole('button', { name: '下一步' }).click();
  const levelsOf = (preset: Preset) => SCALE_PRESETS[preset.scale].map((l) => l.label);
  const itemsOf = (preset: Preset) =>
    preset.items ?? [
      { code: 'efficiency', label: '工作效率', weight: 1 },
      { code: 'quality', label: '工作质量', weight: 1 },
    ];
  const levelCode = (preset: Preset, label: string) => SCALE_PRESETS[preset.scale].find((l) => l.label === label)!.code;

  /** The evaluator's answers on the real page: one department, every item, the office's two questions. */
  async function answerInBrowser(preset: Preset, token: string) {
    const page = await stage.browser.newPage({ viewport: { width: 1000, height: 900 } });
    const problems = pageProblems(page);
    await page.goto(`${stage.url}/s/${token}`);
    await page.getByText('您属于哪一类评议代表？').waitFor();
    await next(page);

    const search = page.getByRole('searchbox', { name: '查找部门' });
    await search.fill('测试部门2');
    await page.getByRole('option', { name: '测试部门2', exact: true }).click();
    await next(page);

    const panel = page.locator('.sd-paneldynamic__panel-wrapper').filter({ has: page.getByText('测试部门2') });
    await panel.getByText('第 1 个部门，共 1 个').waitFor();
    // one rating question per configured item, in the config's order, each offering the scale;
    // the bundled questionnaire's 工作效率 and 工作质量 only where the config rates them
    const items = itemsOf(preset);
    const questions = await panel
      .locator('[data-name]')
      .evaluateAll((qs) => qs.map((q) => q.getAttribute('data-name')));
    expect(questions).toEqual([...items.map((i) => i.code), 'problems', 'negatives', 'suggestion', 'channel']);
    // and the page's note names no item the config does not rate
    const note = await page.locator('.sd-page__description').first().innerText();
    for (const label of ['工作效率', '工作质量'])
      if (!items.some((i) => i.label === label)) expect(note).not.toContain(label);
    for (const [i, item] of items.entries()) {
      const question = panel.locator(`[data-name="${item.code}"]`);
      await expect.poll(() => question.locator('.sd-question__title').innerText()).toContain(item.label);
      expect(await question.locator('.sd-selectbase__item').allTextContents()).toEqual(levelsOf(preset));
      await question.getByText(preset.answers[i], { exact: true }).click();
    }
    await panel.locator('[data-name="channel"]').getByText('网上办理', { exact: true }).click();
    await next(page);

    await page.getByRole('textbox', { name: /对本次评议工作的意见/ }).fill(REMARK);
    await next(page);

    const overall = page.locator('[data-name="overall"]');
    expect(await overall.locator('.sd-selectbase__item').allTextContents()).toEqual(levelsOf(preset));
    await overall.getByText(preset.overall, { exact: true }).click();
    await page.getByRole('button', { name: '提交问卷' }).click();
    await page.getByText('提交成功，感谢您的参与！').waitFor();
    expect(problems).toEqual([]);
    await page.close();
  }

  const storedRecords = async (campaign: Campaign) =>
    (
      await stage.db.kysely
        .selectFrom('responses')
        .select(['id', 'record_json', 'questionnaire_version'])
        .where('campaign_id', '=', campaign.id)
        .execute()
    ).map((r) => ({ id: r.id, version: r.questionnaire_version, record: JSON.parse(r.record_json) }));

  /** The raw-data export's two sheets, by `minping export responses` and by its HTTP equivalent. */
  async function rawExports(slug: string) {
    const dir = mkdtempSync(join(tmpdir(), 'minping-presets-'));
    try {
      const out = join(dir, 'raw.xlsx');
      const cli = await runCommand(['export', 'responses', '--campaign', slug, '--out', out], cliEnv());
      expect(cli.code, cli.err).toBe(0);
      const res = await app.request(`/api/campaigns/${slug}/responses/export.xlsx`, { headers: admin.headers() });
      expect(res.status).toBe(200);
      return {
        cli: await xlsxSheets(new Uint8Array(readFileSync(out))),
        http: await xlsxSheets(new Uint8Array(await res.arrayBuffer())),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  describe.each(PRESETS)('$title', (preset) => {
    it('stores the answers under the configured items, the office’s under extra, exports both with the questionnaire version, and scores only the ratings', async () => {
      const campaign = campaigns.get(preset.slug)!;
      const { token } = await createInvitation(stage.db, campaign);
      await answerInBrowser(preset, token);

      const [stored] = await storedRecords(campaign);
      const items = itemsOf(preset);
      expect(stored.version).toBe(1);
      expect(stored.record).toMatchObject({
        category: 'project',
        overall: levelCode(preset, preset.overall),
        extra: { remark: REMARK },
        departments: [
          {
            code: 'D002',
            ratings: Object.fromEntries(items.map((item, i) => [item.code, levelCode(preset, preset.answers[i])])),
            extra: { channel: 'online' },
          },
        ],
      });
      expect(stored.record.remark).toBeUndefined();
      expect(stored.record.departments[0].channel).toBeUndefined();

      // the raw data, the same on the command line and over HTTP
      const { cli, http } = await rawExports(preset.slug);
      expect(http).toEqual(cli);
      const [responses, ratings] = http;
      expect(responses.rows[0]).toEqual([
        '答卷序号',
        '问卷版本',
        '来源',
        '评议代表类别',
        '总体评价',
        '评价部门数',
        '对本次评议工作的意见（remark）',
      ]);
      expect(responses.rows[1]).toEqual([
        '1',
        '1',
        '网上提交',
        '项目参建单位/服务对象代表',
        preset.overall,
        '1',
        REMARK,
      ]);
      expect(ratings.rows[0]).toEqual([
        '答卷序号',
        '部门代码',
        '部门名称',
        ...items.map((i) => i.label),
        '作风问题（编号）',
        '负面情形（条）',
        '主要通过什么渠道办事？（channel）',
      ]);
      expect(ratings.rows[1]).toEqual(['1', 'D002', '测试部门2', ...preset.answers, '', '0', '网上办理']);

      // the scores as worked by hand, over the API
      const res = await app.request(`/api/campaigns/${preset.slug}/results`, { headers: admin.headers() });
      expect(res.status).toBe(200);
      const view = (await res.json()) as ResultView;
      expect(view.method.items.map((i) => i.code)).toEqual(items.map((i) => i.code));
      const d = view.departments.find((x) => x.code === 'D002')!;
      expect(Object.keys(d.items)).toEqual(items.map((i) => i.code));
      expect({
        surveyScore: d.surveyScore,
        finalScore: d.finalScore,
        satisfactionRate: d.satisfactionRate,
        ...(d.unfavourableRate === undefined ? {} : { unfavourableRate: d.unfavourableRate }),
      }).toEqual({ ...preset.expected, finalScore: preset.expected.surveyScore });

      // the office's answers take no part: without them the inputs and every figure are the same
      const scored = async () =>
        JSON.stringify(
          (await createServices({ db: stage.db, config: defaultConfig(), clock }).results.compute(preset.slug)).result,
        );
      const before = await scored();
      const { extra: _, ...record } = stored.record;
      record.departments = record.departments.map(({ extra: __, ...rest }: Record<string, unknown>) => rest);
      await stage.db.kysely
        .updateTable('responses')
        .set({ record_json: JSON.stringify(record) })
        .where('id', '=', stored.id)
        .execute();
      expect(await scored()).toBe(before);
    }, 90_000);
  });

  it('shows 差评率 beside 满意率 on the 好差评 campaign’s dashboard, and on no other', async () => {
    const analyst = await loginAs(app, services, 'analyst');
    const context = await stage.signedIn(analyst, { locale: 'zh-CN' });
    const page = await context.newPage();
    const problems = pageProblems(page);
    const rankingRow = async (slug: string) => {
      await page.goto(`${stage.url}/dashboard?campaign=${slug}`);
      await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
      // D002 is in the second group (enforcement), the only department rated
      const table = page.locator('#ranking-table-enforcement table');
      const heads = await table.locator('thead th').allTextContents();
      const cells = await table.locator('tbody tr').first().locator('th, td').allTextContents();
      return Object.fromEntries(heads.map((h, i) => [h, cells[i]]));
    };
    const haochaping = await rankingRow('haochaping-2026');
    expect(haochaping).toMatchObject({ 部门: '测试部门2', 满意率: '50.0%', 差评率: '50.0%' });
    const heads = Object.keys(haochaping);
    expect(heads.indexOf('差评率')).toBe(heads.indexOf('满意率') + 1);
    const hangzhou = await rankingRow('hangzhou-2026');
    expect(hangzhou).toMatchObject({ 部门: '测试部门2', 满意率: '75.0%' });
    expect('差评率' in hangzhou).toBe(false);
    expect(problems).toEqual([]);
    await context.close();
  });
});
