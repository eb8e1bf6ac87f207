import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CSRF_FIELD } from '../accounts/middleware.js';
import type { AppError } from '../errors.js';
import type { Viewer } from '../http/components/header.js';
import { Layout } from '../http/components/layout.js';
import { EmptyState } from '../http/components/message.js';
import { Time } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { actorOf, evidenceDownload, loadItemPage } from '../notices/http.js';
import { viewerOf } from '../http/viewer.js';
import {
  Banner,
  Due,
  LongText,
  dueDay,
  FileList,
  HistoryList,
  ItemFacts,
  PlanView,
  Prose,
  StateBadge,
} from '../notices/components.js';
import { EVIDENCE_LIMITS } from '../notices/evidence.js';
import { attempt, checkForm, readForm, type FormValues, type PostedForm } from '../http/forms.js';
import { extensionForm, FIELD_LIMITS, planForm, reasonForm, respondForm } from '../notices/forms.js';
import { ACTION_LABELS, OPEN_STATES, PERIODS } from '../notices/machine.js';
import type { Deadlines, Item, ItemDetail, Notification, NoticeActor, SheetDetail } from '../notices/service.js';
import type { Services } from '../services.js';
import { UPLOAD_MAX_BYTES } from '../http/limits.js';
import { DEFAULT_TIME_ZONE, dayInZone, zoneLabel } from '../../web/lib/time.js';

/**
 * The department liaison's portal at /my: their department's sheets (工作提示单) and items, each
 * deadline counted down in working days, and one screen per thing to do (sign, plan, respond,
 * ask for more time, appeal). Plain forms: it works without a script, on a phone.
 */

/** What the department does next on an item, in words (the office's turn says so). */
function nextStep(item: Item): string {
  switch (item.state) {
    case 'registered':
      return '请签收';
    case 'acknowledged':
      return '请提交整改方案';
    case 'rectifying':
      return item.plan ? '请反馈整改情况' : '请提交整改方案';
    case 'verifying':
      return '已反馈，等待评议办核验';
    case 'appealing':
      return '已申诉，等待评议办裁定';
    case 'closed':
      return '已销号，整改完成';
    default:
      return '已撤销，无需办理';
  }
}

/** States in which the department, not the office, owes the next step. */
const DEPARTMENT_TURN: readonly Item['state'][] = ['registered', 'acknowledged', 'rectifying'];

type ScreenName = 'plan' | 'respond' | 'extension' | 'appeal';

/** The extension lengths that would move the response deadline in force later. */
function extensionChoices(item: Item, deadlines: Deadlines): { days: number; until: string }[] {
  if (!item.issuedAt) return [];
  const issuedAt = item.issuedAt;
  return PERIODS.extensions
    .map((days) => ({ days, until: deadlines.deadline(issuedAt, days) }))
    .filter((x) => item.responseDueAt === null || x.until > item.responseDueAt);
}

const appealUntil = (item: Item, deadlines: Deadlines) =>
  item.issuedAt ? deadlines.deadline(item.issuedAt, PERIODS.appealWindow) : null;

/**
 * Which screens an item offers now. The machine decides every action again when it is posted;
 * this only keeps buttons away that could not succeed.
 */
function openScreens(item: Item, deadlines: Deadlines): ScreenName[] {
  const screens: ScreenName[] = [];
  if (item.state === 'rectifying' && item.plan) screens.push('respond');
  if (item.state === 'acknowledged' || item.state === 'rectifying') {
    screens.push('plan');
    const beforeDue = item.responseDueAt === null || deadlines.now <= item.responseDueAt;
    if (item.extensionPendingDays === null && beforeDue && extensionChoices(item, deadlines).length)
      screens.push('extension');
  }
  const until = appealUntil(item, deadlines);
  if (DEPARTMENT_TURN.includes(item.state) && !item.appealedAt && until && deadlines.now <= until)
    screens.push('appeal');
  return screens;
}

const DONE: Record<string, string> = {
  acknowledge: '已签收。请逐项提交整改方案。',
  plan: '整改方案已提交。整改完成后请反馈整改情况。',
  respond: '整改情况已反馈，等待评议办核验。',
  extension: '延期申请已提交，等待评议办审批。',
  appeal: '申诉已提交，等待评议办裁定。',
};

const doneOf = (c: Context) => DONE[c.req.query('done') ?? ''] ?? null;

function PortalPage({ viewer, title, children }: { viewer: Viewer; title: string; children?: Child }) {
  return (
    <Layout title={`${title} · 民主评议机关系统`} styles={['portal.css']} viewer={viewer}>
      <main class="portal">{children}</main>
    </Layout>
  );
}

function Csrf({ viewer }: { viewer: Viewer }) {
  return <input type="hidden" name={CSRF_FIELD} value={viewer.csrfToken} />;
}

/** An item in a list: a big tap target to its page, with its state and the deadline of the step it waits for. */
function ItemCard({ item, zone, deadlines }: { item: Item; zone: string; deadlines: Deadlines }) {
  return (
    <a class="card item-card" href={`/my/items/${item.id}`}>
      <span class="card-title">
        {item.number} {item.title}
      </span>
      <span class="card-line">
        <StateBadge state={item.state} /> {nextStep(item)}
      </span>
      {DEPARTMENT_TURN.includes(item.state) && item.dueAt && (
        <span class="card-line">
          <Due at={item.dueAt} zone={zone} deadlines={deadlines} />
        </span>
      )}
    </a>
  );
}

/** The escalation's levels; a plain notice ('info') needs no label under the heading 通知. */
const LEVEL_LABELS: Record<string, string> = { blue: '提醒', orange: '催办', red: '督办' };

/**
 * The department's newest notifications, unread ones first marked and counted; opening one (查看)
 * marks it read and goes to its item or sheet, 全部标为已读 marks them all.
 */
function Notifications({
  notifications,
  unread,
  zones,
  viewer,
}: {
  notifications: Notification[];
  unread: number;
  /** each campaign's time zone, by campaign id */
  zones: Map<string | null, string>;
  viewer: Viewer;
}) {
  if (!notifications.length) return null;
  return (
    <section id="notifications">
      <h2>通知{unread > 0 && <span class="unread-count">（{unread} 条未读）</span>}</h2>
      <ul class="notifications">
        {notifications.map((n) => (
          <li class={`notification level-${n.level}${n.readAt ? '' : ' unread'}`} data-id={n.id}>
            <p>
              {!n.readAt && <span class="badge">未读</span>}
              {LEVEL_LABELS[n.level] && <span class="level">{LEVEL_LABELS[n.level]}</span>} <strong>{n.title}</strong>{' '}
              <Time at={n.createdAt} zone={zones.get(n.campaignId) ?? DEFAULT_TIME_ZONE} />
            </p>
            <Prose text={n.body} />
            {(n.itemId || n.sheetId) && (
              <form method="post" action={`/my/notifications/${n.id}/open`}>
                <Csrf viewer={viewer} />
                <button type="submit" class="link">
                  {n.itemId ? '查看事项' : '查看工作提示单'}
                </button>
              </form>
            )}
          </li>
        ))}
      </ul>
      {unread > 0 && (
        <form method="post" action="/my/notifications/read">
          <Csrf viewer={viewer} />
          <button type="submit" class="secondary">
            全部标为已读
          </button>
        </form>
      )}
    </section>
  );
}

/** The unsigned items of a sheet, for its 签收 form. */
const unsigned = (sheet: SheetDetail) => sheet.items.filter((i) => i.state === 'registered' && !i.acknowledgedAt);

/** Where a sheet stands for the department: 已办结 once nothing on it is open and something was closed. */
function sheetStage(sheet: SheetDetail): string {
  if (unsigned(sheet).length) return '待签收';
  const done =
    sheet.items.some((i) => i.state === 'closed') &&
    sheet.items.every((i) => i.state === 'closed' || i.state === 'withdrawn');
  return done ? '已办结' : '已签收';
}

function AcknowledgeForm({
  sheet,
  viewer,
  zone,
  deadlines,
}: {
  sheet: SheetDetail;
  viewer: Viewer;
  zone: string;
  deadlines: Deadlines;
}) {
  const due = unsigned(sheet)
    .map((i) => i.dueAt)
    .filter((x): x is string => x !== null)
    .sort()[0];
  return (
    <section class="next">
      <h2>签收</h2>
      <p>
        请确认收到本工作提示单（共 {sheet.items.length} 项）。
        {due && (
          <>
            签收期限：
            <Due at={due} zone={zone} deadlines={deadlines} />
          </>
        )}
      </p>
      <form method="post" action={`/my/sheets/${sheet.id}/acknowledge`}>
        <Csrf viewer={viewer} />
        <button type="submit" class="big">
          签收
        </button>
      </form>
    </section>
  );
}

const zoneNote = (zone: string) => <p class="muted">时间均为{zoneLabel(zone)}。</p>;

/** Mounted inside /my (behind the liaison guard). */
export function portalPages(services: Services) {
  const r = new Hono<AppEnv>();

  /** An item's page, with its sheet (for the way back and its 签收). */
  async function itemPage(c: Context<AppEnv>, itemId: string) {
    const page = await loadItemPage(c, services, itemId);
    const sheet = page.item.sheetId ? await services.notices.sheetById(page.item.sheetId, page.actor) : null;
    return { ...page, sheet };
  }
  type Loaded = Awaited<ReturnType<typeof itemPage>>;

  function renderItem(
    c: Context<AppEnv>,
    page: Loaded,
    banner: { done?: string | null; error?: string },
    status: ContentfulStatusCode = 200,
  ) {
    const { item, zone, deadlines, viewer, sheet } = page;
    const screens = openScreens(item, deadlines);
    const [first, ...others] = screens;
    const until = appealUntil(item, deadlines);
    return c.html(
      <PortalPage viewer={viewer} title={`${item.number} ${item.title}`}>
        <p class="crumbs">
          <a href="/my">← 工作提示单</a>
          {sheet && (
            <>
              {' · '}
              <a href={`/my/sheets/${sheet.id}`}>{sheet.serialText}</a>
            </>
          )}
        </p>
        <h1>
          {item.number} {item.title}
        </h1>
        <p class="state-line">
          <StateBadge state={item.state} /> {nextStep(item)}
        </p>
        <Banner done={banner.done} error={banner.error} />
        {DEPARTMENT_TURN.includes(item.state) && (
          <section class="next">
            <h2>下一步：{nextStep(item).replace(/^请/, '')}</h2>
            {item.dueAt && (
              <p>
                期限：
                <Due at={item.dueAt} zone={zone} deadlines={deadlines} />
              </p>
            )}
            {item.state === 'registered' && sheet && unsigned(sheet).length > 0 && (
              <form method="post" action={`/my/sheets/${sheet.id}/acknowledge`}>
                <Csrf viewer={viewer} />
                <button type="submit" class="big">
                  签收本工作提示单
                </button>
              </form>
            )}
            {first && (
              <a class="button big" href={`/my/items/${item.id}/${first}`}>
                {screenTitle(first, item)}
              </a>
            )}
            {others.map((s) => (
              <a class="button big secondary" href={`/my/items/${item.id}/${s}`}>
                {screenTitle(s, item)}
              </a>
            ))}
            {screens.includes('appeal') && until && (
              <p class="muted">如对本事项有异议，可在 {dueDay(until, zone)}前申诉一次。</p>
            )}
          </section>
        )}
        <section>
          <h2>事项内容</h2>
          <ItemFacts item={item} zone={zone} deadlines={deadlines} />
        </section>
        {item.plan && (
          <section>
            <h2>整改方案</h2>
            <PlanView plan={item.plan} responseDueAt={item.responseDueAt} zone={zone} />
          </section>
        )}
        {item.responseText !== null && (
          <section>
            <h2>整改情况反馈</h2>
            <Prose text={item.responseText} />
            <FileList files={item.files} href={(f) => `/my/items/${item.id}/evidence/${f.id}`} />
          </section>
        )}
        <section>
          <h2>办理记录</h2>
          <HistoryList history={item.history} files={item.files} zone={zone} />
          {zoneNote(zone)}
        </section>
      </PortalPage>,
      status,
    );
  }

  const screenTitle = (name: ScreenName, item: Item) =>
    name === 'plan' && item.plan ? '修改整改方案' : SCREENS[name].title;

  interface Screen {
    title: string;
    multipart?: boolean;
    fields(props: { item: ItemDetail; values: FormValues; zone: string; deadlines: Deadlines }): Child;
    submit(item: ItemDetail, form: PostedForm, actor: NoticeActor): Promise<unknown>;
  }

  const SCREENS: Record<ScreenName, Screen> = {
    plan: {
      title: ACTION_LABELS.plan,
      fields: ({ item, values, zone, deadlines }) => {
        const v = { ...item.plan, ...values };
        return (
          <>
            <LongText label="整改措施" name="measures" rows={6} values={v} />
            <label>
              责任人
              <input name="responsible" maxlength={FIELD_LIMITS.responsible} required value={v.responsible ?? ''} />
            </label>
            <label>
              计划完成日期
              <input type="date" name="date" required min={dayInZone(deadlines.now, zone)} value={v.date ?? ''} />
            </label>
            <p class="muted">
              不能早于今天
              {item.responseDueAt && (
                <>；反馈期限为 {dueDay(item.responseDueAt, zone)}，晚于期限的须按期反馈或先申请延期</>
              )}
              。
            </p>
          </>
        );
      },
      submit: (item, form, actor) =>
        services.notices.act(item.id, { type: 'plan', plan: checkForm(planForm, form.values) }, actor),
    },
    respond: {
      title: ACTION_LABELS.respond,
      multipart: true,
      fields: ({ item, values, zone }) => (
        <>
          {item.plan && (
            <details>
              <summary>查看整改方案</summary>
              <PlanView plan={item.plan} responseDueAt={item.responseDueAt} zone={zone} />
            </details>
          )}
          <LongText label="整改情况说明" name="text" rows={8} values={values} />
          <label>
            证明材料（可选多个）
            <input
              type="file"
              name="files"
              multiple
              accept=".pdf,.png,.jpg,.jpeg,.gif,.webp,.docx,.xlsx,application/pdf,image/*"
            />
          </label>
          <p class="muted">
            可上传 PDF、图片、Word（.docx）或 Excel（.xlsx）文件，每个不超过{' '}
            {EVIDENCE_LIMITS.maxFileBytes / 1024 / 1024} MB，最多 {EVIDENCE_LIMITS.maxFiles} 个，合计不超过{' '}
            {UPLOAD_MAX_BYTES / 1024 / 1024} MB。
            {values.text !== undefined && ' 如需上传文件，请重新选择。'}
          </p>
        </>
      ),
      submit: (item, form, actor) =>
        services.notices.respond(item.id, checkForm(respondForm, form.values).text, form.files, actor),
    },
    extension: {
      title: ACTION_LABELS.request_extension,
      fields: ({ item, values, zone, deadlines }) => (
        <>
          <fieldset>
            <legend>延期到</legend>
            {extensionChoices(item, deadlines).map((x) => (
              <label class="choice">
                <input
                  type="radio"
                  name="days"
                  value={String(x.days)}
                  required
                  checked={values.days === String(x.days)}
                />
                印发后 {x.days} 个工作日（{dueDay(x.until, zone)}前）
              </label>
            ))}
          </fieldset>
          <LongText label="延期理由" name="reason" rows={5} values={values} />
          <p class="muted">延期须在反馈期限届满前申请，经评议办批准后生效。</p>
        </>
      ),
      submit: (item, form, actor) =>
        services.notices.act(item.id, { type: 'request_extension', ...checkForm(extensionForm, form.values) }, actor),
    },
    appeal: {
      title: ACTION_LABELS.appeal,
      fields: ({ item, values, zone, deadlines }) => {
        const until = appealUntil(item, deadlines);
        return (
          <>
            <LongText label="申诉理由" name="reason" rows={6} values={values} />
            <p class="muted">
              申诉须在印发后 {PERIODS.appealWindow} 个工作日内提出
              {until && <>（{dueDay(until, zone)}前）</>}
              ，每个事项只能申诉一次，由评议办在 {PERIODS.appealDecision} 个工作日内裁定。
            </p>
          </>
        );
      },
      submit: (item, form, actor) =>
        services.notices.act(item.id, { type: 'appeal', ...checkForm(reasonForm('申诉理由'), form.values) }, actor),
    },
  };

  function renderScreen(
    c: Context<AppEnv>,
    name: ScreenName,
    page: Loaded,
    values: FormValues,
    refused: AppError | null = null,
  ) {
    const screen = SCREENS[name];
    const { item, zone, deadlines, viewer } = page;
    const title = screenTitle(name, item);
    return c.html(
      <PortalPage viewer={viewer} title={title}>
        <p class="crumbs">
          <a href={`/my/items/${item.id}`}>
            ← {item.number} {item.title}
          </a>
        </p>
        <h1>{title}</h1>
        <p>
          {item.number} {item.title}
        </p>
        <Banner error={refused?.message} />
        <form
          class="stack"
          method="post"
          action={`/my/items/${item.id}/${name}`}
          enctype={screen.multipart ? 'multipart/form-data' : undefined}
        >
          <Csrf viewer={viewer} />
          {screen.fields({ item, values, zone, deadlines })}
          <button type="submit" class="big">
            {title}
          </button>
        </form>
        <a class="button big secondary" href={`/my/items/${item.id}`}>
          返回，不提交
        </a>
      </PortalPage>,
      refused?.status ?? 200,
    );
  }

  r.get('/', async (c) => {
    const actor = actorOf(c);
    const [sheets, notifications, unread, viewer] = await Promise.all([
      services.notices.mySheets(actor),
      services.notices.myNotifications(actor),
      services.notifications.unread(actor),
      viewerOf(c, services),
    ]);
    const zones = new Map<string | null, string>();
    for (const campaignId of new Set([...sheets.map((s) => s.campaignId), ...notifications.map((n) => n.campaignId)]))
      zones.set(campaignId, await services.notices.timeZoneOf(campaignId));
    const pageZone = zones.values().next().value ?? DEFAULT_TIME_ZONE;
    const deadlinesByZone = new Map<string, Deadlines>();
    for (const zone of new Set([pageZone, ...zones.values()]))
      deadlinesByZone.set(zone, await services.notices.deadlines(zone));
    const card = (item: Item) => {
      const zone = zones.get(item.campaignId) ?? pageZone;
      return <ItemCard item={item} zone={zone} deadlines={deadlinesByZone.get(zone) as Deadlines} />;
    };
    const items = sheets.flatMap((s) => s.items);
    const todo = items.filter((i) => DEPARTMENT_TURN.includes(i.state));
    const waiting = items.filter((i) => OPEN_STATES.includes(i.state) && !DEPARTMENT_TURN.includes(i.state));
    return c.html(
      <PortalPage viewer={viewer} title="工作提示单">
        <h1>工作提示单{viewer.departmentName && <small>{viewer.departmentName}</small>}</h1>
        <Banner done={doneOf(c)} />
        <Notifications notifications={notifications} unread={unread} zones={zones} viewer={viewer} />
        <section>
          <h2>需要办理（{todo.length} 项）</h2>
          {todo.length ? todo.map(card) : <EmptyState>目前没有需要办理的事项。</EmptyState>}
        </section>
        {waiting.length > 0 && (
          <section>
            <h2>等待评议办（{waiting.length} 项）</h2>
            {waiting.map(card)}
          </section>
        )}
        <section>
          <h2>全部工作提示单</h2>
          {sheets.length ? (
            sheets.map((s) => {
              const closed = s.items.filter((i) => i.state === 'closed').length;
              return (
                <a class="card" href={`/my/sheets/${s.id}`}>
                  <span class="card-title">{s.serialText}</span>
                  <span class="card-line">
                    共 {s.items.length} 项，已销号 {closed} 项 · {sheetStage(s)}
                  </span>
                  {s.issuedAt && (
                    <span class="card-line muted">
                      印发于 <Time at={s.issuedAt} zone={zones.get(s.campaignId) ?? pageZone} />
                    </span>
                  )}
                </a>
              );
            })
          ) : (
            <EmptyState>还没有收到工作提示单。评议办印发后会显示在这里。</EmptyState>
          )}
        </section>
        {zoneNote(pageZone)}
      </PortalPage>,
    );
  });

  async function sheetPage(
    c: Context<AppEnv>,
    sheetId: string,
    banner: { done?: string | null; error?: string },
    status: ContentfulStatusCode = 200,
  ) {
    const actor = actorOf(c);
    const sheet = await services.notices.sheetById(sheetId, actor);
    const zone = await services.notices.timeZoneOf(sheet.campaignId);
    const [deadlines, viewer] = await Promise.all([services.notices.deadlines(zone), viewerOf(c, services)]);
    return c.html(
      <PortalPage viewer={viewer} title={sheet.serialText}>
        <p class="crumbs">
          <a href="/my">← 工作提示单</a>
        </p>
        <h1>
          {sheet.title}
          <small>{sheet.serialText}</small>
        </h1>
        <Banner done={banner.done} error={banner.error} />
        {unsigned(sheet).length > 0 && (
          <AcknowledgeForm sheet={sheet} viewer={viewer} zone={zone} deadlines={deadlines} />
        )}
        <dl class="facts">
          <dt>主送</dt>
          <dd>{sheet.addressee}</dd>
          <dt>印发</dt>
          <dd>
            {sheet.issuer}
            {sheet.issuedAt && (
              <>
                ，<Time at={sheet.issuedAt} zone={zone} />
              </>
            )}
          </dd>
          {sheet.acknowledgedAt && (
            <>
              <dt>签收</dt>
              <dd>
                <Time at={sheet.acknowledgedAt} zone={zone} />
              </dd>
            </>
          )}
          <dt>工作要求</dt>
          <dd>
            <Prose text={sheet.requirement} />
          </dd>
        </dl>
        <a class="button big secondary" href={`/my/notices/${sheet.id}/print`}>
          打印版（A4）
        </a>
        <a class="button big secondary" href={`/api/my/notices/${sheet.id}/docx`} download>
          下载正式文本（Word）
        </a>
        <section>
          <h2>事项（{sheet.items.length} 项）</h2>
          {sheet.items.map((item) => (
            <ItemCard item={item} zone={zone} deadlines={deadlines} />
          ))}
        </section>
        {zoneNote(zone)}
      </PortalPage>,
      status,
    );
  }

  r.get('/sheets/:id', (c) => sheetPage(c, c.req.param('id'), { done: doneOf(c) }));

  // opening a notification marks it read and shows what it is about
  r.post('/notifications/:id/open', async (c) => {
    const opened = await services.notifications.open(actorOf(c), c.req.param('id'));
    const target = opened.itemId ? `/my/items/${opened.itemId}` : opened.sheetId && `/my/sheets/${opened.sheetId}`;
    return c.redirect(target || '/my#notifications', 303);
  });

  r.post('/notifications/read', async (c) => {
    await services.notifications.markRead(actorOf(c), 'all');
    return c.redirect('/my#notifications', 303);
  });

  r.post('/sheets/:id/acknowledge', async (c) => {
    const sheetId = c.req.param('id');
    // another department's sheet is refused here, before anything is tried
    await services.notices.sheetById(sheetId, actorOf(c));
    const refused = await attempt(() => services.notices.acknowledgeSheet(sheetId, actorOf(c)));
    if (refused) return sheetPage(c, sheetId, { error: refused.message }, refused.status);
    return c.redirect(`/my/sheets/${sheetId}?done=acknowledge`, 303);
  });

  r.get('/items/:id', async (c) => renderItem(c, await itemPage(c, c.req.param('id')), { done: doneOf(c) }));

  r.get('/items/:id/evidence/:fileId', evidenceDownload(services));

  for (const name of Object.keys(SCREENS) as ScreenName[]) {
    r.get(`/items/:id/${name}`, async (c) => {
      const page = await itemPage(c, c.req.param('id'));
      if (!openScreens(page.item, page.deadlines).includes(name))
        return renderItem(c, page, { error: `该事项目前不能${screenTitle(name, page.item)}。` }, 409);
      return renderScreen(c, name, page, {});
    });
    r.post(`/items/:id/${name}`, async (c) => {
      const page = await itemPage(c, c.req.param('id'));
      const form = await readForm(c);
      const refused = await attempt(() => SCREENS[name].submit(page.item, form, page.actor));
      if (refused) return renderScreen(c, name, page, form.values, refused);
      return c.redirect(`/my/items/${page.item.id}?done=${name}`, 303);
    });
  }

  return r;
}
