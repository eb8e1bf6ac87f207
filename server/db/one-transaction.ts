import { CompiledQuery, type DatabaseConnection, type Dialect, type Driver, Kysely, type QueryResult } from 'kysely';
import { ConnectionQueue } from './connection-queue.js';
import type { Database } from './schema.js';

/**
 * Run `work` with a Kysely on one connection inside one transaction, committed only if `work`
 * resolves. The transactions the code inside opens become savepoints of it, so services that
 * keep their own transactions can be composed into one all-or-nothing change (the first start's
 * demo, a restore). `begin`: the dialect's statement (SQLite's takes the write lock at once).
 */
export async function inOneTransaction<T>(
  kysely: Kysely<Database>,
  dialect: Dialect,
  work: (single: Kysely<Database>) => Promise<T>,
  begin = 'begin',
): Promise<T> {
  return kysely.getExecutor().provideConnection(async (connection) => {
    const single = new Kysely<Database>({
      dialect: {
        createAdapter: () => dialect.createAdapter(),
        createIntrospector: (db) => dialect.createIntrospector(db),
        createQueryCompiler: () => dialect.createQueryCompiler(),
        createDriver: () => new SavepointDriver(connection),
      },
    });
    await connection.executeQuery(CompiledQuery.raw(begin));
    try {
      const result = await work(single);
      await connection.executeQuery(CompiledQuery.raw('commit'));
      return result;
    } catch (error) {
      // after SQLITE_FULL SQLite has rolled back already; a lost connection has nothing to roll back
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => {});
      throw error;
    }
  });
}

/** A driver over a connection already in a transaction: nested transactions are savepoints. */
class SavepointDriver implements Driver {
  #depth = 0;
  #queue = new ConnectionQueue();

  constructor(private readonly connection: DatabaseConnection) {}

  async init() {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#queue.acquire();
    return this.connection;
  }

  async releaseConnection() {
    this.#queue.release();
  }

  #run(statement: string): Promise<QueryResult<unknown>> {
    return this.connection.executeQuery(CompiledQuery.raw(statement));
  }

  async beginTransaction() {
    await this.#run(`savepoint nested_${++this.#depth}`);
  }

  async commitTransaction() {
    await this.#run(`release savepoint nested_${this.#depth--}`);
  }

  async rollbackTransaction() {
    await this.#run(`rollback to savepoint nested_${this.#depth--}`);
  }

  async destroy() {}
}
