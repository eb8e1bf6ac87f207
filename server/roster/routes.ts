import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole } from '../accounts/middleware.js';
import type { DepartmentsImported, EvaluatorSearch } from '../contracts.js';
import type { AppEnv } from '../http/env.js';
import { parseOrThrow } from '../errors.js';
import type { Services } from '../services.js';
import { download, XLSX_TYPE } from '../http/download.js';
import { rosterTemplate, TEMPLATE_TABLES, templateFileName } from './template.js';
import { readUpload } from './upload.js';

const listQuery = z.object({
  q: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

const isDryRun = (value: string | undefined) => value === '1' || value === 'true';

/** Roster under `/api/campaigns/:slug`: department and evaluator uploads and their templates (admin), lists. */
export function rosterRoutes(services: Services) {
  const app = new Hono<AppEnv>();

  app.post('/:slug/departments/import', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const file = await readUpload(c);
    const imported = await services.roster.importDepartments(campaign, file, {
      actor: c.get('user').username,
      dryRun: isDryRun(c.req.query('dryRun')),
    });
    // first passwords of the liaison accounts made now: in this answer only
    if (imported.liaisons) c.header('Cache-Control', 'no-store');
    return c.json(imported satisfies DepartmentsImported);
  });

  app.post('/:slug/evaluators/import', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const file = await readUpload(c);
    const summary = await services.roster.importEvaluators(campaign, file, {
      actor: c.get('user').username,
      dryRun: isDryRun(c.req.query('dryRun')),
    });
    return c.json({ summary });
  });

  /** The .xlsx templates beside the uploads: headers in the office's words, an example row, the campaign's lists. */
  for (const table of TEMPLATE_TABLES) {
    app.get(`/:slug/${table}/template.xlsx`, requireRole('admin'), async (c) => {
      const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
      return download(await rosterTemplate(table, campaign.config), XLSX_TYPE, templateFileName(table, campaign.slug));
    });
  }

  app.get('/:slug/departments', requireRole('admin', 'analyst'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    return c.json({ departments: await services.campaigns.departments(campaign.id) });
  });

  /** Personal data: the office only. */
  app.get('/:slug/evaluators', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const query = parseOrThrow(listQuery, c.req.query(), '查询参数');
    const labels = new Map(campaign.config.categories.map((x) => [x.code, x.label]));
    return c.json({
      total: await services.roster.countEvaluators(campaign.id),
      matching: await services.roster.countEvaluators(campaign.id, query.q),
      evaluators: (await services.roster.evaluators(campaign.id, query)).map((e) => ({
        ...e,
        categoryLabel: labels.get(e.category) ?? e.category,
      })),
    } satisfies EvaluatorSearch);
  });

  return app;
}
