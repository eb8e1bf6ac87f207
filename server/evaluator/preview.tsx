import { Hono } from 'hono';
import { requirePageRole, requireRole } from '../accounts/middleware.js';
import { Layout } from '../http/components/layout.js';
import type { AppEnv } from '../http/env.js';
import type { Services } from '../services.js';
import { previewCategory } from './service.js';

const readers = ['admin', 'analyst'] as const;

const previewHref = (slug: string, category: string, width?: 'phone') =>
  `/admin/campaigns/${encodeURIComponent(slug)}/preview?category=${encodeURIComponent(category)}${width ? '&width=phone' : ''}`;

/**
 * Mounted at /admin: `/admin/campaigns/:slug/preview`, the evaluator's questionnaire as an
 * evaluator of a category sees it (`?width=phone`: in a phone's width), answered by the same
 * script as a real link. It has no invitation: the page saves no draft and submits nothing.
 */
export function previewPages(services: Services) {
  const app = new Hono<AppEnv>();
  app.get('/campaigns/:slug/preview', requirePageRole(...readers), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const categories = campaign.config.categories;
    // each category may be served other questions
    const category = previewCategory(campaign, c.req.query('category'));
    const phone = c.req.query('width') === 'phone';
    const apiUrl = `/api/campaigns/${encodeURIComponent(campaign.slug)}/preview?category=${encodeURIComponent(category)}`;
    return c.html(
      <Layout title={`预览 · ${campaign.name}`} scripts={['evaluator.js']} styles={['evaluator.css']}>
        <nav class="preview-bar" aria-label="预览">
          <p role="note">
            <strong>预览</strong>：这是评议代表打开链接后看到的问卷。可以试填，答案不会保存，也不会提交。
          </p>
          <p>
            评议代表类别：
            {categories.map((x) =>
              x.code === category ? (
                <strong aria-current="page">{x.label}</strong>
              ) : (
                <a href={previewHref(campaign.slug, x.code, phone ? 'phone' : undefined)}>{x.label}</a>
              ),
            )}
          </p>
          <p>
            {phone ? (
              <a href={previewHref(campaign.slug, category)}>按电脑宽度查看</a>
            ) : (
              <a href={previewHref(campaign.slug, category, 'phone')}>按手机宽度查看</a>
            )}{' '}
            · <a href={`/admin/campaigns/${encodeURIComponent(campaign.slug)}`}>返回活动</a>
          </p>
        </nav>
        <main
          class={phone ? 'evaluator preview-phone' : 'evaluator'}
          id="evaluator"
          data-lang="zh"
          data-preview={apiUrl}
        >
          <header class="evaluator-header">
            <h1>{campaign.name}</h1>
            <p class="save-status" id="save-status" role="status" aria-live="polite"></p>
          </header>
          <div id="survey">
            <p class="loading">正在加载问卷…</p>
          </div>
        </main>
      </Layout>,
    );
  });
  return app;
}

/** Mounted at /api/campaigns: `GET /:slug/preview?category=CODE`, what the preview page loads. */
export function previewApi(services: Services) {
  const app = new Hono<AppEnv>();
  app.get('/:slug/preview', requireRole(...readers), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    c.header('Cache-Control', 'no-store');
    return c.json(await services.evaluator.preview(campaign, c.req.query('category')));
  });
  return app;
}
