import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '../../server/db/connect.js';

export const PG_TEST_URL = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const isCi = process.env.CI === 'true';

/** A fresh, migrated in-memory SQLite database. */
export function sqliteDb(): Promise<Db> {
  return openDatabase(':memory:');
}

let pgReachable: Promise<boolean> | undefined;

/** Whether the local PostgreSQL answers. With CI=true a missing server fails the run instead. */
export function postgresAvailable(): Promise<boolean> {
  pgReachable ??= (async () => {
    const client = new pg.Client({ connectionString: PG_TEST_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch (error) {
      if (isCi)
        throw new Error(`PostgreSQL is required when CI=true and is not reachable at ${PG_TEST_URL}: ${String(error)}`);
      console.warn(`PostgreSQL not reachable at ${PG_TEST_URL}; its suite is skipped (set CI=true to require it)`);
      return false;
    }
  })();
  return pgReachable;
}

/** A fresh, migrated PostgreSQL schema; `close` drops it. */
export async function postgresDb(): Promise<Db> {
  const schema = `minping_test_${randomBytes(6).toString('hex')}`;
  const db = await openDatabase(PG_TEST_URL, { schema });
  const close = db.close;
  return {
    ...db,
    close: async () => {
      await close();
      const client = new pg.Client({ connectionString: PG_TEST_URL });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
    },
  };
}

export interface DialectCase {
  name: 'sqlite' | 'postgres';
  open(): Promise<Db>;
}

/**
 * The dialects a repository suite runs on: SQLite always, PostgreSQL when reachable
 * (mandatory under CI=true). Use with `describe.each(await dialects())`.
 */
export async function dialects(): Promise<DialectCase[]> {
  const cases: DialectCase[] = [{ name: 'sqlite', open: sqliteDb }];
  if (await postgresAvailable()) cases.push({ name: 'postgres', open: postgresDb });
  return cases;
}
