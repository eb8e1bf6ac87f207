import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { createInvitation, jsonRequest, surveySetup, webAnswers } from '../evaluator/helpers.js';
import { knownRecords, RESULTS_TIME, storeRecords } from '../results/helpers.js';

/** Before the example campaign opens (2026-11-01 +08:00). */
export const BEFORE_OPEN = '2026-10-25T00:00:00Z';

/**
 * A campaign holding every kind of personal data a purge clears, submitted while it was open:
 * - three invited evaluators (one with phone and e-mail), one of them with a saved draft;
 * - two web submissions from one network (organisation, a negative with a contact, a network key);
 * - the known scored records (imports), one more import with an organisation;
 * - throttle rows: a login network, an unknown-link network, a username, and a network lock in force.
 * Then the clock is moved past the close and the results are published once.
 */
export async function purgeSetup(db: Db) {
  const s = await surveySetup(db, { config: { trustProxy: true } });
  const invited = [await createInvitation(db, s.campaign), await createInvitation(db, s.campaign)];
  const drafting = await createInvitation(db, s.campaign);
  await db.kysely
    .updateTable('evaluators')
    .set({ phone: '13800000001', email: 'zhang@example.cn' })
    .where('id', '=', invited[0].evaluatorId)
    .execute();
  const fromNetwork = { 'x-forwarded-for': '203.0.113.7' };
  for (const { token } of invited) {
    const submit = jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, fromNetwork);
    const res = await s.app.request(`/api/s/${token}/submit`, submit);
    if (res.status !== 201) throw new Error(`submit: ${res.status} ${await res.text()}`);
  }
  const draft = jsonRequest('PUT', { answers: { category: 'project', organisation: '草稿里的单位' } }, fromNetwork);
  if ((await s.app.request(`/api/s/${drafting.token}/draft`, draft)).status !== 200) throw new Error('draft');

  const { records, verify } = knownRecords();
  records[0] = { ...records[0], organisation: '纸质问卷上的单位' };
  await storeRecords(s.services, s.campaign, records, verify);

  const at = '2026-11-23T08:00:00.000Z';
  await db.kysely
    .insertInto('login_attempts')
    .values([
      { key: 'net:0123456789abcdef', failures: 2, window_started_at: at, locked_until: null },
      { key: 'link:fedcba9876543210', failures: 3, window_started_at: at, locked_until: null },
      { key: 'user:admin', failures: 1, window_started_at: at, locked_until: null },
      { key: 'net:lockedlockedlock', failures: 5, window_started_at: at, locked_until: '2099-01-01T00:00:00.000Z' },
    ])
    .execute();

  s.clock.set(RESULTS_TIME);
  const snapshot = await s.services.results.publish(s.campaign.slug, 'test');
  return { ...s, invited, drafting, snapshot };
}

/**
 * The full result (bootstrap included) as JSON text, computed by a fresh set of services: the
 * results service reuses a result while the inputs hash is unchanged, and this must compute.
 */
export async function scoredBytes(s: Awaited<ReturnType<typeof purgeSetup>>): Promise<string> {
  const fresh = createServices({ db: s.db, config: defaultConfig(), clock: s.clock });
  return JSON.stringify((await fresh.results.compute(s.campaign.slug, { uncertainty: true })).result);
}
