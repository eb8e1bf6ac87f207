import type { Child } from 'hono/jsx';
import { SETTLED_FOLLOW_UP } from '../campaigns/lifecycle.js';
import { Time } from '../http/components/time.js';
import { dayInZone } from '../../web/lib/time.js';
import { countdownText } from './countdown.js';
import type { FormValues } from '../http/forms.js';
import { FIELD_LIMITS, type TextField } from './forms.js';
import { ACTION_LABELS, STATE_LABELS, type ActionType, type ItemState, type Plan } from './machine.js';
import type { Deadlines, EvidenceFile, HistoryEntry, Item } from './service.js';

/**
 * The pieces the liaison's portal (/my) and the office's close-out pages (/admin/closeout) share:
 * an item's state and deadline, its plan, response, files and history, and the banners.
 */

export function StateBadge({ state }: { state: ItemState }) {
  return <span class={`state state-${state}`}>{STATE_LABELS[state]}</span>;
}

const WEEKDAYS = '日一二三四五六';

/** The day a deadline ends on, with its weekday: 2027-01-07（星期四）. */
export function dueDay(at: string, zone: string): string {
  const day = dayInZone(at, zone);
  return `${day}（星期${WEEKDAYS[new Date(`${day}T00:00:00Z`).getUTCDay()]}）`;
}

/** A deadline with its working-day countdown: 还剩 2 个工作日（2027-01-07（星期四）前）. */
export function Due({ at, zone, deadlines }: { at: string; zone: string; deadlines: Deadlines }) {
  const left = deadlines.countdown(at);
  const tone = left.overdue ? 'overdue' : left.workingDays <= 2 ? 'soon' : 'ahead';
  return (
    <span class={`due due-${tone}`}>
      <strong>{countdownText(left)}</strong>
      <span class="due-day">
        （<time datetime={at}>{dueDay(at, zone)}</time>前）
      </span>
    </span>
  );
}

/** What went right (after a redirect) or what the service refused, at the top of a page. */
/** Why a settled campaign's notices and negative reports offer no action (the services refuse them too). */
export function SettledNote() {
  return (
    <p class="banner banner-note" id="settled">
      {SETTLED_FOLLOW_UP}。
    </p>
  );
}

export function Banner({ done, error }: { done?: string | null; error?: string | null }) {
  if (error)
    return (
      <p class="banner banner-error" role="alert">
        {error}
      </p>
    );
  if (done)
    return (
      <p class="banner banner-done" role="status">
        {done}
      </p>
    );
  return null;
}

/** A text field of a form, with what was typed before a refusal. */
export function LongText({
  label,
  name,
  rows,
  values,
  required = true,
}: {
  label: string;
  name: TextField;
  rows: number;
  values: FormValues;
  required?: boolean;
}) {
  return (
    <label>
      {label}
      <textarea name={name} rows={rows} maxlength={FIELD_LIMITS[name]} required={required}>
        {values[name] ?? ''}
      </textarea>
    </label>
  );
}

/** Text as it was typed: line breaks kept, never markup. */
export function Prose({ text }: { text: string }) {
  return <div class="prose">{text}</div>;
}

/**
 * A plan may name a date after the response deadline in force (one filed late could name no other),
 * so the page says so next to it: the department owes its response by the deadline all the same.
 */
export function PlanView({ plan, responseDueAt, zone }: { plan: Plan; responseDueAt: string | null; zone: string }) {
  const late = responseDueAt !== null && plan.date > dayInZone(responseDueAt, zone);
  return (
    <dl class="facts">
      <dt>整改措施</dt>
      <dd>
        <Prose text={plan.measures} />
      </dd>
      <dt>责任人</dt>
      <dd>{plan.responsible}</dd>
      <dt>计划完成日期</dt>
      <dd>
        {plan.date}
        {late && responseDueAt && (
          <p class="plan-late" role="note">
            晚于反馈期限 {dueDay(responseDueAt, zone)}：请按期反馈整改情况，或在期限前申请延期。
          </p>
        )}
      </dd>
    </dl>
  );
}

const kilobytes = (size: number) =>
  size >= 1024 * 1024 ? `${(size / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(size / 1024))} KB`;

/**
 * The evidence files of an item, each a download link with its size and the start of its SHA-256
 * (校验码: the office and the department can tell they hold the same file; the whole is its title).
 */
export function FileList({ files, href }: { files: EvidenceFile[]; href: (file: EvidenceFile) => string }) {
  if (!files.length) return <p class="muted">没有上传证明材料。</p>;
  return (
    <ul class="files">
      {files.map((f) => (
        <li>
          <a href={href(f)} download={f.fileName}>
            {f.fileName}
          </a>{' '}
          <span class="muted">
            {kilobytes(f.size)} · 校验码 <code title={`SHA-256 ${f.sha256}`}>{f.sha256.slice(0, 12)}</code>
          </span>
        </li>
      ))}
    </ul>
  );
}

const HISTORY_LABELS: Record<string, string> = { ...ACTION_LABELS, create: '登记事项', escalate: '逾期督促' };

/** What the history row's own data adds to its label: the days asked for, the decision taken. */
function historyDetail(entry: HistoryEntry): string {
  const d = entry.detail as { days?: number; approve?: boolean; uphold?: boolean };
  switch (entry.action as ActionType) {
    case 'request_extension':
      return d.days ? `：延至印发后 ${d.days} 个工作日` : '';
    case 'decide_extension':
      return d.approve === undefined ? '' : d.approve ? '：批准' : '：不予批准';
    case 'decide_appeal':
      return d.uphold === undefined ? '' : d.uphold ? '：申诉成立，撤销事项' : '：驳回申诉';
    default:
      return '';
  }
}

/** Who did what and when, oldest first: every transition of the append-only history. */
export function HistoryList({
  history,
  files,
  zone,
}: {
  history: HistoryEntry[];
  files: EvidenceFile[];
  zone: string;
}) {
  const nameOf = new Map(files.map((f) => [f.sha256, f.fileName]));
  return (
    <ol class="history">
      {history.map((h) => (
        <li>
          <p class="history-head">
            <Time at={h.at} zone={zone} /> <strong>{h.actorName}</strong> {HISTORY_LABELS[h.action] ?? h.action}
            {historyDetail(h)}
            {h.from !== h.to && (
              <span class="muted">
                {' '}
                （{STATE_LABELS[h.from]} → {STATE_LABELS[h.to]}）
              </span>
            )}
          </p>
          {h.reason && <Prose text={h.reason} />}
          {h.evidence.length > 0 && (
            <p class="muted">
              证明材料：{h.evidence.map((sha) => nameOf.get(sha) ?? `${sha.slice(0, 12)}…`).join('、')}
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}

/** The facts of an item both sides read: the problem as the office registered it, its requirement and deadlines. */
export function ItemFacts({
  item,
  zone,
  deadlines,
  children,
}: {
  item: Item;
  zone: string;
  deadlines: Deadlines;
  children?: Child;
}) {
  return (
    <dl class="facts">
      <dt>反映的问题</dt>
      <dd>
        <Prose text={item.evidence} />
      </dd>
      <dt>整改要求</dt>
      <dd>
        <Prose text={item.requirement} />
      </dd>
      {item.issuedAt && (
        <>
          <dt>印发时间</dt>
          <dd>
            <Time at={item.issuedAt} zone={zone} />
          </dd>
        </>
      )}
      {item.responseDueAt && (
        <>
          <dt>反馈期限</dt>
          <dd>
            {['closed', 'withdrawn', 'verifying'].includes(item.state) ? (
              <time datetime={item.responseDueAt}>{dueDay(item.responseDueAt, zone)}</time>
            ) : (
              <Due at={item.responseDueAt} zone={zone} deadlines={deadlines} />
            )}
            {item.extensionGrantedDays !== null && `（已批准延期至印发后 ${item.extensionGrantedDays} 个工作日）`}
          </dd>
        </>
      )}
      {item.extensionPendingDays !== null && (
        <>
          <dt>延期申请</dt>
          <dd>申请延至印发后 {item.extensionPendingDays} 个工作日，待评议办审批</dd>
        </>
      )}
      {children}
    </dl>
  );
}
