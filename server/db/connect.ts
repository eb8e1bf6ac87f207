import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { migrationProvider } from './migrations/index.js';

export type Dialect = 'sqlite' | 'postgres';

export interface Db {
  kysely: Kysely<Database>;
  dialect: Dialect;
  /** PostgreSQL: the schema the tables live in, when not the default */
  schema?: string;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PostgreSQL only: run in this schema (created if missing); tests use a fresh one per run */
  schema?: string;
  /** PostgreSQL only: connections in the pool (default 10) */
  poolSize?: number;
}

export const DEFAULT_SQLITE_PATH = './data/minping.db';

/** A unique-key clash (PostgreSQL 23505, SQLite's UNIQUE / PRIMARY KEY): usually a concurrent request won the race. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** `url` unset or a file path → SQLite; `postgres://…` → PostgreSQL. */
export async function connect(url: string | undefined, options: ConnectOptions = {}): Promise<Db> {
  if (url && /^postgres(ql)?:\/\//.test(url)) return connectPostgres(url, options.schema, options.poolSize ?? 10);
  return connectSqlite(url || DEFAULT_SQLITE_PATH);
}

function connectSqlite(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  // deleted drafts and cleared invitation times are overwritten, not left readable in free pages
  sqlite.pragma('secure_delete = ON');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, dialect: 'sqlite', close: () => kysely.destroy() };
}

async function connectPostgres(url: string, schema: string | undefined, poolSize: number): Promise<Db> {
  if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
  if (schema) {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      await admin.query(`create schema if not exists ${schema}`);
    } finally {
      await admin.end();
    }
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { kysely, dialect: 'postgres', ...(schema ? { schema } : {}), close: () => kysely.destroy() };
}

export async function migrateToLatest(db: Db): Promise<void> {
  // With a schema, kysely must look for its migration tables there: otherwise another schema's
  // kysely_migration_lock (a parallel test run) counts as existing and this one is never created.
  const migrator = new Migrator({
    db: db.kysely,
    provider: migrationProvider,
    ...(db.schema ? { migrationTableSchema: db.schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
  }
}

/** Connect and bring the schema up to date: what the server, the CLI and the tests all start with. */
export async function openDatabase(url: string | undefined, options: ConnectOptions = {}): Promise<Db> {
  const db = await connect(url, options);
  await migrateToLatest(db);
  return db;
}
