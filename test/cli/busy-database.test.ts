import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../server/db/connect.js';
import { SQLITE_BUSY_TIMEOUT_MS } from '../../server/db/sqlite.js';
import { runCliProcess, runCommand } from '../helpers/cli.js';
import { sqliteFile } from '../helpers/db.js';

let path: string;
let db: Db;
/** another process's long write (the server seeding its demo): the write lock, held until `release` */
let writer: SQLite.Database;

beforeEach(async () => {
  ({ path, db } = await sqliteFile());
  writer = new SQLite(path);
  writer.exec('begin immediate');
  writer.prepare("insert into health_probe (id, checked_at) values ('probe', '2026-11-23T08:00:00Z')").run();
});
afterEach(async () => {
  if (writer.inTransaction) writer.exec('rollback');
  writer.close();
  await db.close();
});

const users = () => db.kysely.selectFrom('users').select('username').execute();

describe('a CLI command while another process writes to the SQLite file', () => {
  it('waits for the write to end (longer than a request waits) and then does its work', async () => {
    const adding = runCliProcess(['user', 'add', '--role', 'admin', 'chief'], { DATABASE_URL: path });
    // the seeding ends after a request would have given up
    await new Promise((resolve) => setTimeout(resolve, SQLITE_BUSY_TIMEOUT_MS + 1000));
    writer.exec('commit');
    const added = await adding;
    expect(added.code, added.err).toBe(0);
    expect(added.out).toContain('已添加账号 chief');
    expect(await users()).toEqual([{ username: 'chief' }]);
  }, 60_000);

  it('says in one line that the database is busy, without a stack trace, and exits 1 when the wait runs out', async () => {
    const impatient = await openDatabase(path, { busyTimeoutMs: 50 });
    try {
      const res = await runCommand(['user', 'add', '--role', 'admin', 'chief'], { db: impatient });
      expect(res.code).toBe(1);
      expect(res.err).toBe('数据库正忙，请稍后再试（另一个程序正在写入数据库）');
    } finally {
      await impatient.close();
    }
    writer.exec('commit');
    expect(await users()).toEqual([]);
  });
});
