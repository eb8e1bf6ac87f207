import { Hono } from 'hono';
import { requirePageRole } from '../accounts/middleware.js';
import type { SuggestionsPage } from '../contracts.js';
import { viewerOf } from '../http/viewer.js';
import type { AppEnv } from '../http/env.js';
import { filledQuery, ReviewPage, withQuery } from '../negatives/pages.js';
import { Banner, Prose } from '../notices/components.js';
import { attempt } from '../http/forms.js';
import type { Services } from '../services.js';

/**
 * The evaluators' suggestions at /admin/campaigns/:slug/suggestions, for the office only: searched
 * and filtered by a plain form, exported with the same filters; each shows the text that may be
 * forwarded (redacted) beside the original.
 */
export function suggestionsPages(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('/campaigns/:slug/suggestions', requirePageRole('admin'));

  r.get('/campaigns/:slug/suggestions', async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const query = filledQuery(c.req.query());
    const [viewer, departments] = await Promise.all([
      viewerOf(c, services),
      services.campaigns.departments(campaign.id),
    ]);
    let page: SuggestionsPage | null = null;
    const refused = await attempt(async () => {
      page = await services.suggestions.list(campaign.slug, query);
    });
    const shown = page as SuggestionsPage | null;
    const base = `/admin/campaigns/${campaign.slug}/suggestions`;
    const api = `/api/campaigns/${campaign.slug}/suggestions`;
    const { page: _page, pageSize: _size, ...filters } = query;
    const exportHref = (format: 'csv' | 'xlsx', original: boolean) =>
      withQuery(`${api}/export.${format}`, filters, original ? { original: '1' } : {});
    const pages = shown ? Math.max(1, Math.ceil(shown.total / shown.pageSize)) : 1;
    return c.html(
      <ReviewPage viewer={viewer} title="意见建议">
        <p class="crumbs">
          <a href={`/admin/campaigns/${campaign.slug}`}>← {campaign.name}</a>
        </p>
        <h1>
          意见建议
          <small>
            {campaign.name} · <a href={`/admin/campaigns/${campaign.slug}/negatives`}>负面情形核实</a>
          </small>
        </h1>
        <Banner error={refused?.message} />
        {shown && (
          <p class="summary" id="counts">
            总体建议 {shown.counts.overall} 条，对部门的建议 {shown.counts.department} 条；符合条件 {shown.total} 条。
            仅评议办可见；转交部门时请用脱敏后的文本（电话、身份证号、邮箱、姓氏加职务已隐去）。
          </p>
        )}
        <form class="filters" method="get" action={base}>
          <label>
            包含文字
            <input type="search" name="q" maxlength={100} value={query.q ?? ''} />
          </label>
          <label>
            部门
            <select name="department">
              <option value="">全部</option>
              {departments.map((d) => (
                <option value={d.code} selected={query.department === d.code}>
                  {d.name}（{d.code}）
                </option>
              ))}
            </select>
          </label>
          <label>
            范围
            <select name="scope">
              <option value="">全部</option>
              <option value="overall" selected={query.scope === 'overall'}>
                总体建议
              </option>
              <option value="department" selected={query.scope === 'department'}>
                对部门的建议
              </option>
            </select>
          </label>
          <div class="filter-buttons">
            <button type="submit">搜索</button>
            <a class="button secondary" href={base}>
              清除
            </a>
          </div>
        </form>
        <p class="exports" id="exports">
          导出（按当前筛选）：<a href={exportHref('xlsx', false)}>Excel（脱敏）</a> ·{' '}
          <a href={exportHref('csv', false)}>CSV（脱敏）</a> ·{' '}
          <a href={exportHref('xlsx', true)}>Excel（含原文，仅内部）</a>
        </p>
        {shown &&
          (shown.items.length ? (
            <ul class="suggestions" id="suggestions">
              {shown.items.map((s) => (
                <li class="suggestion">
                  <p class="card-title">
                    {s.department ? `对${s.department.name}（${s.department.code}）` : '总体建议'}
                  </p>
                  <Prose text={s.text} />
                  {s.redacted !== s.text && (
                    <p class="redacted">
                      <span class="muted">转交时：</span>
                      {s.redacted}
                    </p>
                  )}
                </li>
              ))}
            </ul>
          ) : (
            <p class="empty">没有符合条件的意见建议。</p>
          ))}
        {shown && pages > 1 && (
          <nav class="pager" aria-label="翻页">
            {shown.page > 1 && <a href={withQuery(base, query, { page: String(shown.page - 1) })}>上一页</a>}
            <span>
              第 {shown.page} / {pages} 页
            </span>
            {shown.page < pages && <a href={withQuery(base, query, { page: String(shown.page + 1) })}>下一页</a>}
          </nav>
        )}
      </ReviewPage>,
      refused ? refused.status : 200,
    );
  });

  return r;
}
