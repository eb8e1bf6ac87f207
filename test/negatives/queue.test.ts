import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { AppError } from '../../server/errors.js';
import { dialects } from '../helpers/db.js';
import { OFFICE, queueSetup } from './helpers.js';

/** Today in the tests: Tuesday 1 December 2026 (no public holiday in the weeks before). */
const TODAY = '2026-12-01T04:00:00Z';

const failure = async (work: Promise<unknown>) => {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
};

describe.each(await dialects())('the verification queue on $name', ({ open }) => {
  let db: Db;
  let s: Awaited<ReturnType<typeof queueSetup>>;
  const descriptions = (items: { description: string }[]) => items.map((n) => n.description);
  const queue = (query: Record<string, string> = {}) => s.services.negatives.queue(s.campaign.slug, query);

  beforeAll(async () => {
    db = await open();
    s = await queueSetup(db);
    await s.report('2026-11-02', { code: 'D001', kind: 3, matter: '施工许可', description: '甲：施工许可超时未办结' });
    await s.report('2026-11-03', {
      code: 'D001',
      kind: 3,
      matter: '施工许可',
      description: '甲二：同一件施工许可超时',
    });
    await s.report('2026-11-16', { code: 'D002', kind: 3, description: '己：退税超时' });
    await s.report('2026-11-17', { code: 'D002', kind: 5, description: '乙：窗口态度冷硬' });
    await s.report('2026-11-18', { code: 'D001', kind: 5, description: '丙：故意刁难' });
    await s.report('2026-11-30', {
      code: 'D003',
      kind: 3,
      description: '丁：王科长让我等，他电话13912345678',
      contact: '13812345678',
    });
    await s.report('2026-12-01', { code: 'D001', kind: 1, description: '戊：说打折50%_再议' });
    s.clock.set(TODAY);
  });
  afterAll(() => db.close());

  it('lists every report oldest first with its evidence, age, due day and overdue flag', async () => {
    const page = await queue();
    expect(page.today).toBe('2026-12-01');
    expect(page.total).toBe(7);
    expect(descriptions(page.items).map((d) => d.split('：')[0])).toEqual(['甲', '甲二', '己', '乙', '丙', '丁', '戊']);
    const [first] = page.items;
    expect(first).toMatchObject({
      department: { code: 'D001', name: '测试部门1' },
      kind: 3,
      kindLabel: expect.any(String),
      matter: '施工许可',
      eventDate: '2026-06',
      reportedDay: '2026-11-02',
      ageDays: 29,
      dueDay: '2026-11-16',
      overdue: true,
      status: 'pending',
      mergedInto: null,
      duplicates: 0,
      decision: null,
    });
    const due = page.items.find((n) => n.description.startsWith('乙'))!;
    expect(due).toMatchObject({ dueDay: '2026-12-01', workingDaysLeft: 0, overdue: false });
    expect(page.items.find((n) => n.description.startsWith('丙'))).toMatchObject({
      dueDay: '2026-12-02',
      workingDaysLeft: 1,
    });
    expect(page.counts).toEqual({ pending: 7, overdue: 3, verified: 0, dismissed: 0, merged: 0 });
  });

  it('filters by department, kind, overdue, age and text, alone and together', async () => {
    expect(descriptions((await queue({ department: 'D001' })).items).map((d) => d[0])).toEqual([
      '甲',
      '甲',
      '丙',
      '戊',
    ]);
    expect((await queue({ kind: '3' })).items.map((n) => n.description[0])).toEqual(['甲', '甲', '己', '丁']);
    expect((await queue({ overdue: '1' })).items.map((n) => n.reportedDay)).toEqual([
      '2026-11-02',
      '2026-11-03',
      '2026-11-16',
    ]);
    expect((await queue({ minAgeDays: '14' })).items.map((n) => n.reportedDay)).toEqual([
      '2026-11-02',
      '2026-11-03',
      '2026-11-16',
      '2026-11-17',
    ]);
    expect((await queue({ maxAgeDays: '1' })).items.map((n) => n.reportedDay)).toEqual(['2026-11-30', '2026-12-01']);
    expect((await queue({ department: 'D001', kind: '5' })).items.map((n) => n.description)).toEqual(['丙：故意刁难']);
    expect((await queue({ q: '施工许可超时' })).total).toBe(2);
    expect((await queue({ q: '同一件' })).total).toBe(1);
  });

  it('searches for the text itself: % and _ are not wildcards', async () => {
    expect((await queue({ q: '50%_' })).items.map((n) => n.description[0])).toEqual(['戊']);
    expect((await queue({ q: '_' })).total).toBe(1);
    expect((await queue({ q: '%' })).total).toBe(1);
  });

  it('pages through the queue without losing or repeating a report', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const p = await queue({ pageSize: '2', page: String(page) });
      expect(p.total).toBe(7);
      seen.push(...p.items.map((n) => n.id));
    }
    expect(new Set(seen).size).toBe(7);
    expect((await queue({ pageSize: '2', page: '9' })).items).toEqual([]);
  });

  it('refuses filters it does not know, naming the field, and never fails on them', async () => {
    for (const [query, field] of [
      [{ kind: '9' }, 'kind'],
      [{ kind: 'x' }, 'kind'],
      [{ department: 'D999' }, 'department'],
      [{ state: 'open' }, 'state'],
      [{ minAgeDays: '-1' }, 'minAgeDays'],
      [{ pageSize: '1000' }, 'pageSize'],
      [{ page: '0' }, 'page'],
      [{ overdue: 'yes' }, 'overdue'],
    ] as const) {
      const error = await failure(queue(query));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details?.map((d) => d.field ?? d.path)).toContain(field);
    }
  });

  it('shows the contact only where the evaluator allowed it, and only on the report itself', async () => {
    const withContact = await s.services.negatives.report(
      s.campaign.slug,
      await s.idOf('丁：王科长让我等，他电话13912345678'),
    );
    expect(withContact).toMatchObject({ contactAllowed: true, contact: '13812345678' });
    const without = await s.services.negatives.report(s.campaign.slug, await s.idOf('乙：窗口态度冷硬'));
    expect(without).toMatchObject({ contactAllowed: false, contact: null });
    expect(JSON.stringify(await queue())).not.toContain('13812345678');
    // a contact stored without consent (an old import) is never shown either
    await db.kysely
      .updateTable('negative_reports')
      .set({ contact: '13700000000' })
      .where('description', '=', '乙：窗口态度冷硬')
      .execute();
    expect((await s.services.negatives.report(s.campaign.slug, without.id)).contact).toBeNull();
  });

  it('offers the automatically redacted text and the findings to the office, the original kept beside it', async () => {
    const report = await s.services.negatives.report(
      s.campaign.slug,
      await s.idOf('丁：王科长让我等，他电话13912345678'),
    );
    expect(report.description).toBe('丁：王科长让我等，他电话13912345678');
    expect(report.redacted).toEqual({
      matter: '办理施工许可',
      description: '丁：某科长让我等，他电话〔手机号已隐去〕',
      byHand: false,
    });
    expect(report.findings.description.map((f) => f.kind)).toEqual(['name', 'mobile']);
    expect(report.remaining.description).toEqual([]);
  });

  it('keeps the office’s own redaction and warns about what it still leaves in', async () => {
    const id = await s.idOf('丁：王科长让我等，他电话13912345678');
    const report = await s.services.negatives.redact(
      s.campaign.slug,
      id,
      { matter: '某项审批', description: '丁：工作人员让我等，电话13912345678' },
      OFFICE,
    );
    expect(report.redacted).toEqual({
      matter: '某项审批',
      description: '丁：工作人员让我等，电话13912345678',
      byHand: true,
    });
    expect(report.remaining.description.map((f) => f.kind)).toEqual(['mobile']);
    expect(report.description).toBe('丁：王科长让我等，他电话13912345678');
    const error = await failure(
      s.services.negatives.redact(s.campaign.slug, id, { matter: ' ', description: 'x' }, OFFICE),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    await s.services.negatives.redact(
      s.campaign.slug,
      id,
      { matter: '某项审批', description: '丁：工作人员让我等' },
      OFFICE,
    );
  });

  it('verifies with a reason kept, freezes the text a department reads, and refuses a second decision', async () => {
    const id = await s.idOf('丁：王科长让我等，他电话13912345678');
    const verified = await s.services.negatives.verify(s.campaign.slug, id, { reason: '经电话核实属实' }, OFFICE);
    expect(verified).toMatchObject({
      status: 'verified',
      overdue: false,
      decision: { by: 'office', at: '2026-12-01T04:00:00.000Z', reason: '经电话核实属实' },
      redacted: { description: '丁：工作人员让我等', byHand: true },
    });
    expect(verified.history.map((h) => [h.action, h.from, h.to, h.reason, h.actor])).toEqual([
      ['verify', 'pending', 'verified', '经电话核实属实', 'office'],
    ]);
    expect((await failure(s.services.negatives.verify(s.campaign.slug, id, { reason: '再次' }, OFFICE))).code).toBe(
      'CONFLICT',
    );
    expect((await failure(s.services.negatives.dismiss(s.campaign.slug, id, { reason: '改判' }, OFFICE))).code).toBe(
      'CONFLICT',
    );
    const redactLater = s.services.negatives.redact(s.campaign.slug, id, { matter: 'x', description: 'y' }, OFFICE);
    expect((await failure(redactLater)).code).toBe('CONFLICT');
    expect((await s.services.negatives.report(s.campaign.slug, id)).history).toHaveLength(1);
  });

  it('registers a verified report as an item on its department’s sheet, with the redacted text only', async () => {
    const id = await s.idOf('丁：王科长让我等，他电话13912345678');
    const sheets = await s.services.notices.sheets(s.campaign.slug);
    const items = sheets.flatMap((sheet) => sheet.items.map((item) => ({ ...item, department: sheet.departmentCode })));
    const item = items.find((i) => i.source === 'negative' && i.sourceRef === id);
    expect(item).toMatchObject({ department: 'D003', kind: 3, state: 'draft' });
    expect(item?.evidence).toContain('丁：工作人员让我等');
    for (const secret of ['王科长', '13912345678', '13812345678']) expect(JSON.stringify(sheets)).not.toContain(secret);
  });

  it('dismisses with a reason, and lets the office verify a dismissed report after all', async () => {
    const id = await s.idOf('丙：故意刁难');
    expect((await failure(s.services.negatives.dismiss(s.campaign.slug, id, { reason: '' }, OFFICE))).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await failure(s.services.negatives.dismiss(s.campaign.slug, id, {}, OFFICE))).code).toBe(
      'VALIDATION_FAILED',
    );
    const dismissed = await s.services.negatives.dismiss(s.campaign.slug, id, { reason: '查无此事' }, OFFICE);
    expect(dismissed).toMatchObject({ status: 'dismissed', decision: { reason: '查无此事' } });
    const verified = await s.services.negatives.verify(s.campaign.slug, id, { reason: '补充材料后属实' }, OFFICE);
    expect(verified.history.map((h) => `${h.from}→${h.to}`)).toEqual(['pending→dismissed', 'dismissed→verified']);
    expect((await queue({ state: 'verified' })).items.map((n) => n.description[0])).toEqual(['丙', '丁']);
    expect((await queue({ state: 'dismissed' })).total).toBe(0);
  });

  it('lets exactly one of two simultaneous decisions through', async () => {
    const id = await s.idOf('己：退税超时');
    const results = await Promise.allSettled([
      s.services.negatives.verify(s.campaign.slug, id, { reason: '一' }, OFFICE),
      s.services.negatives.dismiss(s.campaign.slug, id, { reason: '二' }, { ...OFFICE, username: 'other' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((refused.reason as AppError).code).toBe('CONFLICT');
    expect((await s.services.negatives.report(s.campaign.slug, id)).history).toHaveLength(1);
  });

  it('numbers simultaneous decisions on different reports one after another, none lost', async () => {
    const before = await s.services.negatives.lastDecision(s.campaign.id);
    await s.report(
      '2026-12-01',
      { code: 'D004', kind: 2, description: '辛' },
      { code: 'D004', kind: 2, description: '壬' },
    );
    const ids = await Promise.all(['辛', '壬'].map((d) => s.idOf(d)));
    await Promise.all(
      ids.map((id) => s.services.negatives.dismiss(s.campaign.slug, id, { reason: '同时处理' }, OFFICE)),
    );
    expect(await s.services.negatives.lastDecision(s.campaign.id)).toBe(before + 2);
    const seqs = await db.kysely.selectFrom('negative_decisions').select('seq').orderBy('seq').execute();
    expect(seqs.map((r) => Number(r.seq))).toEqual(Array.from({ length: before + 2 }, (_, i) => i + 1));
  });

  it('answers 404 for a report of another campaign or none at all', async () => {
    expect((await failure(s.services.negatives.report(s.campaign.slug, 'no-such-id'))).code).toBe('NOT_FOUND');
    expect(
      (await failure(s.services.negatives.verify(s.campaign.slug, 'no-such-id', { reason: 'x' }, OFFICE))).code,
    ).toBe('NOT_FOUND');
  });

  describe('merging reports of the same matter', () => {
    it('lists a duplicate under its primary, where it follows the primary’s decision and cannot be decided alone', async () => {
      const primary = await s.idOf('甲：施工许可超时未办结');
      const duplicate = await s.idOf('甲二：同一件施工许可超时');
      const merged = await s.services.negatives.merge(
        s.campaign.slug,
        primary,
        { duplicates: [duplicate], reason: '同一件施工许可' },
        OFFICE,
      );
      expect(merged.duplicates).toBe(1);
      expect(merged.duplicatesList.map((d) => [d.id, d.mergedInto, d.status])).toEqual([
        [duplicate, primary, 'pending'],
      ]);
      const page = await queue();
      expect(page.items.map((n) => n.id)).not.toContain(duplicate);
      expect(page.counts.merged).toBe(1);
      expect((await queue({ includeMerged: '1' })).items.map((n) => n.id)).toContain(duplicate);
      expect(
        (await failure(s.services.negatives.verify(s.campaign.slug, duplicate, { reason: 'x' }, OFFICE))).code,
      ).toBe('CONFLICT');

      await s.services.negatives.verify(s.campaign.slug, primary, { reason: '核实属实' }, OFFICE);
      expect((await s.services.negatives.report(s.campaign.slug, duplicate)).status).toBe('verified');
      expect((await queue({ state: 'verified', includeMerged: '1' })).items.map((n) => n.id)).toContain(duplicate);
      const entries = await s.services.negatives.scoringEntries(s.campaign.id);
      const kind3OfD001 = entries.filter((e) => e.departmentCode === 'D001' && e.kind === 3);
      expect(kind3OfD001.map((e) => e.verified).sort()).toEqual([false, true]);
    });

    it('refuses a merge across departments, of a decided report, into a merged one, or into itself', async () => {
      const primary = await s.idOf('甲：施工许可超时未办结');
      const duplicate = await s.idOf('甲二：同一件施工许可超时');
      const otherDepartment = await s.idOf('乙：窗口态度冷硬');
      const decided = await s.idOf('丙：故意刁难');
      const pendingD001 = await s.idOf('戊：说打折50%_再议');
      const merge = (into: string, ids: string[]) =>
        failure(s.services.negatives.merge(s.campaign.slug, into, { duplicates: ids, reason: '同一事项' }, OFFICE));
      expect((await merge(primary, [otherDepartment])).code).toBe('CONFLICT');
      expect((await merge(primary, [decided])).code).toBe('CONFLICT');
      expect((await merge(duplicate, [pendingD001])).code).toBe('CONFLICT');
      expect((await merge(pendingD001, [pendingD001])).code).toBe('VALIDATION_FAILED');
      expect((await merge(primary, ['no-such-id'])).code).toBe('NOT_FOUND');
      expect((await merge(primary, [])).code).toBe('VALIDATION_FAILED');
      expect((await s.services.negatives.report(s.campaign.slug, pendingD001)).mergedInto).toBeNull();
    });

    it('takes a duplicate out again: undecided, to be decided on its own', async () => {
      const duplicate = await s.idOf('甲二：同一件施工许可超时');
      const report = await s.services.negatives.unmerge(s.campaign.slug, duplicate, { reason: '其实是另一件' }, OFFICE);
      expect(report).toMatchObject({ mergedInto: null, status: 'pending' });
      expect(report.history.map((h) => h.action)).toEqual(['merge', 'unmerge']);
      expect(
        (await failure(s.services.negatives.unmerge(s.campaign.slug, duplicate, { reason: 'x' }, OFFICE))).code,
      ).toBe('CONFLICT');
    });
  });
});
