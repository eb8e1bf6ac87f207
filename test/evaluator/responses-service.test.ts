import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import type { Db } from '../../server/db/connect.js';
import type { CanonicalRecord } from '../../server/contracts.js';
import { dialects } from '../helpers/db.js';
import { createInvitation, surveySetup, type SurveySetup } from './helpers.js';

function record(i: number, overrides: Partial<CanonicalRecord> = {}): CanonicalRecord {
  return {
    category: ['project', 'deputies', 'supervisors', 'grassroots', 'public'][i % 5],
    organisation: null,
    durationSeconds: 200 + i,
    overall: 'satisfied',
    departments: [
      {
        code: `D00${(i % 6) + 1}`,
        ratings: { efficiency: 'satisfied', quality: i % 2 ? 'basically_satisfied' : 'unknown' },
        problems: i % 3 === 0 ? [1, 4] : [],
        negatives:
          i % 7 === 0
            ? [
                {
                  kind: 2,
                  matter: '办证',
                  date: '2026-05',
                  description: '多次往返',
                  contactAllowed: false,
                  contact: null,
                },
              ]
            : [],
        suggestion: null,
      },
    ],
    suggestion: null,
    ...overrides,
  };
}

const line = (value: unknown) => JSON.stringify(value);

describe.each(await dialects())('responses repository and service on $name', ({ open }) => {
  let db: Db;
  let s: SurveySetup;
  beforeAll(async () => {
    db = await open();
    s = await surveySetup(db);
  });
  afterAll(() => db.close());

  const count = async (table: 'responses' | 'problem_mentions' | 'negative_reports') => {
    const n = (q: { executeTakeFirstOrThrow(): Promise<{ n: unknown }> }) =>
      q.executeTakeFirstOrThrow().then((r) => Number(r.n));
    const id = s.campaign.id;
    if (table === 'responses')
      return n(
        db.kysely
          .selectFrom('responses')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('campaign_id', '=', id),
      );
    if (table === 'negative_reports')
      return n(
        db.kysely
          .selectFrom('negative_reports')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('campaign_id', '=', id),
      );
    return n(
      db.kysely
        .selectFrom(table)
        .innerJoin('responses', 'responses.id', `${table}.response_id`)
        .select((eb) => eb.fn.countAll().as('n'))
        .where('responses.campaign_id', '=', id),
    );
  };

  it('stores a web submission once: the second store of the same invitation is ALREADY_SUBMITTED and rolls back', async () => {
    const inv = await createInvitation(db, s.campaign);
    const input = {
      campaign: s.campaign,
      invitation: { id: inv.invitationId, token: inv.token, category: 'project' },
      record: record(0, { category: 'project' }),
      questionnaireVersion: 1,
      departmentIds: (await s.services.campaigns.departmentIndex(s.campaign)).idByCode,
      networkKey: 'n1',
      idempotencyKey: 'service-key-0001',
      fingerprint: 'request-1',
    };
    const before = await count('responses');
    const first = await s.services.responses.store(input);
    expect(first).toMatchObject({ replayed: false, receipt: { submittedDay: '2026-11-23' } });
    await expect(s.services.responses.store({ ...input, idempotencyKey: 'service-key-0002' })).rejects.toMatchObject({
      code: 'ALREADY_SUBMITTED',
    });
    const replay = await s.services.responses.store({ ...input });
    expect(replay).toEqual({ ...first, replayed: true });
    expect(await count('responses')).toBe(before + 1);
    const row = await db.kysely
      .selectFrom('responses')
      .selectAll()
      .where('network_key', '=', 'n1')
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      invitation_id: null,
      source: 'web',
      duration_seconds: 200,
      submitted_day: '2026-11-23',
    });
  });

  it('stores many records in one transaction, in batches larger than one statement allows', async () => {
    const before = {
      responses: await count('responses'),
      problems: await count('problem_mentions'),
      negatives: await count('negative_reports'),
    };
    const records = Array.from({ length: 1200 }, (_, i) => record(i));
    const result = await s.services.responses.storeMany(s.campaign, records, { source: 'import' });
    expect(result).toEqual({ stored: 1200 });
    expect(await count('responses')).toBe(before.responses + 1200);
    expect(await count('problem_mentions')).toBe(before.problems + 2 * 400);
    expect(await count('negative_reports')).toBe(before.negatives + Math.ceil(1200 / 7));
    const sources = await db.kysely
      .selectFrom('responses')
      .select('source')
      .where('campaign_id', '=', s.campaign.id)
      .groupBy('source')
      .execute();
    expect(sources.map((r) => r.source).sort()).toEqual(['import', 'web']);
    const statuses = await db.kysely.selectFrom('negative_reports').select('status').distinct().execute();
    expect(statuses).toEqual([{ status: 'pending' }]);
  });

  it('stores nothing of a batch with a department that is not in the campaign', async () => {
    const before = await count('responses');
    const bad = [record(1), record(2, { departments: [{ ...record(2).departments[0], code: 'D999' }] })];
    await expect(s.services.responses.storeMany(s.campaign, bad, { source: 'import' })).rejects.toBeInstanceOf(
      AppError,
    );
    expect(await count('responses')).toBe(before);
  });

  it('imports a JSONL file validated like a web submission, with level labels as aliases', async () => {
    const before = await count('responses');
    const text = [
      line({
        category: 'project',
        durationSeconds: 420,
        overall: 'basically_satisfied',
        departments: [
          {
            code: 'D001',
            efficiency: 'satisfied',
            quality: 'fairly_satisfied',
            problems: [2, 5],
            negatives: [{ kind: 3, matter: '施工许可', date: '2026-06', description: '超时' }],
            suggestion: '加快',
          },
        ],
        suggestion: '好',
      }),
      '',
      line({
        category: 'public',
        organisation: '纸质问卷录入',
        overall: '满意',
        departments: [{ code: 'D002', efficiency: '不了解', quality: '比较满意' }],
      }),
    ].join('\n');
    expect(await s.services.responses.importJsonl(s.campaign, text)).toEqual({ stored: 2, valid: 2, dryRun: false });
    expect(await count('responses')).toBe(before + 2);
    const paper = await db.kysely
      .selectFrom('responses')
      .select('record_json')
      .where('organisation', '=', '纸质问卷录入')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(paper.record_json).departments[0].ratings).toEqual({
      efficiency: 'unknown',
      quality: 'fairly_satisfied',
    });
  });

  it('imports department codes spelt in other case or full width as the campaign codes them', async () => {
    const text = line({
      category: 'public',
      organisation: '代码写法测试',
      overall: 'satisfied',
      departments: [
        { code: 'd002', efficiency: 'satisfied', quality: 'satisfied' },
        { code: 'Ｄ００３', efficiency: 'satisfied', quality: 'satisfied' },
      ],
    });
    expect(await s.services.responses.importJsonl(s.campaign, text)).toEqual({ stored: 1, valid: 1, dryRun: false });
    const stored = await db.kysely
      .selectFrom('responses')
      .select('record_json')
      .where('organisation', '=', '代码写法测试')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(stored.record_json).departments.map((d: { code: string }) => d.code)).toEqual(['D002', 'D003']);
    const twice = line({
      category: 'public',
      overall: 'satisfied',
      departments: [
        { code: 'D002', efficiency: 'satisfied', quality: 'satisfied' },
        { code: 'd002', efficiency: 'satisfied', quality: 'satisfied' },
      ],
    });
    await expect(s.services.responses.importJsonl(s.campaign, twice)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });

  it('refuses to import the same file a second time, so its votes are not counted twice', async () => {
    const text = [
      line({
        category: 'grassroots',
        organisation: '重复导入测试',
        overall: 'satisfied',
        departments: [{ code: 'D003', efficiency: 'satisfied', quality: 'satisfied' }],
      }),
      line({
        category: 'grassroots',
        organisation: '重复导入测试',
        overall: 'satisfied',
        departments: [{ code: 'D003', efficiency: 'satisfied', quality: 'satisfied' }],
      }),
    ].join('\n');
    expect(await s.services.responses.importJsonl(s.campaign, text, { fileName: 'paper-batch-1.jsonl' })).toEqual({
      stored: 2,
      valid: 2,
      dryRun: false,
    });
    const before = await count('responses');
    const again = await s.services.responses
      .importJsonl(s.campaign, `\uFEFF${text}\r\n\r\n`, { fileName: 'copy.jsonl' })
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(AppError);
    expect((again as AppError).code).toBe('CONFLICT');
    expect((again as AppError).message).toContain('paper-batch-1.jsonl');
    expect(await count('responses')).toBe(before);
  });

  it('imports nothing from a file with errors and names each line, and each field by its department’s name and question', async () => {
    const before = await count('responses');
    const good = line({
      category: 'project',
      overall: 'satisfied',
      departments: [{ code: 'D001', efficiency: 'satisfied', quality: 'satisfied' }],
    });
    const text = [
      good,
      line({
        category: 'project',
        overall: 'satisfied',
        departments: [{ code: 'D001', efficiency: 'satisfied', quality: 'satisfied', problems: [1, 2, 3, 4] }],
      }),
      '{not json',
      line({
        category: 'project',
        overall: 'satisfied',
        departments: [{ code: 'D001', efficiency: 'satisfied', quality: 'satisfied' }],
        extra: 1,
      }),
    ].join('\n');
    const error = await s.services.responses.importJsonl(s.campaign, text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AppError);
    const details = (error as AppError).details!;
    expect(details).toContainEqual({
      line: 2,
      path: 'departments.0.problems',
      field: '测试部门1 · 作风问题',
      message: '最多选择 3 项',
    });
    expect(details).toContainEqual({ line: 3, message: expect.stringContaining('不是有效的 JSON') });
    expect(details.some((d) => d.line === 4)).toBe(true);
    expect(details.some((d) => d.line === 1)).toBe(false);
    expect(await count('responses')).toBe(before);
  });
});
