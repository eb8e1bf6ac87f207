import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { Kysely, Migrator } from 'kysely';
import pg from 'pg';
import { DEFAULT_SQLITE_PATH, isPostgresUrl } from '../config.js';
import type { Database } from './schema.js';
import { OwnSchemaPostgresDialect } from './postgres-introspector.js';
import { migrationProvider } from './migrations/index.js';
import { type DatabaseFailure, DatabaseHealth, databaseFailure, withHealth } from './health.js';
import { reopeningSqlite, SQLITE_BEGIN, sqliteRoomFailure } from './sqlite.js';
import { inOneTransaction } from './one-transaction.js';
import { queuedPool } from './queued-pool.js';
import type { ReadSource } from './reader.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL: the schema the tables live in, when not the default */
  schema?: string;
  /** where another thread can open a read-only connection of its own (reader.ts); none in memory */
  reads?: ReadSource;
  /** the last write or connection failure, until a write commits again */
  health: DatabaseHealth;
  /**
   * Commit a write (the probe row, stamped `at`) and check there is room for more:
   * the failure that stops writes now, or undefined when they work.
   */
  probe(at: string): Promise<DatabaseFailure | undefined>;
  /**
   * Run `work` on a Db whose every transaction is a savepoint of one transaction, committed
   * only if `work` resolves: several services' changes as one, all or nothing. That Db has no
   * `reads`: another connection would not see what the transaction wrote.
   */
  inOneTransaction<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL only: run in this schema (created if missing); tests use a fresh one per run */
  schema?: string;
  /** PostgreSQL only: connections in the pool (default 10) */
  poolSize?: number;
  /** where failures and recoveries are logged (stderr by default) */
  log?: (line: string) => void;
  /** SQLite only: how long to wait for another process's write lock (default SQLITE_BUSY_TIMEOUT_MS) */
  busyTimeoutMs?: number;
}

/** A unique-key clash (PostgreSQL 23505, SQLite's UNIQUE / PRIMARY KEY): usually a concurrent request won the race. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

export { DEFAULT_SQLITE_PATH, isPostgresUrl };

/** `url` unset or a file path → SQLite; `postgres://…` → PostgreSQL. */
export async function connect(url: string | undefined, options: ConnectOptions = {}): Promise<Db> {
  const health = new DatabaseHealth(options.log);
  if (url && isPostgresUrl(url)) return connectPostgres(url, options.schema, options.poolSize ?? 10, health);
  return connectSqlite(url || DEFAULT_SQLITE_PATH, health, options.busyTimeoutMs);
}

/** The database failure `check` ends with (its own, or thrown), or undefined when it passes. */
async function failureOf(check: () => Promise<DatabaseFailure | undefined>): Promise<DatabaseFailure | undefined> {
  try {
    return await check();
  } catch (error) {
    const failure = databaseFailure(error);
    if (!failure) throw error;
    return failure;
  }
}

/** Stamp the probe row: an upsert that must commit. */
async function writeProbe(kysely: Kysely<Database>, at: string): Promise<undefined> {
  await kysely
    .insertInto('health_probe')
    .values({ id: 'probe', checked_at: at })
    .onConflict((oc) => oc.column('id').doUpdateSet({ checked_at: at }))
    .returning('id')
    .execute();
}

/** `db` on the one connection of its `inOneTransaction` */
function within(db: Db, single: Kysely<Database>): Db {
  const { reads: _, ...rest } = db;
  return { ...rest, kysely: single };
}

function connectSqlite(path: string, health: DatabaseHealth, busyTimeoutMs: number | undefined): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = reopeningSqlite(path, busyTimeoutMs);
  const dialect = withHealth(sqlite.dialect, health);
  const kysely = new Kysely<Database>({ dialect });
  const db: Db = {
    kysely,
    dialect: 'sqlite',
    health,
    ...(path === ':memory:' ? {} : { reads: { dialect: 'sqlite', path } }),
    inOneTransaction: (work) => inOneTransaction(kysely, dialect, (single) => work(within(db, single)), SQLITE_BEGIN),
    probe: (at) =>
      failureOf(async () => {
        const room = sqliteRoomFailure(sqlite.database(), path);
        if (!room) return writeProbe(kysely, at);
        // the room check fails before a write does: the log hears of it the same way
        if (!health.failure) health.report(room);
        return room;
      }),
    close: () => kysely.destroy(),
  };
  return db;
}

/** How a server's connections show in pg_stat_activity (and how a test finds its own). */
export const postgresApplicationName = (schema: string | undefined) => (schema ? `minping:${schema}` : 'minping');

async function connectPostgres(url: string, schema: string | undefined, poolSize: number, health: DatabaseHealth) {
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  const connection = {
    connectionString: url,
    application_name: postgresApplicationName(schema),
    // an unreachable server answers requests with 503 in seconds instead of holding them (the wait
    // for a free connection is queuedPool's, not this)
    connectionTimeoutMillis: 5000,
  };
  if (schema) {
    const admin = new pg.Client(connection);
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    ...connection,
    max: poolSize,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A connection the server ends (a restart, a failover, pg_terminate_backend) emits `error`:
  // unheard, it ends the process. The pool drops the dead client and opens a new one on demand.
  const lost = (error: Error) => {
    if (!health.failed(error)) console.error(`database connection error: ${error.message}`);
  };
  pool.on('error', lost);
  pool.on('connect', (client) => client.on('error', lost));
  const dialect = withHealth(new OwnSchemaPostgresDialect({ pool: queuedPool(pool, poolSize) }, schema), health);
  const kysely = new Kysely<Database>({ dialect });
  const db: Db = {
    kysely,
    dialect: 'postgres',
    ...(schema ? { schema } : {}),
    reads: { dialect: 'postgres', url, applicationName: connection.application_name, ...(schema ? { schema } : {}) },
    health,
    inOneTransaction: (work) => inOneTransaction(kysely, dialect, (single) => work(within(db, single))),
    probe: (at) => failureOf(() => writeProbe(kysely, at)),
    close: () => kysely.destroy(),
  };
  return db;
}

export async function migrateToLatest(db: Db): Promise<void> {
  // With a schema, kysely must look for its migration tables there: otherwise another schema's
  // kysely_migration_lock (a parallel test run) counts as existing and this one is never created.
  const migrator = new Migrator({
    db: db.kysely,
    provider: migrationProvider,
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
    // numbers are claimed by work done side by side and each migration stands alone: a database
    // that took 0027 before 0025 existed still gets 0025, instead of refusing to open
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`, { cause: error });
  }
}

/** Connect and bring the schema up to date: what the server, the CLI and the tests all start with. */
export async function openDatabase(url: string | undefined, options: ConnectOptions = {}): Promise<Db> {
  // a failure while opening is the caller's to report, in one line: the health log starts after
  let opened = false;
  const log = options.log ?? ((line: string) => console.error(line));
  const db = await connect(url, { ...options, log: (line) => opened && log(line) });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  opened = true;
  return db;
}
