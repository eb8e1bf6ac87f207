import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import { postgresApplicationName } from '../../server/db/connect.js';
import { PG_TEST_URL, postgresAvailable, postgresDb } from '../helpers/db.js';
import { resultsSetup } from '../results/helpers.js';
import { office, verifiedNegatives } from './helpers.js';

/**
 * SQLite runs one transaction at a time, so only PostgreSQL can interleave a draft sheet's edit
 * with its issue: the edit reads the sheet as a draft, the issue commits, then the edit writes.
 */
describe.skipIf(!(await postgresAvailable()))('a draft sheet edited while it is being issued (PostgreSQL)', () => {
  let db: Db;
  let ctx: Awaited<ReturnType<typeof resultsSetup>>;
  let issuer: pg.Client;

  beforeAll(async () => {
    db = await postgresDb();
    ctx = await resultsSetup(db, { records: false });
    issuer = new pg.Client({ connectionString: PG_TEST_URL });
    await issuer.connect();
    await issuer.query(`set search_path to ${db.schema}`);
  });
  afterAll(async () => {
    await issuer.end();
    await db.close();
  });

  /** Until one of the server's own connections waits for a row lock. */
  async function editWaiting() {
    for (let i = 0; i < 200; i++) {
      const { rows } = await issuer.query(
        `select count(*)::int as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'`,
        [postgresApplicationName(db.schema)],
      );
      if (rows[0].n > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error('the edit never waited for the sheet');
  }

  it('refuses the edit with 409 once the issue has committed, leaving the issued sheet as printed', async () => {
    const [report] = await verifiedNegatives(db, ctx.services, ctx.campaign, 'D001');
    await db.kysely.transaction().execute((trx) => ctx.services.notices.registerVerifiedNegative(trx, report, office));
    const [sheet] = await ctx.services.notices.sheets('test-2026');
    await issuer.query('begin');
    await issuer.query(`update notice_sheets set state = 'issued', requirement = '印发时的要求' where id = $1`, [
      sheet.id,
    ]);
    const edit = ctx.services.notices.editSheet('test-2026', sheet.id, { requirement: '草稿时改的要求' }, office).then(
      () => null,
      (error: { code: string; message: string }) => error,
    );
    await editWaiting();
    await issuer.query('commit');
    expect(await edit).toMatchObject({ code: 'CONFLICT', message: '工作提示单已印发，不能再修改' });
    const [after] = await ctx.services.notices.sheets('test-2026');
    expect(after).toMatchObject({ state: 'issued', requirement: '印发时的要求' });
  });
});
