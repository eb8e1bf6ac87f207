import { describe, expect, it } from 'vitest';
import { workingCalendar } from '../../server/calendar/working-days.js';
import {
  ITEM_STATES,
  transition,
  TransitionRefused,
  type Action,
  type ActionType,
  type Actor,
  type ItemFacts,
  type ItemState,
} from '../../server/notices/machine.js';

const calendar = workingCalendar({ timeZone: 'Asia/Shanghai' });
/** Monday 7 December 2026, 10:00 in Shanghai */
const ISSUED = '2026-12-07T02:00:00.000Z';
/** the next day: inside every window */
const NOW = '2026-12-08T02:00:00.000Z';

const office: Actor = { userId: 'office-1', name: '王审核', role: 'office', departmentIds: [] };
const secondOffice: Actor = { userId: 'office-2', name: '李复核', role: 'office', departmentIds: [] };
const liaison: Actor = { userId: 'liaison-1', name: '张联络', role: 'liaison', departmentIds: ['dep-d001'] };
const otherLiaison: Actor = { userId: 'liaison-9', name: '赵联络', role: 'liaison', departmentIds: ['dep-d009'] };

/** An item in `state` with everything that state implies (issued, signed for, plan filed, responded …). */
function itemIn(state: ItemState, extra: Partial<ItemFacts> = {}): ItemFacts {
  const issued = state !== 'draft';
  const signed = !['draft', 'registered'].includes(state) && state !== 'appealing';
  const planned = ['rectifying', 'verifying', 'closed'].includes(state);
  return {
    state,
    departmentId: 'dep-d001',
    issuedAt: issued ? ISSUED : null,
    dueAt: issued && !['closed', 'withdrawn'].includes(state) ? calendar.deadline(ISSUED, 15) : null,
    respondDays: 15,
    responseDueAt: issued ? calendar.deadline(ISSUED, 15) : null,
    planFiled: planned,
    respondedBy: ['verifying', 'closed'].includes(state) ? liaison.userId : null,
    respondedOnTime: ['verifying', 'closed'].includes(state) ? true : null,
    extensionPendingDays: null,
    extensionGrantedDays: null,
    acknowledgedAt: signed ? ISSUED : null,
    appealedAt: state === 'appealing' ? ISSUED : null,
    reopenCount: 0,
    ...extra,
  };
}

const plan = { measures: '建立限时办结台账', responsible: '陈科长', date: '2026-12-31' };

/** Each action as its rightful actor would take it, with valid input. */
const RIGHTFUL: Record<ActionType, { action: Action; actor: Actor; extra?: Partial<ItemFacts> }> = {
  issue: { action: { type: 'issue' }, actor: office },
  withdraw: { action: { type: 'withdraw', reason: '重复登记' }, actor: office },
  acknowledge: { action: { type: 'acknowledge' }, actor: liaison },
  plan: { action: { type: 'plan', plan }, actor: liaison },
  respond: { action: { type: 'respond', text: '已整改到位', evidence: ['ab'.repeat(32)] }, actor: liaison },
  close: { action: { type: 'close' }, actor: secondOffice },
  return: { action: { type: 'return', reason: '佐证材料不足' }, actor: secondOffice },
  request_extension: { action: { type: 'request_extension', days: 30, reason: '涉及多部门协调' }, actor: liaison },
  decide_extension: {
    action: { type: 'decide_extension', approve: true },
    actor: office,
    extra: { extensionPendingDays: 30 },
  },
  appeal: { action: { type: 'appeal', reason: '该事项不属于本单位职责' }, actor: liaison },
  decide_appeal: { action: { type: 'decide_appeal', uphold: false, reason: '经复核属实' }, actor: office },
  reopen: { action: { type: 'reopen', reason: '90 天内再次被反映同类问题' }, actor: office },
};

/** Every allowed (state, action) pair and where it leads. Everything else is refused. */
const ALLOWED: Partial<Record<ItemState, Partial<Record<ActionType, ItemState>>>> = {
  draft: { issue: 'registered', withdraw: 'withdrawn' },
  registered: { acknowledge: 'acknowledged', appeal: 'appealing' },
  acknowledged: {
    plan: 'rectifying',
    request_extension: 'acknowledged',
    decide_extension: 'acknowledged',
    appeal: 'appealing',
  },
  rectifying: {
    plan: 'rectifying',
    respond: 'verifying',
    request_extension: 'rectifying',
    decide_extension: 'rectifying',
    appeal: 'appealing',
  },
  verifying: { close: 'closed', return: 'rectifying' },
  appealing: { decide_appeal: 'rectifying' },
  closed: { reopen: 'rectifying' },
};

const ACTIONS = Object.keys(RIGHTFUL) as ActionType[];

function refusal(run: () => unknown): TransitionRefused {
  try {
    run();
  } catch (error) {
    if (error instanceof TransitionRefused) return error;
    throw error;
  }
  throw new Error('the transition was allowed');
}

describe('item state machine: every state × every action', () => {
  const cases = ITEM_STATES.flatMap((state) => ACTIONS.map((type) => ({ state, type })));

  it.each(cases.filter(({ state, type }) => ALLOWED[state]?.[type]))(
    '$state + $type is allowed for its rightful actor',
    ({ state, type }) => {
      const { action, actor, extra } = RIGHTFUL[type];
      const next = transition(itemIn(state, extra), action, actor, NOW, calendar);
      expect(next.to).toBe(ALLOWED[state]?.[type]);
      expect(next.history).toMatchObject({ action: type, from: state, to: next.to });
    },
  );

  it.each(cases.filter(({ state, type }) => !ALLOWED[state]?.[type]))(
    '$state + $type is refused as a conflict with a Chinese reason',
    ({ state, type }) => {
      const { action, actor, extra } = RIGHTFUL[type];
      const refused = refusal(() => transition(itemIn(state, extra), action, actor, NOW, calendar));
      expect(refused.kind).toBe('conflict');
      expect(refused.message).toMatch(/[\u4e00-\u9fff]/);
    },
  );

  const allowedPairs = cases.filter(({ state, type }) => ALLOWED[state]?.[type]);

  it.each(allowedPairs)('$state + $type is refused (403) for the wrong role', ({ state, type }) => {
    const { action, actor, extra } = RIGHTFUL[type];
    // the office may also enter a response the department sent on paper
    if (type === 'respond') return;
    const wrong = actor.role === 'office' ? liaison : office;
    const refused = refusal(() => transition(itemIn(state, extra), action, wrong, NOW, calendar));
    expect(refused.kind).toBe('forbidden');
  });

  it.each(allowedPairs.filter(({ type }) => RIGHTFUL[type].actor.role === 'liaison'))(
    '$state + $type is refused (403) for another department’s liaison',
    ({ state, type }) => {
      const { action, extra } = RIGHTFUL[type];
      const refused = refusal(() => transition(itemIn(state, extra), action, otherLiaison, NOW, calendar));
      expect(refused).toMatchObject({ kind: 'forbidden', message: '这不是您所在部门的事项' });
    },
  );
});

describe('item state machine: the other outcomes and rules', () => {
  it('issues with a 2-working-day signing deadline and the response deadline the office set', () => {
    const next = transition(itemIn('draft', { respondDays: 20 }), { type: 'issue' }, office, ISSUED, calendar);
    // Monday issue: Wednesday ends the 2nd working day (16:00Z = midnight in Shanghai)
    expect(next.patch).toMatchObject({
      issuedAt: ISSUED,
      dueAt: '2026-12-09T15:59:59.999Z',
      responseDueAt: calendar.deadline(ISSUED, 20),
    });
  });

  it('upholding an appeal withdraws the item; dismissing it sends the item back to rectifying', () => {
    const upheld = transition(
      itemIn('appealing'),
      { type: 'decide_appeal', uphold: true, reason: '不属于该部门职责' },
      office,
      NOW,
      calendar,
    );
    expect(upheld.to).toBe('withdrawn');
    const dismissed = transition(
      itemIn('appealing'),
      { type: 'decide_appeal', uphold: false, reason: '经复核属实' },
      office,
      NOW,
      calendar,
    );
    expect(dismissed).toMatchObject({ to: 'rectifying', patch: { dueAt: calendar.deadline(ISSUED, 15) } });
  });

  it('approving an extension moves the response deadline; refusing one needs a reason and keeps it', () => {
    const pending = itemIn('rectifying', { extensionPendingDays: 60 });
    const approved = transition(pending, { type: 'decide_extension', approve: true }, office, NOW, calendar);
    expect(approved.patch).toMatchObject({
      extensionPendingDays: null,
      extensionGrantedDays: 60,
      responseDueAt: calendar.deadline(ISSUED, 60),
      dueAt: calendar.deadline(ISSUED, 60),
    });
    expect(
      refusal(() => transition(pending, { type: 'decide_extension', approve: false }, office, NOW, calendar)),
    ).toMatchObject({ kind: 'invalid' });
    const refused = transition(
      pending,
      { type: 'decide_extension', approve: false, reason: '理由不充分' },
      office,
      NOW,
      calendar,
    );
    expect(refused.patch).toEqual({ extensionPendingDays: null });
  });

  it('while signed for but without a plan, an approved extension keeps the plan deadline', () => {
    const item = itemIn('acknowledged', { dueAt: calendar.deadline(ISSUED, 5), extensionPendingDays: 30 });
    const next = transition(item, { type: 'decide_extension', approve: true }, office, NOW, calendar);
    expect(next.patch.dueAt).toBeUndefined();
    expect(next.patch.responseDueAt).toBe(calendar.deadline(ISSUED, 30));
  });

  it('refuses to sign for an item twice', () => {
    const refused = refusal(() => transition(itemIn('acknowledged'), { type: 'acknowledge' }, liaison, NOW, calendar));
    expect(refused).toMatchObject({ kind: 'conflict', message: '已经签收过了，不需要再次签收' });
  });

  it('never lets whoever entered a response close it, and lets another office user', () => {
    const enteredByOffice = transition(
      itemIn('rectifying'),
      { type: 'respond', text: '纸质材料已录入', evidence: [] },
      office,
      NOW,
      calendar,
    );
    const verifying = itemIn('verifying', { respondedBy: enteredByOffice.patch.respondedBy });
    expect(refusal(() => transition(verifying, { type: 'close' }, office, NOW, calendar))).toMatchObject({
      kind: 'forbidden',
    });
    expect(transition(verifying, { type: 'close' }, secondOffice, NOW, calendar).to).toBe('closed');
  });

  it('refuses a response before a plan is filed (an appeal dismissed before signing)', () => {
    const refused = refusal(() =>
      transition(itemIn('rectifying', { planFiled: false }), RIGHTFUL.respond.action, liaison, NOW, calendar),
    );
    expect(refused.message).toContain('请先提交整改方案');
  });

  it('records whether a response came in by the response deadline', () => {
    const late = calendar.deadline(ISSUED, 16);
    const next = transition(itemIn('rectifying'), RIGHTFUL.respond.action, liaison, late, calendar);
    expect(next.patch).toMatchObject({ respondedOnTime: false, respondedBy: liaison.userId });
    expect(next.history.evidence).toEqual(['ab'.repeat(32)]);
  });

  it('returning gives a new 10-working-day deadline', () => {
    const next = transition(itemIn('verifying'), RIGHTFUL.return.action, secondOffice, NOW, calendar);
    expect(next.patch).toMatchObject({
      dueAt: calendar.deadline(NOW, 10),
      responseDueAt: calendar.deadline(NOW, 10),
    });
  });

  it('refuses an appeal after 5 working days of issue, and a second appeal', () => {
    const afterWindow = new Date(Date.parse(calendar.deadline(ISSUED, 5)) + 1).toISOString();
    expect(
      refusal(() => transition(itemIn('registered'), RIGHTFUL.appeal.action, liaison, afterWindow, calendar)),
    ).toMatchObject({ kind: 'conflict', message: '申诉须在印发后 5 个工作日内提出' });
    expect(
      refusal(() =>
        transition(itemIn('rectifying', { appealedAt: ISSUED }), RIGHTFUL.appeal.action, liaison, NOW, calendar),
      ).message,
    ).toContain('已经申诉过');
  });

  it('refuses an extension after the due date, of another length, while one is pending, or that extends nothing', () => {
    const afterDue = new Date(Date.parse(calendar.deadline(ISSUED, 15)) + 1).toISOString();
    const ask = (item: ItemFacts, days: number, at = NOW) =>
      refusal(() => transition(item, { type: 'request_extension', days, reason: '协调中' }, liaison, at, calendar));
    expect(ask(itemIn('rectifying'), 30, afterDue).message).toContain('须在到期前申请');
    expect(ask(itemIn('rectifying'), 45).kind).toBe('invalid');
    expect(ask(itemIn('rectifying', { extensionPendingDays: 30 }), 60).message).toContain('待审批');
    const granted = itemIn('rectifying', { extensionGrantedDays: 60, responseDueAt: calendar.deadline(ISSUED, 60) });
    expect(ask(granted, 30).message).toContain('无需延期');
  });

  it('reopening (回头看) counts the reopen and clears the close-out', () => {
    const closed = itemIn('closed', { reopenCount: 1 });
    const next = transition(closed, RIGHTFUL.reopen.action, office, NOW, calendar);
    expect(next.patch).toMatchObject({
      reopenCount: 2,
      closedBy: null,
      respondedBy: null,
      dueAt: calendar.deadline(NOW, 15),
    });
  });

  it.each([
    ['withdraw', { type: 'withdraw', reason: ' ' }, office, 'draft'],
    ['return', { type: 'return', reason: '' }, secondOffice, 'verifying'],
    ['appeal', { type: 'appeal', reason: '' }, liaison, 'registered'],
    ['decide_appeal', { type: 'decide_appeal', uphold: true, reason: '' }, office, 'appealing'],
    ['reopen', { type: 'reopen', reason: '' }, office, 'closed'],
    ['respond', { type: 'respond', text: ' ', evidence: [] }, liaison, 'rectifying'],
    ['plan', { type: 'plan', plan: { ...plan, responsible: '' } }, liaison, 'acknowledged'],
    ['request_extension', { type: 'request_extension', days: 30, reason: '' }, liaison, 'rectifying'],
  ] as [string, Action, Actor, ItemState][])(
    'refuses %s without its reason or text (422)',
    (_, action, actor, state) => {
      expect(refusal(() => transition(itemIn(state), action, actor, NOW, calendar)).kind).toBe('invalid');
    },
  );
});

describe('item deadlines in working days across the 2026 holidays', () => {
  const issue = (at: string, respondDays = 15) =>
    transition(itemIn('draft', { respondDays }), { type: 'issue' }, office, at, calendar).patch;

  it('skips the Spring Festival and counts its adjusted working Saturdays (14 and 28 February)', () => {
    // issued Friday 13 February 2026, 10:00 in Shanghai: Saturday the 14th is a working day, 15–23 are not
    const patch = issue('2026-02-13T02:00:00.000Z');
    expect(patch.dueAt).toBe('2026-02-24T15:59:59.999Z');
    // 14, 24, 25, 26, 27, 28 (Saturday, worked), 2 … 6, 9 … 12 March
    expect(patch.responseDueAt).toBe('2026-03-12T15:59:59.999Z');
    const signed = itemIn('acknowledged', { issuedAt: '2026-02-13T02:00:00.000Z', responseDueAt: patch.responseDueAt });
    expect(transition(signed, RIGHTFUL.plan.action, liaison, '2026-02-25T02:00:00.000Z', calendar).patch.dueAt).toBe(
      '2026-03-12T15:59:59.999Z',
    );
  });

  it('skips National Day and counts Saturday 10 October, so an appeal window closes on the 13th', () => {
    // issued Wednesday 30 September 2026: 1–7 October are days off
    const patch = issue('2026-09-30T02:00:00.000Z');
    expect(patch.dueAt).toBe('2026-10-09T15:59:59.999Z');
    const registered = itemIn('registered', { issuedAt: '2026-09-30T02:00:00.000Z' });
    // 8, 9, 10 (Saturday, worked), 12, 13 October: the 13th, 23:59 in Shanghai is still in time
    expect(transition(registered, RIGHTFUL.appeal.action, liaison, '2026-10-13T15:59:00.000Z', calendar).to).toBe(
      'appealing',
    );
    expect(
      refusal(() => transition(registered, RIGHTFUL.appeal.action, liaison, '2026-10-13T16:00:00.000Z', calendar))
        .message,
    ).toContain('5 个工作日内');
  });

  it('ends a deadline at midnight in the campaign’s time zone, not in UTC', () => {
    // 23:30 on Monday 7 December in Shanghai is still Monday there
    const late = transition(itemIn('draft'), { type: 'issue' }, office, '2026-12-07T15:30:00.000Z', calendar);
    expect(late.patch.dueAt).toBe('2026-12-09T15:59:59.999Z');
  });
});
