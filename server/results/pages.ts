import { Hono } from 'hono';
import { html } from 'hono/html';
import { currentUser, requirePageRole } from '../accounts/middleware.js';
import type { AppEnv } from '../http/env.js';
import { AppError } from '../errors.js';
import { messagePage, page } from '../http/layout.js';
import type { Services } from '../services.js';

const fmtTime = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/**
 * Mounted at /dashboard. The analyst dashboard: server-rendered shells; web/pages/dashboard.ts fetches the results API
 * and draws the charts and tables. Office (admin) and analysts only.
 */
export function dashboardPages(services: Services) {
  const r = new Hono<AppEnv>();
  const guard = requirePageRole('admin', 'analyst');

  async function context(slugParam: string | undefined, snapshotParam: string | undefined) {
    const campaigns = await services.campaigns.list();
    const campaign = slugParam ? campaigns.find((c) => c.slug === slugParam) : campaigns[0];
    if (!campaign) return null;
    const snapshots = await services.results.snapshots(campaign.slug);
    const snapshot = snapshotParam ? snapshots.find((s) => s.id === snapshotParam) : undefined;
    if (snapshotParam && !snapshot) throw new AppError('NOT_FOUND', '没有这个结果快照');
    return { campaigns, campaign, snapshots, snapshot };
  }

  function header(user: string, body: ReturnType<typeof html>) {
    return html`<header class="dash-header no-print">
        <a class="brand" href="/dashboard">民评 · 评议结果分析</a>
        <nav>${body}</nav>
        <span class="who">${user}</span>
        <button class="secondary logout" type="button" data-logout>退出</button>
      </header>`;
  }

  r.get('/', guard, async (c) => {
    const user = currentUser(c)!;
    const ctx = await context(c.req.query('campaign'), c.req.query('snapshot'));
    if (!ctx) return c.html(messagePage('还没有评议活动', '请先创建评议活动并导入部门。'));
    const { campaigns, campaign, snapshots, snapshot } = ctx;
    const all = await services.results.allSnapshots();
    const exportBase = snapshot ? `/api/snapshots/${snapshot.id}` : `/api/campaigns/${campaign.slug}/results`;
    const compareTo = snapshots[0]?.id ?? '';
    const compareFrom = all.find((s) => s.campaign !== campaign.slug)?.id ?? snapshots[1]?.id ?? '';
    return c.html(
      page({
        title: `${campaign.name} · 评议结果分析`,
        scripts: ['dashboard.js'],
        styles: ['dashboard.css'],
        body: html`${header(user.displayName, html`<a href="/dashboard?campaign=${campaign.slug}" aria-current="page">总览</a>`)}
<main class="dashboard" id="dashboard" data-csrf="${c.get('csrfToken')}" data-view="overview" data-campaign="${campaign.slug}" data-snapshot="${snapshot?.id ?? ''}">
  <form class="picker no-print" method="get" action="/dashboard">
    <label>评议活动
      <select name="campaign" data-autosubmit>
        ${campaigns.map((x) => html`<option value="${x.slug}" ${x.slug === campaign.slug ? 'selected' : ''}>${x.name}</option>`)}
      </select>
    </label>
    <label>结果
      <select name="snapshot" data-autosubmit>
        <option value="">实时计算（未发布）</option>
        ${snapshots.map((s) => html`<option value="${s.id}" ${s.id === snapshot?.id ? 'selected' : ''}>已发布 ${fmtTime(s.createdAt)}（${s.counts.responses} 份答卷）</option>`)}
      </select>
    </label>
    <noscript><button type="submit">查看</button></noscript>
  </form>
  <h1>${campaign.name}</h1>
  <p class="source" id="source">${snapshot ? html`已发布的结果快照 <code>${snapshot.id}</code>，发布于 ${fmtTime(snapshot.createdAt)}（${snapshot.createdBy}）` : '实时计算：尚未发布，数字会随答卷和核实情况变化（最多每分钟重新计算一次）。'}</p>
  <p class="exports no-print">导出全部结果：<a href="${exportBase}/export.xlsx" download>Excel</a> · <a href="${exportBase}/export.csv" download>CSV</a></p>
  <p class="status" id="status" role="status">正在计算……</p>

  <section id="progress-section" aria-labelledby="progress-h">
    <h2 id="progress-h">答卷进度与甄别</h2>
    <div class="figures" id="screening"></div>
    <div class="chart-box short"><canvas id="progress-chart" aria-label="每日答卷数"></canvas></div>
    <details class="table" id="progress-table"><summary>查看数据表</summary></details>
  </section>

  <section id="ranking-section" aria-labelledby="ranking-h">
    <h2 id="ranking-h">分组排名</h2>
    <p class="note">条形为最终得分，细线为得分的 95% 区间；浅色底纹框出的部门，名次区间相互重叠，统计上无法区分先后（“统计上无差别”）。样本不足的部门不予排名。</p>
    <div id="groups"></div>
  </section>

  <section id="heatmap-section" aria-labelledby="heatmap-h">
    <h2 id="heatmap-h">作风问题热力图</h2>
    <p class="note">每格为该部门评议人中指出该问题的比例；人数少于 <span data-min-cell></span> 人的格子不予显示（“&lt;<span data-min-cell></span>”）。</p>
    <div class="heatmap-wrap" id="heatmap"></div>
  </section>

  <section id="compare-section" aria-labelledby="compare-h">
    <h2 id="compare-h">年度对比</h2>
    ${
      all.length < 2
        ? html`<p class="note">至少需要两个已发布的结果快照才能对比。</p>`
        : html`<form class="picker no-print" id="compare-form">
          <label>对比基准
            <select name="from" id="compare-from">
              ${all.map((s) => html`<option value="${s.id}" ${s.id === compareFrom ? 'selected' : ''}>${s.campaignName} · ${fmtTime(s.createdAt)}</option>`)}
            </select>
          </label>
          <label>对比对象
            <select name="to" id="compare-to">
              ${all.map((s) => html`<option value="${s.id}" ${s.id === compareTo ? 'selected' : ''}>${s.campaignName} · ${fmtTime(s.createdAt)}</option>`)}
            </select>
          </label>
          <button type="submit">对比</button>
        </form>
        <div class="chart-box"><canvas id="compare-chart" aria-label="得分变化"></canvas></div>
        <details class="table" id="compare-table"><summary>查看数据表</summary></details>`
    }
  </section>
</main>`,
      }),
    );
  });

  r.get('/departments/:code', guard, async (c) => {
    const user = currentUser(c)!;
    const ctx = await context(c.req.query('campaign'), c.req.query('snapshot'));
    if (!ctx) return c.html(messagePage('还没有评议活动', '请先创建评议活动并导入部门。'));
    const { campaign, snapshot } = ctx;
    const code = c.req.param('code');
    const departments = await services.campaigns.departments(campaign.id);
    const department = departments.find((d) => d.code === code);
    if (!department)
      return c.html(messagePage('没有这个部门', `评议活动 ${campaign.name} 中没有代码为 ${code} 的部门。`), 404);
    const back = `/dashboard?campaign=${encodeURIComponent(campaign.slug)}${snapshot ? `&snapshot=${snapshot.id}` : ''}`;
    return c.html(
      page({
        title: `${department.name} · 评议结果分析`,
        scripts: ['dashboard.js'],
        styles: ['dashboard.css'],
        body: html`${header(user.displayName, html`<a href="${back}">总览</a>`)}
<main class="dashboard" id="dashboard" data-csrf="${c.get('csrfToken')}" data-view="department" data-campaign="${campaign.slug}" data-snapshot="${snapshot?.id ?? ''}" data-code="${department.code}">
  <p class="no-print"><a href="${back}">← 返回总览</a></p>
  <h1>${department.name}<small>（${department.code}）</small></h1>
  <p class="source">${campaign.name} · ${snapshot ? html`已发布的结果快照，发布于 ${fmtTime(snapshot.createdAt)}` : '实时计算（未发布）'}</p>
  <p class="status" id="status" role="status">正在计算……</p>
  <div class="figures" id="summary"></div>

  <section aria-labelledby="cat-h">
    <h2 id="cat-h">各类评议代表的评价</h2>
    <p class="note">各类代表的平均分；有效答复少于 <span data-min-cell></span> 人的类别不予显示，少于计分门槛的类别不参与计分。</p>
    <div class="chart-box"><canvas id="category-chart" aria-label="分类别平均分"></canvas></div>
    <details class="table" id="category-table"><summary>查看数据表</summary></details>
  </section>

  <section aria-labelledby="prob-h">
    <h2 id="prob-h">作风问题与负面情形</h2>
    <div class="two">
      <div>
        <div class="chart-box"><canvas id="problem-chart" aria-label="作风问题"></canvas></div>
        <details class="table" id="problem-table"><summary>查看数据表</summary></details>
      </div>
      <div>
        <div class="chart-box"><canvas id="negative-chart" aria-label="负面情形"></canvas></div>
        <details class="table" id="negative-table"><summary>查看数据表</summary></details>
      </div>
    </div>
  </section>

  <section aria-labelledby="trend-h">
    <h2 id="trend-h">历年趋势</h2>
    <p class="note">各次评议已发布结果中的最终得分与 95% 区间。</p>
    <div class="chart-box short"><canvas id="trend-chart" aria-label="历年得分"></canvas></div>
    <details class="table" id="trend-table"><summary>查看数据表</summary></details>
  </section>
</main>`,
      }),
    );
  });

  return r;
}
