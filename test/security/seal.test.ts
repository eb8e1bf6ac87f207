import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { SEAL_BATCH } from '../../server/responses/service.js';
import { dialects } from '../helpers/db.js';
import { createInvitation, jsonRequest, surveySetup, webAnswers } from '../evaluator/helpers.js';

/** PostgreSQL's transaction id of each row's current version: the join a reader could make. */
async function xmins(db: Db, table: 'invitations' | 'responses', where: 'used' | 'all') {
  const q = sql<{
    xmin: string;
  }>`select xmin::text as xmin from ${sql.table(table)} ${where === 'used' ? sql`where used = 1` : sql``}`;
  return (await q.execute(db.kysely)).rows.map((r) => r.xmin);
}

describe.each(await dialects())('spent invitations are sealed in batches on $name', ({ name, open }) => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  async function submitMany(count: number, mode: 'anonymous' | 'named' = 'anonymous') {
    db = await open();
    const s = await surveySetup(db, { overrides: { mode } });
    for (let i = 0; i < count; i++) {
      const { token } = await createInvitation(db, s.campaign);
      const res = await s.app.request(
        `/api/s/${token}/submit`,
        jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, { 'Idempotency-Key': `seal-${i}-key` }),
      );
      expect(res.status).toBe(201);
    }
    return s;
  }

  const unsealed = async () =>
    Number(
      (
        await db!.kysely
          .selectFrom('invitations')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('unsealed', '=', 1)
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('rewrites every batch of spent invitations together, so none keeps its response’s transaction', async () => {
    const s = await submitMany(SEAL_BATCH + 2);
    expect(await unsealed()).toBe(2);
    if (name === 'postgres') {
      const responseTx = new Set(await xmins(db!, 'responses', 'all'));
      const invitationTx = await xmins(db!, 'invitations', 'used');
      // the sealed batch shares one transaction id that no response has; the 2 waiting still do
      expect(invitationTx.filter((x) => responseTx.has(x))).toHaveLength(2);
      expect(new Set(invitationTx.filter((x) => !responseTx.has(x))).size).toBe(1);
    }

    // publication seals the rest, hidden among already-sealed ones
    await s.services.results.publish(s.campaign.slug, 'office');
    expect(await unsealed()).toBe(0);
    if (name === 'postgres') {
      const responseTx = new Set(await xmins(db!, 'responses', 'all'));
      expect((await xmins(db!, 'invitations', 'used')).filter((x) => responseTx.has(x))).toEqual([]);
    }
  });

  it('leaves named campaigns alone: their link is kept on purpose', async () => {
    await submitMany(SEAL_BATCH, 'named');
    expect(await unsealed()).toBe(0);
    const linked = await db!.kysely.selectFrom('responses').select('invitation_id').execute();
    expect(linked.every((r) => r.invitation_id !== null)).toBe(true);
  });
});
