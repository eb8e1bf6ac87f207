import { type Context, Hono } from 'hono';
import { z } from 'zod';
import { requireRole } from '../accounts/middleware.js';
import type { Clock } from '../clock.js';
import type { AppEnv } from '../http/env.js';
import { attachment } from '../http/download.js';
import { readTextBody } from '../http/inputs.js';
import { AppError, parseOrThrow } from '../errors.js';
import type { Services } from '../services.js';
import { parseJson } from '../shared/json.js';
import { CHASE_FORMATS, chaseFile } from './chase.js';
import { type Channel, chosenChannels } from './messages.js';
import { EXPORT_FORMATS, exportInvitations, hasLetters, type ExportFile } from './export.js';

function download(file: ExportFile, extra: Record<string, string> = {}) {
  return new Response(file.body as Uint8Array<ArrayBuffer>, {
    status: 200,
    headers: {
      'content-type': file.contentType,
      'content-disposition': attachment(file.filename, file.asciiName),
      'cache-control': 'no-store',
      ...extra,
    },
  });
}

/** The files the API gives, by the names the office knows them, for a refusal to list. */
const FORMAT_NAMES: Record<string, string> = {
  bundle: '全部格式 .zip',
  xlsx: 'Excel 名单',
  csv: 'CSV 名单',
  letters: '信函',
  json: 'JSON 数据',
};

/** `应为信函（letters）、Excel 名单（xlsx）或 CSV 名单（csv）`: the names, and the value to send beside each. */
function formatChoices(formats: readonly string[]): string {
  const named = formats.map((f) => `${FORMAT_NAMES[f]}（${f}）`);
  return `应为${named.length > 1 ? `${named.slice(0, -1).join('、')}或${named.at(-1)}` : named[0]}`;
}

/** `format` if it is one of `formats`, else a 422 naming them. */
function checkedFormat<F extends string>(format: string, formats: readonly F[]): F {
  if ((formats as readonly string[]).includes(format)) return format as F;
  throw new AppError('VALIDATION_FAILED', `文件格式不对：${formatChoices(formats)}`, [
    { field: '文件格式', path: 'format', message: formatChoices(formats) },
  ]);
}

/** A JSON body may say instead of the query: `{ "format": "csv", "allowLoopback": true, "sendEmail": true }`. */
const linkBody = z.object({
  format: z.string().optional(),
  allowLoopback: z.boolean().optional(),
  sendEmail: z.boolean().optional(),
  sendSms: z.boolean().optional(),
});

/** `POST …/invitations/remind`: by e-mail unless told otherwise, at most once in `intervalDays` (default REMINDER_INTERVAL_DAYS). */
const remindBody = z.strictObject({
  email: z.boolean().optional(),
  sms: z.boolean().optional(),
  intervalDays: z.number().int().min(1).max(365).optional(),
});

/**
 * The file asked for (`format`, one of `formats`, else `fallback`) and whether the office
 * confirmed letters for an address on this machine (`allowLoopback=1`).
 */
async function linkRequestOf<F extends string>(
  c: Context,
  formats: readonly F[],
  fallback: F,
): Promise<{ format: F; allowLoopback: boolean; send: Channel[] }> {
  let format = c.req.query('format');
  let allowLoopback = c.req.query('allowLoopback') === '1';
  let sendEmail = c.req.query('sendEmail') === '1';
  let sendSms = c.req.query('sendSms') === '1';
  if (!format && (c.req.header('content-type') ?? '').startsWith('application/json')) {
    const text = await readTextBody(c, '请求体');
    if (text.trim()) {
      const body = parseOrThrow(linkBody, parseJson(text, '请求体'), '请求体');
      format = body.format;
      allowLoopback ||= body.allowLoopback === true;
      sendEmail ||= body.sendEmail === true;
      sendSms ||= body.sendSms === true;
    }
  }
  return {
    format: checkedFormat(format ?? fallback, formats),
    allowLoopback,
    send: chosenChannels(sendEmail, sendSms),
  };
}

/** Invitations and progress under `/api/campaigns/:slug`. */
export function invitationsRoutes(services: Services, clock: Clock) {
  const app = new Hono<AppEnv>();

  /**
   * Generate invitations for every evaluator without one and return them as a file
   * (`format=bundle|xlsx|csv|letters`; bundle, the default, is a .zip of the three): the only
   * time the links are shown.
   */
  app.post('/:slug/invitations', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const { format, allowLoopback, send } = await linkRequestOf(c, EXPORT_FORMATS, 'bundle');
    if (hasLetters(format)) services.invitations.assertLettersReachable({ allowLoopback });
    const issued = await services.invitations.generate(campaign, { actor: c.get('user').username, send });
    if (!issued.length)
      throw new AppError(
        'CONFLICT',
        '所有评议代表都已有邀请链接：没有新生成的链接。补发某人的链接请在评议代表名单中操作。',
      );
    return download(await exportInvitations(campaign, issued, format, clock.now()), {
      'x-invitations-generated': String(issued.length),
    });
  });

  /**
   * A named campaign's links not yet used, again, in any format (default bundle), until the close;
   * GET for a plain link, POST with the same query or JSON body as the generation.
   */
  const downloadAgain = async (c: Context<AppEnv>) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug')!);
    const { format, allowLoopback } = await linkRequestOf(c, EXPORT_FORMATS, 'bundle');
    if (hasLetters(format)) services.invitations.assertLettersReachable({ allowLoopback });
    const links = await services.invitations.download(campaign, {
      actor: c.get('user').username,
      format,
    });
    return download(await exportInvitations(campaign, links, format, clock.now()), {
      'x-invitations-count': String(links.length),
    });
  };
  app.get('/:slug/invitations/download', requireRole('admin'), downloadAgain);
  app.post('/:slug/invitations/download', requireRole('admin'), downloadAgain);

  /** A new link for one evaluator (lost letter); the old one stops working. `format=json` (default) or bundle/letters/xlsx/csv. */
  app.post('/:slug/evaluators/:id/invitation', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const { format, allowLoopback } = await linkRequestOf(c, ['json', ...EXPORT_FORMATS], 'json');
    if (hasLetters(format)) services.invitations.assertLettersReachable({ allowLoopback });
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
    return download(await exportInvitations(campaign, [issued], format, clock.now()));
  });

  /** Remind those who have not submitted, without the link (ReminderSummary). */
  app.post('/:slug/invitations/remind', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const text = await readTextBody(c, '请求体');
    const body = parseOrThrow(remindBody, text.trim() ? parseJson(text, '请求体') : {}, '请求体');
    return c.json(
      await services.invitations.remind(campaign, {
        actor: c.get('user').username,
        // by e-mail when the body names no channel; both named and false is a choice of none, refused
        channels: chosenChannels(
          body.email,
          body.sms,
          body.email === undefined && body.sms === undefined ? ['email'] : [],
        ),
        intervalDays: body.intervalDays,
      }),
    );
  });

  app.get('/:slug/progress', requireRole('admin', 'analyst'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    return c.json(await services.invitations.progress(campaign));
  });

  /**
   * The chasing list per 单位 (`format=json` default, or xlsx/csv): named mode names who has not
   * submitted, anonymous mode gives counts only (small units pooled). The office only: it reads the roster.
   */
  app.get('/:slug/chase', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const format = checkedFormat(c.req.query('format') ?? 'json', ['json', ...CHASE_FORMATS]);
    const chase = await services.invitations.chase(campaign);
    if (format === 'json') {
      c.header('Cache-Control', 'no-store');
      return c.json(chase);
    }
    return download(await chaseFile(chase, format, clock.now()));
  });

  return app;
}
