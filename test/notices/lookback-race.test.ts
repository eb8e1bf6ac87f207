import { afterEach, describe, expect, it } from 'vitest';
import { campaignsRepository } from '../../server/campaigns/repository.js';
import type { Db } from '../../server/db/connect.js';
import type { Item } from '../../server/notices/service.js';
import { dialects, type DbPair, sqliteFile, sqliteWriterProcess } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { RESULTS_TIME, resultsSetup } from '../results/helpers.js';
import { office, verifiedNegatives } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The 2026 campaign published with D005's sheet issued and its items closed (so it can be settled),
 * and the 2027 campaign, which opened after it, holding a pending report of D005 of the same kind
 * (3): verifying it looks back at 2026's closed items.
 */
async function lookbackSetup(db: Db) {
  const ctx = await resultsSetup(db);
  const { services, campaign } = ctx;
  await services.results.publish(campaign.slug, 'office');
  const sheet = (await services.notices.sheets(campaign.slug)).find((s) => s.departmentCode === 'D005');
  if (!sheet) throw new Error('the publication drafts a sheet for D005');
  await services.notices.issueSheet(campaign.slug, sheet.id, office);
  // closed without the department's steps: the notice machine has its own tests
  await db.kysely
    .updateTable('tracked_items')
    .set({ state: 'closed', closed_at: RESULTS_TIME })
    .where('sheet_id', '=', sheet.id)
    .execute();
  const { unverifiedNegatives, refused } = await services.campaigns.settlement(campaign.slug);
  expect(refused).toBeNull();
  const next = await createTestCampaign(db, services, {
    slug: 'test-2027',
    overrides: { name: '2027 年测试评议', opensAt: '2027-11-01T00:00:00+08:00', closesAt: '2027-12-31T23:59:59+08:00' },
  });
  const [report] = await verifiedNegatives(db, services, next, 'D005');
  const earlier = async () =>
    (await services.notices.items({ campaignId: campaign.id, departmentCode: 'D005' })).filter(
      (i: Item) => i.source === 'negative',
    );
  expect((await earlier()).map((i) => i.state)).toEqual(['closed', 'closed']);
  return {
    ...ctx,
    earlier,
    settle: () => services.campaigns.settle(campaign.slug, 'office', { unverified: unverifiedNegatives }),
    verify: () => services.negatives.verify('test-2027', report.id, { reason: '电话核实属实' }, office),
    status: async () => services.campaigns.status(await services.campaigns.getBySlug(campaign.slug)),
    registered: async () =>
      (await services.notices.items({ campaignId: next.id, departmentCode: 'D005' })).filter(
        (i) => i.sourceRef === report.id,
      ),
  };
}

const outcome = <T>(work: Promise<T>) =>
  work.then(
    () => null,
    (error: unknown) => error,
  );

describe.each(await dialects())('settling a campaign while a later campaign looks back at it, on $name', ({ open }) => {
  it('the verification always goes through; the earlier items reopen only if the settlement is refused', async () => {
    const db = await open();
    try {
      const ctx = await lookbackSetup(db);
      const [settled, verified] = await Promise.all([outcome(ctx.settle()), outcome(ctx.verify())]);
      expect(verified).toBeNull();
      expect(await ctx.registered()).toHaveLength(1);
      const states = (await ctx.earlier()).map((i) => i.state);
      if ((await ctx.status()) === 'settled') {
        expect(settled).toBeNull();
        expect(states).toEqual(['closed', 'closed']);
      } else {
        expect(settled).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('未办结') });
        expect(states).toEqual(['rectifying', 'rectifying']);
      }
    } finally {
      await db.close();
    }
  });
});

describe.each((await dialects()).filter((d) => d.name === 'postgres'))(
  'a later campaign’s verification while another process settles the earlier one, on $name',
  ({ openPair }) => {
    let pair: DbPair | undefined;
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('waits for the settlement and leaves the settled items closed, registering the report on its own sheet, instead of a 409', async () => {
      pair = await openPair();
      const ctx = await lookbackSetup(pair.first);
      // another server process settles 2026: its transaction holds the campaign's row, as a settlement does
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked = () => {};
      const hasLock = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const settling = pair.second.kysely.transaction().execute(async (trx) => {
        await campaignsRepository(trx).lock(ctx.campaign.id);
        await trx.updateTable('campaigns').set({ state: 'settled' }).where('id', '=', ctx.campaign.id).execute();
        locked();
        await held;
      });
      await hasLock;
      const verifying = outcome(ctx.verify());
      await sleep(300);
      release();
      await settling;

      expect(await verifying).toBeNull();
      expect(await ctx.status()).toBe('settled');
      expect((await ctx.earlier()).map((i) => [i.state, i.reopenCount])).toEqual([
        ['closed', 0],
        ['closed', 0],
      ]);
      expect((await ctx.registered()).map((i) => i.state)).toEqual(['draft']);
    });
  },
);

describe('a later campaign’s verification on SQLite while another process settles the earlier one', () => {
  it('reads the earlier campaign after the other process commits: its items stay closed, the report is registered', async () => {
    const { path, db } = await sqliteFile();
    try {
      const ctx = await lookbackSetup(db);
      const other = sqliteWriterProcess(
        path,
        "update campaigns set state = 'settled' where id = ?",
        [ctx.campaign.id],
        1000,
      );
      await other.locked;
      const verified = await outcome(ctx.verify());
      expect(await other.done).toBe(0);
      expect(verified).toBeNull();
      expect((await ctx.earlier()).map((i) => i.state)).toEqual(['closed', 'closed']);
      expect((await ctx.registered()).map((i) => i.state)).toEqual(['draft']);
    } finally {
      await db.close();
    }
  });
});
