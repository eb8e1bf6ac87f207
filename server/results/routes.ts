import { Hono } from 'hono';
import { z } from 'zod';
import { currentUser, requireRole } from '../accounts/middleware.js';
import type { AppEnv } from '../http/env.js';
import { parseOrThrow } from '../errors.js';
import type { Services } from '../services.js';
import { CSV_TYPE, download, XLSX_TYPE } from '../http/download.js';
import { resultCsv, resultXlsx } from './export.js';
import type { ResultView } from '../contracts.js';
import { dayInZone } from '../../web/lib/time.js';
import { INTERIM } from '../../web/lib/format.js';

const compareQuery = z.object({
  from: z.string().min(1, '请指定对比的起始快照 from'),
  to: z.string().min(1, '请指定对比的目标快照 to'),
});

async function exportResponse(view: ResultView, format: 'csv' | 'xlsx', base: string) {
  if (format === 'csv') return download(resultCsv(view), CSV_TYPE, `${base}.csv`);
  return download(await resultXlsx(view), XLSX_TYPE, `${base}.xlsx`);
}

/**
 * Results API, mounted at /api. Analysts and the office (admin) read results and snapshots;
 * only the office publishes.
 */
export function resultsRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  const readers = requireRole('admin', 'analyst');

  r.get('/campaigns/:slug/results', readers, async (c) => {
    const uncertainty = c.req.query('uncertainty') !== '0';
    return c.json(await services.results.live(c.req.param('slug'), { uncertainty }));
  });

  for (const format of ['csv', 'xlsx'] as const) {
    r.get(`/campaigns/:slug/results/export.${format}`, readers, async (c) => {
      const slug = c.req.param('slug');
      return exportResponse(await services.results.live(slug), format, `${slug}-${INTERIM}`);
    });
    r.get(`/snapshots/:id/export.${format}`, readers, async (c) => {
      const view = await services.results.snapshot(c.req.param('id'));
      const day = dayInZone(view.snapshot!.createdAt, view.campaign.timeZone);
      return exportResponse(view, format, `${view.campaign.slug}-${day}-结果`);
    });
  }

  r.get('/campaigns/:slug/snapshots', readers, async (c) =>
    c.json({ snapshots: await services.results.snapshots(c.req.param('slug')) }),
  );

  r.get('/campaigns/:slug/publication', requireRole('admin'), async (c) =>
    c.json(await services.results.publication(c.req.param('slug'))),
  );

  r.post('/campaigns/:slug/snapshots', requireRole('admin'), async (c) => {
    const snapshot = await services.results.publish(c.req.param('slug'), currentUser(c)!.username);
    return c.json(snapshot, 201);
  });

  r.get('/snapshots/:id', readers, async (c) => c.json(await services.results.snapshot(c.req.param('id'))));

  r.get('/compare', readers, async (c) => {
    const q = parseOrThrow(compareQuery, c.req.query(), '对比参数');
    return c.json(await services.results.compare(q.from, q.to));
  });

  r.get('/departments/:code/trend', readers, async (c) => c.json(await services.results.trend(c.req.param('code'))));

  return r;
}
