/**
 * Bad input is a 4xx naming the field, and nothing is stored: JSON nested 10,000 deep, a NUL
 * character (PostgreSQL refuses it, SQLite used to cut the text), lone surrogates, dates not on
 * the calendar, and files with tens of thousands of bad lines (a small answer, quickly).
 * Run on every dialect: PostgreSQL is where a NUL used to become a 500.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { MAX_ERROR_DETAILS } from '../../server/errors.js';
import { compileRecordValidator } from '../../surveys/record.js';
import { isCalendarDay, textProblem } from '../../surveys/text.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../../surveys/campaign-config.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { dialects } from '../helpers/db.js';
import type { ErrorBody, EvaluatorLoad } from '../../server/contracts.js';
import { csvOf, uploadForm } from '../helpers/sheets.js';
import {
  createInvitation,
  jsonRequest,
  snapshotCounts,
  surveySetup,
  webAnswers,
  type SurveySetup,
} from '../evaluator/helpers.js';

const deeplyNested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** Every string in a value, keys included. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => [k, ...strings(v)]);
  return [];
}

describe.each(await dialects())('bad input on $name', ({ open }) => {
  let db: Db;
  let s: SurveySetup;
  let admin: LoggedIn;
  let token: string;

  beforeAll(async () => {
    db = await open();
    s = await surveySetup(db);
    admin = await loginAs(s.app, s.services, 'admin');
    ({ token } = await createInvitation(db, s.campaign));
  });
  afterAll(() => db.close());

  const refusal = async (res: Response, status: number) => {
    expect(res.status, await res.clone().text()).toBe(status);
    const { error } = (await res.json()) as ErrorBody;
    return { ...error, details: error.details ?? [] };
  };
  const draft = (body: string) => s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', body));
  const submit = (answers: unknown) =>
    s.app.request(`/api/s/${token}/submit`, jsonRequest('POST', { answers, elapsedSeconds: 300 }));

  it('refuses a draft nested 10,000 deep with 422 naming where, and stores nothing', async () => {
    const before = await snapshotCounts(db);
    const error = await refusal(await draft(`{"answers":{"departments":${deeplyNested(10_000)}}}`), 422);
    expect(error.details[0].path).toMatch(/^answers\.departments(\.0)+$/);
    expect(error.message).toContain('嵌套超过');
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('refuses a config text nested 50,000 deep at once, as text, file or JSON field, naming the depth', async () => {
    const before = await snapshotCounts(db);
    const deep = `{"slug":"deep-2026","name":${deeplyNested(50_000)}}`;
    const form = new FormData();
    form.set('config', new File([deep], 'deep.json', { type: 'application/json' }));
    const bodies: RequestInit[] = [
      { headers: { 'content-type': 'text/plain' }, body: deep },
      { body: form },
      { headers: { 'content-type': 'application/json' }, body: JSON.stringify({ config: deep }) },
    ];
    for (const init of bodies) {
      const res = await s.app.request('/api/campaigns', {
        ...init,
        method: 'POST',
        headers: { ...admin.headers(), ...(init.headers as Record<string, string>) },
      });
      expect((await refusal(res, 422)).message).toContain('嵌套超过 64 层');
    }
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('refuses a config listing 50,000 groups, 31 categories or a 101-character label, naming each in Chinese', async () => {
    const { raw } = loadConfigFile(EXAMPLE_CONFIG_PATH);
    const example = raw as Record<string, unknown> & { categories: { label: string }[] };
    const create = (config: unknown) =>
      s.app.request('/api/campaigns', {
        method: 'POST',
        headers: { ...admin.headers(), 'content-type': 'application/json' },
        body: JSON.stringify({ config }),
      });
    const groups = Array.from({ length: 50_000 }, (_, i) => ({ code: `g${i}`, label: `分组${i}` }));
    const tooMany = await refusal(await create({ ...example, slug: 'groups-2026', groups }), 422);
    expect(tooMany.details).toContainEqual(
      expect.objectContaining({ field: '部门分组', message: '最多 50 个部门分组' }),
    );
    const categories = Array.from({ length: 31 }, (_, i) => ({ code: `c${i}`, label: `类别${i}`, weight: 1 }));
    const manyCategories = await refusal(await create({ ...example, slug: 'cats-2026', categories }), 422);
    expect(manyCategories.details[0].message).toBe('最多 30 个评议代表类别');
    const long = [{ ...example.categories[0], label: '长'.repeat(101) }, ...example.categories.slice(1)];
    const longLabel = await refusal(await create({ ...example, slug: 'label-2026', categories: long }), 422);
    expect(longLabel.details[0]).toMatchObject({ path: 'categories.0.label', message: '最多 100 个字' });
  });

  it('refuses a NUL or a lone surrogate anywhere in an answer with 422 naming the field', async () => {
    const before = await snapshotCounts(db);
    const nul = webAnswers({ suggestion: '总体\u0000不错' });
    expect((await refusal(await submit(nul), 422)).details[0].path).toBe('answers.suggestion');
    const lone = webAnswers();
    (lone.departments as Record<string, unknown>[])[0].suggestion = '半个字\ud83d';
    expect((await refusal(await submit(lone), 422)).details[0].path).toBe('answers.departments.0.suggestion');
    const key = await refusal(await draft('{"answers":{"a\\u0000b":1}}'), 422);
    expect(key.details[0].path).toBe('answers.a\ufffdb');
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('refuses a date that is not on the calendar (2026-02-31) and takes 2028-02-29', async () => {
    const answers = (date: string) => {
      const a = webAnswers();
      ((a.departments as Record<string, unknown>[])[0].negatives as Record<string, unknown>[])[0].date = date;
      return a;
    };
    const before = await snapshotCounts(db);
    const error = await refusal(await submit(answers('2026-02-31')), 422);
    expect(error.details.map((d) => d.path)).toContain('departments.0.negatives.0.date');
    expect(await snapshotCounts(db)).toEqual(before);
    const validate = compileRecordValidator({ config: s.campaign.config, departmentCodes: ['D001'] });
    const record = (date: string) => ({
      category: 'project',
      overall: 'satisfied',
      departments: [
        {
          code: 'D001',
          efficiency: 'satisfied',
          quality: 'satisfied',
          negatives: [{ kind: 1, matter: '审批', date, description: '拖延' }],
        },
      ],
    });
    expect(validate(record('2028-02-29')).ok).toBe(true);
    expect(validate(record('2026-06')).ok).toBe(true);
    for (const bad of ['2026-02-29', '2026-04-31', '2026-13-01', '2026-00', '2026-06-00'])
      expect(validate(record(bad)).ok, bad).toBe(false);
  });

  it('answers a 600 KB file of `{}` lines with the first 100 errors, at once, and imports nothing', async () => {
    const jsonl = '{}\n'.repeat(200_000);
    const before = await snapshotCounts(db);
    const started = performance.now();
    const res = await s.app.request('/api/campaigns/test-2026/responses/import', {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(jsonl, 'empty.jsonl'),
    });
    const body = await res.text();
    expect(res.status).toBe(422);
    // a few KB, not tens of megabytes; stopping early is what keeps it from blocking (printed, not asserted)
    expect(body.length).toBeLessThan(100_000);
    console.log(`600 KB JSONL of {} refused in ${Math.round(performance.now() - started)} ms, ${body.length} bytes`);
    const { error } = JSON.parse(body) as ErrorBody;
    expect(error.details?.length).toBeLessThanOrEqual(MAX_ERROR_DETAILS);
    expect(error.details?.[0]).toMatchObject({ line: 1 });
    expect(error.message).toMatch(/^文件的前 \d+ 行已有 \d+ 处错误/);
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('refuses a NUL in an imported record, roster cell, upload name, config or URL, naming where', async () => {
    const jsonl = `${JSON.stringify({ category: 'project', overall: 'satisfied', departments: [], suggestion: 'a\u0000' })}\n`;
    const imported = await s.app.request('/api/campaigns/test-2026/responses/import', {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(jsonl, 'nul.jsonl'),
    });
    expect((await refusal(imported, 422)).details[0]).toMatchObject({ line: 1, path: 'suggestion' });

    const roster = await s.app.request('/api/campaigns/test-2026/evaluators/import', {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(
        csvOf([
          ['姓名', '单位/项目', '类别'],
          ['王\u0000五', '项目部', 'project'],
        ]),
        '代表.csv',
      ),
    });
    expect((await refusal(roster, 422)).details[0]).toMatchObject({ line: 2, field: '姓名' });
    const named = await s.app.request('/api/campaigns/test-2026/departments/import', {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(csvOf([['代码', '名称', '分组']]), '部门\u0000.csv'),
    });
    expect((await refusal(named, 422)).details[0]).toMatchObject({ field: 'file' });

    const { raw } = loadConfigFile(EXAMPLE_CONFIG_PATH);
    const config = await s.app.request('/api/campaigns', {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ config: { ...(raw as object), slug: 'nul-2026', name: '评议\u0000' } }),
    });
    expect((await refusal(config, 422)).details[0]).toMatchObject({ path: 'config.name' });
    const yaml = await s.app.request('/api/campaigns', {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/yaml' }),
      body: 'slug: nul-2026\nname: "评议\\0"\n',
    });
    expect((await refusal(yaml, 422)).details[0]).toMatchObject({ path: 'name' });

    expect(
      (await refusal(await s.app.request('/api/campaigns/%00', { headers: admin.headers() }), 400)).details[0],
    ).toMatchObject({ field: 'path' });
    const query = await s.app.request('/api/campaigns/test-2026/evaluators?q=%00', { headers: admin.headers() });
    expect((await refusal(query, 400)).details[0]).toMatchObject({ field: 'query.q' });
    expect(await db.kysely.selectFrom('evaluators').select('id').where('name', 'like', '王%').execute()).toEqual([]);
    expect(await db.kysely.selectFrom('campaigns').select('id').where('slug', '=', 'nul-2026').execute()).toEqual([]);
  });

  /** One UTF-16 code unit of any value: NUL, controls, lone surrogates, private use, BOM. */
  const oddUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
  const oddText = fc.oneof(
    fc.string({ unit: oddUnit, maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.constantFrom('', ' ', '\u0000', '\ud800', '\udfff', '😀'.slice(0, 1), '\u202e', '\ufeff', '2026-02-31'),
    fc.integer({ min: 1, max: 300_000 }).map((n) => 'x'.repeat(n)),
  );
  /** Anything JSON can hold, nested a few levels. */
  const oddValue = fc.oneof({ weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) }, { weight: 3, arbitrary: oddText });
  const depth = fc.integer({ min: 1, max: 20_000 });
  /** Or nested far deeper, as a chain of arrays. */
  const anyValue = fc.oneof(
    { weight: 7, arbitrary: oddValue },
    { weight: 1, arbitrary: depth.map((d) => JSON.parse(deeplyNested(d)) as unknown) },
  );

  it('property: the record validator never throws, names what it refuses, and what it accepts is storable text and real dates', () => {
    const validate = compileRecordValidator({ config: s.campaign.config, departmentCodes: ['D001', 'D002'] });
    const department = fc.record(
      {
        code: fc.oneof(fc.constantFrom('D001', 'D002'), anyValue),
        efficiency: fc.oneof(fc.constantFrom('satisfied', '满意', 'unknown'), anyValue),
        quality: fc.constantFrom('satisfied', 'dissatisfied'),
        problems: fc.oneof(fc.constant([2, 5]), anyValue),
        negatives: fc.array(
          fc.record({
            kind: fc.oneof(fc.constant(3), anyValue),
            matter: oddText,
            date: fc.oneof(
              fc.constantFrom('2026-06', '2026-02-28', null),
              fc
                .tuple(
                  fc.integer({ min: 0, max: 9999 }),
                  fc.integer({ min: 0, max: 13 }),
                  fc.integer({ min: 0, max: 32 }),
                )
                .map(
                  ([y, m, d]) =>
                    `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`,
                ),
              anyValue,
            ),
            description: oddText,
            contactAllowed: fc.boolean(),
            contact: oddText,
          }),
          { maxLength: 3 },
        ),
        suggestion: oddText,
      },
      { requiredKeys: ['code', 'efficiency', 'quality'] },
    );
    const record = fc.record(
      {
        category: fc.oneof(fc.constant('project'), anyValue),
        organisation: oddText,
        durationSeconds: fc.oneof(fc.integer(), anyValue),
        overall: fc.constantFrom('satisfied', 'basically_satisfied'),
        departments: fc.oneof(fc.array(department, { minLength: 1, maxLength: 2 }), anyValue),
        suggestion: oddText,
      },
      { requiredKeys: ['category', 'overall', 'departments'] },
    );
    fc.assert(
      fc.property(fc.oneof({ weight: 5, arbitrary: record }, { weight: 1, arbitrary: anyValue }), (input) => {
        const result = validate(input);
        if (!result.ok) {
          // every refusal says what is wrong, and (for an object) where
          expect(result.error.issues.length).toBeGreaterThan(0);
          if (input && typeof input === 'object' && !Array.isArray(input))
            expect(result.error.issues.some((issue) => issue.path.length > 0 || issue.message)).toBe(true);
          return;
        }
        for (const text of strings(result.record)) expect(textProblem(text)).toBeNull();
        for (const d of result.record.departments)
          for (const n of d.negatives) if (n.date && n.date.length === 10) expect(isCalendarDay(n.date)).toBe(true);
        expect(() => JSON.stringify(result.record)).not.toThrow();
      }),
      { numRuns: 400 },
    );
  });

  it('property: the draft endpoint answers every deep, huge or odd-Unicode body with a 2xx or a 4xx naming the field, storing nothing it refuses', async () => {
    const saved = { answers: { category: 'project', suggestion: '已保存的草稿' }, elapsedSeconds: 42 };
    expect((await draft(JSON.stringify(saved))).status).toBe(200);
    // drafts are sealed with the link's token: read back as the link does
    const stored = async () => {
      const { draft } = (await (await s.app.request(`/api/s/${token}`)).json()) as EvaluatorLoad;
      return { answers: draft?.answers, elapsedSeconds: draft?.elapsedSeconds };
    };
    let kept = await stored();
    const body = fc.oneof(
      fc
        .oneof(
          fc.record({
            answers: fc.dictionary(oddText, oddValue, { maxKeys: 4 }),
            elapsedSeconds: fc.oneof(fc.nat(), oddValue),
          }),
          fc.record({ answers: oddValue }),
          oddValue,
        )
        .map((value) => JSON.stringify(value)),
      depth.map((d) => `{"answers":{"departments":${deeplyNested(d)}}}`),
      depth.map((d) => `{"answers":${'{"a":'.repeat(d)}1${'}'.repeat(d)}}`),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await draft(text);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          const { error } = (await res.json()) as ErrorBody;
          expect([400, 413, 422]).toContain(res.status);
          if (res.status === 422) {
            // the field (a path under the body's own keys), or the body as a whole when it isn't an object
            expect(error.code).toBe('VALIDATION_FAILED');
            expect(error.details?.length).toBeGreaterThan(0);
            for (const detail of error.details ?? [])
              if (detail.path) expect(detail.path).toMatch(/^(answers|elapsedSeconds)(\.|$)/);
          } else expect(error.code).toMatch(/^(PAYLOAD_TOO_LARGE|BAD_REQUEST)$/);
          expect(await stored()).toEqual(kept);
        } else {
          kept = await stored();
          for (const value of strings(kept.answers)) expect(textProblem(value)).toBeNull();
        }
      }),
      { numRuns: 120 },
    );
  });
});
