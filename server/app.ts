import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { AppDeps } from './context.js';
import { renderError, respondError } from './http/errors.js';
import type { AppEnv } from './http/env.js';
import { favicon, staticAssets } from './http/assets.js';
import { viewerOf } from './http/viewer.js';
import { declaredBodyLimit, refuseBadUrlText, trimTrailingSlash } from './http/inputs.js';
import { compressResponses } from './http/compress.js';
import { UPLOAD_MAX_BYTES } from './http/limits.js';
import { AppError } from './errors.js';
import { previewApi, previewPages } from './evaluator/preview.js';
import { createServices, type Services } from './services.js';
import { errorBody } from './errors.js';
import { FAILURE_MESSAGES } from './db/health.js';
import { evaluatorApi, evaluatorPages } from './evaluator/routes.js';
import { resultsRoutes } from './results/routes.js';
import { dashboardPages } from './results/pages.js';
import { sessionMiddleware } from './accounts/middleware.js';
import { authRoutes, frontDoor, loginPageRoutes, logoutPageRoutes, usersRoutes } from './accounts/routes.js';
import { accountPages, usersPages } from './accounts/pages.js';
import { liaisonPages } from './liaison/pages.js';
import { liaisonRoutes } from './liaison/routes.js';
import { adminRoutes } from './admin/routes.js';
import { closeoutPages } from './notices/closeout.js';
import { settlementPages } from './admin/settle.js';
import { campaignRoutes } from './campaigns/routes.js';
import { invitationsRoutes } from './invitations/routes.js';
import { rosterRoutes } from './roster/routes.js';
import { responsesRoutes } from './responses/routes.js';
import { noticesRoutes } from './notices/routes.js';
import { myNoticePages, noticesPages } from './notices/pages.js';
import { ledgerPages, ledgerRoutes } from './notices/ledger-pages.js';
import { negativesRoutes } from './negatives/routes.js';
import { suggestionsRoutes } from './suggestions/routes.js';
import { negativesPages } from './negatives/pages.js';
import { suggestionsPages } from './suggestions/pages.js';
import { privacyRoutes } from './privacy/routes.js';

/** The one place that builds the application. The entry point only starts it. */
export function createApp(deps: AppDeps, services: Services = createServices(deps)) {
  const app = new Hono<AppEnv>();

  // first, so that every answer (errors included) passes through it last
  app.use('*', compressResponses());
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        objectSrc: ["'none'"],
      },
      // a route may set its own (the login page's Referrer-Policy)
      overwrite: false,
    }),
  );
  // The evaluator API is open to anyone with a link (or a guess): a draft or a submission is far
  // below 2 MB (drafts are capped at 256k characters), office uploads and a department's evidence
  // files (API or page forms) may be up to 20 MB.
  app.use('*', trimTrailingSlash);
  app.use('*', refuseBadUrlText);
  app.use('/api/s/*', declaredBodyLimit({ maxSize: 2 * 1024 * 1024 }));
  for (const signedIn of ['/api/*', '/my/*', '/admin/*'])
    app.use(
      signedIn,
      declaredBodyLimit({
        maxSize: UPLOAD_MAX_BYTES,
        onError: () => {
          throw new AppError(
            'PAYLOAD_TOO_LARGE',
            `上传的内容合计超过 ${UPLOAD_MAX_BYTES / 1024 / 1024} MB，请减少或压缩文件后分次上传`,
          );
        },
      }),
    );
  app.onError((err, c) => respondError(c, err));
  // what an error page's header shows, read only when a signed-in request ends on one
  app.use('*', async (c, next) => {
    c.set('viewer', () => viewerOf(c, services));
    await next();
  });
  // Office sessions and CSRF, before every route (the evaluator side /s/, /api/s/ is token-authenticated and skipped).
  app.use('*', sessionMiddleware(services.accounts));
  app.notFound((c) => renderError(c, 'NOT_FOUND', `没有这个地址：${c.req.path}`));

  // a write that must commit, not only a read: a read-only file or a full disk answers reads
  app.get('/healthz', async (c) => {
    const time = deps.clock.now().toISOString();
    const failure = await deps.db.probe(time);
    if (!failure) return c.json({ ok: true, dialect: deps.db.dialect, time });
    c.header('Retry-After', '5');
    return c.json(
      {
        ok: false,
        dialect: deps.db.dialect,
        time,
        cause: failure.cause,
        ...errorBody('SERVICE_UNAVAILABLE', FAILURE_MESSAGES[failure.cause]),
      },
      503,
    );
  });
  app.route('/assets', staticAssets());
  app.route('/favicon.ico', favicon());
  app.route('/api/auth', authRoutes(services, deps.config));
  app.route('/', frontDoor());
  app.route('/login', loginPageRoutes(services, deps.config));
  app.route('/logout', logoutPageRoutes(services, deps.config));
  app.route('/api/users', usersRoutes(services));
  app.route('/api/campaigns', previewApi(services));
  app.route('/api/campaigns', campaignRoutes(services));
  app.route('/api/campaigns', rosterRoutes(services));
  app.route('/api/campaigns', responsesRoutes(services));
  app.route('/api/campaigns', invitationsRoutes(services, deps.clock));
  app.route('/admin/closeout', closeoutPages(services));
  app.route('/api/campaigns', negativesRoutes(services));
  app.route('/api/campaigns', suggestionsRoutes(services));
  app.route('/api/campaigns', privacyRoutes(services));
  app.route('/admin', previewPages(services));
  app.route('/admin/users', usersPages(services));
  app.route('/account', accountPages(services));
  app.route('/admin', adminRoutes(services));
  app.route('/admin', noticesPages(services));
  app.route('/admin', ledgerPages(services));
  app.route('/admin', negativesPages(services));
  app.route('/admin', settlementPages(services));
  app.route('/admin', suggestionsPages(services));
  app.route('/api', resultsRoutes(services));
  app.route('/api', noticesRoutes(services));
  app.route('/api', ledgerRoutes(services));
  app.route('/api/my', liaisonRoutes(services));
  app.route('/dashboard', dashboardPages(services));
  app.route('/my', liaisonPages(services));
  app.route('/my', myNoticePages(services));
  app.route('/s', evaluatorPages(services));
  app.route('/api/s', evaluatorApi(services));

  return app;
}

export type App = ReturnType<typeof createApp>;
