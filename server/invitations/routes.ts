import { Hono } from 'hono';
import { z } from 'zod';
import { requireRole } from '../accounts/middleware.js';
import type { Clock } from '../clock.js';
import type { AppEnv } from '../http/env.js';
import { AppError, parseOrThrow } from '../errors.js';
import type { Services } from '../services.js';
import { parseJson } from '../shared/json.js';
import { EXPORT_FORMATS, exportInvitations, type ExportFile, type ExportFormat } from './export.js';

function download(file: ExportFile, extra: Record<string, string> = {}) {
  return new Response(file.body as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      'content-type': file.contentType,
      'content-disposition': `attachment; filename="${file.filename}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'cache-control': 'no-store',
      ...extra,
    },
  });
}

/** A JSON body may name the format instead of the query: `{ "format": "csv" }`. */
const formatBody = z.object({ format: z.string().optional() });

async function formatOf(
  c: { req: { query(k: string): string | undefined; header(k: string): string | undefined; text(): Promise<string> } },
  fallback: ExportFormat,
): Promise<ExportFormat> {
  let format = c.req.query('format');
  if (!format && (c.req.header('content-type') ?? '').startsWith('application/json')) {
    const text = await c.req.text();
    if (text.trim()) format = parseOrThrow(formatBody, parseJson(text, '请求体'), '请求体').format;
  }
  format ??= fallback;
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new AppError('VALIDATION_FAILED', `format 应为 ${EXPORT_FORMATS.join(' | ')}`, [
      { field: 'format', message: `应为 ${EXPORT_FORMATS.join(' | ')}` },
    ]);
  }
  return format as ExportFormat;
}

/** Invitations and progress under `/api/campaigns/:slug`. */
export function invitationsRoutes(services: Services, clock: Clock) {
  const app = new Hono<AppEnv>();

  /**
   * Generate invitations for every evaluator without one and return them as a file
   * (`format=xlsx|csv|letters`): the only time the links are shown.
   */
  app.post('/:slug/invitations', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const format = await formatOf(c, 'xlsx');
    const issued = await services.invitations.generate(campaign, { actor: c.get('user').username });
    if (!issued.length)
      throw new AppError(
        'CONFLICT',
        '所有评议代表都已有邀请链接：没有新生成的链接。补发某人的链接请在评议代表名单中操作。',
      );
    return download(await exportInvitations(campaign, issued, format, clock.now()), {
      'x-invitations-generated': String(issued.length),
    });
  });

  /** A new link for one evaluator (lost letter); the old one stops working. `format=json` (default) or letters/xlsx/csv. */
  app.post('/:slug/evaluators/:id/invitation', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const format = c.req.query('format') ?? 'json';
    if (format !== 'json' && !(EXPORT_FORMATS as readonly string[]).includes(format))
      throw new AppError('VALIDATION_FAILED', 'format 应为 json | xlsx | csv | letters');
    const issued = await services.invitations.regenerate(campaign, c.req.param('id'), {
      actor: c.get('user').username,
    });
    if (format === 'json') {
      c.header('Cache-Control', 'no-store');
      return c.json({
        invitation: {
          evaluatorId: issued.evaluatorId,
          name: issued.name,
          organisation: issued.organisation,
          category: issued.category,
          link: issued.link,
        },
      });
    }
    return download(await exportInvitations(campaign, [issued], format as ExportFormat, clock.now()));
  });

  app.get('/:slug/progress', requireRole('admin', 'analyst'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    return c.json(await services.invitations.progress(campaign, services.campaigns.status(campaign)));
  });

  return app;
}
