import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { readFileSync } from 'node:fs';
import { configNotes, configWarnings, EXAMPLE_CONFIG_PATH } from '../../surveys/campaign-config.js';
import { download } from '../http/download.js';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CSRF_FIELD, requirePageRole } from '../accounts/middleware.js';
import { CLONE_FIELDS, cloneDefaults, cloneRefusal, parseCloneInput, type Campaign } from '../campaigns/service.js';
import { ImportForm } from '../http/components/import-form.js';
import { Layout } from '../http/components/layout.js';
import type { Viewer } from '../http/components/header.js';
import { Table } from '../http/components/table.js';
import { Time } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { viewerOf } from '../http/viewer.js';
import { DECISION_LABELS } from '../negatives/pages.js';
import type { CampaignStatus, PurgeReport } from '../contracts.js';
import { ChaseList, OrganisationTable, ProgressTables } from './progress.js';
import { isBeforeClose, STATUS_LABELS } from '../campaigns/lifecycle.js';
import {
  datesForm,
  CONFIRMED_STEPS,
  LIFECYCLE_ACTIONS,
  LifecycleSection,
  PublishConfirmation,
  type LifecycleBanner,
} from './lifecycle.js';
import { attempt, readForm, type FormValues } from '../http/forms.js';
import {
  assertListedZone,
  CampaignForm,
  campaignBase,
  configFromForm,
  editBase,
  ErrorSummary,
  exampleBase,
  formErrors,
  wallTime,
  yearOn,
  ZoneTimeField,
  type CampaignFormProps,
} from './campaign-form.js';
import { InvitationsSection } from '../invitations/pages.js';
import { readConfigInput, readQuestionnaireBody } from '../campaigns/routes.js';
import { AppError } from '../errors.js';
import { PurgeSection, type PurgeState } from '../privacy/pages.js';
import type { Services } from '../services.js';
import { DEFAULT_TIME_ZONE, instantInZone, zoneLabel } from '../../web/lib/time.js';
import { INTERIM, LIVE, publicationLabel } from '../../web/lib/format.js';

const MODE_LABELS: Record<string, string> = { anonymous: '匿名', named: '实名' };

/** The cookie carrying a refused lifecycle step's banner across its redirect. */
const LIFECYCLE_FLASH = 'minping-lifecycle';
const lifecycleBanner = z.object({
  error: z.string().max(2000).optional(),
  step: z.enum(LIFECYCLE_ACTIONS).optional(),
  values: z.object({ opensAt: z.string().max(40).optional(), closesAt: z.string().max(40).optional() }).optional(),
});
const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** An office page: the header, and <main id="admin"> with the CSRF token (and data-) admin.js reads. */
export function AdminPage({
  viewer,
  title,
  data = {},
  children,
}: {
  viewer: Viewer;
  title: string;
  data?: Record<`data-${string}`, string>;
  children?: Child;
}) {
  return (
    <Layout title={`${title} · 民主评议机关系统`} scripts={['admin.js']} styles={['admin.css']} viewer={viewer}>
      <main id="admin" data-csrf={viewer.csrfToken} {...data}>
        {children}
      </main>
    </Layout>
  );
}

/** The zone most campaigns share (the default zone on a tie): labelled once in the column head. */
function sharedZone(zones: string[]): string {
  const counts = new Map<string, number>();
  for (const zone of zones) counts.set(zone, (counts.get(zone) ?? 0) + 1);
  const preferred = (zone: string) => (counts.get(zone) ?? 0) * 2 + (zone === DEFAULT_TIME_ZONE ? 1 : 0);
  return [...counts.keys()].sort((a, b) => preferred(b) - preferred(a))[0] ?? DEFAULT_TIME_ZONE;
}

/** A campaign elsewhere labels its own times. */
function CampaignList({ campaigns }: { campaigns: (Campaign & { status: CampaignStatus })[] }) {
  const pageZone = sharedZone(campaigns.map((c) => c.config.timeZone));
  return (
    <Table
      rows={campaigns}
      empty="还没有评议活动。请在下面上传活动配置文件创建第一个活动。"
      columns={[
        { head: '活动', cell: (c) => <a href={`/admin/campaigns/${c.slug}`}>{c.name}</a> },
        { head: '代码', cell: (c) => <code>{c.slug}</code> },
        {
          head: `时间（${zoneLabel(pageZone)}）`,
          cell: (c) => (
            <>
              <Time at={c.opensAt} zone={c.config.timeZone} pageZone={pageZone} /> 至{' '}
              <Time at={c.closesAt} zone={c.config.timeZone} pageZone={pageZone} />
            </>
          ),
        },
        { head: '方式', cell: (c) => MODE_LABELS[c.mode] ?? c.mode },
        { head: '状态', cell: (c) => STATUS_LABELS[c.status] },
      ]}
    />
  );
}

/** What the form sent, as the clone takes it: times typed in the campaign's zone, the box ticked or not. */
function cloneForm(values: FormValues, zone: string) {
  const instant = (field: 'opensAt' | 'closesAt') => {
    const typed = values[field]?.trim();
    if (!typed) return undefined;
    const at = instantInZone(typed, zone);
    if (!at) throw cloneRefusal('VALIDATION_FAILED', field, '请按“年-月-日 时:分”填写');
    return at.toISOString();
  };
  return parseCloneInput({
    slug: values.slug?.trim() ?? '',
    name: values.name ?? '',
    opensAt: instant('opensAt'),
    closesAt: instant('closesAt'),
    withRoster: values.withRoster === '1',
  });
}

interface CloneBanner {
  error?: string;
  values?: FormValues;
}

/** 以此为模板新建活动: a plain form; a refusal shows it again with what was typed. */
function CloneForm({ campaign, csrf, banner }: { campaign: Campaign; csrf: string; banner: CloneBanner }) {
  const zone = campaign.config.timeZone;
  const defaults = cloneDefaults(campaign);
  const typed = banner.values;
  return (
    <section class="card" id="clone">
      <h2>以此为模板新建活动</h2>
      <p class="muted">
        新活动沿用本活动的配置（评议代表类别和权重、计分等级、评议项目、作风问题和负面情形目录、计分规则）、部门分组和部门（代码不变，年度对比按代码对应），
        部门联络员账号按部门代码继续关联；问卷使用配置所指定问卷的当前版本。评议代表名单可以一并复制，复制的代表还没有邀请链接。
      </p>
      {banner.error && (
        <p class="error" role="alert">
          {banner.error}
        </p>
      )}
      <form method="post" action={`/admin/campaigns/${campaign.slug}/clone`} class="stack" id="clone-campaign">
        <input type="hidden" name={CSRF_FIELD} value={csrf} />
        <label>
          {CLONE_FIELDS.name}{' '}
          <input name="name" required maxlength={200} value={typed?.name ?? yearOn(campaign.name)} />
        </label>
        <label>
          {CLONE_FIELDS.slug}（小写字母、数字和连字符）{' '}
          <input name="slug" required maxlength={63} value={typed?.slug ?? yearOn(campaign.slug)} />
        </label>
        <ZoneTimeField
          label={CLONE_FIELDS.opensAt}
          name="opensAt"
          zone={zone}
          value={typed?.opensAt ?? wallTime(defaults.opensAt, zone)}
        />
        <ZoneTimeField
          label={CLONE_FIELDS.closesAt}
          name="closesAt"
          zone={zone}
          value={typed?.closesAt ?? wallTime(defaults.closesAt, zone)}
        />
        <label class="check">
          <input type="checkbox" name="withRoster" value="1" checked={typed?.withRoster === '1'} />{' '}
          {CLONE_FIELDS.withRoster}
        </label>
        <div>
          <button type="submit">新建活动</button>
        </div>
      </form>
    </section>
  );
}

/** The office's pages under /admin: campaign list and creation, a campaign's roster, invitations and progress. */
export function adminRoutes(services: Services) {
  const app = new Hono<AppEnv>();
  app.use('*', requirePageRole('admin'));

  app.get('/', async (c) => {
    const campaigns = (await services.campaigns.list()).map((x) => ({ ...x, status: services.campaigns.status(x) }));
    return c.html(
      <AdminPage viewer={await viewerOf(c, services)} title="评议活动">
        <h1>评议活动</h1>
        <CampaignList campaigns={campaigns} />
        <section class="card">
          <h2>创建评议活动</h2>
          <p>
            <a href="/admin/campaigns/new" class="button" id="new-campaign-link">
              用表单创建
            </a>{' '}
            <span class="muted">从示例配置或以前的活动开始，填写名称、时间、类别和权重等。</span>
          </p>
          <h3>上传配置文件（高级）</h3>
          <p class="muted">
            上传活动配置文件（YAML 或 JSON 格式，可以从
            <a href="/admin/example-config.yaml" download id="example-config">
              示例配置文件
            </a>
            改起）。问卷默认使用配置文件中指定的系统内置问卷，也可以一并上传问卷文件。
          </p>
          <form id="create-campaign" class="stack" enctype="multipart/form-data">
            <label>
              活动配置文件 <input type="file" name="config" accept=".yaml,.yml,.json" required />
            </label>
            <label>
              问卷 JSON（可选） <input type="file" name="questionnaire" accept=".json" />
            </label>
            <div>
              <button type="submit">创建</button>
            </div>
            <div class="result" aria-live="polite"></div>
          </form>
        </section>
      </AdminPage>,
    );
  });

  /**
   * A campaign's page; `purge` and `code` tell of the purge form just sent (a refusal, or the
   * redirect after one), `clone` of a refused clone form.
   */
  async function campaignPage(
    c: Context<AppEnv>,
    slug: string,
    purge: Omit<PurgeState, 'preview'> = {},
    code: ContentfulStatusCode = 200,
    clone: CloneBanner = {},
    lifecycle: LifecycleBanner = {},
  ) {
    const campaign = await services.campaigns.getBySlug(slug);
    const status = services.campaigns.status(campaign);
    const [problems, warnings] =
      status === 'draft'
        ? await Promise.all([
            services.campaigns.openingProblems(campaign),
            services.campaigns.openingWarnings(campaign),
          ])
        : [[], []];
    const loopback = services.invitations.loopbackWarning();
    const [departments, progress, snapshots, queue, preview] = await Promise.all([
      services.campaigns.departments(campaign.id),
      services.invitations.progress(campaign),
      services.results.snapshots(campaign.slug),
      services.negatives.queue(campaign.slug, { pageSize: '1' }),
      isBeforeClose(status) ? null : services.privacy.preview(campaign.slug).then((p) => p.counts),
    ]);
    const viewer = await viewerOf(c, services);
    // a correction's list of what changed and why, read from the snapshot itself
    const corrections = await Promise.all(
      snapshots
        .filter((x) => x.changes?.decisions)
        .map(async (x) => ({ ...x, view: await services.results.snapshot(x.id) })),
    );
    const groups = campaign.config.groups.map((g) => ({
      ...g,
      count: departments.filter((d) => d.group === g.code).length,
    }));
    const base = `/api/campaigns/${campaign.slug}`;
    const zone = campaign.config.timeZone;
    // the published result stands on these answers: the server refuses more
    const published = campaign.state === 'published' || campaign.state === 'settled';
    return c.html(
      <AdminPage viewer={viewer} title={campaign.name} data={{ 'data-slug': campaign.slug }}>
        <p>
          <a href="/admin">← 全部活动</a>
        </p>
        <h1>{campaign.name}</h1>
        {c.req.query('done') === 'create' && (
          <p class="ok" role="status">
            已创建本活动。下一步：导入部门和评议代表名单，再生成邀请链接。
          </p>
        )}
        {c.req.query('done') === 'clone' && (
          <p class="ok" role="status">
            已以模板新建本活动：配置、分组、部门和联络员关联已复制。请检查时间，导入或核对评议代表名单，再生成邀请链接。
          </p>
        )}
        {configWarnings(campaign.config).map((warning) => (
          <p class="error" role="note">
            {warning}
          </p>
        ))}
        {configNotes(campaign.config).map((note) => (
          <p class="muted config-note" role="note">
            {note}
          </p>
        ))}
        <LifecycleSection
          campaign={campaign}
          status={status}
          problems={problems}
          warnings={warnings}
          pastDated={services.campaigns.pastDated(campaign)}
          csrf={viewer.csrfToken}
          banner={lifecycle}
          done={c.req.query('done')}
          previousClosesAt={c.req.query('was')}
        />
        <dl class="facts" id="campaign-facts" data-live>
          <dt>代码</dt>
          <dd>
            <code>{campaign.slug}</code>
          </dd>
          <dt>时间</dt>
          <dd>
            <Time at={campaign.opensAt} zone={zone} /> 至 <Time at={campaign.closesAt} zone={zone} />
            （本页时间均为
            {zoneLabel(zone)}）
          </dd>
          <dt>状态</dt>
          <dd>
            {STATUS_LABELS[status]}，{MODE_LABELS[campaign.mode] ?? campaign.mode}评议
          </dd>
          <dt>部门</dt>
          <dd>
            {departments.length} 个（{groups.map((g) => `${g.label} ${g.count}`).join('，')}）
          </dd>
          <dt>评议代表</dt>
          <dd>
            {progress.totals.evaluators} 人，已邀请 {progress.totals.invited} 人
          </dd>
          <dt>问卷</dt>
          <dd>
            <a href={`/admin/campaigns/${campaign.slug}/preview`} id="preview-link">
              预览评议代表看到的问卷
            </a>
            （<a href={`/admin/campaigns/${campaign.slug}/preview?width=phone`}>手机宽度</a>，答案不保存）
          </dd>
        </dl>

        <section class="card">
          <h2>导入部门</h2>
          <p class="muted">
            .xlsx 或 .csv，列：部门代码、部门名称、部门分组（可填分组名称或代码：
            {campaign.config.groups.map((x) => x.label).join('、')}
            ）；可选：部门简称（评议代表查找部门时也能搜到，几个简称用“、”隔开）、联络员、联络员邮箱。
            同一代码再次导入时，内容相同不变，内容不同则更新；文件有任何错误时不导入任何数据，并按您表格的列名列出每一行的每一处错误。
          </p>
          {status === 'settled' ? (
            <p id="departments-settled">已结算的评议只能查看，不能再导入部门。</p>
          ) : (
            <ImportForm
              endpoint={`${base}/departments/import`}
              accept=".xlsx,.csv"
              template={`${base}/departments/template.xlsx`}
            />
          )}
        </section>

        <section class="card">
          <h2>导入评议代表</h2>
          <p class="muted">
            .xlsx 或 .csv，列：姓名、单位/项目、代表类别（可填类别名称或代码：
            {campaign.config.categories.map((x) => x.label).join('、')}）；可选：手机号码、邮箱。
            完全相同的行再次导入不会重复添加。
          </p>
          <ImportForm
            endpoint={`${base}/evaluators/import`}
            accept=".xlsx,.csv"
            template={`${base}/evaluators/template.xlsx`}
          />
        </section>

        <section class="card" id="publish-section">
          <h2>发布结果</h2>
          <p class="muted">
            评议截止后，按当前答卷和核实情况计算全部结果（含 {campaign.config.scoring.bootstrap.samples}{' '}
            次抽样区间），保存为不可更改的结果快照；已发布的数字以后不会变化，重新计算会成为新的快照。部门联络员看到的是最近一次发布的结果。
          </p>
          <Table
            id="snapshot-list"
            rows={snapshots}
            empty="尚未发布结果。"
            columns={[
              { head: '次序', cell: (x) => publicationLabel(snapshots, x.id) },
              { head: '发布时间', cell: (x) => <Time at={x.createdAt} zone={zone} /> },
              { head: '发布人', cell: (x) => x.createdBy },
              { head: '答卷', cell: (x) => x.counts.responses },
              { head: '纳入计分', cell: (x) => x.counts.included },
              { head: '剔除', cell: (x) => x.counts.excluded },
              {
                head: '更正',
                cell: (x) => (x.changes?.decisions ? `${x.changes.decisions} 项核实决定` : ''),
              },
              {
                head: '',
                cell: (x) => <a href={`/dashboard?campaign=${campaign.slug}&snapshot=${x.id}`}>查看</a>,
              },
            ]}
          />
          {isBeforeClose(status) ? (
            <p id="publish-interim">
              评议尚未截止，不能发布结果；现在只能查看
              <a href={`/dashboard?campaign=${campaign.slug}&snapshot=${LIVE}`}>{INTERIM}</a>
              （仅评议办和分析人员可见，部门联络员看不到）。
            </p>
          ) : (
            status !== 'settled' && (
              <p>
                <a class="button" id="publish-link" href={`/admin/campaigns/${campaign.slug}/publish`}>
                  {snapshots.length ? '发布更正结果…' : '发布结果…'}
                </a>
              </p>
            )
          )}
          {corrections.map((x) => (
            <details class="corrections" id={`changes-${x.id}`}>
              <summary>
                <Time at={x.createdAt} zone={zone} /> 发布的更正：{x.changes?.decisions} 项核实决定，
                {x.changes?.departments} 个部门的结果变化
              </summary>
              <ul>
                {(x.view.changes?.decisions ?? []).map((d) => (
                  <li>
                    {d.department.name}：负面情形 {d.kind}，{DECISION_LABELS[d.action]}（{d.by}，
                    <Time at={d.at} zone={zone} />
                    ）。理由：{d.reason}
                  </li>
                ))}
                {(x.view.changes?.departments ?? []).map((d) => (
                  <li>
                    {d.name}：扣分 {d.from?.deduction ?? '—'} → {d.to?.deduction ?? '—'}，最终得分{' '}
                    {d.from?.finalScore ?? '—'} → {d.to?.finalScore ?? '—'}
                  </li>
                ))}
              </ul>
            </details>
          ))}
          <p>
            发布时为重点整改部门和作风问题比例达到提示线的部门自动起草
            <a href={`/admin/campaigns/${campaign.slug}/notices`}>工作提示单</a>；办理情况见
            <a href={`/admin/ledger?campaign=${campaign.slug}`}>台账与对账单</a>。
          </p>
        </section>

        <section class="card" id="review">
          <h2>负面情形核实与意见建议</h2>
          <p>
            待核实 {queue.counts.pending} 条
            {queue.counts.overdue > 0 && <strong>（逾期 {queue.counts.overdue} 条）</strong>}，已核实{' '}
            {queue.counts.verified} 条，不予采纳 {queue.counts.dismissed} 条。
          </p>
          <p>
            <a href={`/admin/campaigns/${campaign.slug}/negatives`}>负面情形核实（待核实）</a> ·{' '}
            <a href={`/admin/campaigns/${campaign.slug}/suggestions`}>意见建议</a>
          </p>
        </section>

        <section class="card">
          <h2>导入答卷</h2>
          <p class="muted">
            纸质问卷录入或其他系统收集的答卷：录入工具或其他系统按本系统答卷格式导出的文件（每行一份答卷，格式说明请向系统管理员索取），
            与网上提交同样校验；文件有任何错误时不导入任何答卷，同一文件不能重复导入。
          </p>
          {published ? (
            <p class="muted" id="responses-closed">
              结果已经发布，不能再导入答卷。
            </p>
          ) : (
            <ImportForm endpoint={`${base}/responses/import`} accept=".jsonl,.json,.txt" />
          )}
          <p>
            <a href={`${base}/responses/export.xlsx`} download>
              下载原始数据（.xlsx）
            </a>
            <span class="muted">：每份答卷和每个部门评价，含问卷版本和自定义问题的回答；不含姓名、链接和时间。</span>
          </p>
        </section>

        <InvitationsSection
          campaign={campaign}
          status={status}
          held={services.invitations.heldLinks(campaign)}
          toInvite={progress.totals.evaluators - progress.totals.invited}
          loopback={loopback}
          reminderDays={services.invitations.reminderIntervalDays}
          channels={services.invitations.channels}
        />

        <section class="card" id="progress" data-live>
          <h2>填报进度</h2>
          <ProgressTables progress={progress} />
          <p>
            <a href={`/admin/campaigns/${campaign.slug}/progress`} id="progress-link">
              各单位进度与催报名单
            </a>{' '}
            · <a href={`/admin/campaigns/${campaign.slug}`}>刷新</a>
          </p>
        </section>

        <section class="card">
          <h2>评议代表名单 · 补发链接</h2>
          {/* the reissue's confirmation asks about this address itself: the generation's tickbox is far up the page */}
          <form
            id="evaluator-search"
            class="inline"
            data-endpoint={`${base}/evaluators`}
            data-loopback={loopback ?? undefined}
          >
            <label>
              姓名或单位 <input type="search" name="q" />
            </label>
            <button type="submit" class="secondary">
              查找
            </button>
          </form>
          <div id="reissue-result" aria-live="polite"></div>
          <div id="evaluator-results" class="result" aria-live="polite"></div>
        </section>

        <CloneForm campaign={campaign} csrf={viewer.csrfToken} banner={clone} />

        <PurgeSection campaign={campaign} status={status} csrf={viewer.csrfToken} purge={{ ...purge, preview }} />
      </AdminPage>,
      code,
    );
  }

  /** The form's start: the example, or the campaign named by `from`. */
  async function formBase(from: string | undefined) {
    const taken = new Set((await services.campaigns.list()).map((c) => c.slug));
    return from && from !== 'example'
      ? campaignBase(await services.campaigns.getBySlug(from), taken)
      : exampleBase(taken);
  }

  async function formPage(
    c: Context<AppEnv>,
    props: Omit<CampaignFormProps, 'csrf' | 'campaigns'>,
    code: ContentfulStatusCode = 200,
  ) {
    const viewer = await viewerOf(c, services);
    return c.html(
      <AdminPage viewer={viewer} title="用表单创建评议活动">
        <p>
          <a href="/admin">← 全部活动</a>
        </p>
        <h1>用表单创建评议活动</h1>
        <CampaignForm csrf={viewer.csrfToken} campaigns={await services.campaigns.list()} {...props} />
      </AdminPage>,
      code,
    );
  }

  app.get('/example-config.yaml', () =>
    download(readFileSync(EXAMPLE_CONFIG_PATH), 'application/yaml; charset=utf-8', '活动配置示例.yaml'),
  );

  app.get('/campaigns/new', async (c) => formPage(c, { base: await formBase(c.req.query('from')) }));

  // the same config object as an upload, through the same checks; a refusal keeps what was typed
  app.post('/campaigns/new', async (c) => {
    const { values } = await readForm(c);
    const base = await formBase(values.from);
    if (values.add) return formPage(c, { base, values, adding: values.add });
    const { raw, rows } = configFromForm(values, base.raw);
    let created = '';
    const refused = await attempt(async () => {
      assertListedZone(values, base.raw);
      created = (await services.campaigns.create({ raw }, c.get('user').username)).slug;
    });
    if (refused) return formPage(c, { base, values, errors: formErrors(refused, rows) }, refused.status);
    return c.redirect(`/admin/campaigns/${created}?done=create`, 303);
  });

  /** 编辑: a draft's config in the create form, an upload replacing it, and its questionnaire replaced. */
  async function editPage(
    c: Context<AppEnv>,
    campaign: Campaign,
    props: Partial<Omit<CampaignFormProps, 'csrf' | 'campaigns' | 'editing'>> & { upload?: AppError } = {},
    code: ContentfulStatusCode = 200,
  ) {
    const viewer = await viewerOf(c, services);
    const { upload, ...form } = props;
    const closed = await attempt(async () => services.campaigns.assertEditable(campaign));
    return c.html(
      <AdminPage viewer={viewer} title={`编辑 · ${campaign.name}`}>
        <p>
          <a href={`/admin/campaigns/${campaign.slug}`}>← {campaign.name}</a>
        </p>
        <h1>编辑评议活动</h1>
        {closed ? (
          <p class="error" role="alert" id="edit-refused">
            {closed.message}
          </p>
        ) : (
          <>
            <p class="muted">
              评议开启前，配置和问卷都可以修改；保存后原配置被替换，并记入操作日志。已导入的部门和评议代表必须仍属于新配置中的分组和类别。
            </p>
            <CampaignForm csrf={viewer.csrfToken} campaigns={[]} base={editBase(campaign)} editing {...form} />
            <section class="card" id="edit-upload">
              <h2>上传配置文件替换（高级）</h2>
              {upload && <ErrorSummary id="upload-errors" error={upload} />}
              <form
                method="post"
                action={`/admin/campaigns/${campaign.slug}/edit/upload`}
                enctype="multipart/form-data"
                class="stack"
              >
                <input type="hidden" name={CSRF_FIELD} value={viewer.csrfToken} />
                <label>
                  活动配置文件（YAML 或 JSON） <input type="file" name="config" accept=".yaml,.yml,.json" required />
                </label>
                <label>
                  问卷 JSON（可选，不选则保留现有问卷） <input type="file" name="questionnaire" accept=".json" />
                </label>
                <div>
                  <button type="submit">上传并替换配置</button>
                </div>
              </form>
              <h3>只更换问卷</h3>
              <form
                method="post"
                action={`/admin/campaigns/${campaign.slug}/questionnaire`}
                enctype="multipart/form-data"
                class="stack"
              >
                <input type="hidden" name={CSRF_FIELD} value={viewer.csrfToken} />
                <label>
                  问卷 JSON <input type="file" name="questionnaire" accept=".json" required />
                </label>
                <div>
                  <button type="submit" class="secondary">
                    上传并更换问卷
                  </button>
                </div>
              </form>
            </section>
          </>
        )}
      </AdminPage>,
      closed ? closed.status : code,
    );
  }

  app.get('/campaigns/:slug/edit', async (c) => editPage(c, await services.campaigns.getBySlug(c.req.param('slug'))));

  // the create form's config, through the same checks, saved over the draft's
  app.post('/campaigns/:slug/edit', async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const { values } = await readForm(c);
    const base = editBase(campaign);
    if (values.add) return editPage(c, campaign, { values, adding: values.add });
    const { raw, rows } = configFromForm(values, base.raw);
    let saved = campaign.slug;
    const refused = await attempt(async () => {
      assertListedZone(values, base.raw);
      saved = (await services.campaigns.editConfig(campaign.slug, { raw }, c.get('user').username)).slug;
    });
    if (refused) return editPage(c, campaign, { values, errors: formErrors(refused, rows) }, refused.status);
    return c.redirect(`/admin/campaigns/${encodeURIComponent(saved)}?done=edit#lifecycle`, 303);
  });

  app.post('/campaigns/:slug/edit/upload', async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    let saved = campaign.slug;
    const refused = await attempt(async () => {
      const input = await readConfigInput(c);
      saved = (await services.campaigns.editConfig(campaign.slug, input, c.get('user').username)).slug;
    });
    if (refused) return editPage(c, campaign, { upload: refused }, refused.status);
    return c.redirect(`/admin/campaigns/${encodeURIComponent(saved)}?done=edit#lifecycle`, 303);
  });

  app.post('/campaigns/:slug/questionnaire', async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const refused = await attempt(async () => {
      const definition = await readQuestionnaireBody(c);
      await services.campaigns.replaceQuestionnaire(campaign.slug, definition, c.get('user').username);
    });
    if (refused) return editPage(c, campaign, { upload: refused }, refused.status);
    return c.redirect(`/admin/campaigns/${encodeURIComponent(campaign.slug)}?done=questionnaire#lifecycle`, 303);
  });

  // per category and per 单位, and who (named) or how many (anonymous) to chase; works without a script
  app.get('/campaigns/:slug/progress', async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const [progress, chase] = await Promise.all([
      services.invitations.progress(campaign),
      services.invitations.chase(campaign),
    ]);
    const base = `/api/campaigns/${campaign.slug}/chase`;
    return c.html(
      <AdminPage viewer={await viewerOf(c, services)} title={`填报进度 · ${campaign.name}`}>
        <p>
          <a href={`/admin/campaigns/${campaign.slug}`}>← {campaign.name}</a>
        </p>
        <h1>填报进度与催报名单</h1>
        <section class="card" id="progress">
          <h2>各类别</h2>
          <ProgressTables progress={progress} />
        </section>
        <section class="card" id="organisations">
          <h2>各单位</h2>
          <OrganisationTable chase={chase} />
        </section>
        <section class="card" id="chase">
          <h2>催报名单{chase.people && `（未提交 ${chase.people.length} 人）`}</h2>
          <p>
            下载：
            <a href={`${base}?format=xlsx`} download>
              Excel（.xlsx）
            </a>{' '}
            ·{' '}
            <a href={`${base}?format=csv`} download>
              CSV
            </a>
          </p>
          <ChaseList chase={chase} />
        </section>
      </AdminPage>,
    );
  });

  app.get('/campaigns/:slug', (c) => {
    const slug = c.req.param('slug');
    const done = c.req.query('purged');
    const purge = done && /^\d{1,9}$/.test(done) ? { done: Number(done) } : {};
    return campaignPage(c, slug, purge, 200, {}, lifecycleFlash(c, slug));
  });

  // the typed confirmation: a refusal shows the page again with it, a purge returns to the page
  app.post('/campaigns/:slug/purge', async (c) => {
    const slug = c.req.param('slug');
    const { values } = await readForm(c);
    let report: PurgeReport | undefined;
    const refused = await attempt(async () => {
      report = await services.privacy.purge(slug, { confirm: values.confirm ?? '' }, c.get('user').username);
    });
    if (refused || !report)
      return campaignPage(c, slug, { error: refused?.message, typed: values.confirm }, refused?.status);
    return c.redirect(`/admin/campaigns/${encodeURIComponent(slug)}?purged=${report.total}#purge`, 303);
  });

  // the lifecycle steps as plain forms, each answered by a redirect (a refresh never sends a step
  // again): a refusal's reasons and what was typed ride in a one-read cookie to the campaign page
  // (only the typed times: the form's other fields, the CSRF token, stay out of the cookie)
  async function lifecycleStep(
    c: Context<AppEnv>,
    slug: string,
    done: string,
    values: FormValues,
    run: () => Promise<unknown>,
  ) {
    const page = `/admin/campaigns/${encodeURIComponent(slug)}`;
    const refused = await attempt(run);
    if (refused) {
      const typed = (field: 'opensAt' | 'closesAt') => values[field]?.slice(0, 40);
      const banner = {
        error: refused.message.slice(0, 2000),
        step: LIFECYCLE_ACTIONS.find((a) => a === done),
        values: { opensAt: typed('opensAt'), closesAt: typed('closesAt') },
      };
      setCookie(c, LIFECYCLE_FLASH, JSON.stringify(banner), { path: page, httpOnly: true, sameSite: 'Lax' });
      return c.redirect(`${page}#lifecycle`, 303);
    }
    return c.redirect(`${page}?done=${done}#lifecycle`, 303);
  }

  /** The refusal a lifecycle step left for this page, read once. */
  function lifecycleFlash(c: Context<AppEnv>, slug: string): LifecycleBanner {
    const flash = getCookie(c, LIFECYCLE_FLASH);
    if (!flash) return {};
    deleteCookie(c, LIFECYCLE_FLASH, { path: `/admin/campaigns/${encodeURIComponent(slug)}` });
    const parsed = lifecycleBanner.safeParse(safeJson(flash));
    return parsed.success ? parsed.data : {};
  }

  for (const action of LIFECYCLE_ACTIONS) {
    app.post(`/campaigns/:slug/lifecycle/${action}`, async (c) => {
      const slug = c.req.param('slug');
      const { values } = await readForm(c);
      return lifecycleStep(c, slug, action, {}, async () => {
        const unconfirmed = CONFIRMED_STEPS[action];
        if (unconfirmed && values.confirm !== '1') throw new AppError('VALIDATION_FAILED', unconfirmed);
        await services.campaigns[action](slug, c.get('user').username);
      });
    });
  }

  app.post('/campaigns/:slug/dates', async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const { values } = await readForm(c);
    return lifecycleStep(c, campaign.slug, `dates&was=${encodeURIComponent(campaign.closesAt)}`, values, () =>
      services.campaigns.setDates(campaign.slug, datesForm(values, campaign.config.timeZone), c.get('user').username),
    );
  });

  /** 发布结果的确认页: what will be published; the POST checks the ticked confirmation. */
  async function publishPage(c: Context<AppEnv>, slug: string, error?: string, code: ContentfulStatusCode = 200) {
    const campaign = await services.campaigns.getBySlug(slug);
    const preview = await services.results.publication(slug);
    const viewer = await viewerOf(c, services);
    return c.html(
      <AdminPage viewer={viewer} title={`发布结果 · ${campaign.name}`}>
        <p>
          <a href={`/admin/campaigns/${campaign.slug}`}>← {campaign.name}</a>
        </p>
        <h1>{campaign.name}</h1>
        <PublishConfirmation campaign={campaign} preview={preview} csrf={viewer.csrfToken} error={error} />
      </AdminPage>,
      code,
    );
  }

  app.get('/campaigns/:slug/publish', (c) => publishPage(c, c.req.param('slug')));

  app.post('/campaigns/:slug/publish', async (c) => {
    const slug = c.req.param('slug');
    const { values } = await readForm(c);
    const refused = await attempt(async () => {
      if (values.confirm !== '1') throw new AppError('VALIDATION_FAILED', '请勾选“确认发布”后再发布');
      await services.results.publish(slug, c.get('user').username);
    });
    if (refused) return publishPage(c, slug, refused.message, refused.status);
    return c.redirect(`/admin/campaigns/${encodeURIComponent(slug)}?done=publish#publish-section`, 303);
  });

  app.post('/campaigns/:slug/clone', async (c) => {
    const source = await services.campaigns.getBySlug(c.req.param('slug'));
    const { values } = await readForm(c);
    let created = '';
    const refused = await attempt(async () => {
      const input = cloneForm(values, source.config.timeZone);
      created = (await services.campaigns.clone(source.slug, input, c.get('user').username)).campaign.slug;
    });
    if (refused) return campaignPage(c, source.slug, {}, refused.status, { error: refused.message, values });
    return c.redirect(`/admin/campaigns/${created}?done=clone`, 303);
  });

  return app;
}
