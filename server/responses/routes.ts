import { Hono } from 'hono';
import { requireRole } from '../accounts/middleware.js';
import type { ImportSummary } from '../contracts.js';
import type { AppEnv } from '../http/env.js';
import { readUpload } from '../roster/upload.js';
import type { Services } from '../services.js';
import { download, XLSX_TYPE } from '../http/download.js';
import { rawDataXlsx } from './export.js';
import { decodeJsonl } from './service.js';

/** `POST /api/campaigns/:slug/responses/import`: the office uploads a JSONL file of canonical records. */
export function responsesRoutes(services: Services) {
  const app = new Hono<AppEnv>();

  app.post('/:slug/responses/import', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const file = await readUpload(c);
    const text = decodeJsonl(file.bytes);
    const dryRun = ['1', 'true'].includes(c.req.query('dryRun') ?? '');
    const result = await services.responses.importJsonl(campaign, text, {
      fileName: file.filename ?? null,
      dryRun,
      actor: c.get('user').username,
    });
    return c.json(
      {
        summary: {
          rows: result.valid,
          inserted: result.stored,
          updated: 0,
          unchanged: 0,
          ignoredColumns: [],
          dryRun: result.dryRun,
        } satisfies ImportSummary,
      },
      result.dryRun ? 200 : 201,
    );
  });

  /** The raw data (.xlsx): every stored response and department rating, with the office's own questions. */
  app.get('/:slug/responses/export.xlsx', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const body = await rawDataXlsx(await services.responses.rawData(campaign));
    return download(body, XLSX_TYPE, `${campaign.slug}-raw-data.xlsx`);
  });

  return app;
}
