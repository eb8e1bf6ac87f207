import { CSRF_FIELD } from '../accounts/middleware.js';
import { isBeforeClose, isRunning, STATUS_HINTS, STATUS_LABELS } from '../campaigns/lifecycle.js';
import type { Campaign } from '../campaigns/service.js';
import type { CampaignStatus, PublicationPreview } from '../contracts.js';
import { AppError } from '../errors.js';
import { ConfirmStep } from '../http/components/confirm-step.js';
import { Time } from '../http/components/time.js';
import type { FormValues } from '../http/forms.js';
import { instantInZone } from '../../web/lib/time.js';
import { wallTime, ZoneTimeField } from './campaign-form.js';

/** The lifecycle steps the campaign page offers as buttons, with what each says when done. */
export const LIFECYCLE_DONE = {
  open: '评议已开启。',
  // the status line above says what a close means (STATUS_HINTS.closed): this only says it was done
  close: '已截止本活动。',
  pause: '评议已暂停：评议代表打开链接会看到暂停说明，已保存的草稿保留。',
  resume: '评议已恢复，评议代表可以继续填写。',
  settle: '已结算：本次评议的后续工作已经结束。',
  dates: '活动时间已修改。',
  edit: '配置已保存。',
  questionnaire: '问卷已更换。',
  publish: '结果已发布。',
} as const;
export type LifecycleDone = keyof typeof LIFECYCLE_DONE;
/** Settling has its own confirmation page (server/admin/settle.tsx). */
export const LIFECYCLE_ACTIONS = ['open', 'close', 'pause', 'resume'] as const;

/** The steps the server takes only with the form's confirmation (confirm=1), and what it says without. */
export const CONFIRMED_STEPS: Partial<Record<(typeof LIFECYCLE_ACTIONS)[number], string>> = {
  open: '请点“确认开启”后再开启',
  close: '请勾选确认后再截止',
  pause: '请点“确认暂停”后再暂停',
};

/** The dates form as the service takes it: times typed in the campaign's zone. */
export function datesForm(values: FormValues, zone: string) {
  const instant = (field: 'opensAt' | 'closesAt', label: string) => {
    const typed = values[field]?.trim();
    if (!typed) return undefined;
    const at = instantInZone(typed, zone);
    if (!at)
      throw new AppError('VALIDATION_FAILED', `${label}：请按“年-月-日 时:分”填写`, [{ field, message: '格式不对' }]);
    return at.toISOString();
  };
  return { opensAt: instant('opensAt', '开始时间'), closesAt: instant('closesAt', '截止时间') };
}

function Step({
  slug,
  action,
  csrf,
  label,
  secondary,
}: {
  slug: string;
  action: string;
  csrf: string;
  label: string;
  secondary?: boolean;
}) {
  return (
    <form
      method="post"
      action={`/admin/campaigns/${slug}/lifecycle/${action}`}
      class="inline"
      id={`lifecycle-${action}`}
    >
      <input type="hidden" name={CSRF_FIELD} value={csrf} />
      <button type="submit" class={secondary ? 'secondary' : undefined}>
        {label}
      </button>
    </form>
  );
}

/** A titled list of what opening still needs or should weigh; nothing when the list is empty. */
function ReadinessList({ id, lead, items, note }: { id: string; lead: string; items: string[]; note?: boolean }) {
  if (!items.length) return null;
  return (
    <div id={id} role={note ? 'note' : undefined}>
      <p>{lead}</p>
      <ul>
        {items.map((item) => (
          <li>{item}</li>
        ))}
      </ul>
    </div>
  );
}

export interface LifecycleBanner {
  error?: string;
  /** the step refused: a close's refusal is shown beside its tickbox, not above the steps */
  step?: (typeof LIFECYCLE_ACTIONS)[number];
  values?: FormValues;
}

/**
 * After the deadline moved: letters print the deadline they were made with, while reminders and the
 * questionnaire read the campaign's deadline when they are made or opened (server/invitations/messages.ts).
 */
function DeadlineMoved({ campaign, was }: { campaign: Campaign; was?: string }) {
  if (!was || Number.isNaN(Date.parse(was)) || Date.parse(was) === Date.parse(campaign.closesAt)) return null;
  const zone = campaign.config.timeZone;
  return (
    <p class="banner banner-note" role="status" id="deadline-moved">
      截止时间已从 <Time at={new Date(was).toISOString()} zone={zone} /> 改为{' '}
      <Time at={campaign.closesAt} zone={zone} />
      。已打印的邀请函和已发出的邀请短信、邮件上写的仍是原截止时间，请另行告知评议代表；此后再发的催报提醒（短信、邮件）和问卷页面写的是新的截止时间。
    </p>
  );
}

/** 评议状态: where the campaign is, what can be done now, and why it can't open yet. */
export function LifecycleSection({
  campaign,
  status,
  problems,
  warnings,
  pastDated,
  csrf,
  banner,
  done,
  previousClosesAt,
}: {
  campaign: Campaign;
  status: CampaignStatus;
  problems: string[];
  /** what opening would not stop but the office should weigh first (openingWarnings) */
  warnings: string[];
  /** a draft whose deadline is past (an earlier year entered from paper): it closes without opening */
  pastDated: boolean;
  csrf: string;
  banner: LifecycleBanner;
  done?: string;
  /** the deadline before the dates just changed (`?was=`), for the reminder about printed letters */
  previousClosesAt?: string;
}) {
  const zone = campaign.config.timeZone;
  const slug = campaign.slug;
  const typed = banner.values;
  const draft = status === 'draft';
  return (
    <section class="card" id="lifecycle">
      <h2>
        评议状态：<span id="campaign-status">{STATUS_LABELS[status]}</span>
      </h2>
      <p class="muted">{STATUS_HINTS[status]}</p>
      {done && done in LIFECYCLE_DONE && (
        <p class="ok" role="status">
          {LIFECYCLE_DONE[done as LifecycleDone]}
        </p>
      )}
      {done === 'dates' && <DeadlineMoved campaign={campaign} was={previousClosesAt} />}
      {banner.error && banner.step !== 'close' && (
        <p class="error" role="alert" id="lifecycle-error">
          {banner.error}
        </p>
      )}
      {draft && (
        // redrawn by admin.js after an import or a generation (data-live): always there, empty when ready
        <div id="readiness" data-live>
          <ReadinessList id="opening-problems" lead="开启前还需要：" items={problems} />
          <ReadinessList id="opening-warnings" lead="开启前请注意：" items={warnings} note />
        </div>
      )}
      <div class="steps">
        {draft && (
          <ConfirmStep
            action={`/admin/campaigns/${slug}/lifecycle/open`}
            id="lifecycle-open"
            csrf={csrf}
            label="开启评议"
            confirm="确认开启"
          >
            <p>开启后：</p>
            <ul>
              <li>
                评议代表可以用邀请链接填写和提交问卷（开始时间 <Time at={campaign.opensAt} zone={zone} />{' '}
                之前打开链接会看到尚未开始）；
              </li>
              <li>问卷和计分配置从此固定，不能再编辑，以免改变已提交答卷的含义；截止时间仍可延长或提前；</li>
              <li>开启不能撤回到草稿；需要停下时可以暂停。</li>
            </ul>
          </ConfirmStep>
        )}
        {draft && (
          <a class="button secondary" href={`/admin/campaigns/${slug}/edit`} id="edit-link">
            编辑
          </a>
        )}
        {(pastDated || isRunning(status)) && (
          <form method="post" action={`/admin/campaigns/${slug}/lifecycle/close`} class="inline" id="lifecycle-close">
            <input type="hidden" name={CSRF_FIELD} value={csrf} />
            {/* not `required`: the browser's own bubble vanishes; the server's refusal stays beside the box */}
            <label class="check">
              <input type="checkbox" name="confirm" value="1" />{' '}
              {pastDated ? '确认答卷已录入完毕，截止本活动' : '确认现在截止（评议代表不能再提交）'}
            </label>
            {banner.error && banner.step === 'close' && (
              <p class="error" role="alert" id="lifecycle-close-error">
                {banner.error}
              </p>
            )}
            <button type="submit" class="secondary">
              {pastDated ? '截止（往年补录）' : '提前截止'}
            </button>
          </form>
        )}
        {(status === 'open' || status === 'scheduled') && (
          <ConfirmStep
            action={`/admin/campaigns/${slug}/lifecycle/pause`}
            id="lifecycle-pause"
            csrf={csrf}
            label="暂停"
            confirm="确认暂停"
            secondary
          >
            <p>暂停后：</p>
            <ul>
              <li>评议代表打开链接会看到暂停说明，不能填写和提交；已保存的草稿保留；</li>
              <li>
                截止时间不变（
                <Time at={campaign.closesAt} zone={zone} />
                ），暂停的时间不会自动补上，需要时请延长截止时间；
              </li>
              <li>随时可以恢复。</li>
            </ul>
          </ConfirmStep>
        )}
        {status === 'paused' && <Step slug={slug} action="resume" csrf={csrf} label="恢复" />}
        {status === 'published' && (
          <a class="button secondary" href={`/admin/campaigns/${slug}/settle`} id="settle-link">
            结算…
          </a>
        )}
      </div>
      {(draft || isRunning(status)) && (
        <form method="post" action={`/admin/campaigns/${slug}/dates`} class="inline" id="campaign-dates">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          {draft && (
            <ZoneTimeField
              label="开始时间"
              name="opensAt"
              zone={zone}
              value={typed?.opensAt ?? wallTime(campaign.opensAt, zone)}
            />
          )}
          <ZoneTimeField
            label="截止时间"
            name="closesAt"
            zone={zone}
            value={typed?.closesAt ?? wallTime(campaign.closesAt, zone)}
          />
          <button type="submit" class="secondary">
            {draft ? '修改时间' : '修改截止时间'}
          </button>
        </form>
      )}
      {!draft && isRunning(status) && (
        <p class="muted">
          评议开启后，问卷和计分配置不再修改，以免改变已提交答卷的含义；截止时间可以延长或提前，但不能早于现在。
        </p>
      )}
      {isBeforeClose(status) && (
        <p class="muted">
          截止时间 <Time at={campaign.closesAt} zone={zone} />
          ；截止后才能发布结果。
        </p>
      )}
    </section>
  );
}

/** 发布结果的确认: what would be published, a ticked confirmation checked by the server. */
export function PublishConfirmation({
  campaign,
  preview,
  csrf,
  error,
}: {
  campaign: Campaign;
  preview: PublicationPreview;
  csrf: string;
  error?: string;
}) {
  const { counts, departments } = preview;
  return (
    <section class="card" id="publish-confirm">
      <h2>{preview.republish ? '发布更正结果' : '发布结果'}</h2>
      {(error || preview.refused) && (
        <p class="error" role="alert" id="publish-error">
          {error ?? preview.refused}
        </p>
      )}
      <p>将按当前答卷和核实情况计算全部结果（含抽样区间），保存为不可更改的结果快照并向部门联络员公布：</p>
      <ul id="publish-summary">
        <li>
          答卷 {counts.responses} 份，纳入计分 {counts.included} 份，剔除 {counts.excluded} 份（另有 {counts.flagged}{' '}
          份标记供核查）
        </li>
        <li>
          部门 {departments.total} 个，参加排名 {departments.ranked} 个
          {departments.unranked > 0 && `，样本不足不予排名 ${departments.unranked} 个`}
        </li>
        {preview.republish && <li>本活动已发布过结果，这次发布会成为更正快照，列出变化。</li>}
        {preview.unverifiedNegatives > 0 && (
          <li id="publish-unverified">
            还有 {preview.unverifiedNegatives} 条负面情形
            <a href={`/admin/campaigns/${campaign.slug}/negatives?state=pending`}>待核实</a>
            ：只有核实的才扣分，这次发布不计入它们。发布后再核实的，已发布的结果不会改变，须重新发布更正结果才计入；结算后不能再核实，也不能再更正。
          </li>
        )}
      </ul>
      {!preview.refused && (
        <form method="post" action={`/admin/campaigns/${campaign.slug}/publish`} class="stack" id="publish">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          <label class="check">
            <input type="checkbox" name="confirm" value="1" required /> 我已核对以上数字，确认发布
          </label>
          <div>
            <button type="submit">计算并发布</button>
          </div>
        </form>
      )}
      <p>
        <a href={`/admin/campaigns/${campaign.slug}#publish-section`}>← 返回活动页</a>
      </p>
    </section>
  );
}
