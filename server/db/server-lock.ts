import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { databaseFailure } from './health.js';
import { DEFAULT_SQLITE_PATH, isPostgresUrl, postgresApplicationName } from './connect.js';

/**
 * Servers share a lock on their database; a restore takes it alone. SQLite: a read transaction
 * on `<database>.lock` (the kernel drops a dead process's lock, so no stale lock files); PostgreSQL:
 * an advisory lock on a connection of its own, keyed by the schema.
 */
export interface LockTarget {
  databaseUrl: string | undefined;
  schema?: string;
}

/** The server side: held until `release()`. */
export interface HeldLock {
  release(): Promise<void>;
}

/** Someone else holds the lock: a restore while servers run, or a server while a restore runs. */
export class LockBusyError extends Error {}

const lockKey = (schema: string | undefined) => `minping:${schema ?? 'public'}`;
export const sqliteLockPath = (databaseUrl: string | undefined) => `${databaseUrl || DEFAULT_SQLITE_PATH}.lock`;

function openLockFile(target: LockTarget): SQLite.Database {
  const path = sqliteLockPath(target.databaseUrl);
  mkdirSync(dirname(path), { recursive: true });
  return new SQLite(path, { timeout: 0 });
}

const busy = (error: unknown) => (error as { code?: string }).code?.startsWith('SQLITE_BUSY');

/** Take the servers' shared lock; throws LockBusyError while a restore runs. */
export async function holdServerLock(
  target: LockTarget,
  log = (line: string) => console.error(line),
): Promise<HeldLock> {
  if (target.databaseUrl === ':memory:') return { release: async () => {} };
  if (target.databaseUrl && isPostgresUrl(target.databaseUrl)) return holdPostgresLock(target, log);
  const file = openLockFile(target);
  try {
    file.exec('begin');
    file.prepare('select count(*) from sqlite_master').get();
  } catch (error) {
    file.close();
    if (busy(error)) throw new LockBusyError('数据库正在恢复（minping restore），恢复完成后再启动服务器');
    throw error;
  }
  return {
    release: async () => {
      file.close();
    },
  };
}

/**
 * The shared advisory lock lives as long as its connection: when PostgreSQL ends it (a restart,
 * pg_terminate_backend) it is taken again on a new one, retrying every few seconds.
 */
async function holdPostgresLock(target: LockTarget, log: (line: string) => void): Promise<HeldLock> {
  let client: pg.Client | undefined;
  let released = false;
  let retry: NodeJS.Timeout | undefined;
  const take = async () => {
    const next = new pg.Client({
      connectionString: target.databaseUrl,
      application_name: postgresApplicationName(target.schema),
      connectionTimeoutMillis: 5000,
    });
    next.on('error', () => {
      if (client !== next || released) return;
      client = undefined;
      void next.end().catch(() => {});
      retry = setTimeout(() => void take().catch(retryLater), 1000);
    });
    await next.connect();
    const { rows } = await next.query('select pg_try_advisory_lock_shared(hashtext($1)) as ok', [
      lockKey(target.schema),
    ]);
    if (!rows[0].ok) {
      await next.end();
      throw new LockBusyError('数据库正在恢复（minping restore），恢复完成后再启动服务器');
    }
    client = next;
  };
  const retryLater = (error: unknown) => {
    if (released) return;
    if (!databaseFailure(error) && !(error instanceof LockBusyError)) log(`server lock: ${String(error)}`);
    retry = setTimeout(() => void take().catch(retryLater), 5000);
  };
  await take();
  return {
    release: async () => {
      released = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}

/** Take the lock alone for `work` (a restore); throws LockBusyError while a server holds it. */
export async function whileNoServerRuns<T>(target: LockTarget, work: () => Promise<T>): Promise<T> {
  const refusal = '服务器正在使用这个数据库：请先停止所有 minping 服务器进程，再恢复';
  if (target.databaseUrl && isPostgresUrl(target.databaseUrl)) {
    const client = new pg.Client({ connectionString: target.databaseUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      const { rows } = await client.query('select pg_try_advisory_lock(hashtext($1)) as ok', [lockKey(target.schema)]);
      if (!rows[0].ok) throw new LockBusyError(refusal);
      return await work();
    } finally {
      await client.end();
    }
  }
  const file = openLockFile(target);
  try {
    try {
      file.exec('begin exclusive');
    } catch (error) {
      if (busy(error)) throw new LockBusyError(refusal);
      throw error;
    }
    return await work();
  } finally {
    file.close();
  }
}
