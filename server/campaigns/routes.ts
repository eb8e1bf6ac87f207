import { Hono, type Context } from 'hono';
import { requireRole } from '../accounts/middleware.js';
import type {
  CampaignChanged,
  CampaignCloned,
  CampaignCreated,
  CampaignStatus,
  CampaignSummary,
  QuestionnaireReplaced,
  SettlementPreview,
} from '../contracts.js';
import type { AppEnv } from '../http/env.js';
import { fileText, readFormBody, readJsonBody, readTextBody } from '../http/inputs.js';
import { AppError, parseOrThrow } from '../errors.js';
import { parseJson } from '../shared/json.js';
import type { Services } from '../services.js';
import { configNotes, configWarnings, parseConfigText } from '../../surveys/campaign-config.js';
import { configSyntaxProblem } from './config-errors.js';
import { STATUS_LABELS } from './lifecycle.js';
import { parseCloneInput, SETTLE_FIELDS, settleInputSchema, type Campaign, type CloneResult } from './service.js';

export function campaignSummary(campaign: Campaign, status: CampaignStatus): CampaignSummary {
  return {
    id: campaign.id,
    slug: campaign.slug,
    name: campaign.name,
    opensAt: campaign.opensAt,
    closesAt: campaign.closesAt,
    mode: campaign.mode,
    status,
    statusLabel: STATUS_LABELS[status],
    createdAt: campaign.createdAt,
  };
}

export const clonedBody = (result: CloneResult, status: CampaignStatus): CampaignCloned => ({
  campaign: campaignSummary(result.campaign, status),
  from: result.from.slug,
  copied: result.copied,
});

/** JSON or YAML text → value, or a 422 naming the line. */
function parseText(text: string, what: string): unknown {
  try {
    return parseConfigText(text);
  } catch (error) {
    const { line, message } = configSyntaxProblem(error, text);
    throw new AppError('VALIDATION_FAILED', `${what}无法解析：${message}`, [
      { ...(line ? { line } : {}), field: what, message },
    ]);
  }
}

/**
 * The body of POST /api/campaigns: JSON `{ config, questionnaire? }` (config as an object or as
 * YAML/JSON text), a multipart form with `config` (and optionally `questionnaire`) files, or the
 * YAML/JSON config text itself.
 */
async function readCreateBody(c: Context): Promise<{ raw: unknown; questionnaire?: unknown }> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const form = await readFormBody(c, '无法读取上传的表单（multipart/form-data 格式不对）');
    const text = async (v: unknown, what: string) =>
      v instanceof File ? await fileText(v, what) : typeof v === 'string' ? v : undefined;
    const config = await text(form.config, '活动配置文件');
    if (!config?.trim())
      throw new AppError('VALIDATION_FAILED', '请选择活动配置文件', [
        { field: 'config', message: '请选择活动配置文件' },
      ]);
    const questionnaire = await text(form.questionnaire, '问卷文件');
    return {
      raw: parseText(config, '活动配置'),
      questionnaire: questionnaire?.trim() ? parseJson(questionnaire, '问卷') : undefined,
    };
  }
  const text = await readTextBody(c, '请求体');
  if (!text.trim()) throw new AppError('VALIDATION_FAILED', '请求体是空的：应为活动配置（JSON 或 YAML）');
  if (type.startsWith('application/json')) {
    const body = parseJson(text, '请求体') as { config?: unknown; questionnaire?: unknown } | null;
    if (!body || typeof body !== 'object' || Array.isArray(body) || !('config' in body)) {
      throw new AppError('VALIDATION_FAILED', '请求体应为 { "config": …, "questionnaire"?: … }', [
        { path: 'config', message: '缺少 config' },
      ]);
    }
    const extra = Object.keys(body).filter((k) => k !== 'config' && k !== 'questionnaire');
    if (extra.length)
      throw new AppError(
        'VALIDATION_FAILED',
        `请求体有未知字段：${extra.join(', ')}`,
        extra.map((k) => ({ path: k, message: '未知字段' })),
      );
    const raw = typeof body.config === 'string' ? parseText(body.config, '活动配置') : body.config;
    const questionnaire =
      typeof body.questionnaire === 'string' ? parseJson(body.questionnaire, '问卷') : body.questionnaire;
    return { raw, questionnaire: questionnaire ?? undefined };
  }
  return { raw: parseText(text, '活动配置') };
}

/** A config and questionnaire sent over HTTP, for a creation or a draft's edit. */
export async function readConfigInput(c: Context): Promise<{ raw: unknown; questionnaire?: unknown }> {
  const { raw, questionnaire } = await readCreateBody(c);
  // Over HTTP a questionnaire is uploaded or named from surveys/, never a path on the server.
  const name = (raw as { questionnaire?: unknown } | null)?.questionnaire;
  if (questionnaire === undefined && typeof name === 'string' && /[\\/]|\.\./.test(name)) {
    throw new AppError('VALIDATION_FAILED', '问卷应为 surveys/ 中的文件名，或随配置一起上传', [
      { path: 'questionnaire', message: '不能是服务器上的路径' },
    ]);
  }
  return { raw, questionnaire };
}

/** The body of PUT /api/campaigns/:slug/questionnaire: the JSON itself, or a multipart form's `questionnaire` file. */
export async function readQuestionnaireBody(c: Context): Promise<unknown> {
  const type = (c.req.header('content-type') ?? '').toLowerCase();
  const text = type.startsWith('multipart/form-data')
    ? await readFormBody(c, '无法读取上传的表单（multipart/form-data 格式不对）').then(({ questionnaire: v }) =>
        v instanceof File ? fileText(v, '问卷文件') : typeof v === 'string' ? v : '',
      )
    : await readTextBody(c, '问卷');
  if (!text.trim())
    throw new AppError('VALIDATION_FAILED', '请选择问卷 JSON 文件', [
      { field: 'questionnaire', message: '请选择问卷 JSON 文件' },
    ]);
  return parseJson(text, '问卷');
}

/** `/api/campaigns`: list, read, create and clone (admin); a draft's config and questionnaire replaced. */
export function campaignRoutes(services: Services) {
  const app = new Hono<AppEnv>();

  app.get('/', requireRole('admin', 'analyst'), async (c) => {
    const campaigns = await services.campaigns.list();
    return c.json({ campaigns: campaigns.map((x) => campaignSummary(x, services.campaigns.status(x))) });
  });

  app.get('/:slug', requireRole('admin', 'analyst'), async (c) => {
    const campaign = await services.campaigns.getBySlug(c.req.param('slug'));
    const status = services.campaigns.status(campaign);
    const draft = status === 'draft';
    const [departments, progress, problems, warnings] = await Promise.all([
      services.campaigns.departments(campaign.id),
      services.invitations.progress(campaign),
      draft ? services.campaigns.openingProblems(campaign) : [],
      draft ? services.campaigns.openingWarnings(campaign) : [],
    ]);
    return c.json({
      campaign: { ...campaignSummary(campaign, status), config: campaign.config },
      counts: { departments: departments.length, ...progress.totals },
      // a draft's: what stops it opening, and what the office should weigh before it does
      ...(draft ? { opening: { problems, warnings } } : {}),
    });
  });

  app.post('/', requireRole('admin'), async (c) => {
    const campaign = await services.campaigns.create(await readConfigInput(c), c.get('user').username);
    const created: CampaignCreated = {
      campaign: campaignSummary(campaign, services.campaigns.status(campaign)),
      warnings: configWarnings(campaign.config),
      notes: configNotes(campaign.config),
    };
    return c.json(created, 201);
  });

  // a draft's config replaced, with the same bodies as a creation; 409 once opened
  app.put('/:slug/config', requireRole('admin'), async (c) => {
    const input = await readConfigInput(c);
    const campaign = await services.campaigns.editConfig(c.req.param('slug'), input, c.get('user').username);
    return c.json({
      campaign: campaignSummary(campaign, services.campaigns.status(campaign)),
      warnings: configWarnings(campaign.config),
      notes: configNotes(campaign.config),
    } satisfies CampaignCreated);
  });

  // a draft's questionnaire replaced: the SurveyJS JSON itself, or a multipart `questionnaire` file
  app.put('/:slug/questionnaire', requireRole('admin'), async (c) => {
    const { campaign, questionnaireVersion } = await services.campaigns.replaceQuestionnaire(
      c.req.param('slug'),
      await readQuestionnaireBody(c),
      c.get('user').username,
    );
    return c.json({
      campaign: campaignSummary(campaign, services.campaigns.status(campaign)),
      questionnaireVersion,
    } satisfies QuestionnaireReplaced);
  });

  // a new campaign with this one's config, groups, departments (and, asked for, its roster)
  app.post('/:slug/clone', requireRole('admin'), async (c) => {
    const input = parseCloneInput(await readJsonBody(c, '请求体'));
    const result = await services.campaigns.clone(c.req.param('slug'), input, c.get('user').username);
    return c.json(clonedBody(result, services.campaigns.status(result.campaign)), 201);
  });

  // the lifecycle: open (refused with its reasons), close early, pause, resume, new dates, settle
  const changed = (c: Context<AppEnv>, campaign: Campaign) =>
    c.json({ campaign: campaignSummary(campaign, services.campaigns.status(campaign)) } satisfies CampaignChanged);
  for (const action of ['open', 'close', 'pause', 'resume'] as const) {
    app.post(`/:slug/${action}`, requireRole('admin'), async (c) =>
      changed(c, await services.campaigns[action](c.req.param('slug'), c.get('user').username)),
    );
  }
  app.get('/:slug/settlement', requireRole('admin'), async (c) => {
    c.header('Cache-Control', 'no-store');
    return c.json((await services.campaigns.settlement(c.req.param('slug'))) satisfies SettlementPreview);
  });
  // `{ "unverified": N }`: the count of unverified negative reports the office knows it leaves so
  app.post('/:slug/settle', requireRole('admin'), async (c) => {
    const raw = await readTextBody(c, '请求体');
    const body = parseOrThrow(settleInputSchema, raw.trim() ? parseJson(raw, '请求体') : {}, '结算', SETTLE_FIELDS);
    return changed(c, await services.campaigns.settle(c.req.param('slug'), c.get('user').username, body));
  });
  app.put('/:slug/dates', requireRole('admin'), async (c) =>
    changed(
      c,
      await services.campaigns.setDates(c.req.param('slug'), await readJsonBody(c, '请求体'), c.get('user').username),
    ),
  );

  return app;
}
