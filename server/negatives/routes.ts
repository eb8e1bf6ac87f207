import { Hono } from 'hono';
import { requireRole } from '../accounts/middleware.js';
import { readJsonBody } from '../http/inputs.js';
import type { AppEnv } from '../http/env.js';
import { actorOf } from '../notices/http.js';
import type { Services } from '../services.js';

/**
 * The verification queue, mounted at /api/campaigns: the office (admin) only. Free text is read
 * here in the original; what a department will read is the `redacted` text of each report.
 */
export function negativesRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  const office = requireRole('admin');
  const { negatives } = services;

  r.get('/:slug/negatives', office, async (c) => c.json(await negatives.queue(c.req.param('slug'), c.req.query())));

  r.get('/:slug/negatives/changes', office, async (c) =>
    c.json(await services.results.unpublishedCorrections(c.req.param('slug'))),
  );

  r.get('/:slug/negatives/:id', office, async (c) =>
    c.json(await negatives.report(c.req.param('slug'), c.req.param('id'))),
  );

  // each decision on one report: the same shape, a JSON body checked by the service, the acting office user
  const decisions = [
    ['post', 'verify', negatives.verify],
    ['post', 'dismiss', negatives.dismiss],
    ['put', 'redaction', negatives.redact],
    ['post', 'merge', negatives.merge],
    ['post', 'unmerge', negatives.unmerge],
  ] as const;
  for (const [method, path, decide] of decisions) {
    r[method](`/:slug/negatives/:id/${path}`, office, async (c) =>
      c.json(await decide(c.req.param('slug'), c.req.param('id'), await readJsonBody(c, '请求内容'), actorOf(c))),
    );
  }

  return r;
}
