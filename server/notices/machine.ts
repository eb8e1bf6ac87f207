/**
 * The life of a tracked item (点名挂号 → 对账销号), as pure functions: given an item, an action, who
 * acts and when, either the item's next state with the history row to append, or a refusal with a
 * Chinese reason. No I/O: the service loads, calls `transition`, and stores both in one transaction.
 *
 * An item is not only a notice item: a task from a responsibility list (责任清单) has the same shape
 * (a source, an owner department, a due date, a state and an append-only history).
 */

export const ITEM_STATES = [
  'draft', // 草拟: on a sheet that is not issued yet
  'registered', // 已挂号: issued, waiting for the department to sign for it
  'acknowledged', // 已签收: waiting for the rectification plan
  'rectifying', // 整改中: plan filed (or returned, or reopened), waiting for the response
  'verifying', // 核验中: responded with evidence, the office checks it
  'appealing', // 申诉中
  'closed', // 已销号
  'withdrawn', // 已撤销: an appeal upheld, or removed from a draft sheet
] as const;
export type ItemState = (typeof ITEM_STATES)[number];

export const STATE_LABELS: Record<ItemState, string> = {
  draft: '草拟',
  registered: '已挂号',
  acknowledged: '已签收',
  rectifying: '整改中',
  verifying: '核验中',
  appealing: '申诉中',
  closed: '已销号',
  withdrawn: '已撤销',
};

/** States in which the department still owes something or the office still has to decide. */
export const OPEN_STATES: readonly ItemState[] = ['registered', 'acknowledged', 'rectifying', 'verifying', 'appealing'];

/** Working-day periods of the BRIEF, counted from the day of issue unless said otherwise. */
export const PERIODS = {
  acknowledge: 2,
  plan: 5,
  respond: 15,
  officeVerify: 5,
  returned: 10,
  appealWindow: 5,
  appealDecision: 10,
  reopenedRespond: 15,
  extensions: [30, 60] as readonly number[],
} as const;

/** The response period the office may set on a draft item, in working days from issue. */
export const RESPOND_DAYS = { min: 5, max: 60 } as const;

export type Role = 'office' | 'liaison';

export interface Actor {
  userId: string;
  name: string;
  role: Role;
  /**
   * the department rows a liaison is the liaison of (one per campaign they were bound in); none for
   * the office. Rows, not a code: a code may name another body in another year's campaign.
   */
  departmentIds: readonly string[];
}

/** The deadline instant (end of the N-th working day after `from`, in the campaign's time zone). */
export interface DeadlineCalendar {
  deadline(fromInstant: string, workingDays: number): string;
}

export interface Plan {
  measures: string;
  responsible: string;
  /** planned completion day, YYYY-MM-DD */
  date: string;
}

export interface ItemFacts {
  state: ItemState;
  departmentId: string;
  issuedAt: string | null;
  /** the deadline of the step the item waits for (sign, plan, respond, office check, appeal decision) */
  dueAt: string | null;
  /** working days from issue the department has to respond, as the office set them on the draft */
  respondDays: number;
  /** the response deadline in force: issue + respondDays, an approved extension, or a return */
  responseDueAt: string | null;
  planFiled: boolean;
  respondedBy: string | null;
  /** whether the latest response came in by the response deadline then in force */
  respondedOnTime: boolean | null;
  extensionPendingDays: number | null;
  extensionGrantedDays: number | null;
  acknowledgedAt: string | null;
  appealedAt: string | null;
  reopenCount: number;
}

export type Action =
  | { type: 'issue' }
  | { type: 'withdraw'; reason: string }
  | { type: 'acknowledge' }
  | { type: 'plan'; plan: Plan }
  | { type: 'respond'; text: string; evidence: string[] }
  | { type: 'close'; reason?: string }
  | { type: 'return'; reason: string }
  | { type: 'request_extension'; days: number; reason: string }
  | { type: 'decide_extension'; approve: boolean; reason?: string }
  | { type: 'appeal'; reason: string }
  | { type: 'decide_appeal'; uphold: boolean; reason: string }
  | { type: 'reopen'; reason: string };

export type ActionType = Action['type'];

export const ACTION_LABELS: Record<ActionType, string> = {
  issue: '印发',
  withdraw: '撤销',
  acknowledge: '签收',
  plan: '提交整改方案',
  respond: '反馈整改情况',
  close: '销号',
  return: '退回',
  request_extension: '申请延期',
  decide_extension: '审批延期',
  appeal: '申诉',
  decide_appeal: '裁定申诉',
  reopen: '回头看重新挂号',
};

/** What the service writes: the changed fields and the history row. */
export interface Transition {
  to: ItemState;
  patch: Partial<Omit<ItemFacts, 'state' | 'departmentId' | 'planFiled' | 'respondDays'>> & {
    plan?: Plan;
    responseText?: string;
    respondedAt?: string;
    closedBy?: string | null;
    closedAt?: string | null;
  };
  history: { action: ActionType; from: ItemState; to: ItemState; reason: string | null; evidence: string[] };
}

export class TransitionRefused extends Error {
  constructor(
    message: string,
    /** forbidden: not yours to do (403); conflict: not in this state or already done (409); invalid: missing or bad input (422) */
    readonly kind: 'forbidden' | 'conflict' | 'invalid',
  ) {
    super(message);
    this.name = 'TransitionRefused';
  }
}

const refuse = (message: string, kind: TransitionRefused['kind'] = 'conflict'): never => {
  throw new TransitionRefused(message, kind);
};

function requireRole(actor: Actor, roles: Role[], item: ItemFacts) {
  if (!roles.includes(actor.role))
    refuse(roles.includes('office') ? '只有评议办可以进行此操作' : '只有部门联络员可以进行此操作', 'forbidden');
  if (actor.role === 'liaison' && !actor.departmentIds.includes(item.departmentId))
    refuse('这不是您所在部门的事项', 'forbidden');
}

function requireState(item: ItemFacts, allowed: ItemState[], action: ActionType) {
  if (!allowed.includes(item.state)) refuse(`事项当前为“${STATE_LABELS[item.state]}”，不能${ACTION_LABELS[action]}`);
}

const nonEmpty = (text: string | undefined, what: string) => {
  if (!text?.trim()) refuse(`请填写${what}`, 'invalid');
};

/** An issued item's issue instant (every state after draft has one). */
const issued = (item: ItemFacts): string => item.issuedAt ?? refuse('事项尚未印发');

/**
 * The next state of an item, or a TransitionRefused. `now` is an ISO instant from the injected clock.
 * The office may enter a response on the department's behalf (a reply that came on paper); whoever
 * entered it, another person closes the item.
 */
export function transition(
  item: ItemFacts,
  action: Action,
  actor: Actor,
  now: string,
  calendar: DeadlineCalendar,
): Transition {
  const move = (
    to: ItemState,
    patch: Transition['patch'] = {},
    reason: string | null = null,
    evidence: string[] = [],
  ): Transition => ({
    to,
    patch,
    history: { action: action.type, from: item.state, to, reason, evidence },
  });

  switch (action.type) {
    case 'issue': {
      requireRole(actor, ['office'], item);
      requireState(item, ['draft'], action.type);
      return move('registered', {
        issuedAt: now,
        dueAt: calendar.deadline(now, PERIODS.acknowledge),
        responseDueAt: calendar.deadline(now, item.respondDays),
      });
    }
    case 'withdraw': {
      requireRole(actor, ['office'], item);
      requireState(item, ['draft'], action.type);
      nonEmpty(action.reason, '撤销理由');
      return move('withdrawn', { dueAt: null }, action.reason);
    }
    case 'acknowledge': {
      requireRole(actor, ['liaison'], item);
      if (item.acknowledgedAt) refuse('已经签收过了，不需要再次签收');
      requireState(item, ['registered'], action.type);
      return move('acknowledged', { acknowledgedAt: now, dueAt: calendar.deadline(issued(item), PERIODS.plan) });
    }
    case 'plan': {
      requireRole(actor, ['liaison'], item);
      requireState(item, ['acknowledged', 'rectifying'], action.type);
      nonEmpty(action.plan.measures, '整改措施');
      nonEmpty(action.plan.responsible, '责任人');
      nonEmpty(action.plan.date, '计划完成日期');
      // a plan filed again while rectifying revises it; the deadline in force stays
      return move('rectifying', {
        plan: action.plan,
        dueAt: item.state === 'acknowledged' ? item.responseDueAt : item.dueAt,
      });
    }
    case 'respond': {
      requireRole(actor, ['liaison', 'office'], item);
      requireState(item, ['rectifying'], action.type);
      if (!item.planFiled) refuse('请先提交整改方案，再反馈整改情况');
      nonEmpty(action.text, '整改情况说明');
      return move(
        'verifying',
        {
          responseText: action.text,
          respondedBy: actor.userId,
          respondedAt: now,
          respondedOnTime: item.responseDueAt === null || now <= item.responseDueAt,
          // a pending extension is moot once the response is in
          extensionPendingDays: null,
          dueAt: calendar.deadline(now, PERIODS.officeVerify),
        },
        null,
        action.evidence,
      );
    }
    case 'close': {
      requireRole(actor, ['office'], item);
      requireState(item, ['verifying'], action.type);
      if (item.respondedBy === actor.userId)
        refuse('反馈人不能为自己的反馈销号，请由另一位评议办人员核验', 'forbidden');
      return move('closed', { closedBy: actor.userId, closedAt: now, dueAt: null }, action.reason?.trim() || null);
    }
    case 'return': {
      requireRole(actor, ['office'], item);
      requireState(item, ['verifying'], action.type);
      nonEmpty(action.reason, '退回理由');
      const dueAt = calendar.deadline(now, PERIODS.returned);
      return move('rectifying', { dueAt, responseDueAt: dueAt }, action.reason);
    }
    case 'request_extension': {
      requireRole(actor, ['liaison'], item);
      requireState(item, ['acknowledged', 'rectifying'], action.type);
      if (!PERIODS.extensions.includes(action.days))
        refuse(`延期只能申请到 ${PERIODS.extensions.join(' 或 ')} 个工作日`, 'invalid');
      if (item.extensionPendingDays !== null) refuse('已有一项延期申请待审批');
      if (item.responseDueAt !== null && now > item.responseDueAt)
        refuse('已超过反馈期限，不能再申请延期（须在到期前申请）');
      const extended = calendar.deadline(issued(item), action.days);
      if (item.responseDueAt !== null && extended <= item.responseDueAt)
        refuse(`印发后 ${action.days} 个工作日不晚于现行反馈期限，无需延期`);
      nonEmpty(action.reason, '延期理由');
      return move(item.state, { extensionPendingDays: action.days }, action.reason);
    }
    case 'decide_extension': {
      requireRole(actor, ['office'], item);
      requireState(item, ['acknowledged', 'rectifying'], action.type);
      if (item.extensionPendingDays === null) refuse('没有待审批的延期申请');
      if (!action.approve) {
        nonEmpty(action.reason, '不予延期的理由');
        return move(item.state, { extensionPendingDays: null }, action.reason ?? null);
      }
      const days = item.extensionPendingDays as number;
      const responseDueAt = calendar.deadline(issued(item), days);
      return move(
        item.state,
        {
          extensionPendingDays: null,
          extensionGrantedDays: days,
          responseDueAt,
          // while acknowledged the plan deadline stays; while rectifying the response deadline is the one due
          ...(item.state === 'rectifying' ? { dueAt: responseDueAt } : {}),
        },
        action.reason?.trim() || null,
      );
    }
    case 'appeal': {
      requireRole(actor, ['liaison'], item);
      requireState(item, ['registered', 'acknowledged', 'rectifying'], action.type);
      if (item.appealedAt) refuse('该事项已经申诉过，不能再次申诉');
      if (now > calendar.deadline(issued(item), PERIODS.appealWindow))
        refuse(`申诉须在印发后 ${PERIODS.appealWindow} 个工作日内提出`);
      nonEmpty(action.reason, '申诉理由');
      return move(
        'appealing',
        { appealedAt: now, dueAt: calendar.deadline(now, PERIODS.appealDecision) },
        action.reason,
      );
    }
    case 'decide_appeal': {
      requireRole(actor, ['office'], item);
      requireState(item, ['appealing'], action.type);
      nonEmpty(action.reason, '裁定理由');
      if (action.uphold) return move('withdrawn', { dueAt: null }, action.reason);
      return move('rectifying', { dueAt: item.responseDueAt }, action.reason);
    }
    case 'reopen': {
      requireRole(actor, ['office'], item);
      requireState(item, ['closed'], action.type);
      nonEmpty(action.reason, '重新挂号的原因');
      const dueAt = calendar.deadline(now, PERIODS.reopenedRespond);
      return move(
        'rectifying',
        {
          reopenCount: item.reopenCount + 1,
          closedBy: null,
          closedAt: null,
          respondedBy: null,
          respondedOnTime: null,
          dueAt,
          responseDueAt: dueAt,
        },
        action.reason,
      );
    }
  }
}

/** Overdue escalation levels: 1 blue 提醒 on the due day, 2 orange 催办 5 working days later, 3 red 督办 10. */
export const ESCALATION = [
  { level: 1, colour: 'blue', label: '提醒', afterDueWorkingDays: 0 },
  { level: 2, colour: 'orange', label: '催办', afterDueWorkingDays: 5 },
  { level: 3, colour: 'red', label: '督办', afterDueWorkingDays: 10 },
] as const;
