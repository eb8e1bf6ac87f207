/**
 * What one server process keeps of a campaign between submissions (its parsed config, its compiled
 * validator) never hides a change made by another process on the same database: a pause, a
 * deadline brought forward or a department added is seen by the next submission.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices, type Services } from '../../server/services.js';
import { newId } from '../../server/shared/ids.js';
import { dialects, type DbPair } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { createInvitation, OPEN_TIME, webAnswers } from './helpers.js';

const connection = { remoteAddress: '10.1.2.3', forwardedFor: null };

describe.each(await dialects())('a campaign changed by another process on $name', ({ openPair }) => {
  let pair: DbPair;
  let clock: ReturnType<typeof fixedClock>;
  let first: Services;
  let second: Services;
  let campaign: Campaign;

  beforeEach(async () => {
    pair = await openPair();
    clock = fixedClock(OPEN_TIME);
    first = createServices({ db: pair.first, config: defaultConfig(), clock });
    second = createServices({ db: pair.second, config: defaultConfig(), clock });
    campaign = await createTestCampaign(pair.first, first);
  });
  afterEach(async () => {
    await pair.close();
  });

  /** A new link's submission to the first process, naming `departments` (D001 and D002 by default). */
  async function submit(departments?: string[]) {
    const { token } = await createInvitation(pair.first, campaign);
    const answers = webAnswers();
    if (departments)
      answers.departments = departments.map((dept) => ({ dept, efficiency: 'satisfied', quality: 'satisfied' }));
    return first.evaluator.submit(token, { answers, elapsedSeconds: 300 }, null, connection);
  }

  it('refuses the next submission as soon as the other process pauses, and takes one after its resume', async () => {
    await submit();
    await second.campaigns.pause(campaign.slug, 'test');
    await expect(submit()).rejects.toMatchObject({ code: 'CAMPAIGN_NOT_OPEN' });
    await second.campaigns.resume(campaign.slug, 'test');
    expect((await submit()).replayed).toBe(false);
  });

  it('refuses the next submission once the deadline the other process brought forward has passed', async () => {
    await submit();
    const closesAt = new Date(Date.parse(OPEN_TIME) + 3_600_000).toISOString();
    await second.campaigns.setDates(campaign.slug, { closesAt }, 'test');
    clock.set(new Date(Date.parse(OPEN_TIME) + 7_200_000).toISOString());
    await expect(submit()).rejects.toMatchObject({ code: 'CAMPAIGN_CLOSED' });
  });

  it('takes a department the other process added after the first submission', async () => {
    await submit(['D001']);
    await expect(submit(['D099'])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await pair.second.kysely
      .insertInto('departments')
      .values({
        id: newId(),
        campaign_id: campaign.id,
        code: 'D099',
        name: '新设部门',
        group_code: campaign.config.groups[0]!.code,
        liaison_name: null,
        liaison_email: null,
        created_at: OPEN_TIME,
      })
      .returning('id')
      .execute();
    expect((await submit(['D099'])).replayed).toBe(false);
  });
});
