/**
 * Throttles that hold under concurrency: a burst of password guesses gets no more checks than the
 * allowance, and guessing evaluator links from one network is refused with 429 while the valid
 * links of evaluators on that same network keep working.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { newLinkToken } from '../../server/shared/link-token.js';
import { createServices } from '../../server/services.js';
import { LOGIN_THROTTLE, UNKNOWN_LINK_THROTTLE } from '../../server/throttle/service.js';
import { dialects, sqliteDb } from '../helpers/db.js';
import { createInvitation, jsonRequest, snapshotCounts, surveySetup, webAnswers } from '../evaluator/helpers.js';

describe.each(await dialects())('login throttling under concurrency on $name', ({ open }) => {
  let db: Db;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(() => db.close());

  it('checks no more than the allowance of 300 simultaneous guesses, the right password among them', async () => {
    const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
    const app = createApp(deps);
    await createServices(deps).accounts.addUser({ username: 'office', role: 'admin', password: 'office-password-1' });
    const right = 150;
    const responses = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        app.request('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'office', password: i === right ? 'office-password-1' : `guess-${i}` }),
        }),
      ),
    );
    const statuses = responses.map((r) => r.status);
    const checked = statuses.filter((s) => s === 200 || s === 401).length;
    const succeeded = statuses.filter((s) => s === 200).length;
    expect(checked).toBeGreaterThan(0);
    expect(checked).toBeLessThanOrEqual(LOGIN_THROTTLE.maxFailures);
    expect(statuses.filter((s) => s === 429)).toHaveLength(300 - checked);
    for (const res of responses.filter((r) => r.status === 429))
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    // a session only for the right password, and only if it was among the attempts checked
    expect(succeeded).toBe(statuses[right] === 200 ? 1 : 0);
    expect(await db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(succeeded);
  });
});

describe('guessing evaluator links', () => {
  let db: Db;
  beforeEach(async () => {
    db = await sqliteDb();
  });
  afterEach(() => db.close());

  const office = { 'x-forwarded-for': '198.51.100.23' };
  const colleague = { 'x-forwarded-for': '198.51.100.87' };

  it('answers a guessing loop from one network with 429, while valid links from that network keep working', async () => {
    const s = await surveySetup(db, { config: { trustProxy: true } });
    const valid = await createInvitation(db, s.campaign);
    const guesses: number[] = [];
    for (let i = 0; i < UNKNOWN_LINK_THROTTLE.maxFailures + 5; i++) {
      guesses.push((await s.app.request(`/api/s/${newLinkToken()}`, { headers: office })).status);
    }
    expect(guesses.slice(0, UNKNOWN_LINK_THROTTLE.maxFailures)).toEqual(
      Array(UNKNOWN_LINK_THROTTLE.maxFailures).fill(404),
    );
    expect(guesses.slice(UNKNOWN_LINK_THROTTLE.maxFailures)).toEqual(Array(5).fill(429));

    // every way in with an unknown link is refused now, with a time to come back
    const refused = [
      await s.app.request(`/api/s/${newLinkToken()}`, { headers: colleague }),
      await s.app.request(`/api/s/${newLinkToken()}/draft`, jsonRequest('PUT', { answers: {} }, colleague)),
      await s.app.request(`/api/s/${newLinkToken()}/submit`, jsonRequest('POST', { answers: {} }, colleague)),
      await s.app.request(`/s/${newLinkToken()}`, { headers: { ...colleague, accept: 'text/html' } }),
      await s.app.request('/s/not-even-a-token', { headers: { ...colleague, accept: 'text/html' } }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    }
    expect(await refused[3].text()).toContain('请求太频繁');

    // the valid link of an evaluator in the same office: page, questionnaire, draft and submission
    expect((await s.app.request(`/s/${valid.token}`, { headers: { ...colleague, accept: 'text/html' } })).status).toBe(
      200,
    );
    expect((await s.app.request(`/api/s/${valid.token}`, { headers: colleague })).status).toBe(200);
    const draft = jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: 5 }, colleague);
    expect((await s.app.request(`/api/s/${valid.token}/draft`, draft)).status).toBe(200);
    const submit = jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, colleague);
    expect((await s.app.request(`/api/s/${valid.token}/submit`, submit)).status).toBe(201);
    expect((await snapshotCounts(db)).responses).toBe(1);

    // another network is not affected, and the office's count starts over after the window
    expect(
      (await s.app.request(`/api/s/${newLinkToken()}`, { headers: { 'x-forwarded-for': '203.0.113.9' } })).status,
    ).toBe(404);
    s.clock.advance(UNKNOWN_LINK_THROTTLE.windowMinutes * 60_000);
    expect((await s.app.request(`/api/s/${newLinkToken()}`, { headers: office })).status).toBe(404);
  });

  it('counts guesses in the database, so every server process refuses them', async () => {
    const s = await surveySetup(db, { config: { trustProxy: true } });
    for (let i = 0; i < UNKNOWN_LINK_THROTTLE.maxFailures; i++)
      await s.app.request(`/api/s/${newLinkToken()}`, { headers: office });
    const other = createApp({ db, config: defaultConfig({ trustProxy: true }), clock: s.clock });
    expect((await other.request(`/api/s/${newLinkToken()}`, { headers: office })).status).toBe(429);
    const keys = (await db.kysely.selectFrom('login_attempts').select('key').execute()).map((r) => r.key);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^link:[0-9a-f]{32}$/);
  });
});

describe.each(await dialects())('300 simultaneous wrong links from one office network on $name', ({ open }) => {
  let db: Db;
  beforeEach(async () => {
    db = await open();
  });
  afterEach(() => db.close());

  it('answers no more than the allowance with 404 and the rest with 429, while the valid links behind that NAT open, save and submit', async () => {
    const s = await surveySetup(db, { config: { trustProxy: true } });
    const valid = await Promise.all([createInvitation(db, s.campaign), createInvitation(db, s.campaign)]);
    const nat = (host: number) => ({ 'x-forwarded-for': `198.51.100.${host}` });
    const guesses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => s.app.request(`/api/s/${newLinkToken()}`, { headers: nat(i % 250) })),
    );
    const statuses = guesses.map((r) => r.status);
    expect(statuses.filter((x) => x === 404).length).toBeLessThanOrEqual(UNKNOWN_LINK_THROTTLE.maxFailures);
    expect(statuses.filter((x) => x !== 404 && x !== 429)).toEqual([]);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(300 - UNKNOWN_LINK_THROTTLE.maxFailures);

    // while the guessing goes on, colleagues on the same network use their links
    const more = Array.from({ length: 20 }, () => s.app.request(`/api/s/${newLinkToken()}`, { headers: nat(7) }));
    const [opened, saved, submitted] = await Promise.all([
      s.app.request(`/api/s/${valid[0].token}`, { headers: nat(7) }),
      s.app.request(
        `/api/s/${valid[0].token}/draft`,
        jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: 5 }, nat(8)),
      ),
      s.app.request(
        `/api/s/${valid[1].token}/submit`,
        jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, nat(9)),
      ),
    ]);
    expect((await Promise.all(more)).map((r) => r.status)).toEqual(Array(20).fill(429));
    expect([opened.status, saved.status, submitted.status]).toEqual([200, 200, 201]);
    expect((await snapshotCounts(db)).responses).toBe(1);
  });
});
