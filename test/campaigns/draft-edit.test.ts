/**
 * A draft's config and questionnaire are edited from the API and the command line (the pages: the
 * e2e suite): checked as a new campaign's are, audited, refused with what conflicts when the
 * departments or roster already imported no longer fit, and refused with a Chinese 409 once open.
 * What is kept in memory per campaign serves the new config at once.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { CampaignCreated, ErrorBody, EvaluatorLoad, QuestionnaireReplaced } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices, type Services } from '../../server/services.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile, resolveQuestionnairePath } from '../../surveys/campaign-config.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign, insertEvaluators, setState } from '../helpers/fixtures.js';

let db: Db;
let services: Services;
let app: ReturnType<typeof createApp>;
let admin: LoggedIn;
let dir: string;
const clock = fixedClock('2026-10-20T02:00:00Z');

/** The draft's config as the office would send it again, with `changes`. */
const edited = (changes: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...(loadConfigFile(EXAMPLE_CONFIG_PATH).raw as object),
  slug: 'test-2026',
  ...changes,
});

const put = (path: string, body: unknown) =>
  app.request(path, {
    method: 'PUT',
    headers: admin.headers({ 'content-type': 'application/json' }),
    body: JSON.stringify(body),
  });

const stored = async () =>
  db.kysely
    .selectFrom('campaigns')
    .select(['slug', 'name', 'closes_at', 'config_json', 'revision'])
    .executeTakeFirstOrThrow();
const actions = async () =>
  (await db.kysely.selectFrom('audit_log').select(['action', 'actor']).orderBy('at').execute()).filter((a) =>
    a.action.startsWith('campaign_'),
  );
const questionnaires = () => db.kysely.selectFrom('questionnaires').select(['version', 'definition_json']).execute();
const defaultQuestionnaire = () =>
  JSON.parse(readFileSync(resolveQuestionnairePath('questionnaire.default.json'), 'utf8')) as {
    title?: unknown;
  };

describe.each(await dialects())('a draft’s edit on $name', ({ open }) => {
  beforeEach(async () => {
    db = await open();
    clock.set('2026-10-20T02:00:00Z');
    services = createServices({ db, config: defaultConfig(), clock });
    app = createApp({ db, config: defaultConfig(), clock }, services);
    await createTestCampaign(db, services, { state: 'draft' });
    admin = await loginAs(app, services, 'admin');
    dir = mkdtempSync(join(tmpdir(), 'minping-edit-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.close();
  });

  it('replaces the config through PUT /api/campaigns/:slug/config, audited, the questionnaire kept', async () => {
    const before = await stored();
    const categories = edited().categories as { code: string; weight: number }[];
    const res = await put('/api/campaigns/test-2026/config', {
      config: edited({
        name: '改过的活动',
        closesAt: '2027-01-15T18:00:00+08:00',
        categories: categories.map((c) => (c.code === 'project' ? { ...c, weight: 0.4 } : c)),
      }),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as CampaignCreated;
    expect(body.campaign).toMatchObject({ slug: 'test-2026', name: '改过的活动', status: 'draft' });
    const after = await stored();
    expect(after.closes_at).toBe('2027-01-15T10:00:00.000Z');
    expect(after.revision).toBe(before.revision + 1);
    const config = JSON.parse(after.config_json);
    expect(config.categories[0]).toMatchObject({ code: 'project', weight: 0.4 });
    expect((await questionnaires()).map((q) => q.version)).toEqual([1]);
    const audit = await db.kysely
      .selectFrom('audit_log')
      .select(['actor', 'detail_json'])
      .where('action', '=', 'campaign_edit')
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0].actor).toBe('admin-user');
    expect(JSON.parse(audit[0].detail_json).changed).toEqual(
      expect.arrayContaining(['name', 'categories', 'closesAt']),
    );
  });

  it('refuses a broken field in Chinese naming it, and changes nothing', async () => {
    const before = await stored();
    const res = await put('/api/campaigns/test-2026/config', { config: edited({ closesAt: '明年' }) });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('截止时间');
    expect(await stored()).toEqual(before);
  });

  it('takes a new questionnaire with the config, or alone, as the draft’s only version', async () => {
    const definition = { ...defaultQuestionnaire(), title: '新问卷' };
    const withConfig = await put('/api/campaigns/test-2026/config', { config: edited(), questionnaire: definition });
    expect(withConfig.status).toBe(200);
    expect((await questionnaires()).map((q) => q.version)).toEqual([2]);

    const form = new FormData();
    form.append('questionnaire', new Blob([JSON.stringify({ ...definition, title: '第三版' })]), 'q.json');
    const alone = await app.request('/api/campaigns/test-2026/questionnaire', {
      method: 'PUT',
      headers: admin.headers(),
      body: form,
    });
    expect(alone.status).toBe(200);
    expect(((await alone.json()) as QuestionnaireReplaced).questionnaireVersion).toBe(3);
    const rows = await questionnaires();
    expect(rows.map((q) => q.version)).toEqual([3]);
    expect(JSON.parse(rows[0].definition_json).title).toBe('第三版');
    expect((await actions()).map((a) => a.action)).toEqual([
      'campaign_create',
      'campaign_edit',
      'campaign_questionnaire',
    ]);
  });

  it('serves the preview with the new scale at once (no cached questionnaire of the old config)', async () => {
    const preview = async () =>
      JSON.stringify(
        (
          (await (
            await app.request('/api/campaigns/test-2026/preview', { headers: admin.headers() })
          ).json()) as EvaluatorLoad
        ).questionnaire.definition,
      );
    expect(await preview()).toContain('比较满意');
    expect((await put('/api/campaigns/test-2026/config', { config: edited({ scale: 'three-level' }) })).status).toBe(
      200,
    );
    expect(await preview()).not.toContain('比较满意');
  });

  it('refuses, listing each conflict, a config that drops a group with departments or a category with evaluators', async () => {
    const campaign = await services.campaigns.getBySlug('test-2026');
    await insertEvaluators(db, campaign, 2, '2026-10-20T00:00:00.000Z', 'deputies');
    const before = await stored();
    const config = edited();
    const res = await put('/api/campaigns/test-2026/config', {
      config: {
        ...config,
        groups: (config.groups as { code: string }[]).filter((g) => g.code !== 'service'),
        categories: (config.categories as { code: string }[]).filter((c) => c.code !== 'deputies'),
      },
    });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.message).toContain('不能修改配置');
    expect(error.message).toContain('部门分组“社会服务类”（service）还有 2 个部门');
    expect(error.message).toContain('评议类别“两代表一委员”（deputies）已有 2 名评议代表');
    expect(error.details).toHaveLength(2);
    expect(await stored()).toEqual(before);
  });

  it('is refused with a Chinese 409 once the campaign is open, by the API and the command line', async () => {
    await setState(db, await services.campaigns.getBySlug('test-2026'), 'open');
    const before = await stored();
    for (const [path, body] of [
      ['/api/campaigns/test-2026/config', { config: edited({ name: '不该改' }) }],
      ['/api/campaigns/test-2026/questionnaire', defaultQuestionnaire()],
    ] as const) {
      const res = await put(path, body);
      expect(res.status, path).toBe(409);
      const { error } = (await res.json()) as ErrorBody;
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toContain('评议活动已开启（当前：待开始）');
    }
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(edited({ name: '不该改' })));
    const { code, err } = await runCommand(['campaign', 'edit', '--campaign', 'test-2026', '--file', file], {
      db,
      clock,
      config: defaultConfig(),
    });
    expect(code).toBe(2);
    expect(err).toContain('评议活动已开启');
    expect(await stored()).toEqual(before);
  });

  /** The default questionnaire with a page of `count` more questions. */
  const withQuestions = (count: number) => {
    const definition = defaultQuestionnaire() as { pages: { elements: unknown[] }[] };
    definition.pages.push({
      elements: Array.from({ length: count }, (_, i) => ({ type: 'text', name: `q${i}`, title: `第${i}题` })),
    });
    return definition;
  };

  it('refuses a questionnaire of 20,000 questions (1 MB) at once with 413 in Chinese, storing nothing', async () => {
    const before = await questionnaires();
    const started = performance.now();
    const res = await put('/api/campaigns/test-2026/questionnaire', withQuestions(20_000));
    const seconds = (performance.now() - started) / 1000;
    expect(res.status).toBe(413);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.message).toMatch(/^问卷有 \d+ KB，超过上限 256 KB/);
    expect(seconds).toBeLessThan(2);
    expect(await questionnaires()).toEqual(before);
  });

  it('refuses a small questionnaire of too many questions with 413, naming how many it may have', async () => {
    const res = await put('/api/campaigns/test-2026/questionnaire', withQuestions(133));
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/^问卷有 151 个问题，超过上限 150 个/);
    expect((await put('/api/campaigns/test-2026/questionnaire', withQuestions(132))).status).toBe(200);
  });

  it('refuses a questionnaire of more than 30 pages with 413', async () => {
    const definition = defaultQuestionnaire() as { pages: { elements: unknown[] }[] };
    for (let p = 0; p < 27; p++) definition.pages.push({ elements: [{ type: 'text', name: `q${p}` }] });
    const res = await put('/api/campaigns/test-2026/questionnaire', definition);
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/^问卷有 31 页，超过上限 30 页/);
    definition.pages.pop();
    expect((await put('/api/campaigns/test-2026/questionnaire', definition)).status).toBe(200);
  });

  it('refuses more than 1000 choices in all with 413, however few the questions', async () => {
    const definition = defaultQuestionnaire() as { pages: { elements: unknown[] }[] };
    const choices = (from: number, n: number) => Array.from({ length: n }, (_, k) => from + k);
    definition.pages.push({
      elements: [
        { type: 'dropdown', name: 'district', choices: choices(0, 600) },
        { type: 'rating', name: 'stars', rateValues: choices(0, 401) },
      ],
    });
    const before = await questionnaires();
    const res = await put('/api/campaigns/test-2026/questionnaire', definition);
    expect(res.status).toBe(413);
    expect(((await res.json()) as ErrorBody).error.message).toMatch(/^问卷的选项共有 1001 个，超过上限 1000 个/);
    expect(await questionnaires()).toEqual(before);
  });

  it('refuses a matrix at its page and question at once, without survey-core building its cells', async () => {
    // 30 pages, 146 questions of 100 cells each: survey-core's reading would take seconds
    const definition = defaultQuestionnaire() as { pages: { elements: unknown[] }[] };
    const matrix = (name: string) => ({
      type: 'matrixdropdown',
      name,
      title: '各季度办理情况',
      columns: Array.from({ length: 10 }, (_, k) => ({ name: `c${k}`, cellType: 'text' })),
      rows: Array.from({ length: 10 }, (_, k) => `r${k}`),
    });
    for (let p = 0; p < 26; p++)
      definition.pages.push({ elements: Array.from({ length: p < 24 ? 5 : 4 }, (_, j) => matrix(`m${p}_${j}`)) });
    const started = performance.now();
    const res = await put('/api/campaigns/test-2026/questionnaire', definition);
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.message).toMatch(
      /^问卷定义有误（共 128 处）：第5页第1题「各季度办理情况」：不支持题型 matrixdropdown（可用 text、/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a question type none of ours reads in a canonical field and a negative situation too', async () => {
    const definition = defaultQuestionnaire() as { pages: { elements: Record<string, unknown>[] }[] };
    definition.pages[3].elements[1].type = 'signaturepad';
    const panel = definition.pages[2].elements[0] as { templateElements: Record<string, unknown>[] };
    const negatives = panel.templateElements.find((e) => e.name === 'negatives') as {
      templateElements: Record<string, unknown>[];
    };
    negatives.templateElements[3].type = 'file';
    const res = await put('/api/campaigns/test-2026/questionnaire', definition);
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.details?.map((d) => [d.field, d.message.replace(/（.*/, '')])).toEqual([
      [expect.stringMatching(/^第4页第2题/), '不支持题型 signaturepad'],
      [expect.stringMatching(/^第3页/), '不支持题型 file'],
      [expect.stringMatching(/^第3页/), '负面情形面板缺少问题 description'],
    ]);
  });

  it('keeps answering while survey-core reads a questionnaire of choices at the size caps', async () => {
    // 30 pages, 150 questions, 1000 choices: every type we read, for survey-core to build
    const definition = defaultQuestionnaire() as { pages: { elements: unknown[] }[] };
    const choices = Array.from({ length: 10 }, (_, k) => ({ value: k, text: `选项${k}` }));
    // the first 100 questions choose among 10, the other 32 are texts
    const question = (p: number, j: number) =>
      p * 5 + j < 100
        ? { type: j % 2 ? 'checkbox' : 'dropdown', name: `q${p}_${j}`, choices }
        : { type: 'comment', name: `q${p}_${j}` };
    for (let p = 0; p < 26; p++)
      definition.pages.push({ elements: Array.from({ length: p < 24 ? 5 : 6 }, (_, j) => question(p, j)) });
    let longestPause = 0;
    let last = performance.now();
    const tick = () => {
      longestPause = Math.max(longestPause, performance.now() - last);
      last = performance.now();
    };
    const ticker = setInterval(tick, 10);
    const res = await Promise.resolve(put('/api/campaigns/test-2026/questionnaire', definition)).finally(() => {
      // the answer can come before the timer a long pause delayed
      tick();
      clearInterval(ticker);
    });
    expect([res.status, res.status === 200 ? null : ((await res.json()) as ErrorBody).error.message]).toEqual([
      200,
      null,
    ]);
    expect(longestPause).toBeLessThan(1000);
  });

  it('refuses a questionnaire file over the cap on the command line too', async () => {
    writeFileSync(
      join(dir, 'huge.json'),
      JSON.stringify({ ...defaultQuestionnaire(), description: '说明'.repeat(50_000) }),
    );
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify(edited({ questionnaire: 'huge.json' })));
    const cli = await runCommand(['campaign', 'edit', '--campaign', 'test-2026', '--file', config], {
      db,
      clock,
      config: defaultConfig(),
    });
    expect(cli.code).toBe(2);
    expect(cli.err).toMatch(/问卷有 30\d KB，超过上限 256 KB/);
  });

  it('is edited on the command line from a YAML file, with a new code', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')
        .replace(/^slug: .*$/m, 'slug: test-2026b')
        .replace(/^closesAt: .*$/m, 'closesAt: 2027-01-31T23:59:59+08:00'),
    );
    const { code, out } = await runCommand(['campaign', 'edit', '--campaign', 'test-2026', '--file', file], {
      db,
      clock,
      config: defaultConfig(),
    });
    expect(code).toBe(0);
    expect(out).toContain('已修改评议活动 test-2026b');
    expect(out).toContain('至 2027-01-31 23:59（北京时间），匿名评议，草稿');
    expect((await stored()).slug).toBe('test-2026b');
    expect((await actions()).at(-1)).toEqual({ action: 'campaign_edit', actor: 'cli' });
  });
});
