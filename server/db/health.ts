import { POOL_WAIT_CODE } from './queued-pool.js';
import type { CompiledQuery, DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';

/** Why the database can't take writes (or answer at all): what the user is told and the log names. */
export type FailureCause = 'disk_full' | 'read_only' | 'unreachable' | 'busy' | 'io' | 'corrupt';

export interface DatabaseFailure {
  cause: FailureCause;
  /** the driver's code, e.g. SQLITE_FULL, ECONNREFUSED, 57P01 */
  code: string;
  /** the driver's own words */
  detail: string;
}

/** What a user reads (503): the cause in plain words, and what to do. */
export const FAILURE_MESSAGES: Record<FailureCause, string> = {
  disk_full: '服务器存储空间已满，暂时无法保存。请稍后重试；若一直如此，请联系评议办。',
  read_only: '数据库暂时只能读取、不能保存。请稍后重试；若一直如此，请联系评议办。',
  unreachable: '数据库暂时无法连接，请稍后重试。',
  busy: '数据库正忙，请稍后重试。',
  io: '数据库读写出错，暂时无法保存。请稍后重试；若一直如此，请联系评议办。',
  corrupt: '数据库文件已损坏，暂时无法服务。请联系评议办。',
};

/** What the operator reads in the log: the cause and where to look. */
const FAILURE_LOG: Record<FailureCause, string> = {
  disk_full: 'disk full: free space on the database volume',
  read_only: 'database is read-only: check the permissions of the database file and its -wal/-shm',
  unreachable: 'database unreachable: check that PostgreSQL is running and reachable',
  busy: 'database busy: locked by another process (SQLite), or every pooled connection in use (PostgreSQL), for longer than the wait limit',
  io: 'I/O error on the database file',
  corrupt: 'database file is corrupt: restore from a backup (minping restore)',
};

const SQLITE_CAUSES: [prefix: string, cause: FailureCause][] = [
  ['SQLITE_FULL', 'disk_full'],
  ['SQLITE_READONLY', 'read_only'],
  ['SQLITE_BUSY', 'busy'],
  ['SQLITE_LOCKED', 'busy'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'io'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
];

/** PostgreSQL SQLSTATEs of the server going away or refusing work (not of a bad query). */
const POSTGRES_CAUSES: Record<string, FailureCause> = {
  '57P01': 'unreachable', // admin_shutdown (pg_terminate_backend, a restart)
  '57P02': 'unreachable', // crash_shutdown
  '57P03': 'unreachable', // cannot_connect_now (starting up, recovering)
  '53300': 'unreachable', // too_many_connections
  '53100': 'disk_full',
  '25006': 'read_only', // read_only_sql_transaction: a standby after a failover
  '58030': 'io',
};

/** Ours: codes no driver gives. */
const OWN_CAUSES: Record<string, FailureCause> = { [POOL_WAIT_CODE]: 'busy' };

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** node-postgres says these in words, without a code. */
const POSTGRES_CONNECTION_WORDS =
  /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Client was closed and is not queryable|Connection ended/i;

/** The database failure behind an error, or undefined for anything else (a bad query, a unique clash, a bug). */
export function databaseFailure(error: unknown): DatabaseFailure | undefined {
  if (!error || typeof error !== 'object') return undefined;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const detail = typeof message === 'string' ? message : String(error);
  if (typeof code === 'string') {
    const sqlite = SQLITE_CAUSES.find(([prefix]) => code.startsWith(prefix));
    if (sqlite) return { cause: sqlite[1], code, detail };
    const own = OWN_CAUSES[code];
    if (own) return { cause: own, code, detail };
    const postgres = POSTGRES_CAUSES[code] ?? (code.startsWith('08') && code.length === 5 ? 'unreachable' : undefined);
    if (postgres) return { cause: postgres, code, detail };
    if (NETWORK_CODES.has(code)) return { cause: 'unreachable', code, detail };
  }
  // a connection attempt to every address of a host name (::1 and 127.0.0.1) fails as one AggregateError
  const inner = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(inner)) {
    const first = inner.map(databaseFailure).find(Boolean);
    if (first) return { ...first, detail };
  }
  if (POSTGRES_CONNECTION_WORDS.test(detail)) return { cause: 'unreachable', code: 'CONNECTION_LOST', detail };
  // e.g. a failed migration, wrapped with the driver's error as its cause
  const cause = (error as { cause?: unknown }).cause;
  return cause && cause !== error ? databaseFailure(cause) : undefined;
}

/** One line for a log or a terminal: the cause, the driver's code and words. */
export function describeFailure(failure: DatabaseFailure): string {
  return `${FAILURE_LOG[failure.cause]} (${failure.code}: ${failure.detail})`;
}

/** Where a database URL points, for a message: the file, or PostgreSQL's host and database (never the password). */
export function databaseLocation(url: string | undefined, fallback: string): string {
  if (!url || !/^postgres(ql)?:\/\//.test(url)) return url || fallback;
  try {
    const parsed = new URL(url);
    return `${parsed.host}${parsed.pathname}`;
  } catch {
    return 'PostgreSQL';
  }
}

/** The one line a server or a CLI prints when it can't open its database, or undefined for other errors. */
export function openFailureLine(error: unknown, url: string | undefined, fallback: string): string | undefined {
  const failure = databaseFailure(error);
  return failure && `无法打开数据库 ${databaseLocation(url, fallback)}：${describeFailure(failure)}`;
}

/**
 * The database's state as this process sees it: the last failure of a write or a connection,
 * until a write commits again. Each change is logged once (not once per failing request).
 */
export class DatabaseHealth {
  #failure: DatabaseFailure | undefined;

  constructor(private readonly log: (line: string) => void = (line) => console.error(line)) {}

  get failure(): DatabaseFailure | undefined {
    return this.#failure;
  }

  /** Record the failure behind `error`, if it is one; returns it. */
  failed(error: unknown): DatabaseFailure | undefined {
    const failure = databaseFailure(error);
    if (failure) this.report(failure);
    return failure;
  }

  report(failure: DatabaseFailure): void {
    if (this.#failure?.cause !== failure.cause) this.log(`database failure: ${describeFailure(failure)}`);
    this.#failure = failure;
  }

  /** A statement succeeded: a write (or commit) ends any failure; a read ends only a lost connection. */
  succeeded(write: boolean): void {
    if (!this.#failure || (!write && this.#failure.cause !== 'unreachable')) return;
    this.log(`database recovered after: ${FAILURE_LOG[this.#failure.cause]}`);
    this.#failure = undefined;
  }
}

const WRITE_STATEMENT = /^\s*(insert|update|delete|replace|upsert|merge|create|drop|alter|vacuum)\b/i;

/**
 * A dialect whose driver reports every statement's outcome to `health`. Statements inside a
 * transaction count at the commit (SQLite may accept them in memory and fail to commit on a full
 * disk). A failed rollback never hides the error that caused it.
 */
export function withHealth(dialect: Dialect, health: DatabaseHealth): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createDriver: () => new HealthReportingDriver(dialect.createDriver(), health),
  };
}

class ReportingConnection implements DatabaseConnection {
  inTransaction = false;
  constructor(
    readonly inner: DatabaseConnection,
    private readonly health: DatabaseHealth,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    try {
      const result = await this.inner.executeQuery<R>(query);
      if (!this.inTransaction) this.health.succeeded(WRITE_STATEMENT.test(query.sql));
      return result;
    } catch (error) {
      this.health.failed(error);
      throw error;
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class HealthReportingDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly health: DatabaseHealth,
  ) {}

  init() {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    try {
      return new ReportingConnection(await this.inner.acquireConnection(), this.health);
    } catch (error) {
      this.health.failed(error);
      throw error;
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings) {
    const reporting = connection as ReportingConnection;
    try {
      await this.inner.beginTransaction(reporting.inner, settings);
    } catch (error) {
      this.health.failed(error);
      throw error;
    }
    reporting.inTransaction = true;
  }

  async commitTransaction(connection: DatabaseConnection) {
    const reporting = connection as ReportingConnection;
    try {
      await this.inner.commitTransaction(reporting.inner);
      this.health.succeeded(true);
    } catch (error) {
      this.health.failed(error);
      throw error;
    } finally {
      reporting.inTransaction = false;
    }
  }

  async rollbackTransaction(connection: DatabaseConnection) {
    const reporting = connection as ReportingConnection;
    reporting.inTransaction = false;
    try {
      await this.inner.rollbackTransaction(reporting.inner);
    } catch (error) {
      // a lost connection can't roll back, and needn't: the server ends its transaction. Say so
      // instead of replacing the error that made the transaction fail.
      if (!this.health.failed(error)) throw error;
    }
  }

  savepoint: Driver['savepoint'] = (connection, name, compile) =>
    this.inner.savepoint!((connection as ReportingConnection).inner, name, compile);
  rollbackToSavepoint: Driver['rollbackToSavepoint'] = (connection, name, compile) =>
    this.inner.rollbackToSavepoint!((connection as ReportingConnection).inner, name, compile);
  releaseSavepoint: Driver['releaseSavepoint'] = (connection, name, compile) =>
    this.inner.releaseSavepoint!((connection as ReportingConnection).inner, name, compile);

  releaseConnection(connection: DatabaseConnection) {
    return this.inner.releaseConnection((connection as ReportingConnection).inner);
  }

  destroy() {
    return this.inner.destroy();
  }
}
