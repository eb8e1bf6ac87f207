import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CSRF_FIELD, requirePageRole } from '../accounts/middleware.js';
import { isSettled } from '../campaigns/lifecycle.js';
import type { Campaign } from '../campaigns/service.js';
import type { NegativeReport, NegativeReportDetail, NegativeStatus, QueuePage } from '../contracts.js';
import type { Viewer } from '../http/components/header.js';
import { Layout } from '../http/components/layout.js';
import { Time } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { viewerOf } from '../http/viewer.js';
import { actorOf } from '../notices/http.js';
import { Banner, Prose, SettledNote } from '../notices/components.js';
import { attempt } from '../http/forms.js';
import type { Services } from '../services.js';
import { FINDING_LABELS, type Finding } from '../shared/redaction.js';
import { zoneLabel } from '../../web/lib/time.js';
import { readFormBody } from '../http/inputs.js';

/**
 * The office's verification queue (待核实) at /admin/campaigns/:slug/negatives and one report's
 * page: plain forms (no script needed), phone-sized, like the close-out pages. The original text
 * is the office's only; the text a department will read is shown and edited beside it.
 */

export const STATUS_LABELS: Record<NegativeStatus, string> = {
  pending: '待核实',
  verified: '已核实',
  dismissed: '不予采纳',
};

type Action = 'verify' | 'dismiss' | 'redaction' | 'merge' | 'unmerge';

const DONE: Record<Action, string> = {
  verify: '已核实：扣分已计入实时结果，事项已登记到该部门的工作提示单。',
  dismiss: '已不予采纳，理由已存档。',
  redaction: '已保存转交部门的文本。',
  merge: '已合并：这些反映随本条一并处理，只计一次。',
  unmerge: '已取消合并：这条反映需要单独处理。',
};

/** An office page in the portal's large, phone-first style. */
export function ReviewPage({ viewer, title, children }: { viewer: Viewer; title: string; children?: Child }) {
  return (
    <Layout title={`${title} · 民主评议机关系统`} styles={['portal.css', 'review.css']} viewer={viewer}>
      <main class="portal office review">{children}</main>
    </Layout>
  );
}

/** The query as the service takes it: fields left empty in the form are no filter. */
export function filledQuery(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v.trim() !== ''));
}

/** The same page with other query values (paging, keeping the filters). */
export function withQuery(path: string, query: Record<string, string>, change: Record<string, string>): string {
  const params = new URLSearchParams({ ...query, ...change });
  return `${path}?${params.toString()}`;
}

export function StatusBadge({ report }: { report: Pick<NegativeReport, 'status' | 'mergedInto'> }) {
  return (
    <span class={`state review-${report.status}`}>
      {STATUS_LABELS[report.status]}
      {report.mergedInto && '（已合并）'}
    </span>
  );
}

/** How long ago a report came in, in days: 今天 for today's. */
const ageText = (days: number) => (days === 0 ? '今天' : `${days} 天前`);

function DueText({ report }: { report: NegativeReport }) {
  if (report.status !== 'pending') return <span>核实期限 {report.dueDay}</span>;
  if (report.overdue)
    return (
      <strong class="overdue-text">
        已逾期 {-report.workingDaysLeft} 个工作日（期限 {report.dueDay}）
      </strong>
    );
  return (
    <span class={report.workingDaysLeft <= 2 ? 'soon-text' : undefined}>
      {report.workingDaysLeft === 0 ? '今天到期' : `还剩 ${report.workingDaysLeft} 个工作日`}（期限 {report.dueDay}）
    </span>
  );
}

/** The original text with what redaction would remove marked. */
function Marked({ text, findings }: { text: string; findings: Finding[] }) {
  const parts: Child[] = [];
  let at = 0;
  for (const f of findings) {
    parts.push(text.slice(at, f.start));
    parts.push(
      <mark class="finding" title={FINDING_LABELS[f.kind]}>
        {text.slice(f.start, f.end)}
      </mark>,
    );
    at = f.end;
  }
  parts.push(text.slice(at));
  return <div class="prose">{parts}</div>;
}

function Filters({ page, campaign, query, departments }: FiltersProps) {
  const selected = (name: string, value: string) => query[name] === value;
  return (
    <form class="filters" method="get" action={`/admin/campaigns/${campaign.slug}/negatives`}>
      <label>
        部门
        <select name="department">
          <option value="">全部部门</option>
          {departments.map((d) => (
            <option value={d.code} selected={selected('department', d.code)}>
              {d.name}（{d.code}）
            </option>
          ))}
        </select>
      </label>
      <label>
        负面情形
        <select name="kind">
          <option value="">全部情形</option>
          {campaign.config.negatives.map((n) => (
            <option value={String(n.id)} selected={selected('kind', String(n.id))}>
              {n.id}. {n.label}
            </option>
          ))}
        </select>
      </label>
      <label>
        状态
        <select name="state">
          <option value="">全部</option>
          {(Object.keys(STATUS_LABELS) as NegativeStatus[]).map((s) => (
            <option value={s} selected={selected('state', s)}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </label>
      <label>
        反映至今至少（天）
        <input type="number" name="minAgeDays" min="0" max="3650" inputmode="numeric" value={query.minAgeDays ?? ''} />
      </label>
      <label>
        反映至今至多（天）
        <input type="number" name="maxAgeDays" min="0" max="3650" inputmode="numeric" value={query.maxAgeDays ?? ''} />
      </label>
      <label>
        事项或经过包含
        <input type="search" name="q" maxlength={100} value={query.q ?? ''} />
      </label>
      <label class="choice">
        <input type="checkbox" name="overdue" value="1" checked={query.overdue === '1'} /> 只看已逾期（
        {page?.counts.overdue ?? 0}）
      </label>
      <label class="choice">
        <input type="checkbox" name="includeMerged" value="1" checked={query.includeMerged === '1'} /> 列出已合并的反映
      </label>
      <div class="filter-buttons">
        <button type="submit">筛选</button>
        <a class="button secondary" href={`/admin/campaigns/${campaign.slug}/negatives`}>
          清除筛选
        </a>
      </div>
    </form>
  );
}

interface FiltersProps {
  page: QueuePage | null;
  campaign: Campaign;
  query: Record<string, string>;
  departments: { code: string; name: string }[];
}

function ReportCard({ report, href }: { report: NegativeReport; href: string }) {
  return (
    <li>
      <a class={`card report${report.overdue ? ' overdue' : ''}`} href={href} data-report={report.id}>
        <span class="card-title">
          {report.kind}. {report.kindLabel}
        </span>
        <span class="card-line">
          {report.department.name} · <StatusBadge report={report} />
          {report.duplicates > 0 && <span class="muted">（含合并的 {report.duplicates} 条）</span>}
        </span>
        <span class="card-line">事项：{report.matter}</span>
        <span class="card-line muted">
          {report.reportedDay} 反映（{ageText(report.ageDays)}）
        </span>
        <span class="card-line">
          <DueText report={report} />
        </span>
      </a>
    </li>
  );
}

export function negativesPages(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('/campaigns/:slug/negatives', requirePageRole('admin'));
  r.use('/campaigns/:slug/negatives/*', requirePageRole('admin'));

  r.get('/campaigns/:slug/negatives', async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const query = filledQuery(c.req.query());
    const [viewer, departments, corrections] = await Promise.all([
      viewerOf(c, services),
      services.campaigns.departments(campaign.id),
      services.results.unpublishedCorrections(campaign.slug),
    ]);
    let page: QueuePage | null = null;
    const refused = await attempt(async () => {
      page = await services.negatives.queue(campaign.slug, query);
    });
    const base = `/admin/campaigns/${campaign.slug}/negatives`;
    const shown = page as QueuePage | null;
    const pages = shown ? Math.max(1, Math.ceil(shown.total / shown.pageSize)) : 1;
    return c.html(
      <ReviewPage viewer={viewer} title="待核实">
        <p class="crumbs">
          <a href={`/admin/campaigns/${campaign.slug}`}>← {campaign.name}</a>
        </p>
        <h1>
          负面情形核实
          <small>
            {campaign.name} · <a href={`/admin/campaigns/${campaign.slug}/suggestions`}>意见建议</a>
          </small>
        </h1>
        <Banner error={refused?.message} />
        {isSettled(campaign) && <SettledNote />}
        {shown && (
          <p class="summary" id="counts">
            待核实 {shown.counts.pending} 条
            {shown.counts.overdue > 0 && <strong class="overdue-text">（其中逾期 {shown.counts.overdue} 条）</strong>}，
            已核实 {shown.counts.verified}，不予采纳 {shown.counts.dismissed}，已合并 {shown.counts.merged}。 收到后 10
            个工作日内核实；今天是 {shown.today}。
          </p>
        )}
        {corrections.latestSnapshot && corrections.decisions.length > 0 && (
          <p class="banner banner-note" id="corrections">
            结果发布后又有 {corrections.decisions.length} 项核实决定，实时结果已计入；已发布的结果不会改变，请在
            <a href={`/admin/campaigns/${campaign.slug}`}>活动页</a>重新发布，新快照会列出这些更正及理由。
          </p>
        )}
        <details open={Object.keys(query).some((k) => k !== 'page')}>
          <summary>筛选</summary>
          <Filters page={shown} campaign={campaign} query={query} departments={departments} />
        </details>
        {shown &&
          (shown.items.length ? (
            <ul class="reports" id="queue">
              {shown.items.map((report) => (
                <ReportCard report={report} href={`${base}/${report.id}`} />
              ))}
            </ul>
          ) : (
            <p class="empty">没有符合条件的负面情形。</p>
          ))}
        {shown && pages > 1 && (
          <nav class="pager" aria-label="翻页">
            {shown.page > 1 && <a href={withQuery(base, query, { page: String(shown.page - 1) })}>上一页</a>}
            <span>
              第 {shown.page} / {pages} 页，共 {shown.total} 条
            </span>
            {shown.page < pages && <a href={withQuery(base, query, { page: String(shown.page + 1) })}>下一页</a>}
          </nav>
        )}
      </ReviewPage>,
      refused ? refused.status : 200,
    );
  });

  async function loadReport(c: Context<AppEnv>) {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug') ?? '');
    const report = await services.negatives.report(campaign.slug, c.req.param('id') ?? '');
    const candidates =
      report.mergedInto === null
        ? (
            await services.negatives.queue(campaign.slug, {
              department: report.department.code,
              state: 'pending',
              pageSize: '200',
            })
          ).items.filter((n) => n.id !== report.id && n.status === 'pending')
        : [];
    return { campaign, report, candidates, viewer: await viewerOf(c, services) };
  }
  type Loaded = Awaited<ReturnType<typeof loadReport>>;

  function renderReport(
    c: Context<AppEnv>,
    { campaign, report, candidates, viewer }: Loaded,
    banner: { done?: string | null; error?: string; values?: Record<string, string> },
    status: ContentfulStatusCode = 200,
  ) {
    const zone = campaign.config.timeZone;
    const base = `/admin/campaigns/${campaign.slug}/negatives/${report.id}`;
    const values = banner.values ?? {};
    const csrf = <input type="hidden" name={CSRF_FIELD} value={viewer.csrfToken} />;
    const reasonField = (label: string) => (
      <label>
        {label}
        <textarea name="reason" rows={3} maxlength={1000} required>
          {values.reason ?? ''}
        </textarea>
      </label>
    );
    // a settled campaign's reports are read only: no form is offered, the note says why
    const open = !isSettled(campaign);
    const pending = open && report.status === 'pending' && report.mergedInto === null;
    return c.html(
      <ReviewPage viewer={viewer} title={`${report.kindLabel} · ${report.department.name}`}>
        <p class="crumbs">
          <a href={`/admin/campaigns/${campaign.slug}/negatives`}>← 负面情形核实</a>
        </p>
        <h1>
          {report.kind}. {report.kindLabel}
          <small>{report.department.name}</small>
        </h1>
        <p class={`state-line${report.overdue ? ' overdue' : ''}`} id="report-state">
          <StatusBadge report={report} /> <DueText report={report} />
        </p>
        <Banner done={banner.done} error={banner.error} />
        {!open && <SettledNote />}
        {report.mergedInto && (
          <section class="next" id="merged">
            <p>
              这条反映已合并到{' '}
              <a href={`/admin/campaigns/${campaign.slug}/negatives/${report.mergedInto}`}>另一条同一事项</a>
              ，随其处理，不单独计分。
            </p>
            {open && (
              <form class="stack decision" method="post" action={`${base}/unmerge`}>
                {csrf}
                {reasonField('取消合并的理由')}
                <button type="submit" class="secondary">
                  取消合并，单独处理
                </button>
              </form>
            )}
          </section>
        )}
        {report.decision && (
          <section id="decision">
            <h2>处理决定</h2>
            <p>
              {STATUS_LABELS[report.status]}：{report.decision.by} 于 <Time at={report.decision.at} zone={zone} />
            </p>
            <Prose text={report.decision.reason} />
          </section>
        )}
        <section>
          <h2>评议代表反映的情况（原文，仅评议办可见）</h2>
          <dl class="facts">
            <dt>事项</dt>
            <dd>
              <Marked text={report.matter} findings={report.findings.matter} />
            </dd>
            <dt>发生时间</dt>
            <dd>{report.eventDate ?? '未填写'}</dd>
            <dt>经过</dt>
            <dd>
              <Marked text={report.description} findings={report.findings.description} />
            </dd>
            <dt>反映日期</dt>
            <dd>
              {report.reportedDay}（{ageText(report.ageDays)}）
            </dd>
            <dt>联系核实</dt>
            <dd id="contact">
              {report.contact
                ? report.contact
                : // consent without a contact is only left by a purge (a contact is required with consent)
                  report.contactAllowed
                  ? '联系方式已随个人信息清除'
                  : '评议代表未同意联系'}
            </dd>
          </dl>
        </section>
        <section id="redaction">
          <h2>转交部门的文本（脱敏后）</h2>
          {report.remaining.matter.length + report.remaining.description.length > 0 && (
            <p class="banner banner-error" id="remaining">
              文本中仍有：
              {[...report.remaining.matter, ...report.remaining.description]
                .map((f) => `${FINDING_LABELS[f.kind]}「${f.text}」`)
                .join('、')}
            </p>
          )}
          {pending ? (
            <form class="stack" method="post" action={`${base}/redaction`}>
              {csrf}
              <label>
                事项
                <textarea name="matter" rows={2} maxlength={2000} required>
                  {values.matter ?? report.redacted.matter}
                </textarea>
              </label>
              <label>
                经过
                <textarea name="description" rows={5} maxlength={20000} required>
                  {values.description ?? report.redacted.description}
                </textarea>
              </label>
              <p class="muted">
                {report.redacted.byHand
                  ? '这是评议办修改过的文本。'
                  : '这是自动脱敏的结果（电话、身份证号、邮箱、姓氏加职务），'}
                可以再修改，例如隐去全名或单位名称；核实后随事项转交部门，不能再改。
              </p>
              <button type="submit" class="secondary">
                保存转交文本
              </button>
            </form>
          ) : (
            <dl class="facts">
              <dt>事项</dt>
              <dd>
                <Prose text={report.redacted.matter} />
              </dd>
              <dt>经过</dt>
              <dd>
                <Prose text={report.redacted.description} />
              </dd>
            </dl>
          )}
        </section>
        {open && report.mergedInto === null && report.status !== 'verified' && (
          <section class="next" id="decide">
            <h2>评议办处理</h2>
            <form class="stack decision" method="post" action={`${base}/verify`}>
              {csrf}
              {reasonField(report.status === 'dismissed' ? '改为核实的理由' : '核实意见')}
              <button type="submit">{report.status === 'dismissed' ? '改为核实' : '核实（扣分并登记到提示单）'}</button>
            </form>
            {report.status === 'pending' && (
              <form class="stack decision" method="post" action={`${base}/dismiss`}>
                {csrf}
                {reasonField('不予采纳的理由')}
                <button type="submit" class="secondary">
                  不予采纳
                </button>
              </form>
            )}
          </section>
        )}
        {open && report.mergedInto === null && candidates.length > 0 && (
          <section id="merge">
            <h2>合并同一事项的其他反映</h2>
            <p class="muted">同一部门待核实的反映：合并后随本条处理，只计一次扣分。</p>
            <form class="stack" method="post" action={`${base}/merge`}>
              {csrf}
              <fieldset>
                {candidates.map((n) => (
                  <label class="choice">
                    <input type="checkbox" name="duplicates" value={n.id} /> {n.reportedDay} · {n.kindLabel}：{n.matter}
                  </label>
                ))}
              </fieldset>
              {reasonField('合并理由')}
              <button type="submit" class="secondary">
                合并到本条
              </button>
            </form>
          </section>
        )}
        {report.duplicatesList.length > 0 && (
          <section id="duplicates">
            <h2>已合并到本条的反映（{report.duplicatesList.length}）</h2>
            <ul class="reports">
              {report.duplicatesList.map((d) => (
                <ReportCard report={d} href={`/admin/campaigns/${campaign.slug}/negatives/${d.id}`} />
              ))}
            </ul>
          </section>
        )}
        <section id="history">
          <h2>处理记录</h2>
          {report.history.length ? (
            <ol class="history">
              {report.history.map((h) => (
                <li>
                  <p class="history-head">
                    <Time at={h.at} zone={zone} /> {h.actor}：{DECISION_LABELS[h.action]}
                  </p>
                  <Prose text={h.reason} />
                </li>
              ))}
            </ol>
          ) : (
            <p class="muted">尚未处理。</p>
          )}
          <p class="muted">时间均为{zoneLabel(zone)}。</p>
        </section>
      </ReviewPage>,
      status,
    );
  }

  r.get('/campaigns/:slug/negatives/:id', async (c) =>
    renderReport(c, await loadReport(c), { done: DONE[c.req.query('done') as Action] ?? null }),
  );

  const submit: Record<
    Action,
    (slug: string, id: string, form: Record<string, string | string[]>, c: Context<AppEnv>) => Promise<unknown>
  > = {
    verify: (slug, id, form, c) => services.negatives.verify(slug, id, { reason: first(form.reason) }, actorOf(c)),
    dismiss: (slug, id, form, c) => services.negatives.dismiss(slug, id, { reason: first(form.reason) }, actorOf(c)),
    redaction: (slug, id, form, c) =>
      services.negatives.redact(
        slug,
        id,
        { matter: first(form.matter), description: first(form.description) },
        actorOf(c),
      ),
    merge: (slug, id, form, c) =>
      services.negatives.merge(slug, id, { duplicates: all(form.duplicates), reason: first(form.reason) }, actorOf(c)),
    unmerge: (slug, id, form, c) => services.negatives.unmerge(slug, id, { reason: first(form.reason) }, actorOf(c)),
  };

  for (const action of Object.keys(submit) as Action[]) {
    r.post(`/campaigns/:slug/negatives/:id/${action}`, async (c) => {
      const loaded = await loadReport(c);
      const form = await readFormBody(c, '无法读取提交的表单，请返回重试', { all: true });
      const fields = Object.fromEntries(
        Object.entries(form).map(([k, v]) => [k, (Array.isArray(v) ? v : [v]).filter((x) => typeof x === 'string')]),
      ) as Record<string, string[]>;
      const refused = await attempt(() => submit[action](loaded.campaign.slug, loaded.report.id, fields, c));
      if (refused) {
        const values = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v[0] ?? '']));
        return renderReport(c, loaded, { error: refused.message, values }, refused.status);
      }
      return c.redirect(`/admin/campaigns/${loaded.campaign.slug}/negatives/${loaded.report.id}?done=${action}`, 303);
    });
  }

  return r;
}

/** What each decision is called on the pages. */
export const DECISION_LABELS: Record<NegativeReportDetail['history'][number]['action'], string> = {
  verify: '核实',
  dismiss: '不予采纳',
  merge: '合并到同一事项',
  unmerge: '取消合并',
};

const first = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : (v ?? ''));
const all = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
