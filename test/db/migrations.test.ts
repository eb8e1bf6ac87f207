import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest } from '../../server/db/connect.js';
import pg from 'pg';
import { dialects, PG_TEST_URL } from '../helpers/db.js';

describe.each(await dialects())('migrations on $name', ({ open }) => {
  it('creates every table and is idempotent when run again', async () => {
    const db = await open();
    try {
      await migrateToLatest(db);
      const tables = await db.kysely.introspection.getTables();
      const names = tables.map((t) => t.name);
      for (const table of [
        'campaigns',
        'departments',
        'evaluators',
        'invitations',
        'drafts',
        'responses',
        'users',
        'sessions',
        'snapshots',
      ]) {
        expect(names).toContain(table);
      }
      // migration 0038: written by every submission, read by nothing
      expect(names).not.toContain('answers');
      const count = await db.kysely
        .selectFrom('campaigns')
        .select(sql<number>`count(*)`.as('n'))
        .executeTakeFirstOrThrow();
      expect(Number(count.n)).toBe(0);
    } finally {
      await db.close();
    }
  });
});

describe.each((await dialects()).filter((d) => d.name === 'postgres'))('migrations on PostgreSQL', ({ open }) => {
  it('brings a schema up to date while other processes drop their schemas at the same moment', async () => {
    const admin = new pg.Client({ connectionString: PG_TEST_URL });
    await admin.connect();
    const doomed = Array.from({ length: 8 }, (_, i) => `minping_doomed_${process.pid}_${i}`);
    try {
      let dropping = true;
      const churn = (async () => {
        while (dropping) {
          for (const schema of doomed) {
            await admin.query(
              `create schema if not exists ${schema}; create table if not exists ${schema}.t (a int, b text)`,
            );
          }
          for (const schema of doomed) await admin.query(`drop schema if exists ${schema} cascade`);
        }
      })();
      const opened = await Promise.all(Array.from({ length: 4 }, () => open()));
      dropping = false;
      await churn;
      for (const db of opened) {
        const tables = await db.kysely.introspection.getTables();
        expect(tables.map((t) => t.name)).toContain('responses');
        expect(new Set(tables.map((t) => t.schema))).toEqual(new Set([db.schema]));
        await db.close();
      }
    } finally {
      for (const schema of doomed) await admin.query(`drop schema if exists ${schema} cascade`);
      await admin.end();
    }
  });
});
