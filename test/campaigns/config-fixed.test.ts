/**
 * An open campaign's config and questionnaire stay as its evaluators answer them: every way a
 * config reaches the server (the API's JSON and upload, the command line) refuses one under the
 * campaign's code with a Chinese 4xx and changes nothing; the addresses that edit a draft's refuse with a 409.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../server/config.js';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile, resolveQuestionnairePath } from '../../surveys/campaign-config.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { createInvitation, jsonRequest, type SurveySetup, surveySetup, webAnswers } from '../evaluator/helpers.js';

let db: Db;
let s: SurveySetup;
let admin: LoggedIn;
let dir: string;

/** The test campaign's config as the office would upload it again, on other rules. */
const otherRules = () => ({
  ...(loadConfigFile(EXAMPLE_CONFIG_PATH).raw as object),
  slug: 'test-2026',
  name: '改过规则的活动',
  scale: 'three-level',
  items: [{ code: 'attitude', label: '服务态度', weight: 1 }],
});

/** Everything the campaign's config and questionnaire are, as stored. */
const stored = async () => ({
  campaign: await db.kysely
    .selectFrom('campaigns')
    .select(['name', 'opens_at', 'closes_at', 'config_json'])
    .where('id', '=', s.campaign.id)
    .executeTakeFirstOrThrow(),
  questionnaires: await db.kysely
    .selectFrom('questionnaires')
    .selectAll()
    .where('campaign_id', '=', s.campaign.id)
    .execute(),
  campaigns: (await db.kysely.selectFrom('campaigns').select('slug').execute()).map((c) => c.slug),
  audit: (await db.kysely.selectFrom('audit_log').select('action').execute()).map((a) => a.action),
});

beforeAll(async () => {
  db = await sqliteDb();
  s = await surveySetup(db); // the clock is inside the campaign's window: it is open
  admin = await loginAs(s.app, s.services, 'admin');
  const { token } = await createInvitation(db, s.campaign);
  expect((await s.app.request(`/api/s/${token}/submit`, jsonRequest('POST', { answers: webAnswers() }))).status).toBe(
    201,
  );
  dir = mkdtempSync(join(tmpdir(), 'minping-fixed-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db.close();
});

describe('an open campaign’s config and questionnaire', () => {
  it('are open, with one response answered on version 1', async () => {
    expect(s.services.campaigns.status(s.campaign)).toBe('open');
    const [response] = await db.kysely.selectFrom('responses').select('questionnaire_version').execute();
    expect(response.questionnaire_version).toBe(1);
  });

  const refusedInChinese = (error: ErrorBody['error']) => {
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('评议活动 test-2026 已存在');
    expect(error.message).toContain('配置和问卷保持不变');
  };

  it('are not replaced by a config posted again under the campaign’s code, as JSON or as an upload with a questionnaire', async () => {
    const before = await stored();
    const json = await s.app.request('/api/campaigns', {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/json' }),
      body: JSON.stringify({ config: otherRules() }),
    });
    expect(json.status).toBe(409);
    refusedInChinese(((await json.json()) as ErrorBody).error);

    const form = new FormData();
    form.append('config', new Blob([JSON.stringify(otherRules())]), 'config.json');
    form.append(
      'questionnaire',
      new Blob([readFileSync(resolveQuestionnairePath('questionnaire.default.json'))]),
      'q.json',
    );
    const upload = await s.app.request('/api/campaigns', { method: 'POST', headers: admin.headers(), body: form });
    expect(upload.status).toBe(409);
    refusedInChinese(((await upload.json()) as ErrorBody).error);
    expect(await stored()).toEqual(before);
  });

  it('are not replaced on the command line', async () => {
    const before = await stored();
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(otherRules()));
    const { code, err } = await runCommand(['campaign', 'create', '--config', file], {
      db,
      clock: s.clock,
      config: defaultConfig(),
    });
    expect(code).toBe(2);
    expect(err).toContain('评议活动 test-2026 已存在');
    expect(err).toContain('配置和问卷保持不变');
    expect(await stored()).toEqual(before);
  });

  it('are refused by the addresses that edit a draft’s, with a Chinese 409', async () => {
    const before = await stored();
    for (const path of ['/api/campaigns/test-2026/config', '/api/campaigns/test-2026/questionnaire']) {
      const res = await s.app.request(path, {
        method: 'PUT',
        headers: admin.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ config: otherRules() }),
      });
      expect(res.status, path).toBe(409);
      const { error } = (await res.json()) as ErrorBody;
      expect(error).toMatchObject({
        code: 'CONFLICT',
        message: expect.stringContaining('评议活动已开启（当前：进行中）'),
      });
    }
    expect(await stored()).toEqual(before);
  });

  it('have no other address that edits them: each answers a Chinese 404', async () => {
    const before = await stored();
    for (const [method, path] of [
      ['PUT', '/api/campaigns/test-2026'],
      ['PATCH', '/api/campaigns/test-2026'],
      ['POST', '/api/campaigns/test-2026/questionnaire'],
    ]) {
      const res = await s.app.request(path, {
        method,
        headers: admin.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ config: otherRules() }),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      const { error } = (await res.json()) as ErrorBody;
      expect(error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('没有这个地址') });
    }
    expect(await stored()).toEqual(before);
  });

  it('still take the answers they took before', async () => {
    const { token } = await createInvitation(db, s.campaign);
    expect((await s.app.request(`/api/s/${token}/submit`, jsonRequest('POST', { answers: webAnswers() }))).status).toBe(
      201,
    );
    const versions = await db.kysely.selectFrom('responses').select('questionnaire_version').execute();
    expect(versions.map((v) => v.questionnaire_version)).toEqual([1, 1]);
  });
});
