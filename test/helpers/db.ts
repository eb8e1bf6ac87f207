import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { openDatabase, type ConnectOptions, type Db } from '../../server/db/connect.js';
import type { Database } from '../../server/db/schema.js';

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

/** Two connections to one fresh database, as two server processes have; `close` closes both and drops it. */
export interface DbPair {
  first: Db;
  second: Db;
  close(): Promise<void>;
}

/** A fresh, migrated SQLite file, as deployed (WAL); `close` deletes it. */
export async function sqliteFile(): Promise<{ path: string; db: Db }> {
  const dir = mkdtempSync(join(tmpdir(), 'minping-test-'));
  const path = join(dir, 'minping.db');
  const db = await openDatabase(path);
  return { path, db: { ...db, close: async () => (await db.close(), rmSync(dir, { recursive: true, force: true })) } };
}

export const sqliteFileDb = async (): Promise<Db> => (await sqliteFile()).db;

/** `first` and a second connection to the same database; closing closes both, `first` (which cleans up) last. */
async function withSecond(first: Db, url: string, options: ConnectOptions = {}): Promise<DbPair> {
  const second = await openDatabase(url, options);
  return { first, second, close: async () => (await second.close(), await first.close()) };
}

/** A fresh SQLite file opened twice (an in-memory database can't be shared). */
export async function sqlitePair(): Promise<DbPair> {
  const { path, db } = await sqliteFile();
  return withSecond(db, path);
}

/** A fresh, migrated PostgreSQL schema opened through two pools. */
export async function postgresPair(): Promise<DbPair> {
  const first = await postgresDb();
  return withSecond(first, PG_TEST_URL, { schema: first.schema });
}

export interface DialectCase {
  name: 'sqlite' | 'postgres';
  open(): Promise<Db>;
  openPair(): Promise<DbPair>;
}

/**
 * The dialects a repository suite runs on: SQLite always, PostgreSQL when reachable
 * (mandatory under CI=true). Use with `describe.each(await dialects())`.
 */
export async function dialects(): Promise<DialectCase[]> {
  const cases: DialectCase[] = [{ name: 'sqlite', open: sqliteDb, openPair: sqlitePair }];
  if (await postgresAvailable()) cases.push({ name: 'postgres', open: postgresDb, openPair: postgresPair });
  return cases;
}

/** Rows in `table` now (`Number()`: PostgreSQL counts come back as strings). */
export async function countRows(db: Db, table: keyof Database): Promise<number> {
  const { n } = await db.kysely
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/**
 * Another process writing the SQLite file at `path`: takes the write lock, runs `sql` with
 * `params`, holds the lock `holdMs`, commits. `locked` resolves once it holds the lock, `done`
 * with its exit code once it has committed.
 */
export function sqliteWriterProcess(path: string, sql: string, params: readonly string[], holdMs: number) {
  const script = `
    const Database = require('better-sqlite3');
    const [path, sql, params, holdMs] = process.argv.slice(1);
    const db = new Database(path);
    db.exec('begin immediate');
    db.prepare(sql).run(...JSON.parse(params));
    console.log('locked');
    setTimeout(() => { db.exec('commit'); db.close(); }, Number(holdMs));`;
  const child = spawn(process.execPath, ['-e', script, path, sql, JSON.stringify(params), String(holdMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const done = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const locked = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => line === 'locked' && resolve());
    child.on('exit', (code) => reject(new Error(`the other process ended (${code}) before it held the lock`)));
  });
  return { locked, done };
}
