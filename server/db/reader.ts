import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';
import { openSqliteFile } from './sqlite.js';

/**
 * Where another thread opens a read-only connection of its own to the database a Db holds: a
 * SQLite file, or a PostgreSQL database and schema. Plain data, so it can be posted to a worker
 * thread. A Db has none when nothing else can read what it reads: an in-memory SQLite database,
 * or the one connection of `inOneTransaction`, whose writes are not committed yet.
 */
export type ReadSource =
  | { dialect: 'sqlite'; path: string }
  | { dialect: 'postgres'; url: string; applicationName: string; schema?: string };

/**
 * Run `read` in one read-only transaction (one snapshot of the database: SQLite's read
 * transaction in WAL mode, PostgreSQL's repeatable read) on a connection opened for it and closed
 * after, so that reading never waits for, nor holds up, the server's own connection.
 */
export async function readOnce<T>(source: ReadSource, read: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
  const kysely =
    source.dialect === 'sqlite'
      ? new Kysely<Database>({
          dialect: new SqliteDialect({
            database: openSqliteFile(source.path, { readonly: true, fileMustExist: true }),
          }),
        })
      : new Kysely<Database>({
          dialect: new PostgresDialect({
            pool: new pg.Pool({
              connectionString: source.url,
              application_name: source.applicationName,
              connectionTimeoutMillis: 5000,
              max: 1,
              ...(source.schema ? { options: `-c search_path=${source.schema}` } : {}),
            }),
          }),
        });
  try {
    const transaction = kysely.transaction();
    return await (source.dialect === 'postgres'
      ? transaction.setIsolationLevel('repeatable read').setAccessMode('read only')
      : transaction
    ).execute(read);
  } finally {
    await kysely.destroy();
  }
}
