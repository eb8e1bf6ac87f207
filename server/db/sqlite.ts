import { chmodSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
} from 'kysely';
import { ConnectionQueue } from './connection-queue.js';
import { type DatabaseFailure, databaseFailure } from './health.js';

/** How long a statement waits for another process's write lock (the server's): a request, 5 s. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Open a database file (or :memory:) the way the server, the CLI and the tests use it, waiting up
 * to `options.timeout` ms (default SQLITE_BUSY_TIMEOUT_MS) for another process's write lock.
 */
export function openSqliteFile(path: string, options: SQLite.Options = {}): SQLite.Database {
  const sqlite = new SQLite(path, { timeout: SQLITE_BUSY_TIMEOUT_MS, ...options });
  if (options.readonly) return sqlite;
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  // deleted drafts and cleared invitation times are overwritten, not left readable in free pages
  sqlite.pragma('secure_delete = ON');
  return sqlite;
}

/**
 * The -wal and -shm files are created with the database file's permissions: opened while the
 * file was read-only, they stay read-only after the file is fixed, and the database with them.
 * Give them the file's permissions back (they are ours: the server created them).
 */
function repairSidecarPermissions(path: string): void {
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return;
  }
  for (const sidecar of [`${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(sidecar).mode & 0o777) !== mode) chmodSync(sidecar, mode);
    } catch {
      // missing, or not ours to fix: the reopened connection reports the cause again
    }
  }
}

/** Prepared statements kept per connection. */
const MAX_STATEMENTS = 500;

/** Causes that a fresh connection may cure: permissions fixed, a file moved back, a disk remounted. */
const REOPEN_CAUSES = new Set(['read_only', 'io']);

/**
 * Kysely's SQLite driver over one better-sqlite3 connection, with three differences:
 * - a statement failing as read-only or with an I/O error makes the next request reopen the
 *   file, so fixing the file's permissions is enough, without a restart;
 * - a transaction takes the write lock when it begins (`begin immediate`), waiting for another
 *   process's write as long as the busy timeout: a deferred one that reads first is refused
 *   SQLITE_BUSY at once when it comes to write while another process writes (a CLI command during
 *   the demo's seeding), since SQLite can't wait for a lock inside a read;
 * - a rollback runs only if SQLite still has the transaction open: after SQLITE_FULL (and other
 *   I/O errors) SQLite has already rolled back, and a second "rollback" would replace the real
 *   cause with "cannot rollback - no transaction is active".
 */
class ReopeningSqliteDriver implements Driver {
  #sqlite: SQLite.Database | undefined;
  #reopen = false;
  #queue = new ConnectionQueue();
  #connection: DatabaseConnection;
  /** prepared statements of the open connection by their SQL: preparing costs more than most runs */
  #statements = new Map<string, SQLite.Statement>();

  constructor(
    private readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {
    const driver = this;
    this.#connection = {
      async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
        return driver.#execute<R>(query);
      },
      async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
        const stmt = driver.#open().prepare(query.sql);
        for (const row of stmt.iterate(query.parameters as unknown[])) yield { rows: [row as R] };
      },
    };
  }

  /** The open connection, e.g. for a backup or pragmas. */
  get database(): SQLite.Database {
    return this.#open();
  }

  #open(): SQLite.Database {
    // never in the middle of a transaction: closing would end it behind its caller's back
    if (this.#sqlite && (!this.#reopen || this.#sqlite.inTransaction)) return this.#sqlite;
    if (this.#sqlite) {
      this.#sqlite.close();
      this.#sqlite = undefined;
      repairSidecarPermissions(this.path);
    }
    this.#reopen = false;
    this.#statements.clear();
    this.#sqlite = openSqliteFile(this.path, { timeout: this.busyTimeoutMs });
    return this.#sqlite;
  }

  #execute<R>(query: CompiledQuery): QueryResult<R> {
    try {
      const stmt = this.#prepared(query.sql);
      const parameters = query.parameters as unknown[];
      if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
      const { changes, lastInsertRowid } = stmt.run(parameters);
      return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
    } catch (error) {
      this.#noteFailure(databaseFailure(error));
      throw error;
    }
  }

  #prepared(text: string): SQLite.Statement {
    const sqlite = this.#open();
    let stmt = this.#statements.get(text);
    if (!stmt) {
      stmt = sqlite.prepare(text);
      // statements differ by their number of values (batched inserts, `in` lists): keep the recent ones
      if (this.#statements.size >= MAX_STATEMENTS) this.#statements.clear();
      this.#statements.set(text, stmt);
    }
    return stmt;
  }

  #noteFailure(failure: DatabaseFailure | undefined) {
    if (failure && REOPEN_CAUSES.has(failure.cause) && this.path !== ':memory:') this.#reopen = true;
  }

  async init() {
    this.#open();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#queue.acquire();
    return this.#connection;
  }

  async releaseConnection() {
    this.#queue.release();
  }

  async beginTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw(SQLITE_BEGIN));
  }

  async commitTransaction(connection: DatabaseConnection) {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction() {
    if (this.#sqlite?.inTransaction) this.#sqlite.exec('rollback');
  }

  async savepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`savepoint "${name}"`));
  }

  async rollbackToSavepoint(_connection: DatabaseConnection, name: string) {
    if (this.#sqlite?.inTransaction) this.#sqlite.exec(`rollback to "${name}"`);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string) {
    await connection.executeQuery(CompiledQuery.raw(`release "${name}"`));
  }

  async destroy() {
    this.#statements.clear();
    this.#sqlite?.close();
    this.#sqlite = undefined;
  }
}

export interface SqliteHandle {
  dialect: Dialect;
  /** the current connection (reopened after a read-only or I/O failure) */
  database(): SQLite.Database;
}

/** How every SQLite transaction begins (see ReopeningSqliteDriver). */
export const SQLITE_BEGIN = 'begin immediate';

export function reopeningSqlite(path: string, busyTimeoutMs = SQLITE_BUSY_TIMEOUT_MS): SqliteHandle {
  const driver = new ReopeningSqliteDriver(path, busyTimeoutMs);
  return {
    dialect: {
      createDriver: () => driver,
      createAdapter: () => new SqliteAdapter(),
      createQueryCompiler: () => new SqliteQueryCompiler(),
      createIntrospector: (db) => new SqliteIntrospector(db),
    },
    database: () => driver.database,
  };
}

/** Room a few submissions need; less than this and /healthz reports the disk full before a write fails. */
const MIN_FREE_PAGES = 64;
const MIN_FREE_BYTES = 8 * 1024 * 1024;

/**
 * Whether the database can still grow: pages under `max_page_count` and bytes on its volume.
 * A probe row rewritten in place fits in its page and says nothing about either.
 */
export function sqliteRoomFailure(sqlite: SQLite.Database, path: string): DatabaseFailure | undefined {
  const pragma = (name: string) => Number(sqlite.pragma(name, { simple: true }));
  const freePages = pragma('max_page_count') - pragma('page_count') + pragma('freelist_count');
  if (freePages < MIN_FREE_PAGES) {
    return { cause: 'disk_full', code: 'SQLITE_FULL', detail: `only ${freePages} pages left under max_page_count` };
  }
  if (path === ':memory:') return undefined;
  const volume = statfsSync(dirname(path));
  const freeBytes = volume.bavail * volume.bsize;
  if (freeBytes < MIN_FREE_BYTES) {
    return { cause: 'disk_full', code: 'ENOSPC', detail: `only ${freeBytes} bytes free on the database volume` };
  }
  return undefined;
}
