import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { scheduledJobs } from '../../server/scheduler/jobs.js';
import { createScheduler } from '../../server/scheduler/scheduler.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { dialects } from '../helpers/db.js';
import { createInvitation, jsonRequest, surveySetup, webAnswers, type SurveySetup } from './helpers.js';

describe.each(await dialects())('drafts after the close on $name', ({ open }) => {
  let db: Db;
  let s: SurveySetup;
  beforeEach(async () => {
    db = await open();
    s = await surveySetup(db);
  });
  afterEach(() => db.close());

  const saveDraft = async (token: string) =>
    expect(
      (await s.app.request(`/api/s/${token}/draft`, jsonRequest('PUT', { answers: { category: 'project' } }))).status,
    ).toBe(200);
  const draftsOf = async () =>
    (await db.kysely.selectFrom('drafts').select('campaign_id').execute()).map((r) => r.campaign_id);

  it("are deleted by the scheduler once the campaign has closed; an open campaign's drafts stay", async () => {
    const later = await createTestCampaign(db, s.services, {
      slug: 'later-2026',
      overrides: { closesAt: '2027-06-30T23:59:59+08:00' },
    });
    const unsent = await createInvitation(db, s.campaign);
    const sent = await createInvitation(db, s.campaign);
    const stillOpen = await createInvitation(db, later);
    for (const inv of [unsent, sent, stillOpen]) await saveDraft(inv.token);
    const submit = jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 });
    expect((await s.app.request(`/api/s/${sent.token}/submit`, submit)).status).toBe(201);

    const scheduler = createScheduler({ db, clock: s.clock }, { jobs: scheduledJobs(s.services) });
    await scheduler.tick();
    expect((await draftsOf()).sort()).toEqual([s.campaign.id, later.id].sort());

    s.clock.set('2027-01-01T00:00:00Z');
    expect((await scheduler.tick()).ran).toContain('drafts-purge');
    expect(await draftsOf()).toEqual([later.id]);
    const audit = await s.services.audit.list({ action: 'drafts_purge' });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor: 'scheduler', campaignId: s.campaign.id, detail: { deleted: 1 } });

    // nothing left to delete: later runs change nothing and write no audit row
    s.clock.advance(2 * 60 * 60_000);
    await scheduler.tick();
    expect(await draftsOf()).toEqual([later.id]);
    expect(await s.services.audit.list({ action: 'drafts_purge' })).toHaveLength(1);
  });
});
