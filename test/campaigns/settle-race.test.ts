import { afterEach, describe, expect, it } from 'vitest';
import { unsettledIn } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { dialects, type DbPair, sqliteFile, sqlitePair, sqliteWriterProcess } from '../helpers/db.js';
import { RESULTS_TIME, resultsSetup } from '../results/helpers.js';
import { office } from '../notices/helpers.js';

/** SQLite as deployed (a WAL file opened by two processes) and PostgreSQL (two pools) when reachable. */
const stores = [{ name: 'sqlite', openPair: sqlitePair }, ...(await dialects()).filter((d) => d.name === 'postgres')];

const servicesOn = (db: Db) => createServices({ db, config: defaultConfig(), clock: fixedClock(RESULTS_TIME) });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(await dialects())(
  'settling a campaign and issuing a notice sheet at the same moment, on $name',
  ({ open }) => {
    it('one of them wins: never a settled campaign with an open item', async () => {
      const db = await open();
      try {
        const { services, campaign } = await resultsSetup(db);
        await services.results.publish(campaign.slug, 'office');
        const { unverifiedNegatives } = await services.campaigns.settlement(campaign.slug);
        const [sheet] = await services.notices.sheets(campaign.slug);
        const [settled, issued] = await Promise.allSettled([
          services.campaigns.settle(campaign.slug, 'office', { unverified: unverifiedNegatives }),
          services.notices.issueSheet(campaign.slug, sheet.id, office),
        ]);
        const status = services.campaigns.status(await services.campaigns.getBySlug(campaign.slug));
        const { open: openItems } = (await services.campaigns.settlement(campaign.slug)).items;
        expect([settled.status, issued.status].sort()).toEqual(['fulfilled', 'rejected']);
        const refusal = [settled, issued].find((x) => x.status === 'rejected') as PromiseRejectedResult;
        expect(refusal.reason).toMatchObject({ code: 'CONFLICT' });
        if (status === 'settled') expect(openItems).toBe(0);
        else expect([status, settled.status]).toEqual(['published', 'rejected']);
      } finally {
        await db.close();
      }
    });
  },
);

describe.each(stores.filter((s) => s.name === 'postgres'))(
  'settling a campaign while a notice item opens, on $name',
  ({ openPair }) => {
    let pair: DbPair | undefined;
    afterEach(async () => {
      await pair?.close();
      pair = undefined;
    });

    it('an item issued while the settlement waits keeps the campaign published: the settlement is refused with 409, never settled with an open item', async () => {
      pair = await openPair();
      const { services, campaign } = await resultsSetup(pair.first);
      await services.results.publish(campaign.slug, 'office');
      const { unverifiedNegatives, refused } = await services.campaigns.settlement(campaign.slug);
      expect(refused).toBeNull();
      const [sheet] = await services.notices.sheets(campaign.slug);

      // another server process issues the sheet: its transaction holds the campaign's row, as every
      // writer of the follow-up does, while the settlement arrives
      const other = servicesOn(pair.second);
      let release = () => {};
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked = () => {};
      const hasLock = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const issuing = pair.second.kysely.transaction().execute(async (trx) => {
        await unsettledIn(trx, campaign.id, '不能印发工作提示单');
        await trx.updateTable('tracked_items').set({ state: 'registered' }).where('sheet_id', '=', sheet.id).execute();
        locked();
        await held;
      });
      await hasLock;
      const settling = services.campaigns.settle(campaign.slug, 'office', { unverified: unverifiedNegatives }).then(
        () => null,
        (error: unknown) => error,
      );
      await sleep(300);
      release();
      await issuing;
      const error = await settling;

      expect(error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('未办结') });
      const now = await other.campaigns.getBySlug(campaign.slug);
      expect(other.campaigns.status(now)).toBe('published');
      expect((await services.campaigns.settlement(campaign.slug)).items.open).toBeGreaterThan(0);
    });
  },
);

describe('settling a campaign on SQLite while another process opens an item', () => {
  it('the settlement reads the items after the other process commits: refused with 409, the campaign stays published', async () => {
    const { path, db } = await sqliteFile();
    try {
      const { services, campaign } = await resultsSetup(db);
      await services.results.publish(campaign.slug, 'office');
      const { unverifiedNegatives } = await services.campaigns.settlement(campaign.slug);
      const [sheet] = await services.notices.sheets(campaign.slug);
      // another process opens the sheet's items and holds the write lock a second
      const other = sqliteWriterProcess(
        path,
        "update tracked_items set state = 'registered' where sheet_id = ?",
        [sheet.id],
        1000,
      );
      await other.locked;
      const settled = await services.campaigns
        .settle(campaign.slug, 'office', { unverified: unverifiedNegatives })
        .then(
          () => null,
          (error: unknown) => error,
        );
      expect(await other.done).toBe(0);
      expect(settled).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('未办结') });
      expect(services.campaigns.status(await services.campaigns.getBySlug(campaign.slug))).toBe('published');
    } finally {
      await db.close();
    }
  });
});
