/**
 * The office's own questions: before the department pages, after them and inside each
 * department's panel; checked like the rest, stored under `extra`, in the raw-data export, never scored.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { AppError } from '../../server/errors.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices, type Services } from '../../server/services.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile, resolveQuestionnairePath } from '../../surveys/campaign-config.js';
import { type ExtraQuestion, extraAnswerText, extraHeader, extraQuestionOf } from '../../surveys/extras.js';
import { lintQuestionnaire } from '../../surveys/questionnaire.js';
import { loginAs } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { xlsxSheets } from '../helpers/sheets.js';
import { RESULTS_TIME } from '../results/helpers.js';
import { createInvitation, webAnswers } from './helpers.js';

type Definition = { pages: { name?: string; elements: Record<string, unknown>[] }[] };

const base = (): Definition =>
  JSON.parse(readFileSync(resolveQuestionnairePath('questionnaire.default.json'), 'utf8')) as Definition;

/** The default questionnaire with the office's own questions: one page before, one after, two in the panel. */
function withExtras(): Definition {
  const definition = base();
  definition.pages.splice(1, 0, {
    name: 'heard',
    elements: [
      {
        type: 'radiogroup',
        name: 'heardFrom',
        title: '您从哪里得知本次评议？',
        isRequired: true,
        choices: [
          { value: 'media', text: '新闻媒体' },
          { value: 'letter', text: '邀请函' },
        ],
      },
    ],
  });
  const panel = definition.pages.find((p) => p.name === 'rate')!.elements[0] as { templateElements: unknown[] };
  panel.templateElements.push(
    { type: 'text', name: 'visits', inputType: 'number', min: 1, max: 50, title: '今年办事次数' },
    { type: 'checkbox', name: 'channel', choices: ['窗口', '网上', '电话'], maxSelectedChoices: 2 },
  );
  definition.pages.push({
    name: 'after',
    elements: [{ type: 'comment', name: 'anythingElse', title: '还有什么想说的？', maxLength: 200 }],
  });
  return definition;
}

let db: Db;
let services: Services;
let app: ReturnType<typeof createApp>;
let campaign: Campaign;
let clock: ReturnType<typeof fixedClock>;

beforeEach(async () => {
  db = await sqliteDb();
  clock = fixedClock('2026-11-23T08:00:00Z');
  const deps = { db, config: defaultConfig(), clock };
  services = createServices(deps);
  app = createApp(deps, services);
  campaign = await createTestCampaign(db, services, { questionnaire: withExtras() });
});
afterEach(() => db.close());

const cliEnv = () => ({ db, clock: fixedClock('2026-11-23T08:00:00Z'), config: defaultConfig() });

const extraAnswers = (overrides: Record<string, unknown> = {}) => {
  const answers = webAnswers({ heardFrom: 'media', anythingElse: '  辛苦了  ', ...overrides });
  const [first] = answers.departments as Record<string, unknown>[];
  Object.assign(first, { visits: 3, channel: ['窗口', '网上'] });
  return answers;
};

async function submit(answers: Record<string, unknown>) {
  const { token } = await createInvitation(db, campaign);
  return app.request(`/api/s/${token}/submit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ answers, elapsedSeconds: 400 }),
  });
}

const storedRecords = async () =>
  (await db.kysely.selectFrom('responses').select('record_json').execute()).map((r) => JSON.parse(r.record_json));

describe("the office's own questions", () => {
  it('serves them as written, with the lengths the server checks', async () => {
    const { token } = await createInvitation(db, campaign);
    const served = (await (await app.request(`/api/s/${token}`)).json()) as { questionnaire: Definition };
    const text = JSON.stringify(served.questionnaire);
    expect(text).toContain('"name":"heardFrom"');
    expect(text).toContain('"name":"visits"');
    expect(text).toContain('"name":"anythingElse","title":"还有什么想说的？","maxLength":200');
  });

  it('stores the answers under extra, the record’s and the department’s, trimmed', async () => {
    expect((await submit(extraAnswers())).status).toBe(201);
    const [record] = await storedRecords();
    expect(record.extra).toEqual({ heardFrom: 'media', anythingElse: '辛苦了' });
    expect(record.departments[0].extra).toEqual({ visits: 3, channel: ['窗口', '网上'] });
    expect(record.departments[0].ratings).toEqual({ efficiency: 'satisfied', quality: 'fairly_satisfied' });
    expect(record.heardFrom).toBeUndefined();
  });

  it('refuses a value outside the choices, a missing required answer, too many choices and a number out of range, naming each', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [extraAnswers({ heardFrom: 'radio' }), 'extra.heardFrom'],
      [extraAnswers({ heardFrom: undefined }), 'extra.heardFrom'],
      [extraAnswers({ anythingElse: 'x'.repeat(201) }), 'extra.anythingElse'],
    ];
    const tooMany = extraAnswers();
    (tooMany.departments as Record<string, unknown>[])[0].channel = ['窗口', '网上', '电话'];
    cases.push([tooMany, 'departments.0.extra.channel']);
    const outOfRange = extraAnswers();
    (outOfRange.departments as Record<string, unknown>[])[0].visits = 51;
    cases.push([outOfRange, 'departments.0.extra.visits']);
    for (const [answers, path] of cases) {
      const res = await submit(answers);
      expect(res.status, path).toBe(422);
      const { error } = (await res.json()) as ErrorBody;
      expect(
        error.details?.map((d) => d.path),
        path,
      ).toContain(path);
    }
    expect(await storedRecords()).toEqual([]);
  });

  it('refuses a submission that answers none of the office questions when one of them is required', async () => {
    const res = await submit(extraAnswers({ heardFrom: undefined, anythingElse: undefined }));
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.details?.map((d) => d.path)).toContain('extra.heardFrom');
    const record = {
      category: 'public',
      overall: 'satisfied',
      departments: [{ code: 'D002', efficiency: 'satisfied', quality: 'satisfied' }],
    };
    await expect(
      services.responses.importJsonl(campaign, `${JSON.stringify(record)}\n`, { fileName: 'c.jsonl' }),
    ).rejects.toMatchObject({ details: [{ line: 1, path: 'extra.heardFrom' }] });
    expect(await storedRecords()).toEqual([]);
  });

  it('refuses a __proto__ key among the answers like any key that is no question', async () => {
    const record = {
      category: 'public',
      overall: 'satisfied',
      extra: JSON.parse('{"heardFrom":"letter","__proto__":{"polluted":1}}'),
      departments: [{ code: 'D002', efficiency: 'satisfied', quality: 'satisfied' }],
    };
    await expect(
      services.responses.importJsonl(campaign, `${JSON.stringify(record)}\n`, { fileName: 'd.jsonl' }),
    ).rejects.toMatchObject({ details: [{ line: 1, path: 'extra.__proto__' }] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('still refuses keys that are no question at all', async () => {
    const res = await submit(extraAnswers({ favouriteColour: 'red' }));
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toContain('favouriteColour');
  });

  it('takes extra in imported records, with the line and field of a bad one', async () => {
    const record = {
      category: 'public',
      overall: 'satisfied',
      extra: { heardFrom: 'letter' },
      departments: [{ code: 'D002', efficiency: 'satisfied', quality: 'satisfied', extra: { visits: 2 } }],
    };
    const good = await services.responses.importJsonl(campaign, `${JSON.stringify(record)}\n`, { fileName: 'a.jsonl' });
    expect(good.stored).toBe(1);
    const bad = { ...record, extra: { heardFrom: 'tv' } };
    await expect(
      services.responses.importJsonl(campaign, `${JSON.stringify(record)}\n${JSON.stringify(bad)}\n`, {
        fileName: 'b.jsonl',
      }),
    ).rejects.toMatchObject({ details: [{ line: 2, path: 'extra.heardFrom' }] });
  });

  it('leaves the scores as they are: the same answers with and without extras score the same', async () => {
    expect((await submit(extraAnswers())).status).toBe(201);
    const plain = await createTestCampaign(db, services, { slug: 'plain-2026' });
    const { token } = await createInvitation(db, plain);
    const res = await app.request(`/api/s/${token}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
    });
    expect(res.status).toBe(201);
    const scored = async (slug: string) =>
      JSON.stringify((await services.results.live(slug, { uncertainty: false })).departments);
    expect(await scored('test-2026')).toBe(await scored('plain-2026'));
  });

  it('loses the answers typed freely at a purge, keeping the chosen ones and the scores byte for byte', async () => {
    expect((await submit(extraAnswers({ anythingElse: '我是张三，电话 13800000000' }))).status).toBe(201);
    clock.set(RESULTS_TIME);
    // fresh services each time: the results service would reuse a result whose inputs hash is unchanged
    const scored = async () =>
      JSON.stringify(
        (await createServices({ db, config: defaultConfig(), clock }).results.compute(campaign.slug)).result,
      );
    const before = await scored();
    const report = await services.privacy.purge(campaign.slug, { confirm: campaign.slug }, 'office');
    expect(report.counts.responses).toBe(1);
    const [record] = await storedRecords();
    expect(record.extra).toEqual({ heardFrom: 'media', anythingElse: '' });
    expect(record.departments[0].extra).toEqual({ visits: 3, channel: ['窗口', '网上'] });
    expect(await scored()).toBe(before);
  });

  it('reads a localized title and choice texts in Chinese for the exports', () => {
    const q = extraQuestionOf(
      {
        type: 'checkbox',
        title: { default: ' 办事渠道 ', en: 'Channel' },
        choices: [{ value: 'counter', text: { default: '窗口', en: 'Counter' } }, { value: 'phone' }, '网上'],
      },
      'way',
      { shortText: 100, longText: 1000 },
    ) as ExtraQuestion;
    expect(q).toMatchObject({ name: 'way', title: '办事渠道', texts: { counter: '窗口' } });
    expect(extraHeader(q)).toBe('办事渠道（way）');
    expect(extraAnswerText(q, ['counter', 'phone', '网上'])).toBe('窗口；phone；网上');
    const yesNo = extraQuestionOf({ type: 'boolean', title: '愿意接受回访吗？' }, 'callBack', {
      shortText: 100,
      longText: 1000,
    }) as ExtraQuestion;
    expect([extraAnswerText(yesNo, true), extraAnswerText(yesNo, false)]).toEqual(['是', '否']);
  });

  it('exports them with the raw data and the questionnaire version, headed by their titles, choices by their texts, to the office only', async () => {
    expect((await submit(extraAnswers())).status).toBe(201);
    const admin = await loginAs(app, services, 'admin');
    const res = await app.request('/api/campaigns/test-2026/responses/export.xlsx', { headers: admin.headers() });
    expect(res.status).toBe(200);
    const sheets = await xlsxSheets(new Uint8Array(await res.arrayBuffer()));
    const [responses, ratings] = sheets;
    expect(responses.rows[0]).toEqual([
      '答卷序号',
      '问卷版本',
      '来源',
      '评议代表类别',
      '总体评价',
      '评价部门数',
      '您从哪里得知本次评议？（heardFrom）',
      '还有什么想说的？（anythingElse）',
    ]);
    expect(responses.rows[1]).toEqual([
      '1',
      '1',
      '网上提交',
      '项目参建单位/服务对象代表',
      '基本满意',
      '2',
      '新闻媒体',
      '辛苦了',
    ]);
    // a question without a title goes by its name; choices given as plain values read as they are
    expect(ratings.rows[0].slice(-2)).toEqual(['今年办事次数（visits）', 'channel']);
    expect(ratings.rows[1].slice(0, 5)).toEqual(['1', 'D001', '测试部门1', '满意', '比较满意']);
    expect(ratings.rows[1].slice(-2)).toEqual(['3', '窗口；网上']);
    const analyst = await loginAs(app, services, 'analyst');
    expect(
      (await app.request('/api/campaigns/test-2026/responses/export.xlsx', { headers: analyst.headers() })).status,
    ).toBe(403);
  });
});

describe('a questionnaire the server could not check is refused with its list of problems', () => {
  it('names every problem in Chinese, with its place', () => {
    const broken = withExtras();
    broken.pages[1].elements.push(
      { type: 'matrix', name: 'grid', columns: [1, 2], rows: ['a'] },
      { type: 'dropdown', name: 'fromUrl', choicesByUrl: { url: 'https://example.com' } },
      { type: 'text', name: 'extra' },
      { type: 'text', name: 'heardFrom' },
    );
    const issues = lintQuestionnaire(broken);
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining('不支持题型 matrix'),
      expect.stringContaining('不支持 choicesByUrl'),
      '问题名 extra 是保留字，请换一个名字',
      '问题名 heardFrom 重复',
    ]);
    expect(issues.map((i) => i.path)).toEqual([
      'pages.1.elements.1',
      'pages.1.elements.2',
      'pages.1.elements.3',
      'pages.1.elements.4',
    ]);
  });

  it("adds survey-core's own reading: unknown properties and question types, at their place", async () => {
    const misspelt = withExtras();
    misspelt.pages[1].elements.push({ type: 'text', name: 'phone', isRequred: true });
    (misspelt.pages[0] as Record<string, unknown>).colour = 'red';
    await expect(
      createTestCampaign(db, services, { slug: 'misspelt-2026', questionnaire: misspelt }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringContaining('共 2 处'),
      details: expect.arrayContaining([
        {
          path: 'questionnaire.pages.1.elements.1',
          field: '第2页第2题「phone」',
          message: expect.stringContaining('SurveyJS 不认识属性 isRequred'),
        },
        {
          path: 'questionnaire.pages.0',
          field: '第1页',
          message: expect.stringContaining('SurveyJS 不认识属性 colour'),
        },
      ]),
    });
  });

  it('names each place as the office sees it, 第N页第M题「题目」, never as a key path', async () => {
    const broken = withExtras();
    (broken.pages[1].elements[0].choices as Record<string, unknown>[])[1].colour = 'red';
    const rate = broken.pages.findIndex((p) => p.name === 'rate');
    const panel = broken.pages[rate].elements[0] as { templateElements: Record<string, unknown>[] };
    panel.templateElements.push({ type: 'text', name: 'extra', title: { default: '补充说明', en: 'More' } });
    const refused = await createTestCampaign(db, services, { slug: 'places-2026', questionnaire: broken }).catch(
      (error: AppError) => error,
    );
    expect(refused).toBeInstanceOf(AppError);
    const { message, details } = refused as AppError;
    expect(details!.map((d) => d.field)).toEqual([
      `第${rate + 1}页第1题「departmentPanels」中的第${panel.templateElements.length}题「补充说明」`,
      '第2页第1题「您从哪里得知本次评议？」的第2个选项「邀请函」',
    ]);
    expect(message).toBe(`问卷定义有误（共 2 处）：${details![0].field}：问题名 extra 是保留字，请换一个名字`);
    for (const text of [message, ...details!.map((d) => d.field)]) expect(text).not.toMatch(/pages|elements|\.\d/);
  });

  it("lists survey-core's reading beside our own problems in one round, not after they are fixed", async () => {
    const both = withExtras();
    both.pages[1].elements.push({ type: 'radiogroup', name: 'noChoices', choices: [] });
    both.pages[1].elements.push({ type: 'text', name: 'misspelt', titel: '错拼的标题' });
    await expect(createTestCampaign(db, services, { slug: 'both-2026', questionnaire: both })).rejects.toMatchObject({
      details: expect.arrayContaining([
        { path: 'questionnaire.pages.1.elements.1', field: '第2页第2题「noChoices」', message: expect.any(String) },
        {
          path: 'questionnaire.pages.1.elements.2',
          field: '第2页第3题「misspelt」',
          message: expect.stringContaining('SurveyJS 不认识属性 titel'),
        },
      ]),
    });
  });

  it('refuses such a campaign on the command line with the problems listed, creating nothing', async () => {
    const broken = withExtras();
    broken.pages[1].elements.push({ type: 'file', name: 'photo' });
    const dir = mkdtempSync(join(tmpdir(), 'minping-extras-'));
    try {
      writeFileSync(join(dir, 'q.json'), JSON.stringify(broken));
      const { raw } = loadConfigFile(EXAMPLE_CONFIG_PATH);
      writeFileSync(
        join(dir, 'c.json'),
        JSON.stringify({ ...(raw as object), slug: 'broken-2026', questionnaire: 'q.json' }),
      );
      const { code, err } = await runCommand(['campaign', 'create', '--config', join(dir, 'c.json')], cliEnv());
      expect(code).toBe(2);
      expect(err).toContain('pages.1.elements.1');
      expect(err).toContain('不支持题型 file');
      expect((await services.campaigns.list()).map((c) => c.slug)).toEqual(['test-2026']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exports the raw data on the command line', async () => {
    expect((await submit(extraAnswers())).status).toBe(201);
    const dir = mkdtempSync(join(tmpdir(), 'minping-extras-'));
    try {
      const out = join(dir, 'raw.xlsx');
      const { code, out: said } = await runCommand(
        ['export', 'responses', '--campaign', 'test-2026', '--out', out],
        cliEnv(),
      );
      expect(code).toBe(0);
      expect(said).toContain('已导出 1 份答卷');
      const [responses] = await xlsxSheets(new Uint8Array(readFileSync(out)));
      expect(responses.rows[1].slice(-2)).toEqual(['新闻媒体', '辛苦了']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
