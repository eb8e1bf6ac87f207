import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole } from '../accounts/middleware.js';
import { parseOrThrow } from '../errors.js';
import { CSV_TYPE, download, XLSX_TYPE } from '../http/download.js';
import type { AppEnv } from '../http/env.js';
import type { Services } from '../services.js';
import { suggestionsCsv, suggestionsXlsx } from './export.js';

const exportOption = z.enum(['1', '0', 'true', 'false'], { message: '应为 1 或 0' }).optional();

/** Mounted at /api/campaigns: the office (admin) only; analysts and liaisons never read free text. */
export function suggestionsRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  const office = requireRole('admin');

  r.get('/:slug/suggestions', office, async (c) =>
    c.json(await services.suggestions.list(c.req.param('slug'), c.req.query())),
  );

  for (const format of ['csv', 'xlsx'] as const) {
    r.get(`/:slug/suggestions/export.${format}`, office, async (c) => {
      const { original: flag, ...filters } = c.req.query();
      const original = ['1', 'true'].includes(parseOrThrow(exportOption, flag, 'original') ?? '0');
      const { campaign, items } = await services.suggestions.matching(c.req.param('slug'), filters);
      const name = `${campaign.slug}-意见建议${original ? '-含原文' : ''}.${format}`;
      if (format === 'csv') return download(suggestionsCsv(items, original), CSV_TYPE, name);
      return download(await suggestionsXlsx(items, original, `${campaign.name} 意见建议`), XLSX_TYPE, name);
    });
  }

  return r;
}
