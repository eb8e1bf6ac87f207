import { Hono } from 'hono';
import { html } from 'hono/html';
import { currentUser, requirePageRole } from '../accounts/middleware.js';
import type { AppEnv } from '../http/env.js';
import { messagePage, page } from '../http/layout.js';
import type { Services } from '../services.js';

const fmtTime = (iso: string) => iso.slice(0, 16).replace('T', ' ');

/** Mounted at /my: a department liaison's own pages. */
export function liaisonPages(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('*', requirePageRole('liaison'));

  /** A liaison's page: their own department's published results, nothing else (no script needed). */
  r.get('/results', async (c) => {
    const user = currentUser(c)!;
    if (!user.departmentCode) return c.html(messagePage('没有关联部门', '您的账号没有关联部门，请联系评议办。'), 403);
    const { results } = await services.results.departmentResults(user.departmentCode);
    const f2 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(2));
    const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);
    const body = results.map(({ campaign, snapshot, method, catalogs, groupSize, department: d }) => {
      const hidden = `<${method.minCellSize}`;
      const iv = d.uncertainty.scoreInterval;
      const figure = (label: string, value: string | number) =>
        html`<div class="figure"><span class="value">${value}</span><span class="label">${label}</span></div>`;
      return html`<section>
        <h2>${campaign.name}</h2>
        <p class="source">结果发布于 ${fmtTime(snapshot.publishedAt)}</p>
        <div class="figures">
          ${figure('最终得分', d.suppressed ? hidden : f2(d.finalScore))}
          ${figure('95% 区间', iv ? `${f2(iv[0])}–${f2(iv[1])}` : '—')}
          ${figure(`${d.groupLabel}排名`, d.rank === null ? (d.rankNote ?? '—') : `${d.rank}${d.tied ? '（并列）' : ''} / ${groupSize}`)}
          ${figure('等级', d.grade ?? '—')}
          ${figure('有效评议人数', d.validRaters)}
          ${figure('满意率', d.suppressed ? hidden : `${f2(d.satisfactionRate)}%`)}
          ${figure('扣分', `${f2(d.deduction)}（核实负面情形 ${d.verifiedNegatives} 条）`)}
        </div>
        ${d.rectification ? html`<p><strong class="flag">重点整改</strong> 得分低于 ${method.rectification.maxScore} 分，且有较大可能位于本组末 ${method.rectification.bottomCount} 位。</p>` : ''}
        <h3>各类评议代表的评价</h3>
        <div class="table-wrap"><table class="compact">
          <thead><tr><th>评议项目</th><th>代表类别</th><th>有效答复</th><th>平均分</th><th>满意及以上比例</th></tr></thead>
          <tbody>${catalogs.items.flatMap((it) =>
            (d.items[it.code]?.categoryBreakdown ?? []).map(
              (b) =>
                html`<tr><td>${it.label}</td><td>${catalogs.categories.find((x) => x.code === b.category)?.label ?? b.category}</td><td>${b.validAnswers}</td><td>${b.suppressed ? hidden : f2(b.mean)}</td><td>${b.suppressed ? hidden : pct(b.satisfiedShare)}</td></tr>`,
            ),
          )}</tbody>
        </table></div>
        <h3>评议代表指出的作风问题</h3>
        <div class="table-wrap"><table class="compact">
          <thead><tr><th>作风问题</th><th>指出人数</th><th>占评议人比例</th></tr></thead>
          <tbody>${catalogs.problems.map((p) => {
            const cell = d.problems.find((x) => x.problem === p.id);
            return html`<tr><td>${p.label}</td><td>${cell?.suppressed ? hidden : (cell?.mentions ?? 0)}</td><td>${cell?.suppressed ? hidden : pct(cell?.share ?? 0)}</td></tr>`;
          })}</tbody>
        </table></div>
        <h3>办事负面情形</h3>
        <div class="table-wrap"><table class="compact">
          <thead><tr><th>负面情形</th><th>反映</th><th>核实</th></tr></thead>
          <tbody>${catalogs.negatives.map((n) => {
            const cell = d.negatives.find((x) => x.kind === n.id);
            return html`<tr><td>${n.label}</td><td>${cell?.suppressed ? hidden : (cell?.reported ?? 0)}</td><td>${cell?.suppressed ? hidden : (cell?.verified ?? 0)}</td></tr>`;
          })}</tbody>
        </table></div>
        <p class="note">少于 ${method.minCellSize} 人的分项不予显示（“${hidden}”）。</p>
      </section>`;
    });
    return c.html(
      page({
        title: '本部门评议结果',
        styles: ['dashboard.css'],
        body: html`<main class="dashboard">
  <h1>本部门评议结果<small>（${user.departmentCode}）</small></h1>
  ${results.length ? body : html`<p class="note">还没有已发布的评议结果。</p>`}
</main>`,
      }),
    );
  });

  return r;
}
