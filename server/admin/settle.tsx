import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { CSRF_FIELD, requirePageRole } from '../accounts/middleware.js';
import type { Campaign } from '../campaigns/service.js';
import type { SettlementPreview } from '../contracts.js';
import { AppError } from '../errors.js';
import { attempt, readForm } from '../http/forms.js';
import type { AppEnv } from '../http/env.js';
import { viewerOf } from '../http/viewer.js';
import type { Services } from '../services.js';
import { AdminPage } from './routes.js';

/** 结算的确认: what settling means, what is still open, the ticks the server checks. */
function SettleConfirmation({
  campaign,
  preview,
  csrf,
  error,
}: {
  campaign: Campaign;
  preview: SettlementPreview;
  csrf: string;
  error?: string;
}) {
  const { items, unverifiedNegatives: unverified } = preview;
  const page = `/admin/campaigns/${campaign.slug}`;
  return (
    <section class="card" id="settle-confirm">
      <h2>结算</h2>
      {(error || preview.refused) && (
        <p class="error" role="alert" id="settle-error">
          {error ?? preview.refused}
        </p>
      )}
      <p>结算是评议办结束本次评议后续工作的正式操作。结算后：</p>
      <ul id="settle-means">
        <li>活动状态变为“已结算”，各页面都这样显示；结算不能撤销。</li>
        <li>不能再发布更正结果：已发布的结果保持不变，部门联络员仍可查看本部门的结果。</li>
        <li>本次评议的后续工作（工作提示单整改、负面情形核实）以结算为结束：此后核实的负面情形反映不会再计入结果。</li>
      </ul>
      <h3>还没有办完的事</h3>
      <ul id="settle-open">
        <li>
          工作提示单事项：已下发 {items.issued} 项，已销号 {items.closed} 项，已撤销 {items.withdrawn} 项，
          <strong>未办结 {items.open} 项</strong>
          {items.openByState.length > 0 && `（${items.openByState.map((s) => `${s.label} ${s.count}`).join('，')}）`}。{' '}
          {items.drafted > 0 && `另有 ${items.drafted} 项在尚未下发的草拟工作提示单上（不影响结算）。`}
          <a href={`${page}/notices`}>查看工作提示单</a>
          {items.openByDepartment.length > 0 && (
            <ul id="settle-open-departments">
              {items.openByDepartment.map((d) => (
                <li>
                  {d.name}（{d.code}）：{d.count} 项未办结
                </li>
              ))}
            </ul>
          )}
        </li>
        <li>
          负面情形反映：
          {unverified > 0 ? <strong>{unverified} 条未核实</strong> : '全部已核实或不予采纳'}。{' '}
          <a href={`${page}/negatives`}>查看负面情形反映</a>
        </li>
      </ul>
      {!preview.refused && (
        <form method="post" action={`${page}/settle`} class="stack" id="settle">
          <input type="hidden" name={CSRF_FIELD} value={csrf} />
          {unverified > 0 && (
            <label class="check">
              <input type="checkbox" name="unverified" value={String(unverified)} required />
              <span>我知道还有 {unverified} 条负面情形反映未核实：它们不计入已发布的结果，结算后也不能再发布更正</span>
            </label>
          )}
          <label class="check">
            <input type="checkbox" name="confirm" value="1" required />
            <span>我已了解结算的含义，确认结算本次评议</span>
          </label>
          <div>
            <button type="submit">确认结算</button>
          </div>
        </form>
      )}
      <p>
        <a href={`${page}#lifecycle`}>← 返回活动页</a>
      </p>
    </section>
  );
}

/**
 * Mounted at /admin: the settlement's own page, `/admin/campaigns/:slug/settle` (the campaign
 * page's 结算 links here). GET states what settling means and what is still open; the POST checks
 * the ticks (the unverified count as it was shown) and returns to the campaign page.
 */
export function settlementPages(services: Services) {
  const app = new Hono<AppEnv>();
  app.use('/campaigns/:slug/settle', requirePageRole('admin'));

  async function settlePage(c: Context<AppEnv>, error?: string, code: ContentfulStatusCode = 200) {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug') ?? '');
    const [preview, viewer] = await Promise.all([services.campaigns.settlement(campaign.slug), viewerOf(c, services)]);
    c.header('Cache-Control', 'no-store');
    return c.html(
      <AdminPage viewer={viewer} title={`结算 · ${campaign.name}`}>
        <p>
          <a href={`/admin/campaigns/${campaign.slug}`}>← {campaign.name}</a>
        </p>
        <h1>{campaign.name}</h1>
        <SettleConfirmation campaign={campaign} preview={preview} csrf={viewer.csrfToken} error={error} />
      </AdminPage>,
      code,
    );
  }

  app.get('/campaigns/:slug/settle', (c) => settlePage(c));

  app.post('/campaigns/:slug/settle', async (c) => {
    const slug = c.req.param('slug');
    const { values } = await readForm(c);
    const refused = await attempt(async () => {
      if (values.confirm !== '1') throw new AppError('VALIDATION_FAILED', '请勾选“确认结算本次评议”后再结算');
      const unverified = /^\d{1,7}$/.test(values.unverified ?? '') ? Number(values.unverified) : undefined;
      await services.campaigns.settle(slug, c.get('user').username, { unverified });
    });
    if (refused) return settlePage(c, refused.message, refused.status);
    return c.redirect(`/admin/campaigns/${encodeURIComponent(slug)}?done=settle#lifecycle`, 303);
  });

  return app;
}
