import type { ErrorBody, EvaluatorLoad, Receipt } from '../../server/contracts.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { sha256 } from '../../server/shared/ids.js';
import { sqliteDb } from '../helpers/db.js';
import {
  createInvitation,
  isSpent,
  jsonRequest,
  reversedKeys,
  snapshotCounts,
  surveySetup,
  webAnswers,
  type SurveySetup,
} from './helpers.js';

let db: Db;
let s: SurveySetup;
let token: string;
let invitationId: string;

beforeEach(async () => {
  db = await sqliteDb();
  s = await surveySetup(db);
  ({ token, invitationId } = await createInvitation(db, s.campaign));
});
afterEach(() => db.close());

const submit = (body: unknown, key?: string, t = token) =>
  s.app.request(`/api/s/${t}/submit`, jsonRequest('POST', body, key ? { 'Idempotency-Key': key } : {}));
const invitation = () =>
  db.kysely.selectFrom('invitations').selectAll().where('id', '=', invitationId).executeTakeFirstOrThrow();

describe('evaluator API: reading the questionnaire', () => {
  it('serves the campaign, the questionnaire with the campaign choices injected, and no draft', async () => {
    const res = await s.app.request(`/api/s/${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as any;
    expect(body.campaign).toMatchObject({
      name: '2026年度民主评议机关（示例）',
      status: 'open',
      mode: 'anonymous',
      timeZone: 'Asia/Shanghai',
    });
    expect(body.draft).toBeNull();
    expect(body.questionnaire.version).toBe(1);
    const text = JSON.stringify(body.questionnaire.definition);
    expect(text).toContain('"value":"D006","text":"测试部门6"');
    expect(text).toContain('项目参建单位/服务对象代表');
    expect(text).toContain('"value":"fairly_satisfied"');
    expect(text).toContain('态度冷硬、故意刁难');
  });

  it('sends the department directory with the groups, short names and pinyin, and a new one after an import', async () => {
    const load = async () => ((await (await s.app.request(`/api/s/${token}`)).json()) as EvaluatorLoad).directory;
    const before = await load();
    expect(before.groups.map((g) => g.label)).toEqual(['综合经济管理类', '执法监管类', '社会服务类']);
    expect(before.departments[0]).toEqual({
      code: 'D001',
      name: '测试部门1',
      group: 'economic',
      shortNames: [],
      pinyin: ['ce shi bu men 1'],
    });
    // while open only short names and liaisons change (roster tests refuse the rest)
    await s.services.roster.importDepartments(
      s.campaign,
      {
        filename: 'd.csv',
        bytes: new TextEncoder().encode('代码,名称,分组,简称\nD001,测试部门1,economic,测部\n'),
      },
      { actor: 'test' },
    );
    expect((await load()).departments.find((d) => d.code === 'D001')).toEqual({
      code: 'D001',
      name: '测试部门1',
      group: 'economic',
      shortNames: ['测部'],
      pinyin: ['ce shi bu men 1', 'ce bu'],
    });
  });

  it('records the first opening of the link and keeps that time on later openings', async () => {
    expect((await invitation()).opened_at).toBeNull();
    await s.app.request(`/api/s/${token}`);
    const first = (await invitation()).opened_at;
    expect(first).toBe('2026-11-23T08:00:00.000Z');
    s.clock.advance(3_600_000);
    await s.app.request(`/api/s/${token}`);
    expect((await invitation()).opened_at).toBe(first);
  });
});

describe('evaluator API: drafts', () => {
  it('saves a draft and restores it with the elapsed time on the next load (another device)', async () => {
    const answers = { category: 'project', departments: [{ dept: 'D003', efficiency: 'satisfied' }] };
    const put = await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers, elapsedSeconds: 95 }));
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ savedAt: '2026-11-23T08:00:00.000Z' });
    expect((await invitation()).draft_saved_at).toBe('2026-11-23T08:00:00.000Z');

    s.clock.advance(60_000);
    const again = { ...answers, organisation: '某公司' };
    expect(
      (await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers: again, elapsedSeconds: 130 })))
        .status,
    ).toBe(200);

    const body = (await (await s.app.request(`/api/s/${token}`)).json()) as any;
    expect(body.draft).toEqual({ answers: again, elapsedSeconds: 130, savedAt: '2026-11-23T08:01:00.000Z' });
    expect((await snapshotCounts(db)).drafts).toBe(1);
  });

  it.each([
    ['answers that are not an object', { answers: [1, 2], elapsedSeconds: 1 }, 422, 'VALIDATION_FAILED'],
    ['a negative elapsed time', { answers: {}, elapsedSeconds: -5 }, 422, 'VALIDATION_FAILED'],
    ['an unknown field', { answers: {}, elapsedSeconds: 1, extra: true }, 422, 'VALIDATION_FAILED'],
    [
      'an oversized draft',
      { answers: { suggestion: 'x'.repeat(300_000) }, elapsedSeconds: 1 },
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['a body that is not JSON', '{"answers":', 400, 'BAD_REQUEST'],
  ])('refuses a draft with %s', async (_, body, status, code) => {
    const res = await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', body));
    expect(res.status).toBe(status);
    expect(((await res.json()) as ErrorBody).error.code).toBe(code);
    expect((await snapshotCounts(db)).drafts).toBe(0);
  });
});

describe('evaluator API: submitting', () => {
  it('dates a submission by the campaign calendar: 01:30 Beijing time is the next day, not the UTC one', async () => {
    s.clock.set('2026-11-23T17:30:00Z');
    const res = await submit({ answers: webAnswers(), elapsedSeconds: 300 }, 'key-late-night-1');
    expect(((await res.json()) as Receipt).submittedDay).toBe('2026-11-24');
    const response = await db.kysely.selectFrom('responses').select('submitted_day').executeTakeFirstOrThrow();
    expect(response.submitted_day).toBe('2026-11-24');
  });

  it('stores the response with its answers, problems and pending negative reports, spends the link and deletes the draft', async () => {
    await s.app.request(
      `/api/s/${token}/draft`,
      jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: 10 }),
    );
    const res = await submit({ answers: webAnswers(), elapsedSeconds: 412 }, 'key-0000000001');
    expect(res.status).toBe(201);
    const receipt = (await res.json()) as any;
    expect(receipt).toEqual({
      receipt: expect.stringMatching(/^[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}$/),
      campaign: s.campaign.name,
      submittedDay: '2026-11-23',
    });

    const response = await db.kysely.selectFrom('responses').selectAll().executeTakeFirstOrThrow();
    expect(response).toMatchObject({
      campaign_id: s.campaign.id,
      questionnaire_version: 1,
      category: 'project',
      organisation: '宁波某建设集团',
      duration_seconds: 412,
      overall: 'basically_satisfied',
      suggestion: '总体不错',
      source: 'web',
      submitted_day: '2026-11-23',
    });
    const record = JSON.parse(response.record_json);
    expect(record.departments[0]).toMatchObject({
      code: 'D001',
      ratings: { efficiency: 'satisfied', quality: 'fairly_satisfied' },
      problems: [2, 5],
    });

    expect(record.departments.map((d: { code: string; ratings: unknown }) => [d.code, d.ratings])).toEqual([
      ['D001', { efficiency: 'satisfied', quality: 'fairly_satisfied' }],
      ['D002', { efficiency: 'dissatisfied', quality: 'unknown' }],
    ]);
    const problems = await db.kysely.selectFrom('problem_mentions').select('problem').orderBy('problem').execute();
    expect(problems.map((p) => p.problem)).toEqual([2, 5]);
    const negatives = await db.kysely.selectFrom('negative_reports').selectAll().execute();
    expect(negatives).toHaveLength(1);
    expect(negatives[0]).toMatchObject({
      kind: 3,
      matter: '施工许可审批',
      event_date: '2026-06',
      contact_allowed: 1,
      contact: '13800000000',
      status: 'pending',
      created_day: '2026-11-23',
    });

    expect(await isSpent(db, token)).toBe(true);
    expect((await snapshotCounts(db)).drafts).toBe(0);
  });

  it('refuses a second submission with another key or none: 409 ALREADY_SUBMITTED, one response kept', async () => {
    expect((await submit({ answers: webAnswers(), elapsedSeconds: 300 }, 'key-first-0001')).status).toBe(201);
    for (const key of ['key-other-0002', undefined]) {
      const res = await submit({ answers: webAnswers({ overall: 'satisfied' }), elapsedSeconds: 300 }, key);
      expect(res.status).toBe(409);
      expect(((await res.json()) as ErrorBody).error.code).toBe('ALREADY_SUBMITTED');
    }
    expect((await snapshotCounts(db)).responses).toBe(1);
    // drafts can't come back after the link is spent
    const draft = await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers: {}, elapsedSeconds: 1 }));
    expect(draft.status).toBe(409);
    expect((await s.app.request(`/api/s/${token}`)).status).toBe(409);
  });

  it('refuses a negative situation dated after today or years before the campaign, today read in its time zone', async () => {
    // 01:00 on 1 December in Beijing, still 30 November in UTC
    s.clock.set('2026-11-30T17:00:00Z');
    const dated = (date: string) => {
      const [first, ...rest] = webAnswers().departments as Record<string, unknown>[];
      const [negative] = first.negatives as Record<string, unknown>[];
      return webAnswers({ departments: [{ ...first, negatives: [{ ...negative, date }] }, ...rest] });
    };
    for (const [date, reason] of [
      ['2099-01', '不能晚于今天（2026-12）'],
      ['2026-12-02', '不能晚于今天（2026-12-01）'],
      ['2019-05', '太早了：应在 2024-01 或以后'],
    ]) {
      const res = await submit({ answers: dated(date), elapsedSeconds: 300 });
      expect(res.status, date).toBe(422);
      const { error } = (await res.json()) as ErrorBody;
      // the place in the evaluator's words: the department's name and the negative situation's number
      expect(error.message, date).toBe(`答案有误：测试部门1 · 负面情形1 · 大约时间：${reason}`);
      expect(error.details, date).toContainEqual(
        expect.objectContaining({
          path: 'departments.0.negatives.0.date',
          field: '测试部门1 · 负面情形1 · 大约时间',
          message: reason,
        }),
      );
    }
    expect(await isSpent(db, token)).toBe(false);
    expect((await submit({ answers: dated('2026-12-01'), elapsedSeconds: 300 })).status).toBe(201);
    const other = await createInvitation(db, s.campaign);
    expect((await submit({ answers: dated('2026-12'), elapsedSeconds: 300 }, undefined, other.token)).status).toBe(201);
  });

  it('answers a retry with the same Idempotency-Key with the first receipt', async () => {
    const first = await submit({ answers: webAnswers(), elapsedSeconds: 300 }, 'retry-key-123456');
    const receipt = await first.json();
    const again = await submit({ answers: webAnswers(), elapsedSeconds: 301 }, 'retry-key-123456');
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(receipt);
    // even after the campaign closes, a retry still gets its receipt
    s.clock.set('2027-01-05T00:00:00Z');
    const late = await submit({ answers: webAnswers(), elapsedSeconds: 301 }, 'retry-key-123456');
    expect(late.status).toBe(201);
    expect(await late.json()).toEqual(receipt);
    expect((await snapshotCounts(db)).responses).toBe(1);
  });

  it('answers a retry whose body lists the same answers with its keys in another order with the first receipt', async () => {
    const body = { answers: webAnswers(), elapsedSeconds: 300, questionnaireVersion: 1 };
    const first = await submit(body, 'reordered-key-1234');
    expect(first.status).toBe(201);
    const again = await submit(reversedKeys(body), 'reordered-key-1234');
    expect(again.status, await again.clone().text()).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(await first.json());
  });

  it('refuses an Idempotency-Key reused with other answers (409) instead of replaying the first receipt', async () => {
    expect((await submit({ answers: webAnswers(), elapsedSeconds: 300 }, 'reused-key-1234')).status).toBe(201);
    const before = await snapshotCounts(db);
    const other = await submit(
      { answers: webAnswers({ overall: 'dissatisfied' }), elapsedSeconds: 300 },
      'reused-key-1234',
    );
    expect(other.status).toBe(409);
    expect(other.headers.get('idempotent-replayed')).toBeNull();
    const { error } = (await other.json()) as ErrorBody;
    expect(error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(error.message).toContain('内容不同');
    expect(error.message).not.toMatch(/receipt|回执号/);
    expect(await snapshotCounts(db)).toEqual(before);
  });

  it('takes the network key from the socket only, or from X-Forwarded-For behind a trusted proxy', async () => {
    await submit({ answers: webAnswers(), elapsedSeconds: 300 }, undefined);
    expect(
      (await db.kysely.selectFrom('responses').select('network_key').executeTakeFirstOrThrow()).network_key,
    ).toBeNull();

    const proxied = await surveySetup(db, {
      slug: 'proxied-2026',
      config: { trustProxy: true, networkSalt: 'pepper' },
    });
    const other = await createInvitation(db, proxied.campaign);
    const res = await proxied.app.request(
      `/api/s/${other.token}/submit`,
      jsonRequest(
        'POST',
        { answers: webAnswers(), elapsedSeconds: 300 },
        { 'X-Forwarded-For': '198.51.100.9, 203.0.113.77' },
      ),
    );
    expect(res.status).toBe(201);
    const row = await db.kysely
      .selectFrom('responses')
      .select('network_key')
      .where('campaign_id', '=', proxied.campaign.id)
      .executeTakeFirstOrThrow();
    expect(row.network_key).toBe(sha256(`pepper|${proxied.campaign.id}|203.0.113.0/24`));
  });
});

describe('evaluator API: every bad input is a 4xx with its code and leaves the database unchanged', () => {
  const dept = (extra: Record<string, unknown>) => ({
    dept: 'D001',
    efficiency: 'satisfied',
    quality: 'satisfied',
    ...extra,
  });
  const cases: [string, unknown, number, string, string?][] = [
    [
      'a level outside the choices',
      { answers: webAnswers({ departments: [dept({ efficiency: 'excellent' })] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments.0.efficiency',
    ],
    [
      '4 work-style problems',
      { answers: webAnswers({ departments: [dept({ problems: [1, 2, 3, 4] })] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments.0.problems',
    ],
    [
      'a problem number outside 1–10',
      { answers: webAnswers({ departments: [dept({ problems: [11] })] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments.0.problems.0',
    ],
    [
      'a negative kind outside 1–8',
      {
        answers: webAnswers({ departments: [dept({ negatives: [{ kind: 9, matter: 'a', description: 'b' }] })] }),
        elapsedSeconds: 60,
      },
      422,
      'VALIDATION_FAILED',
      'departments.0.negatives.0.kind',
    ],
    [
      'a department that is not in the campaign',
      { answers: webAnswers({ departments: [dept({ dept: 'D999' })] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments.0.code',
    ],
    [
      'the same department twice',
      { answers: webAnswers({ departments: [dept({}), dept({})] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments',
    ],
    [
      'no department',
      { answers: webAnswers({ departments: [] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments',
    ],
    [
      'an over-long suggestion',
      { answers: webAnswers({ suggestion: '长'.repeat(1001) }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'suggestion',
    ],
    [
      'an over-long matter',
      {
        answers: webAnswers({
          departments: [dept({ negatives: [{ kind: 1, matter: '长'.repeat(101), description: 'b' }] })],
        }),
        elapsedSeconds: 60,
      },
      422,
      'VALIDATION_FAILED',
      'departments.0.negatives.0.matter',
    ],
    [
      'an unknown top-level answer key',
      { answers: webAnswers({ favouriteColour: 'red' }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
    ],
    [
      'an unknown key inside a department',
      { answers: webAnswers({ departments: [dept({ bribe: 1 })] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments.0',
    ],
    [
      'an unknown key inside a negative situation',
      {
        answers: webAnswers({
          departments: [dept({ negatives: [{ kind: 1, matter: 'a', description: 'b', secret: 'x' }] })],
        }),
        elapsedSeconds: 60,
      },
      422,
      'VALIDATION_FAILED',
      'departments.0.negatives.0',
    ],
    [
      'a code key smuggled next to dept',
      { answers: webAnswers({ departments: [dept({ code: 'D002' })] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments.0.code',
    ],
    [
      'a durationSeconds answer key',
      { answers: webAnswers({ durationSeconds: 9999 }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'durationSeconds',
    ],
    ['an unknown body field', { answers: webAnswers(), elapsedSeconds: 60, admin: true }, 422, 'VALIDATION_FAILED'],
    [
      'problems as a string',
      { answers: webAnswers({ departments: [dept({ problems: '1,2' })] }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments.0.problems',
    ],
    [
      'a negative kind as a string',
      {
        answers: webAnswers({ departments: [dept({ negatives: [{ kind: '3', matter: 'a', description: 'b' }] })] }),
        elapsedSeconds: 60,
      },
      422,
      'VALIDATION_FAILED',
      'departments.0.negatives.0.kind',
    ],
    [
      'contact consent as a string',
      {
        answers: webAnswers({
          departments: [dept({ negatives: [{ kind: 1, matter: 'a', description: 'b', contactAllowed: 'yes' }] })],
        }),
        elapsedSeconds: 60,
      },
      422,
      'VALIDATION_FAILED',
      'departments.0.negatives.0.contactAllowed',
    ],
    [
      'consent to contact without a contact',
      {
        answers: webAnswers({
          departments: [dept({ negatives: [{ kind: 1, matter: 'a', description: 'b', contactAllowed: true }] })],
        }),
        elapsedSeconds: 60,
      },
      422,
      'VALIDATION_FAILED',
      'departments.0.negatives.0.contact',
    ],
    [
      'a date that is not YYYY-MM',
      {
        answers: webAnswers({
          departments: [dept({ negatives: [{ kind: 1, matter: 'a', description: 'b', date: '六月' }] })],
        }),
        elapsedSeconds: 60,
      },
      422,
      'VALIDATION_FAILED',
      'departments.0.negatives.0.date',
    ],
    [
      'departments as an object',
      { answers: webAnswers({ departments: { dept: 'D001' } }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'departments',
    ],
    ['answers as an array', { answers: [], elapsedSeconds: 60 }, 422, 'VALIDATION_FAILED', 'answers'],
    [
      'elapsed time as text',
      { answers: webAnswers(), elapsedSeconds: 'abc' },
      422,
      'VALIDATION_FAILED',
      'elapsedSeconds',
    ],
    [
      'a missing overall evaluation',
      { answers: webAnswers({ overall: undefined }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'overall',
    ],
    [
      'a category outside the choices',
      { answers: webAnswers({ category: 'vip' }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'category',
    ],
    [
      'another category than the invitation’s',
      { answers: webAnswers({ category: 'public' }), elapsedSeconds: 60 },
      422,
      'VALIDATION_FAILED',
      'category',
    ],
    [
      'a questionnaire version that does not exist',
      { answers: webAnswers(), elapsedSeconds: 60, questionnaireVersion: 7 },
      422,
      'VALIDATION_FAILED',
      'questionnaireVersion',
    ],
    ['a body that is not JSON', '{answers:', 400, 'BAD_REQUEST'],
  ];

  it.each(cases)('refuses %s', async (_, body, status, code, path) => {
    await s.app.request(
      `/api/s/${token}/draft`,
      jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: 10 }),
    );
    const before = await snapshotCounts(db);
    const res = await submit(body, 'bad-input-key-01');
    expect(res.status).toBe(status);
    const error = ((await res.json()) as ErrorBody).error;
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/[\u4e00-\u9fff]/);
    if (path) expect(error.details?.map((d) => d.path)).toContain(path);
    expect(await snapshotCounts(db)).toEqual(before);
    expect((await invitation()).used).toBe(0);
    // the evaluator can still fix the answers and submit
    expect((await submit({ answers: webAnswers(), elapsedSeconds: 60 }, 'bad-input-key-01')).status).toBe(201);
  });

  it('refuses a malformed Idempotency-Key with 400', async () => {
    const res = await submit({ answers: webAnswers(), elapsedSeconds: 60 }, 'x');
    expect(res.status).toBe(400);
    expect((await snapshotCounts(db)).responses).toBe(0);
  });
});

describe('evaluator links that cannot be answered', () => {
  it('shows a Chinese page for an unknown link and answers the API with a JSON 404', async () => {
    const page = await s.app.request('/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(await page.text()).toContain('链接无效');
    const short = await s.app.request('/s/x');
    expect(short.status).toBe(404);
    const api = await s.app.request('/api/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    expect(api.status).toBe(404);
    expect(((await api.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
    const post = await s.app.request(
      '/api/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/submit',
      jsonRequest('POST', { answers: webAnswers() }),
    );
    expect(post.status).toBe(404);
  });

  it('shows a Chinese page for a link already submitted', async () => {
    await submit({ answers: webAnswers(), elapsedSeconds: 60 });
    const page = await s.app.request(`/s/${token}`);
    expect(page.status).toBe(409);
    const text = await page.text();
    expect(text).toContain('问卷已提交');
    expect(text).not.toContain('evaluator');
  });

  it('refuses everything before the campaign opens, with a page naming the opening time', async () => {
    s.clock.set('2026-10-31T15:59:00Z'); // 23:59 on 31 October in Beijing
    const page = await s.app.request(`/s/${token}`);
    expect(page.status).toBe(403);
    const text = await page.text();
    expect(text).toContain('评议尚未开始');
    expect(text).toContain('2026年11月1日');
    const api = await s.app.request(`/api/s/${token}`);
    expect(api.status).toBe(403);
    expect(((await api.json()) as ErrorBody).error.code).toBe('CAMPAIGN_NOT_OPEN');
    const before = await snapshotCounts(db);
    const post = await submit({ answers: webAnswers(), elapsedSeconds: 60 }, 'early-key-000001');
    expect(post.status).toBe(403);
    expect(((await post.json()) as ErrorBody).error.code).toBe('CAMPAIGN_NOT_OPEN');
    expect(
      (await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers: {}, elapsedSeconds: 0 }))).status,
    ).toBe(403);
    expect(await snapshotCounts(db)).toEqual(before);
    expect((await invitation()).opened_at).toBeNull();
  });

  it('refuses everything after the campaign closes, with a page saying it has ended', async () => {
    s.clock.set('2026-12-31T16:00:00Z'); // 00:00 on 1 January in Beijing
    const page = await s.app.request(`/s/${token}`);
    expect(page.status).toBe(403);
    expect(await page.text()).toContain('评议已经结束');
    const post = await submit({ answers: webAnswers(), elapsedSeconds: 60 }, 'late-key-0000001');
    expect(post.status).toBe(403);
    expect(((await post.json()) as ErrorBody).error.code).toBe('CAMPAIGN_CLOSED');
    expect((await snapshotCounts(db)).responses).toBe(0);
  });

  it('serves the questionnaire page shell for an open link, in English with ?lang=en', async () => {
    const page = await s.app.request(`/s/${token}`);
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toMatch(/<script type="module" src="\/assets\/evaluator-[^"]+\.js">/);
    // its shared chunks load alongside, not after the script asks for them
    expect(text).toMatch(/<link rel="modulepreload" href="\/assets\/chunk-[A-Z0-9]+\.js"\/?>/);
    expect(text).toContain('lang="zh-CN"');
    const en = await s.app.request(`/s/${token}?lang=en`);
    expect(await en.text()).toContain('lang="en"');
    const unknown = await s.app.request('/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA?lang=en');
    expect(await unknown.text()).toContain('Link not found');
  });
});

describe('anonymity', () => {
  it('anonymous mode: the response keeps no invitation, person or time beyond the day', async () => {
    await s.app.request(`/api/s/${token}`);
    await s.app.request(
      `/api/s/${token}/draft`,
      jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: 10 }),
    );
    expect((await submit({ answers: webAnswers(), elapsedSeconds: 300 }, 'anon-key-000001')).status).toBe(201);

    const response = await db.kysely.selectFrom('responses').selectAll().executeTakeFirstOrThrow();
    expect(response.invitation_id).toBeNull();
    expect(response.submitted_day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const inv = await invitation();
    // spent, and flagged on the invitation only with its batch of SEAL_BATCH (test/security/seal.test.ts)
    expect(inv).toMatchObject({ used: 0, used_at: null });
    expect(await isSpent(db, token)).toBe(true);
    const evaluator = await db.kysely
      .selectFrom('evaluators')
      .selectAll()
      .where('id', '=', inv.evaluator_id)
      .executeTakeFirstOrThrow();

    // nothing stored with the response (or its rows) names the invitation, the token or the person
    const rows = [
      response,
      ...(await db.kysely.selectFrom('problem_mentions').selectAll().execute()),
      ...(await db.kysely.selectFrom('negative_reports').selectAll().execute()),
    ];
    const stored = JSON.stringify(rows);
    for (const secret of [invitationId, inv.token_hash, token, evaluator.id, evaluator.name, evaluator.row_key]) {
      expect(stored).not.toContain(secret);
    }
    // no full timestamps anywhere near the response
    expect(stored).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    // the idempotency record (keyed by the token) holds only the receipt and the day, nothing of the response
    const idem = await db.kysely.selectFrom('idempotency_keys').selectAll().executeTakeFirstOrThrow();
    expect(idem.created_at).toBe('2026-11-23');
    expect(idem.body_json).not.toContain(response.id);
    expect((await snapshotCounts(db)).drafts).toBe(0);
  });

  it('named mode: the response keeps its invitation and the invitation its submission time', async () => {
    const named = await surveySetup(db, { slug: 'named-2026', overrides: { mode: 'named' } });
    const inv = await createInvitation(db, named.campaign);
    const res = await named.app.request(
      `/api/s/${inv.token}/submit`,
      jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 200 }),
    );
    expect(res.status).toBe(201);
    const response = await db.kysely
      .selectFrom('responses')
      .selectAll()
      .where('campaign_id', '=', named.campaign.id)
      .executeTakeFirstOrThrow();
    expect(response.invitation_id).toBe(inv.invitationId);
    const row = await db.kysely
      .selectFrom('invitations')
      .selectAll()
      .where('id', '=', inv.invitationId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ used: 1, used_at: '2026-11-23T08:00:00.000Z' });
  });

  it('named mode: the spent link shows its receipt again when reopened', async () => {
    const named = await surveySetup(db, { slug: 'named-receipt-2026', overrides: { mode: 'named' } });
    const inv = await createInvitation(db, named.campaign);
    const res = await named.app.request(
      `/api/s/${inv.token}/submit`,
      jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 200 }, { 'idempotency-key': 'reload-test-key' }),
    );
    const { receipt } = (await res.json()) as Receipt;
    const page = await named.app.request(`/s/${inv.token}`);
    expect(page.status).toBe(409);
    const html = await page.text();
    expect(html).toContain('问卷已提交');
    expect(html).toContain(`<dt>回执编号</dt><dd>${receipt}</dd>`);
    expect(html).toContain('<dt>提交日期（北京时间）</dt><dd>2026-11-23</dd>');
    // another link of the campaign, not submitted: no receipt to show
    const other = await createInvitation(db, named.campaign);
    expect(await (await named.app.request(`/s/${other.token}`)).text()).not.toContain('回执编号');
  });
});
