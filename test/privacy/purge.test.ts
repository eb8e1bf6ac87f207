import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import type { CanonicalRecord } from '../../server/contracts.js';
import { AppError } from '../../server/errors.js';
import { reminderMessage } from '../../server/invitations/messages.js';
import { outboxRepository } from '../../server/outbox/repository.js';
import { dialects } from '../helpers/db.js';
import { replayOpen } from '../helpers/fixtures.js';
import { OPEN_TIME } from '../evaluator/helpers.js';
import { BEFORE_OPEN, purgeSetup, scoredBytes } from './helpers.js';

const EXPECTED = {
  evaluators: 3,
  invitations: 3,
  drafts: 1,
  negativeContacts: 2,
  responses: 3,
  networkKeys: 2,
  messages: 0,
};

describe.each(await dialects())('purging a campaign’s personal data on $name', ({ open }) => {
  let db: Db;
  let s: Awaited<ReturnType<typeof purgeSetup>>;
  beforeEach(async () => {
    db = await open();
    s = await purgeSetup(db);
  }, 60_000);
  afterEach(() => db.close());

  const purge = (confirm = 'test-2026') => s.services.privacy.purge('test-2026', { confirm }, 'office');
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (error: unknown) => (error instanceof AppError ? { code: error.code, message: error.message } : error),
    );
  const count = async (table: 'responses' | 'problem_mentions' | 'negative_reports' | 'snapshots') =>
    Number(
      (
        await db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('is refused before the campaign opens and while it is open, with the closing time, changing nothing', async () => {
    await replayOpen(s.db, s.clock, s.campaign, BEFORE_OPEN);
    expect(await refusal(purge())).toEqual({
      code: 'CONFLICT',
      message:
        '评议活动 2026年度民主评议机关（示例） 尚未开始，截止（2026年12月31日 23:59（北京时间））后才能清除个人信息',
    });
    await replayOpen(s.db, s.clock, s.campaign, OPEN_TIME);
    const refused = (await refusal(purge())) as AppError;
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toContain('正在进行，截止（2026年12月31日 23:59（北京时间））后才能清除个人信息');
    expect(await refusal(s.services.privacy.preview('test-2026'))).toMatchObject({ code: 'CONFLICT' });
    expect((await s.services.campaigns.getBySlug('test-2026')).purgedAt).toBeNull();
    expect(await s.services.audit.list({ action: 'personal_data_purge' })).toEqual([]);
  });

  it('is refused when the confirmation is not the slug (400), changing nothing', async () => {
    expect(await refusal(purge('2026年度民主评议机关'))).toEqual({
      code: 'BAD_REQUEST',
      message: '确认文字与活动代码不符：请输入 test-2026',
    });
    expect(await refusal(s.services.privacy.purge('test-2026', {}, 'office'))).toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect((await s.services.privacy.preview('test-2026')).counts).toEqual(EXPECTED);
  });

  it('counts beforehand what it then blanks or deletes, with one audit row', async () => {
    expect(await s.services.privacy.preview('test-2026')).toMatchObject({ counts: EXPECTED, total: 14 });
    const report = await purge();
    expect(report).toEqual({
      campaign: 'test-2026',
      counts: EXPECTED,
      total: 14,
      purgedAt: '2027-01-05T08:00:00.000Z',
      previouslyPurgedAt: null,
    });
    const audit = await s.services.audit.list({ action: 'personal_data_purge' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actor: 'office',
      campaignId: s.campaign.id,
      detail: { counts: EXPECTED, total: 14 },
    });
    expect((await s.services.campaigns.getBySlug('test-2026')).purgedAt).toBe('2027-01-05T08:00:00.000Z');
  });

  it('leaves no name, phone, e-mail, organisation, contact, draft, link secret or network counter', async () => {
    await purge();
    const evaluators = await db.kysely.selectFrom('evaluators').selectAll().execute();
    expect(evaluators).toHaveLength(3);
    for (const e of evaluators) {
      expect(e).toMatchObject({ name: '', organisation: null, phone: null, email: null, category: 'project' });
      expect(e.row_key).toBe(`purged:${e.id}`);
    }
    const invitations = await db.kysely.selectFrom('invitations').select(['id', 'token_hash']).execute();
    expect(invitations.map((i) => i.token_hash)).toEqual(invitations.map((i) => `purged:${i.id}`));
    expect(await db.kysely.selectFrom('drafts').selectAll().execute()).toEqual([]);

    const reports = await db.kysely.selectFrom('negative_reports').select(['contact', 'contact_allowed']).execute();
    expect(reports.map((r) => r.contact)).toEqual(reports.map(() => null));
    // that the evaluator agreed to be contacted is no personal data: it stays
    expect(reports.filter((r) => Number(r.contact_allowed) === 1)).toHaveLength(2);

    const responses = await db.kysely.selectFrom('responses').select(['organisation', 'record_json']).execute();
    for (const r of responses) {
      expect(r.organisation).toBeNull();
      const record = JSON.parse(r.record_json) as CanonicalRecord;
      expect(record.organisation).toBeNull();
      for (const d of record.departments) for (const n of d.negatives) expect(n.contact).toBeNull();
    }
    for (const text of ['宁波某建设集团', '纸质问卷上的单位', '13800000000', '张三', 'zhang@example.cn'])
      expect(JSON.stringify(responses) + JSON.stringify(evaluators)).not.toContain(text);

    const keys = (await db.kysely.selectFrom('login_attempts').select('key').orderBy('key').execute()).map(
      (r) => r.key,
    );
    // a username is no network key, and a network lock in force runs out on its own
    expect(keys).toEqual(['net:lockedlockedlock', 'user:admin']);
    // the link opens nothing any more
    expect((await s.app.request(`/api/s/${s.drafting.token}`)).status).toBe(404);
  });

  it('deletes the campaign’s invitation and reminder messages, sent or not, and when each was reminded', async () => {
    const outbox = outboxRepository(db.kysely);
    const at = '2026-11-25T08:00:00.000Z';
    const [first] = s.invited;
    const invitationId = (
      await db.kysely
        .selectFrom('invitations')
        .select('id')
        .where('evaluator_id', '=', first.evaluatorId)
        .executeTakeFirstOrThrow()
    ).id;
    await db.kysely.updateTable('invitations').set({ reminded_at: at }).where('id', '=', invitationId).execute();
    const reminder = reminderMessage(
      s.campaign,
      { name: '张三', organisation: '宁波某建设集团' },
      invitationId,
      'email',
      'zhang@example.cn',
      at,
    );
    const sent = (await outbox.enqueue(reminder, at)) as string;
    await outbox.markSent(sent, at);
    await outbox.enqueue({ ...reminder, dedupeKey: 'reminder:sms:x', channel: 'sms', recipient: '13800000001' }, at);
    await outbox.enqueue(
      { dedupeKey: 'notice:1', recipient: 'office@example.gov.cn', subject: '提醒', body: '请办理' },
      at,
    );

    expect((await s.services.privacy.preview('test-2026')).counts).toEqual({ ...EXPECTED, messages: 2 });
    expect((await purge()).counts).toEqual({ ...EXPECTED, messages: 2 });

    const left = await db.kysely.selectFrom('outbox').selectAll().execute();
    expect(left.map((m) => m.dedupe_key)).toEqual(['notice:1']);
    for (const text of ['张三', '宁波某建设集团', 'zhang@example.cn', '13800000001', invitationId])
      expect(JSON.stringify(left)).not.toContain(text);
    const reminded = await db.kysely.selectFrom('invitations').select('reminded_at').execute();
    expect(reminded.map((r) => r.reminded_at)).toEqual(reminded.map(() => null));
  });

  it('keeps the responses, the negatives and the snapshot, and the scores byte for byte', async () => {
    const before = await scoredBytes(s);
    const tables = ['responses', 'problem_mentions', 'negative_reports', 'snapshots'] as const;
    const counts = await Promise.all(tables.map(count));
    const snapshot = await db.kysely.selectFrom('snapshots').selectAll().execute();
    const scored = await db.kysely
      .selectFrom('responses')
      .select(['id', 'category', 'duration_seconds', 'network_key', 'submitted_day', 'overall', 'suggestion'])
      .orderBy('id')
      .execute();
    expect(scored.filter((r) => r.network_key !== null)).toHaveLength(2);

    await purge();

    expect(await scoredBytes(s)).toBe(before);
    expect(await Promise.all(tables.map(count))).toEqual(counts);
    expect(await db.kysely.selectFrom('snapshots').selectAll().execute()).toEqual(snapshot);
    expect(
      await db.kysely
        .selectFrom('responses')
        .select(['id', 'category', 'duration_seconds', 'network_key', 'submitted_day', 'overall', 'suggestion'])
        .orderBy('id')
        .execute(),
    ).toEqual(scored);
    // the published snapshot reads as it did
    expect((await s.services.results.snapshot(s.snapshot.id)).inputs.hash).toBe(s.snapshot.inputsHash);
  }, 60_000);

  it('is idempotent: a second purge clears nothing, says so, and keeps the first time', async () => {
    const first = await purge();
    s.clock.advance(60 * 60_000);
    const second = await purge();
    expect(second).toEqual({
      campaign: 'test-2026',
      counts: {
        evaluators: 0,
        invitations: 0,
        drafts: 0,
        negativeContacts: 0,
        responses: 0,
        networkKeys: 0,
        messages: 0,
      },
      total: 0,
      purgedAt: first.purgedAt,
      previouslyPurgedAt: first.purgedAt,
    });
    expect((await s.services.privacy.preview('test-2026')).total).toBe(0);
    expect((await s.services.campaigns.getBySlug('test-2026')).purgedAt).toBe(first.purgedAt);
    const audit = await s.services.audit.list({ action: 'personal_data_purge' });
    expect(audit.map((a) => (a.detail as { total: number }).total)).toEqual([0, 14]);
  });
});
