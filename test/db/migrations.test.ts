import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { migrateToLatest } from '../../server/db/connect.js';
import { dialects } from '../helpers/db.js';

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
        'answers',
        'users',
        'sessions',
        'snapshots',
      ]) {
        expect(names).toContain(table);
      }
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
