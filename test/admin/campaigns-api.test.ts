import type { ErrorBody } from '../../server/contracts.js';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { EXAMPLE_CONFIG_PATH, SURVEYS_DIR } from '../../surveys/campaign-config.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign, insertEvaluators } from '../helpers/fixtures.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let services: ReturnType<typeof createServices>;
let admin: LoggedIn;

const exampleYaml = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8');
const exampleConfig = () => YAML.parse(exampleYaml) as Record<string, unknown>;
const questionnaire = JSON.parse(readFileSync(`${SURVEYS_DIR}/questionnaire.default.json`, 'utf8'));

beforeEach(async () => {
  db = await sqliteDb();
  const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
  app = createApp(deps);
  services = createServices(deps);
  admin = await loginAs(app, services, 'admin');
});
afterEach(() => db.close());

const post = (body: BodyInit, headers: Record<string, string> = {}) =>
  app.request('/api/campaigns', { method: 'POST', headers: admin.headers(headers), body });

const campaigns = () => db.kysely.selectFrom('campaigns').selectAll().execute();

describe('creating a campaign over HTTP', () => {
  it('takes JSON { config } and reads the questionnaire named in it from surveys/', async () => {
    const res = await post(JSON.stringify({ config: exampleConfig() }), { 'content-type': 'application/json' });
    expect(res.status).toBe(201);
    const body = (await res.json()) as { campaign: { slug: string; status: string; mode: string } };
    expect(body.campaign).toMatchObject({ slug: 'demo-2026', status: 'draft', statusLabel: '草稿', mode: 'anonymous' });
    expect((await campaigns()).length).toBe(1);
    const q = await db.kysely.selectFrom('questionnaires').selectAll().execute();
    expect(q).toHaveLength(1);
  });

  it('takes the YAML text itself', async () => {
    const res = await post(exampleYaml, { 'content-type': 'application/yaml' });
    expect(res.status).toBe(201);
  });

  it('takes a multipart upload of the config and the questionnaire', async () => {
    const form = new FormData();
    form.append('config', new Blob([exampleYaml.replace('slug: demo-2026', 'slug: upload-2026')]), 'campaign.yaml');
    form.append('questionnaire', new Blob([JSON.stringify(questionnaire)]), 'q.json');
    const res = await post(form);
    expect(res.status).toBe(201);
    const [row] = await db.kysely.selectFrom('questionnaires').select('definition_json').execute();
    expect(JSON.parse(row.definition_json)).toEqual(questionnaire);
  });

  it('rejects unknown keys and bad values with 422, one detail per path, nothing created', async () => {
    const config = { ...exampleConfig(), colour: 'red', mode: 'secret' };
    const res = await post(JSON.stringify({ config }), { 'content-type': 'application/json' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('VALIDATION_FAILED');
    const paths = body.error.details!.map((d) => d.path ?? '');
    expect(paths).toContain('mode');
    expect(body.error.details!.some((d) => d.message.includes('colour') || d.path === 'colour')).toBe(true);
    expect(await campaigns()).toEqual([]);
  });

  it('rejects unknown keys of the request body itself', async () => {
    const res = await post(JSON.stringify({ config: exampleConfig(), extra: 1 }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(422);
  });

  it('rejects YAML that does not parse, with 422', async () => {
    const res = await post('slug: [unclosed\n', { 'content-type': 'application/yaml' });
    expect(res.status).toBe(422);
    expect(await campaigns()).toEqual([]);
  });

  it('never reads a questionnaire from a path on the server', async () => {
    const res = await post(JSON.stringify({ config: { ...exampleConfig(), questionnaire: '../package.json' } }), {
      'content-type': 'application/json',
    });
    expect(res.status).toBe(422);
    expect(await campaigns()).toEqual([]);
  });

  it('answers 400 to a multipart body it cannot read, creating nothing', async () => {
    for (const type of ['multipart/form-data; boundary=abc', 'multipart/form-data']) {
      const res = await post('--zzz\r\ngarbage', { 'content-type': type });
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorBody).error.code).toBe('BAD_REQUEST');
    }
    expect(await campaigns()).toEqual([]);
  });

  it('names a missing questionnaire file without revealing the server path', async () => {
    const res = await post(
      JSON.stringify({ config: { ...exampleConfig(), questionnaire: 'no-such-questionnaire.json' } }),
      { 'content-type': 'application/json' },
    );
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.message).toContain('no-such-questionnaire.json');
    expect(error.message).toContain('文件不存在');
    expect(error.message).not.toContain(SURVEYS_DIR);
    expect(await campaigns()).toEqual([]);
  });

  it('creates a campaign once when the same config is posted twice at once: the second gets 409 CONFLICT', async () => {
    const results = await Promise.all([1, 2].map(() => post(exampleYaml, { 'content-type': 'application/yaml' })));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(((await results.find((r) => r.status === 409)!.json()) as ErrorBody).error.code).toBe('CONFLICT');
    expect((await campaigns()).map((c) => c.slug)).toEqual(['demo-2026']);
  });

  it('answers 409 for a slug that exists', async () => {
    await post(exampleYaml, { 'content-type': 'application/yaml' });
    const res = await post(exampleYaml, { 'content-type': 'application/yaml' });
    expect(res.status).toBe(409);
  });

  it('is refused without the CSRF token (403, nothing created), to analysts (403) and without a session (401)', async () => {
    const noCsrf = await app.request('/api/campaigns', {
      method: 'POST',
      headers: { cookie: admin.cookie, 'content-type': 'application/yaml' },
      body: exampleYaml,
    });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as ErrorBody).error.code).toBe('CSRF_FAILED');
    const analyst = await loginAs(app, services, 'analyst');
    const asAnalyst = await app.request('/api/campaigns', {
      method: 'POST',
      headers: analyst.headers({ 'content-type': 'application/yaml' }),
      body: exampleYaml,
    });
    expect(asAnalyst.status).toBe(403);
    const anonymous = await app.request('/api/campaigns', {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: exampleYaml,
    });
    expect(anonymous.status).toBe(401);
    expect(await campaigns()).toEqual([]);
  });

  it('writes an audit row naming the admin', async () => {
    await post(exampleYaml, { 'content-type': 'application/yaml' });
    const audit = await services.audit.list({ action: 'campaign_create' });
    expect(audit).toEqual([
      expect.objectContaining({ actor: admin.username, detail: expect.objectContaining({ slug: 'demo-2026' }) }),
    ]);
  });
});

describe('reading campaigns', () => {
  it('lists campaigns and shows one with its config and counts, to the office and analysts', async () => {
    await post(exampleYaml, { 'content-type': 'application/yaml' });
    const list = await app.request('/api/campaigns', { headers: admin.headers() });
    expect(list.status).toBe(200);
    expect(((await list.json()) as { campaigns: { slug: string }[] }).campaigns.map((c) => c.slug)).toEqual([
      'demo-2026',
    ]);

    const analyst = await loginAs(app, services, 'analyst');
    const one = await app.request('/api/campaigns/demo-2026', { headers: analyst.headers() });
    expect(one.status).toBe(200);
    const body = (await one.json()) as {
      campaign: { config: { categories: unknown[] } };
      counts: Record<string, number>;
    };
    expect(body.campaign.config.categories).toHaveLength(5);
    expect(body.counts).toMatchObject({ departments: 0, evaluators: 0, invited: 0, submitted: 0 });
  });

  it('answers 404 for an unknown slug and 401 without a session', async () => {
    expect((await app.request('/api/campaigns/nope', { headers: admin.headers() })).status).toBe(404);
    expect((await app.request('/api/campaigns')).status).toBe(401);
  });

  it('keeps liaisons out of the campaign admin API', async () => {
    await post(exampleYaml, { 'content-type': 'application/yaml' });
    await db.kysely
      .insertInto('departments')
      .values({
        id: 'd1',
        campaign_id: (await campaigns())[0].id,
        code: 'D001',
        name: '部门',
        group_code: 'economic',
        liaison_name: null,
        liaison_email: null,
        created_at: '2026-01-01T00:00:00.000Z',
      })
      .execute();
    const liaison = await loginAs(app, services, 'liaison', { departmentCode: 'D001' });
    expect((await app.request('/api/campaigns', { headers: liaison.headers() })).status).toBe(403);
  });
});

describe('the warnings before an anonymous campaign opens', () => {
  const opening = async (slug: string) =>
    (
      (await (await app.request(`/api/campaigns/${slug}`, { headers: admin.headers() })).json()) as {
        opening?: { problems: string[]; warnings: string[] };
      }
    ).opening;

  it('names a category with fewer evaluators than the small-cell size, on the API and the campaign page', async () => {
    const campaign = await createTestCampaign(db, services, { state: 'draft' });
    await insertEvaluators(db, campaign, 10, undefined, 'project');
    await insertEvaluators(db, campaign, 2, undefined, 'supervisors');
    const { warnings } = (await opening(campaign.slug))!;
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^“特邀监督员”只有 2 名评议代表（少于 5 人）：匿名答卷带有类别/);
    const page = await (await app.request(`/admin/campaigns/${campaign.slug}`, { headers: admin.headers() })).text();
    expect(page).toContain('id="opening-warnings"');
    expect(page).toContain('“特邀监督员”只有 2 名评议代表');
  });

  it('warns of nothing in a named campaign, where answers carry names anyway, nor once opened', async () => {
    const named = await createTestCampaign(db, services, { state: 'draft', overrides: { mode: 'named' } });
    await insertEvaluators(db, named, 2, undefined, 'supervisors');
    expect((await opening(named.slug))?.warnings).toEqual([]);
    const open = await createTestCampaign(db, services, { slug: 'open-2026' });
    await insertEvaluators(db, open, 2, undefined, 'supervisors');
    expect(await opening(open.slug)).toBeUndefined();
  });
});
