import { Hono } from 'hono';
import { requireRole } from '../accounts/middleware.js';
import type { PurgeReport } from '../contracts.js';
import type { AppEnv } from '../http/env.js';
import { readJsonBody } from '../http/inputs.js';
import type { Services } from '../services.js';

/** `POST /api/campaigns/:slug/purge` (admin): body `{ confirm: "<the campaign's slug>" }`. */
export function privacyRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  r.post('/:slug/purge', requireRole('admin'), async (c) => {
    const report: PurgeReport = await services.privacy.purge(
      c.req.param('slug'),
      await readJsonBody(c, '请求内容'),
      c.get('user').username,
    );
    return c.json(report);
  });
  return r;
}
