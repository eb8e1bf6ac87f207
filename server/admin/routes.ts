import { Hono } from 'hono';
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { currentUser, requirePageRole } from '../accounts/middleware.js';
import { ROLE_LABELS } from '../accounts/service.js';
import type { Campaign } from '../campaigns/service.js';
import type { AppEnv, SessionUser } from '../http/env.js';
import { page } from '../http/layout.js';
import type { Progress } from '../invitations/service.js';
import type { Services } from '../services.js';

const STATUS_LABELS: Record<string, string> = { scheduled: '未开始', open: '进行中', closed: '已截止' };
const MODE_LABELS: Record<string, string> = { anonymous: '匿名', named: '实名' };

const shanghai = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const when = (iso: string) => shanghai.format(new Date(iso));

/** An upload form handled by admin.js: summary or a table of bad lines; "只检查" sends dryRun. */
function importForm(endpoint: string, accept: string) {
  return html`<form class="import inline" data-endpoint="${endpoint}" enctype="multipart/form-data">
    <label>文件 <input type="file" name="file" accept="${accept}" required></label>
    <label class="check"><input type="checkbox" name="dryRun" value="1"> 只检查，不导入</label>
    <button type="submit">上传</button>
    <div class="result" aria-live="polite"></div>
  </form>`;
}

const pct = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '—');

function adminPage(
  user: SessionUser,
  csrfToken: string,
  title: string,
  body: HtmlEscapedString | Promise<HtmlEscapedString>,
  data: Record<string, string> = {},
) {
  const attrs = Object.entries(data).map(([k, v]) => html` data-${k}="${v}"`);
  return page({
    title: `${title} · 民主评议机关系统`,
    scripts: ['admin.js'],
    styles: ['admin.css'],
    body: html`<header class="admin-bar no-print">
  <nav><a class="home" href="/admin">民主评议机关系统 · 评议办</a> <a href="/dashboard">结果分析</a></nav>
  <form id="logout" method="post" action="/api/auth/logout">
    <span class="muted">${user.displayName}（${ROLE_LABELS[user.role]}）</span>
    <button type="submit" class="secondary">退出登录</button>
  </form>
</header>
<main id="admin" data-csrf="${csrfToken}"${attrs}>
${body}
</main>`,
  });
}

function campaignList(campaigns: (Campaign & { status: string })[]) {
  if (!campaigns.length) return html`<p class="muted">还没有评议活动。请在下面上传活动配置文件创建第一个活动。</p>`;
  return html`<table>
<thead><tr><th>活动</th><th>代码</th><th>时间（北京时间）</th><th>方式</th><th>状态</th></tr></thead>
<tbody>
${campaigns.map(
  (c) => html`<tr>
  <td><a href="/admin/campaigns/${c.slug}">${c.name}</a></td>
  <td><code>${c.slug}</code></td>
  <td>${when(c.opensAt)} 至 ${when(c.closesAt)}</td>
  <td>${MODE_LABELS[c.mode] ?? c.mode}</td>
  <td>${STATUS_LABELS[c.status] ?? c.status}</td>
</tr>`,
)}
</tbody>
</table>`;
}

function progressTables(progress: Progress) {
  const t = progress.totals;
  const maxDay = Math.max(1, ...progress.perDay.map((d) => d.total));
  const categories = progress.categories;
  return html`<table class="numbers" id="progress-categories">
<thead><tr><th>类别</th><th>名单</th><th>已邀请</th><th>已打开</th><th>已存草稿</th><th>已提交</th><th>提交率</th><th>答卷（含导入）</th></tr></thead>
<tbody>
${categories.map(
  (c) => html`<tr data-category="${c.code}">
  <td>${c.label}</td><td>${c.evaluators}</td><td>${c.invited}</td><td>${c.opened}</td><td>${c.draftSaved}</td><td>${c.submitted}</td><td>${pct(c.submitted, c.invited)}</td><td>${c.responses}</td>
</tr>`,
)}
</tbody>
<tfoot><tr><th>合计</th><th>${t.evaluators}</th><th>${t.invited}</th><th>${t.opened}</th><th>${t.draftSaved}</th><th>${t.submitted}</th><th>${pct(t.submitted, t.invited)}</th><th>${t.responses}</th></tr></tfoot>
</table>
<p class="muted">“已打开”“已存草稿”包含之后已提交的；匿名评议提交后不再保留时间，只记录已使用。</p>
<h3>每日提交（答卷日期，UTC）</h3>
${
  progress.perDay.length
    ? html`<table class="numbers" id="progress-days">
<thead><tr><th>日期</th>${categories.map((c) => html`<th>${c.label}</th>`)}<th>合计</th><th></th></tr></thead>
<tbody>
${progress.perDay.map(
  (d) => html`<tr>
  <td>${d.day}</td>${categories.map((c) => html`<td>${d.byCategory[c.code] ?? 0}</td>`)}<td>${d.total}</td>
  <td><span class="bar" style="width:${Math.round((120 * d.total) / maxDay)}px"></span></td>
</tr>`,
)}
</tbody>
</table>`
    : html`<p class="muted">还没有提交的答卷。</p>`
}`;
}

/** The office's pages under /admin: campaign list and creation, a campaign's roster, invitations and progress. */
export function adminRoutes(services: Services) {
  const app = new Hono<AppEnv>();
  app.use('*', requirePageRole('admin'));

  app.get('/', async (c) => {
    const user = currentUser(c)!;
    const campaigns = (await services.campaigns.list()).map((x) => ({ ...x, status: services.campaigns.status(x) }));
    const users = await services.accounts.listUsers();
    return c.html(
      adminPage(
        user,
        c.get('csrfToken'),
        '评议活动',
        html`<h1>评议活动</h1>
${campaignList(campaigns)}
<section class="card">
  <h2>创建评议活动</h2>
  <p class="muted">上传活动配置文件（YAML 或 JSON，格式见 <code>surveys/campaign.example.yaml</code>）。问卷默认使用配置中指定的 surveys/ 中的问卷，也可以一并上传问卷 JSON。</p>
  <form id="create-campaign" class="stack" enctype="multipart/form-data">
    <label>活动配置文件 <input type="file" name="config" accept=".yaml,.yml,.json" required></label>
    <label>问卷 JSON（可选） <input type="file" name="questionnaire" accept=".json"></label>
    <div><button type="submit">创建</button></div>
    <div class="result" aria-live="polite"></div>
  </form>
</section>
<section class="card" id="accounts">
  <h2>账号</h2>
  <table id="user-list">
    <thead><tr><th>用户名</th><th>姓名</th><th>角色</th><th>部门</th></tr></thead>
    <tbody>
    ${users.map((u) => html`<tr><td>${u.username}</td><td>${u.displayName}</td><td>${ROLE_LABELS[u.role]}</td><td>${u.departmentCode ?? ''}</td></tr>`)}
    </tbody>
  </table>
  <h3>添加账号</h3>
  <form id="add-user" class="inline">
    <label>用户名 <input name="username" required></label>
    <label>姓名 <input name="displayName"></label>
    <label>角色
      <select name="role">
        <option value="liaison">部门联络员</option>
        <option value="analyst">分析人员</option>
        <option value="admin">评议办</option>
      </select>
    </label>
    <label>部门代码（联络员） <input name="departmentCode" size="8"></label>
    <button type="submit">添加</button>
    <div class="result" aria-live="polite"></div>
  </form>
  <p class="muted">系统生成密码并只显示一次，请当面或通过安全渠道交给本人。</p>
</section>`,
      ),
    );
  });

  app.get('/campaigns/:slug', async (c) => {
    const user = currentUser(c)!;
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const status = services.campaigns.status(campaign);
    const [departments, progress, snapshots] = await Promise.all([
      services.campaigns.departments(campaign.id),
      services.invitations.progress(campaign, status),
      services.results.snapshots(campaign.slug),
    ]);
    const groups = campaign.config.groups.map((g) => ({
      ...g,
      count: departments.filter((d) => d.group === g.code).length,
    }));
    const base = `/api/campaigns/${campaign.slug}`;
    return c.html(
      adminPage(
        user,
        c.get('csrfToken'),
        campaign.name,
        html`<p><a href="/admin">← 全部活动</a></p>
<h1>${campaign.name}</h1>
<dl class="facts">
  <dt>代码</dt><dd><code>${campaign.slug}</code></dd>
  <dt>时间</dt><dd>${when(campaign.opensAt)} 至 ${when(campaign.closesAt)}（北京时间）</dd>
  <dt>状态</dt><dd>${STATUS_LABELS[status] ?? status}，${MODE_LABELS[campaign.mode] ?? campaign.mode}评议</dd>
  <dt>部门</dt><dd>${departments.length} 个（${groups.map((g, i) => html`${i ? '，' : ''}${g.label} ${g.count}`)}）</dd>
  <dt>评议代表</dt><dd>${progress.totals.evaluators} 人，已邀请 ${progress.totals.invited} 人</dd>
</dl>

<section class="card">
  <h2>导入部门</h2>
  <p class="muted">.xlsx 或 .csv，列：代码（code）、名称（name）、分组（group，可填分组名称或代码）；可选：联络员、联络员邮箱。
  同一代码再次导入时，内容相同不变，内容不同则更新；文件有任何错误时不导入任何数据。</p>
  ${importForm(`${base}/departments/import`, '.xlsx,.csv')}
</section>

<section class="card">
  <h2>导入评议代表</h2>
  <p class="muted">.xlsx 或 .csv，列：姓名（name）、单位/项目（organisation）、类别（category，可填类别名称或代码：${campaign.config.categories.map((x, i) => html`${i ? '、' : ''}${x.label}`)}）；可选：电话、邮箱。
  完全相同的行再次导入不会重复添加。</p>
  ${importForm(`${base}/evaluators/import`, '.xlsx,.csv')}
</section>

<section class="card">
  <h2>发布结果</h2>
  <p class="muted">按当前答卷和核实情况计算全部结果（含 ${campaign.config.scoring.bootstrap.samples} 次抽样区间），保存为不可更改的结果快照；
  已发布的数字以后不会变化，重新计算会成为新的快照。部门联络员看到的是最近一次发布的结果。</p>
  ${
    snapshots.length
      ? html`<table id="snapshot-list"><thead><tr><th>发布时间（北京时间）</th><th>发布人</th><th>答卷</th><th>纳入计分</th><th>剔除</th><th>输入摘要</th><th></th></tr></thead><tbody>
${snapshots.map(
  (x) =>
    html`<tr><td>${when(x.createdAt)}</td><td>${x.createdBy}</td><td>${x.counts.responses}</td><td>${x.counts.included}</td><td>${x.counts.excluded}</td><td><code>${x.inputsHash.slice(0, 12)}</code></td><td><a href="/dashboard?campaign=${campaign.slug}&snapshot=${x.id}">查看</a></td></tr>`,
)}</tbody></table>`
      : html`<p id="snapshot-list">尚未发布结果。</p>`
  }
  <form id="publish" class="inline" data-endpoint="${base}/snapshots">
    <button type="submit">计算并发布</button>
    <div class="result" aria-live="polite"></div>
  </form>
</section>

<section class="card">
  <h2>导入答卷</h2>
  <p class="muted">纸质问卷录入或其他系统收集的答卷：UTF-8 编码的 .jsonl 文件，每行一份规范格式的答卷（格式见 README），
  与网上提交同样校验；文件有任何错误时不导入任何答卷，同一文件不能重复导入。</p>
  ${importForm(`${base}/responses/import`, '.jsonl,.json,.txt')}
</section>

<section class="card">
  <h2>生成邀请链接</h2>
  <p>为还没有邀请的评议代表各生成一个专属链接（当前 ${progress.totals.evaluators - progress.totals.invited} 人待生成）。
  <strong>链接只在这次下载的文件中出现，系统只保存其摘要，无法再次导出</strong>；请妥善保存文件。遗失的链接可在下方名单中补发。</p>
  <form id="invitations" class="inline" data-endpoint="${base}/invitations">
    <label>格式
      <select name="format">
        <option value="xlsx">Excel 链接清单（.xlsx）</option>
        <option value="csv">CSV 链接清单（.csv）</option>
        <option value="letters">可打印的邀请函（二维码，每人一页 A4）</option>
      </select>
    </label>
    <button type="submit">生成并下载</button>
    <div class="result" aria-live="polite"></div>
  </form>
</section>

<section class="card" id="progress">
  <h2>填报进度</h2>
  ${progressTables(progress)}
  <p><a href="/admin/campaigns/${campaign.slug}">刷新</a></p>
</section>

<section class="card">
  <h2>评议代表名单 · 补发链接</h2>
  <form id="evaluator-search" class="inline" data-endpoint="${base}/evaluators">
    <label>姓名或单位 <input type="search" name="q"></label>
    <button type="submit" class="secondary">查找</button>
  </form>
  <div id="evaluator-results" class="result" aria-live="polite"></div>
</section>`,
        { slug: campaign.slug },
      ),
    );
  });

  return app;
}
