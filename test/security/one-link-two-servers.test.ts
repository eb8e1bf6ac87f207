/**
 * Scale-out on PostgreSQL: two server processes on one database, 100 simultaneous submissions
 * of one link spread over both. Exactly one is stored; every other request gets a clear 409 (or,
 * for the same ballot sent again, the first receipt). Mandatory under CI=true, like every
 * PostgreSQL suite (test/helpers/db.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { CredentialIssued, ErrorBody, EvaluatorLoad, Receipt } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { createInvitation, webAnswers } from '../evaluator/helpers.js';
import { blindClient } from '../helpers/blind-client.js';
import { PG_TEST_URL, postgresAvailable, postgresDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { startServer, type ServerProcess } from '../helpers/server.js';

const TIMES = 100;

describe.runIf(await postgresAvailable())(
  'one link submitted 100 times at once to two server processes on PostgreSQL',
  () => {
    let db: Db;
    let servers: ServerProcess[] = [];
    const campaigns: Record<'anonymous' | 'named', Campaign> = {} as never;

    beforeAll(async () => {
      db = await postgresDb();
      // the servers run on the system clock: the campaigns are open around the real now
      const now = Date.now();
      const services = createServices({ db, config: defaultConfig(), clock: fixedClock(new Date(now)) });
      for (const mode of ['anonymous', 'named'] as const) {
        campaigns[mode] = await createTestCampaign(db, services, {
          slug: `two-servers-${mode}`,
          overrides: {
            mode,
            opensAt: new Date(now - 86_400_000).toISOString(),
            closesAt: new Date(now + 86_400_000).toISOString(),
          },
        });
      }
      const env = { DATABASE_URL: PG_TEST_URL, DATABASE_SCHEMA: db.schema! };
      servers = await Promise.all([startServer(env, undefined, 90_000), startServer(env, undefined, 90_000)]);
    }, 120_000);

    afterAll(async () => {
      await Promise.all(servers.map((s) => s.stop()));
      await db?.close();
    });

    /** `TIMES` requests at once, alternating between the two servers; status and body of each. */
    const fire = (
      path: (i: number) => string,
      body: (i: number) => unknown,
      headers: (i: number) => object = () => ({}),
    ) =>
      Promise.all(
        Array.from({ length: TIMES }, async (_, i) => {
          const response = await fetch(`${servers[i % 2].url}${path(i)}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers(i) },
            body: JSON.stringify(body(i)),
          });
          return {
            status: response.status,
            replayed: response.headers.has('idempotent-replayed'),
            body: await response.json(),
          };
        }),
      );

    const storedResponses = async (campaign: Campaign) =>
      Number(
        (
          await db.kysely
            .selectFrom('responses')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('campaign_id', '=', campaign.id)
            .executeTakeFirstOrThrow()
        ).n,
      );

    const refusedAsSubmitted = (results: { status: number; body: unknown }[]) => {
      for (const r of results) {
        expect(r.status).toBe(409);
        expect((r.body as ErrorBody).error.code).toBe('ALREADY_SUBMITTED');
      }
    };

    it('named campaign, one step: one submission stored, the 99 others refused with 409 ALREADY_SUBMITTED', async () => {
      const { token } = await createInvitation(db, campaigns.named);
      const results = await fire(
        () => `/api/s/${token}/submit`,
        (i) => ({ answers: webAnswers(), elapsedSeconds: 300 + i }),
        (i) => ({ 'idempotency-key': `two-servers-${i}` }),
      );
      expect(results.filter((r) => r.status === 201)).toHaveLength(1);
      refusedAsSubmitted(results.filter((r) => r.status !== 201));
      expect(await storedResponses(campaigns.named)).toBe(1);
    }, 120_000);

    it('anonymous campaign, two steps: one credential bought with the link, and its ballot stored once however often it is sent', async () => {
      const { token } = await createInvitation(db, campaigns.anonymous);
      const { credentialKey } = (await (await fetch(`${servers[0].url}/api/s/${token}`)).json()) as EvaluatorLoad;
      const client = blindClient(credentialKey!);
      const blinded = Array.from({ length: TIMES }, () => client.blind());

      // 100 browsers holding the link each try to buy a credential with it
      const bought = await fire(
        () => `/api/s/${token}/credential`,
        (i) => ({ blindedMessage: blinded[i].blindedMessage }),
      );
      const winners = bought.flatMap((r, i) => (r.status === 200 ? [i] : []));
      expect(winners).toHaveLength(1);
      refusedAsSubmitted(bought.filter((r) => r.status !== 200));

      // the winner's ballot, sent 100 times at once: one response, the same receipt for every answer
      const b = blinded[winners[0]];
      const ballot = {
        answers: webAnswers(),
        elapsedSeconds: 300,
        credential: b.credential,
        signature: client.finalize((bought[winners[0]].body as CredentialIssued).blindSignature, b.inverse),
        category: 'project',
      };
      const cast = await fire(
        () => `/api/s/ballots/${campaigns.anonymous.slug}`,
        () => ballot,
      );
      expect(cast.map((r) => r.status)).toEqual(Array(TIMES).fill(201));
      expect(cast.filter((r) => !r.replayed)).toHaveLength(1);
      expect(new Set(cast.map((r) => (r.body as Receipt).receipt)).size).toBe(1);
      expect(await storedResponses(campaigns.anonymous)).toBe(1);
    }, 120_000);
  },
);
