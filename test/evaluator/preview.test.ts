import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluatorLoad } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { snapshotCounts, surveySetup, type SurveySetup } from './helpers.js';

describe('the questionnaire preview API', () => {
  let db: Db;
  let s: SurveySetup;
  let analyst: LoggedIn;
  const url = (query = '') => `/api/campaigns/${s.campaign.slug}/preview${query}`;

  beforeAll(async () => {
    db = await sqliteDb();
    s = await surveySetup(db);
    analyst = await loginAs(s.app, s.services, 'analyst');
  });
  afterAll(() => db.close());

  it("serves an analyst the first category's questionnaire with no draft and no credential key", async () => {
    const res = await s.app.request(url(), { headers: analyst.headers() });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as EvaluatorLoad;
    expect(body.preview).toBe(true);
    expect(body.draft).toBeNull();
    expect(body.credentialKey).toBeUndefined();
    expect(body.questionnaire.version).toBeGreaterThan(0);
    expect(body.directory.departments.length).toBeGreaterThan(0);
  });

  it('serves each category its own questionnaire', async () => {
    const [first, second] = s.campaign.config.categories;
    const load = async (code: string) =>
      JSON.stringify(
        (
          (await (
            await s.app.request(url(`?category=${code}`), { headers: analyst.headers() })
          ).json()) as EvaluatorLoad
        ).questionnaire.definition,
      );
    expect(await load(second!.code)).toContain(`"defaultValue":"${second!.code}"`);
    expect(await load(first!.code)).not.toEqual(await load(second!.code));
  });

  it('refuses a category the campaign does not have, naming the field', async () => {
    const res = await s.app.request(url('?category=nobody'), { headers: analyst.headers() });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain('nobody');
  });

  it('is closed to liaisons and to anyone signed out, and stores nothing for anyone', async () => {
    const before = await snapshotCounts(db);
    const liaison = await loginAs(s.app, s.services, 'liaison', { departmentCode: 'D001' });
    expect((await s.app.request(url(), { headers: liaison.headers() })).status).toBe(403);
    expect((await s.app.request(url())).status).toBe(401);
    expect(await snapshotCounts(db)).toEqual(before);
  });
});
