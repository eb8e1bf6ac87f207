import { Hono, type Context } from 'hono';
import type { Child } from 'hono/jsx';
import { requirePageRole } from '../accounts/middleware.js';
import type { Campaign } from '../campaigns/service.js';
import { STATUS_LABELS } from '../campaigns/lifecycle.js';
import { AppError } from '../errors.js';
import type { Viewer } from '../http/components/header.js';
import { Layout } from '../http/components/layout.js';
import { EmptyState } from '../http/components/message.js';
import { Time, timeText } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { errorPage } from '../http/errors.js';
import { viewerOf } from '../http/viewer.js';
import type { Services } from '../services.js';
import { INTERIM, INTERIM_NOTE, LIVE, publicationLabel } from '../../web/lib/format.js';
import { resultsApiPath } from '../../web/lib/results-path.js';
import { DEFAULT_TIME_ZONE, zoneLabel } from '../../web/lib/time.js';

/** A dashboard page: the header, and <main id="dashboard"> with what dashboard.js reads in data- attributes. */
function DashboardPage({
  viewer,
  title,
  data,
  preload,
  children,
}: {
  viewer: Viewer;
  title: string;
  data: Record<`data-${string}`, string>;
  preload?: string[];
  children?: Child;
}) {
  return (
    <Layout
      title={`${title} · 评议结果分析`}
      scripts={['dashboard.js']}
      styles={['dashboard.css']}
      preload={preload}
      viewer={viewer}
    >
      <main class="dashboard" id="dashboard" {...data}>
        {children}
      </main>
    </Layout>
  );
}

/** A chart that dashboard.js draws, with the table of its figures that it fills in. */
function Chart({ canvas, label, table, short }: { canvas: string; label: string; table: string; short?: boolean }) {
  return (
    <>
      <div class={short ? 'chart-box short' : 'chart-box'}>
        <canvas id={canvas} aria-label={label}></canvas>
      </div>
      <details class="table" id={table}>
        <summary>查看数据表</summary>
      </details>
    </>
  );
}

/** Before the first campaign: the header and what to do, no script (there is nothing to draw). */
function NoCampaignPage({ viewer }: { viewer: Viewer }) {
  return (
    <Layout title="还没有评议活动 · 评议结果分析" styles={['dashboard.css']} viewer={viewer}>
      <main class="dashboard">
        <h1>还没有评议活动</h1>
        <EmptyState>请先创建评议活动并导入部门。</EmptyState>
      </main>
    </Layout>
  );
}

/**
 * Mounted at /dashboard. The analyst dashboard: server-rendered shells; web/pages/dashboard.ts fetches the results API
 * and draws the charts and tables. Office (admin) and analysts only.
 */
export function dashboardPages(services: Services) {
  const r = new Hono<AppEnv>();
  const guard = requirePageRole('admin', 'analyst');

  async function context(c: Context<AppEnv>) {
    const [slugParam, snapshotParam] = [c.req.query('campaign'), c.req.query('snapshot')];
    const campaigns = await services.campaigns.list();
    const campaign = slugParam ? campaigns.find((x) => x.slug === slugParam) : campaigns[0];
    if (!campaign) return null;
    const snapshots = await services.results.snapshots(campaign.slug);
    // a published campaign opens on its latest snapshot; the interim figures are asked for by name
    const snapshot =
      snapshotParam === LIVE ? undefined : snapshotParam ? snapshots.find((s) => s.id === snapshotParam) : snapshots[0];
    if (snapshotParam && snapshotParam !== LIVE && !snapshot) throw new AppError('NOT_FOUND', '没有这个结果快照');
    return { campaigns, campaign, snapshots, snapshot, zone: campaign.config.timeZone };
  }

  r.get('/', guard, async (c) => {
    const viewer = await viewerOf(c, services);
    const ctx = await context(c);
    if (!ctx) return c.html(<NoCampaignPage viewer={viewer} />);
    const { campaigns, campaign, snapshots, snapshot, zone } = ctx;
    const status = services.campaigns.status(campaign);
    const all = await services.results.allSnapshots();
    const zoneOf = (slug: string) => campaigns.find((x) => x.slug === slug)?.config.timeZone ?? DEFAULT_TIME_ZONE;
    const exportBase = snapshot ? `/api/snapshots/${snapshot.id}` : `/api/campaigns/${campaign.slug}/results`;
    const compareTo = snapshots[0]?.id ?? '';
    const compareFrom = all.find((s) => s.campaign !== campaign.slug)?.id ?? snapshots[1]?.id ?? '';
    const snapshotOptions = (selected: string) =>
      all.map((s) => (
        <option value={s.id} selected={s.id === selected}>
          {s.campaignName} · {timeText(s.createdAt, zoneOf(s.campaign), zone)}
        </option>
      ));
    return c.html(
      <DashboardPage
        viewer={viewer}
        title={campaign.name}
        data={{ 'data-view': 'overview', 'data-campaign': campaign.slug, 'data-snapshot': snapshot?.id ?? '' }}
        preload={[resultsApiPath(campaign.slug, snapshot?.id, { quick: true })]}
      >
        <form class="picker no-print" method="get" action="/dashboard">
          <label>
            评议活动
            <select name="campaign" data-autosubmit>
              {campaigns.map((x) => (
                <option value={x.slug} selected={x.slug === campaign.slug}>
                  {x.name}（{STATUS_LABELS[services.campaigns.status(x)]}）
                </option>
              ))}
            </select>
          </label>
          <label>
            结果（{zoneLabel(zone)}）
            <select name="snapshot" data-autosubmit>
              <option value={LIVE} selected={!snapshot}>
                {INTERIM_NOTE}：实时计算
              </option>
              {snapshots.map((s) => (
                <option value={s.id} selected={s.id === snapshot?.id}>
                  {publicationLabel(snapshots, s.id)} · {timeText(s.createdAt, zone)}（{s.counts.responses} 份答卷）
                </option>
              ))}
            </select>
          </label>
          <noscript>
            <button type="submit">查看</button>
          </noscript>
        </form>
        <h1>{campaign.name}</h1>
        <p class="muted" id="campaign-status">
          评议状态：{STATUS_LABELS[status]}
        </p>
        <p class="source" id="source">
          {snapshot ? (
            <>
              已发布的结果（{publicationLabel(snapshots, snapshot.id)}），发布于{' '}
              <Time at={snapshot.createdAt} zone={zone} />（{snapshot.createdBy}）
            </>
          ) : (
            <>
              <strong class="interim">{INTERIM}</strong>
              ：尚未发布，数字会随答卷和核实情况变化（最多每分钟重新计算一次），不对联络员显示。
            </>
          )}
        </p>
        <p class="exports no-print">
          导出全部结果：
          <a href={`${exportBase}/export.xlsx`} download>
            Excel
          </a>{' '}
          ·{' '}
          <a href={`${exportBase}/export.csv`} download>
            CSV
          </a>
        </p>
        <p class="status" id="status" role="status">
          正在计算……
        </p>

        <section id="progress-section" aria-labelledby="progress-h">
          <h2 id="progress-h">答卷进度与甄别</h2>
          <div class="figures" id="screening"></div>
          <Chart canvas="progress-chart" label="每日网上提交数" table="progress-table" short />
        </section>

        <section id="ranking-section" aria-labelledby="ranking-h">
          <h2 id="ranking-h">分组排名</h2>
          <p class="note">
            条形为最终得分，细线为得分的 95%
            区间；浅色底纹框出的部门，名次区间相互重叠，统计上无法区分先后（“统计上无差别”）。样本不足的部门不予排名。
          </p>
          <div id="groups"></div>
        </section>

        <section id="heatmap-section" aria-labelledby="heatmap-h">
          <h2 id="heatmap-h">作风问题热力图</h2>
          <p class="note">
            每格为该部门评议人中指出该问题的人数和比例；评议该部门的不足 <span data-min-cell></span>{' '}
            人时整行不予显示（“人数不足”），评议人够数时指出的人再少也照实显示。
          </p>
          <div class="heatmap-wrap" id="heatmap"></div>
        </section>

        <section id="compare-section" aria-labelledby="compare-h">
          <h2 id="compare-h">年度对比</h2>
          {all.length < 2 ? (
            <EmptyState>至少需要两个已发布的结果快照才能对比。</EmptyState>
          ) : (
            <>
              <form class="picker no-print" id="compare-form">
                <label>
                  对比基准
                  <select name="from" id="compare-from">
                    {snapshotOptions(compareFrom)}
                  </select>
                </label>
                <label>
                  对比对象
                  <select name="to" id="compare-to">
                    {snapshotOptions(compareTo)}
                  </select>
                </label>
                <button type="submit">对比</button>
              </form>
              <div id="compare-method" aria-live="polite"></div>
              <p class="chart-caption" id="compare-caption"></p>
              <Chart canvas="compare-chart" label="得分变化" table="compare-table" />
            </>
          )}
        </section>
      </DashboardPage>,
    );
  });

  r.get('/departments/:code', guard, async (c) => {
    const viewer = await viewerOf(c, services);
    const ctx = await context(c);
    if (!ctx) return c.html(<NoCampaignPage viewer={viewer} />);
    const { campaign, snapshots, snapshot, zone } = ctx;
    const code = c.req.param('code');
    const department = (await services.campaigns.departments(campaign.id)).find((d) => d.code === code);
    if (!department)
      return errorPage(c, 'NOT_FOUND', `评议活动 ${campaign.name} 中没有代码为 ${code} 的部门。`, '没有这个部门');
    const back = overviewUrl(campaign, snapshot?.id);
    return c.html(
      <DashboardPage
        viewer={viewer}
        title={department.name}
        data={{
          'data-view': 'department',
          'data-campaign': campaign.slug,
          'data-snapshot': snapshot?.id ?? '',
          'data-code': department.code,
        }}
      >
        <p class="no-print">
          <a href={back}>← 返回总览</a>
        </p>
        <h1>
          {department.name}
          <small>（{department.code}）</small>
        </h1>
        <p class="source">
          {campaign.name} ·{' '}
          {snapshot ? (
            <>
              已发布的结果（{publicationLabel(snapshots, snapshot.id)}），发布于{' '}
              <Time at={snapshot.createdAt} zone={zone} />（{zoneLabel(zone)}）
            </>
          ) : (
            <strong class="interim">{INTERIM_NOTE}</strong>
          )}
        </p>
        <p class="status" id="status" role="status">
          正在计算……
        </p>
        <div class="figures" id="summary"></div>

        <section aria-labelledby="cat-h">
          <h2 id="cat-h">各类评议代表的评价</h2>
          <p class="note">
            各类代表的平均分；有效答复少于 <span data-min-cell></span>{' '}
            人的类别不予显示（图中标“人数不足”），少于计分门槛的类别不参与计分。
          </p>
          <Chart canvas="category-chart" label="分类别平均分" table="category-table" />
        </section>

        <section aria-labelledby="prob-h">
          <h2 id="prob-h">作风问题与负面情形</h2>
          <div class="two">
            <div>
              <Chart canvas="problem-chart" label="作风问题" table="problem-table" />
            </div>
            <div>
              <Chart canvas="negative-chart" label="负面情形" table="negative-table" />
            </div>
          </div>
        </section>

        <section aria-labelledby="trend-h">
          <h2 id="trend-h">历年趋势</h2>
          <p class="note">各次评议已发布结果中的最终得分与 95% 区间。</p>
          <Chart canvas="trend-chart" label="历年得分" table="trend-table" short />
        </section>
      </DashboardPage>,
    );
  });

  return r;
}

function overviewUrl(campaign: Campaign, snapshotId: string | undefined): string {
  return `/dashboard?campaign=${encodeURIComponent(campaign.slug)}&snapshot=${snapshotId ?? LIVE}`;
}
