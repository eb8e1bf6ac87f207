/**
 * Spent links of anonymous campaigns are flagged on their invitations ten at a time (migration
 * 0023): the commit that stores a response writes nothing on any invitation, and a batch flags
 * SEAL_BATCH invitations in one transaction, in random order, clearing their times. Named
 * campaigns spend the invitation with the response, on purpose.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { SEAL_BATCH } from '../../server/responses/service.js';
import { dialects } from '../helpers/db.js';
import { createInvitation, isSpent, jsonRequest, surveySetup, webAnswers } from '../evaluator/helpers.js';

/** PostgreSQL's transaction id of each row's current version: the join a reader could make. */
async function xmins(db: Db, table: 'invitations' | 'responses', where: 'used' | 'all') {
  const q = sql<{
    xmin: string;
  }>`select xmin::text as xmin from ${sql.table(table)} ${where === 'used' ? sql`where used = 1` : sql``}`;
  return (await q.execute(db.kysely)).rows.map((r) => r.xmin);
}

describe.each(await dialects())('spent invitations are flagged in batches on $name', ({ name, open }) => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  async function submitMany(count: number, mode: 'anonymous' | 'named' = 'anonymous') {
    db = await open();
    const s = await surveySetup(db, { overrides: { mode } });
    const tokens: string[] = [];
    for (let i = 0; i < count; i++) {
      const { token } = await createInvitation(db, s.campaign);
      expect((await s.app.request(`/api/s/${token}`)).status).toBe(200);
      const draft = jsonRequest('PUT', { answers: { category: 'project' }, elapsedSeconds: 30 });
      expect((await s.app.request(`/api/s/${token}/draft`, draft)).status).toBe(200);
      const res = await s.app.request(
        `/api/s/${token}/submit`,
        jsonRequest('POST', { answers: webAnswers(), elapsedSeconds: 300 }, { 'Idempotency-Key': `seal-${i}-key` }),
      );
      expect(res.status).toBe(201);
      tokens.push(token);
    }
    return { s, tokens };
  }

  const used = async () => db!.kysely.selectFrom('invitations').selectAll().where('used', '=', 1).execute();

  it('flags every batch of spent invitations together, clearing their times, so none carries its response’s commit', async () => {
    const { s, tokens } = await submitMany(SEAL_BATCH + 2);
    const flagged = await used();
    expect(flagged).toHaveLength(SEAL_BATCH);
    for (const inv of flagged) expect(inv).toMatchObject({ used_at: null, opened_at: null, draft_saved_at: null });
    // the two waiting are spent all the same: their links say so, and the progress counts them
    for (const token of tokens) expect(await isSpent(db!, token)).toBe(true);
    const progress = await s.services.invitations.progress(s.campaign);
    expect(progress.totals).toMatchObject({ submitted: SEAL_BATCH + 2, imported: 0 });
    if (name === 'postgres') {
      // the batch shares one transaction id that no response has
      const responseTx = new Set(await xmins(db!, 'responses', 'all'));
      const invitationTx = await xmins(db!, 'invitations', 'used');
      expect(invitationTx.filter((x) => responseTx.has(x))).toEqual([]);
      expect(new Set(invitationTx).size).toBe(1);
    }
    // publication flags no small remainder: two invitations flagged alone would name their two responses
    await s.services.campaigns.close(s.campaign.slug, 'office');
    await s.services.results.publish(s.campaign.slug, 'office');
    expect(await used()).toHaveLength(SEAL_BATCH);
  });

  it('refuses a new link for an evaluator whose spent link waits for its batch', async () => {
    const { s } = await submitMany(1);
    const evaluator = await db!.kysely.selectFrom('evaluators').select('id').executeTakeFirstOrThrow();
    await expect(
      s.services.invitations.regenerate(s.campaign, evaluator.id, { actor: 'office' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('leaves named campaigns alone: their link is kept on purpose', async () => {
    await submitMany(SEAL_BATCH, 'named');
    expect(await used()).toHaveLength(SEAL_BATCH);
    const linked = await db!.kysely.selectFrom('responses').select('invitation_id').execute();
    expect(linked.every((r) => r.invitation_id !== null)).toBe(true);
    expect(await db!.kysely.selectFrom('spent_links').selectAll().execute()).toEqual([]);
  });
});
