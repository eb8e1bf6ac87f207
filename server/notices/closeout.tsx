import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CSRF_FIELD, requirePageRole } from '../accounts/middleware.js';
import type { AppError } from '../errors.js';
import type { Viewer } from '../http/components/header.js';
import { Layout } from '../http/components/layout.js';
import { Table } from '../http/components/table.js';
import { Time } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { UPLOAD_MAX_BYTES } from '../http/limits.js';
import { viewerOf } from '../http/viewer.js';
import type { Services } from '../services.js';
import { DEFAULT_TIME_ZONE, zoneLabel } from '../../web/lib/time.js';
import type { Campaign } from '../campaigns/service.js';
import { loadItemPage, evidenceDownload } from './http.js';
import { Banner, LongText, Due, FileList, HistoryList, ItemFacts, PlanView, Prose, StateBadge } from './components.js';
import { attempt, checkForm, readForm, type FormValues, type PostedForm } from '../http/forms.js';
import { closeForm, decideAppealForm, decideExtensionForm, reasonForm, respondForm, type TextField } from './forms.js';
import type { Deadlines, Item, ItemDetail, NoticeActor } from './service.js';

/**
 * The office's close-out (对账销号) at /admin/closeout: what waits for the office's decision —
 * responses to verify (销号 or 退回), extensions to approve, appeals to decide — and one page per
 * item with its response, evidence and history. Plain forms, like the liaison's portal; whoever
 * entered a response is refused closing it by the service, and the page says so.
 */

type Decision = 'close' | 'return' | 'extension' | 'appeal' | 'respond';

const DONE: Record<Decision, string> = {
  close: '已销号。',
  return: '已退回，部门须在 10 个工作日内重新反馈。',
  extension: '已审批延期申请。',
  appeal: '已裁定申诉。',
  respond: '已代部门录入反馈（纸质材料），须由另一位评议办人员核验销号。',
};

function CloseoutPage({ viewer, title, children }: { viewer: Viewer; title: string; children?: Child }) {
  return (
    <Layout title={`${title} · 民主评议机关系统`} styles={['portal.css']} viewer={viewer}>
      <main class="portal office">{children}</main>
    </Layout>
  );
}

/** Which decisions an item waits for (the machine decides again when one is posted). */
function openDecisions(item: Item): Decision[] {
  if (item.state === 'verifying') return ['close', 'return'];
  if (item.state === 'appealing') return ['appeal'];
  const decisions: Decision[] = [];
  if ((item.state === 'acknowledged' || item.state === 'rectifying') && item.extensionPendingDays !== null)
    decisions.push('extension');
  if (item.state === 'rectifying' && item.plan) decisions.push('respond');
  return decisions;
}

/**
 * The time-zone line of a page listing items of several campaigns: one zone said once, else each
 * campaign with its zone (the campaigns of the items shown, in the order given).
 */
export function zonesNote(
  campaigns: readonly Pick<Campaign, 'id' | 'name' | 'config'>[],
  shown: Iterable<string | null>,
) {
  const ids = new Set(shown);
  const listed = campaigns.filter((x) => ids.has(x.id));
  const zones = new Set(listed.map((x) => x.config.timeZone));
  if (zones.size <= 1)
    return `时间均为${zoneLabel([...zones][0] ?? campaigns[0]?.config.timeZone ?? DEFAULT_TIME_ZONE)}。`;
  return `时间按各评议活动的时区：${listed.map((x) => `${x.name}为${zoneLabel(x.config.timeZone)}`).join('；')}。`;
}

export function closeoutPages(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('*', requirePageRole('admin'));

  const queueTable = (
    items: Item[],
    zones: Map<string | null, string>,
    deadlines: Map<string, Deadlines>,
    empty: string,
    /** campaigns by id, when the page lists campaigns of more than one zone: each row names its campaign */
    names?: Map<string | null, string>,
  ) => (
    <Table
      rows={items}
      empty={empty}
      columns={[
        ...(names ? [{ head: '评议活动', cell: (i: Item) => names.get(i.campaignId) ?? '—', text: true }] : []),
        {
          head: '事项',
          cell: (i) => (
            <a href={`/admin/closeout/items/${i.id}`}>
              {i.number} {i.title}
            </a>
          ),
        },
        { head: '部门', cell: (i) => i.departmentName, text: true },
        { head: '状态', cell: (i) => <StateBadge state={i.state} /> },
        {
          head: '办理期限',
          cell: (i) => {
            const zone = zones.get(i.campaignId) ?? DEFAULT_TIME_ZONE;
            return i.dueAt ? <Due at={i.dueAt} zone={zone} deadlines={deadlines.get(zone) as Deadlines} /> : '—';
          },
        },
      ]}
    />
  );

  r.get('/', async (c) => {
    const [items, viewer, campaigns] = await Promise.all([
      services.notices.items({ states: ['verifying', 'appealing', 'acknowledged', 'rectifying'] }),
      viewerOf(c, services),
      services.campaigns.list(),
    ]);
    const zones = new Map<string | null, string>(campaigns.map((x) => [x.id, x.config.timeZone]));
    const deadlines = new Map<string, Deadlines>();
    for (const zone of new Set([DEFAULT_TIME_ZONE, ...zones.values()]))
      deadlines.set(zone, await services.notices.deadlines(zone));
    const shown = items.map((i) => i.campaignId);
    const manyZones = new Set(shown.map((id) => zones.get(id) ?? DEFAULT_TIME_ZONE)).size > 1;
    const names = manyZones ? new Map<string | null, string>(campaigns.map((x) => [x.id, x.name])) : undefined;
    return c.html(
      <CloseoutPage viewer={viewer} title="核验销号">
        <h1>核验销号</h1>
        <section>
          <h2>待核验的整改反馈</h2>
          {queueTable(
            items.filter((i) => i.state === 'verifying'),
            zones,
            deadlines,
            '没有待核验的反馈。',
            names,
          )}
        </section>
        <section>
          <h2>待审批的延期申请</h2>
          {queueTable(
            items.filter((i) => i.extensionPendingDays !== null && openDecisions(i).includes('extension')),
            zones,
            deadlines,
            '没有待审批的延期申请。',
            names,
          )}
        </section>
        <section>
          <h2>待裁定的申诉</h2>
          {queueTable(
            items.filter((i) => i.state === 'appealing'),
            zones,
            deadlines,
            '没有待裁定的申诉。',
            names,
          )}
        </section>
        <p class="muted">{zonesNote(campaigns, shown)}</p>
      </CloseoutPage>,
    );
  });

  /** An item's page, with the address of its sheet's page (the sheets are per campaign). */
  async function load(c: Context<AppEnv>, itemId: string) {
    const page = await loadItemPage(c, services, itemId);
    const { campaignId, sheetId } = page.item;
    const sheetHref =
      campaignId && sheetId
        ? `/admin/campaigns/${(await services.notices.campaignOf(campaignId)).slug}/notices/${sheetId}`
        : null;
    return { ...page, sheetHref };
  }
  type Loaded = Awaited<ReturnType<typeof load>>;

  /** The form of each decision, with what was typed (after a refusal) kept. */
  function DecisionForm({ name, page, values }: { name: Decision; page: Loaded; values: FormValues }) {
    const { item, viewer } = page;
    const field = (name: TextField, label: string, required: boolean) => (
      <LongText label={label} name={name} rows={3} values={values} required={required} />
    );
    const choice = (value: string, label: string) => (
      <label class="choice">
        <input type="radio" name="decision" value={value} required checked={values.decision === value} /> {label}
      </label>
    );
    const forms: Record<Decision, { title: string; body: Child; submit: string; multipart?: boolean }> = {
      close: { title: '销号', body: field('note', '核验意见（可不填）', false), submit: '核验通过，销号' },
      return: { title: '退回', body: field('reason', '退回理由', true), submit: '退回重新整改' },
      extension: {
        title: `延期申请：延至印发后 ${item.extensionPendingDays} 个工作日`,
        body: (
          <>
            <fieldset>
              {choice('approve', '批准')}
              {choice('refuse', '不予批准')}
            </fieldset>
            {field('reason', '审批意见（不予批准时必填）', false)}
          </>
        ),
        submit: '提交审批',
      },
      appeal: {
        title: '裁定申诉',
        body: (
          <>
            <fieldset>
              {choice('uphold', '申诉成立，撤销事项')}
              {choice('dismiss', '驳回申诉，继续整改')}
            </fieldset>
            {field('reason', '裁定理由', true)}
          </>
        ),
        submit: '提交裁定',
      },
      respond: {
        title: '代部门录入反馈（收到纸质材料时）',
        multipart: true,
        body: (
          <>
            <LongText label="整改情况说明" name="text" rows={4} values={values} />
            <label>
              证明材料（扫描件）
              <input type="file" name="files" multiple accept=".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx" />
            </label>
            <p class="muted">合计不超过 {UPLOAD_MAX_BYTES / 1024 / 1024} MB。录入人不能再为该事项销号。</p>
          </>
        ),
        submit: '录入反馈',
      },
    };
    const form = forms[name];
    return (
      <form
        class="stack decision"
        id={`decide-${name}`}
        method="post"
        action={`/admin/closeout/items/${item.id}/${name}`}
        enctype={form.multipart ? 'multipart/form-data' : undefined}
      >
        <h3>{form.title}</h3>
        <input type="hidden" name={CSRF_FIELD} value={viewer.csrfToken} />
        {form.body}
        <button type="submit" class={name === 'return' ? 'secondary' : undefined}>
          {form.submit}
        </button>
      </form>
    );
  }

  function renderItem(
    c: Context<AppEnv>,
    page: Loaded,
    banner: { done?: string | null; error?: string; tried?: Decision; values?: FormValues },
    status: ContentfulStatusCode = 200,
  ) {
    const { item, zone, deadlines, viewer } = page;
    const responder = [...item.history].reverse().find((h) => h.action === 'respond');
    // whoever entered the response may not close it (the machine refuses): no 销号 button for them
    const ownResponse = item.state === 'verifying' && item.respondedBy === page.actor.userId;
    const decisions = openDecisions(item).filter((name) => !(ownResponse && name === 'close'));
    return c.html(
      <CloseoutPage viewer={viewer} title={`${item.number} ${item.title}`}>
        <p class="crumbs">
          <a href="/admin/closeout">← 核验销号</a>
          {page.sheetHref && (
            <>
              {' · '}
              <a href={page.sheetHref}>所在工作提示单</a>
            </>
          )}
        </p>
        <h1>
          {item.number} {item.title}
          <small>{item.departmentName}</small>
        </h1>
        <p class="state-line">
          <StateBadge state={item.state} />
          {item.dueAt && (
            <>
              {' '}
              办理期限：
              <Due at={item.dueAt} zone={zone} deadlines={deadlines} />
            </>
          )}
        </p>
        <Banner done={banner.done} error={banner.error} />
        {item.responseText !== null && (
          <section class="response">
            <h2>整改情况反馈</h2>
            {responder && (
              <p class="muted">
                {responder.actorName} 于 <Time at={responder.at} zone={zone} /> 反馈
                {item.respondedOnTime === false && '（超过反馈期限）'}
              </p>
            )}
            <Prose text={item.responseText} />
            <h3>证明材料</h3>
            <FileList files={item.files} href={(f) => `/admin/closeout/items/${item.id}/evidence/${f.id}`} />
          </section>
        )}
        {decisions.length > 0 && (
          <section class="next">
            <h2>评议办处理</h2>
            {ownResponse && <p class="muted">这条反馈是您录入的，由另一位评议办人员销号。</p>}
            {decisions.map((name) => (
              <DecisionForm name={name} page={page} values={banner.tried === name ? (banner.values ?? {}) : {}} />
            ))}
          </section>
        )}
        {item.plan && (
          <section>
            <h2>整改方案</h2>
            <PlanView plan={item.plan} responseDueAt={item.responseDueAt} zone={zone} />
          </section>
        )}
        <section>
          <h2>事项内容</h2>
          <ItemFacts item={item} zone={zone} deadlines={deadlines} />
        </section>
        <section>
          <h2>办理记录</h2>
          <HistoryList history={item.history} files={item.files} zone={zone} />
          <p class="muted">时间均为{zoneLabel(zone)}。</p>
        </section>
      </CloseoutPage>,
      status,
    );
  }

  const submit: Record<Decision, (item: ItemDetail, form: PostedForm, actor: NoticeActor) => Promise<unknown>> = {
    close: (item, form, actor) =>
      services.notices.act(item.id, { type: 'close', reason: checkForm(closeForm, form.values).note }, actor),
    return: (item, form, actor) =>
      services.notices.act(item.id, { type: 'return', ...checkForm(reasonForm('退回理由'), form.values) }, actor),
    extension: (item, form, actor) => {
      const { decision, reason } = checkForm(decideExtensionForm, form.values);
      return services.notices.act(
        item.id,
        { type: 'decide_extension', approve: decision === 'approve', reason },
        actor,
      );
    },
    appeal: (item, form, actor) => {
      const { decision, reason } = checkForm(decideAppealForm, form.values);
      return services.notices.act(item.id, { type: 'decide_appeal', uphold: decision === 'uphold', reason }, actor);
    },
    respond: (item, form, actor) =>
      services.notices.respond(item.id, checkForm(respondForm, form.values).text, form.files, actor),
  };

  r.get('/items/:id', async (c) =>
    renderItem(c, await load(c, c.req.param('id')), {
      done: DONE[c.req.query('done') as Decision] ?? null,
    }),
  );

  r.get('/items/:id/evidence/:fileId', evidenceDownload(services));

  for (const name of Object.keys(submit) as Decision[]) {
    r.post(`/items/:id/${name}`, async (c) => {
      const page = await load(c, c.req.param('id'));
      const form = await readForm(c);
      const refused: AppError | null = await attempt(() => submit[name](page.item, form, page.actor));
      if (refused)
        return renderItem(c, page, { error: refused.message, tried: name, values: form.values }, refused.status);
      return c.redirect(`/admin/closeout/items/${page.item.id}?done=${name}`, 303);
    });
  }

  return r;
}
