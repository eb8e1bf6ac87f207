import {
  createReadStream,
  createWriteStream,
  existsSync,
  openSync,
  readSync,
  closeSync,
  renameSync,
  rmSync,
  copyFileSync,
} from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { finished } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { type Kysely, Migrator, sql } from 'kysely';
import { DEFAULT_SQLITE_PATH, type Db, openDatabase } from './connect.js';
import { migrationProvider } from './migrations/index.js';
import type { Database } from './schema.js';
import { openSqliteFile } from './sqlite.js';
import { type LockTarget, whileNoServerRuns } from './server-lock.js';

/** Rows per table, the proof a restore reports. */
export type TableCounts = Record<string, number>;

/** A backup or a restore that can't be done as asked: said to the user as is. */
export class BackupError extends Error {}

const SQLITE_HEADER = 'SQLite format 3\0';
const DUMP_FORMAT = 'minping-backup';
/** kysely's own bookkeeping, kept out of counts; kysely_migration is dumped (it says which migrations made the rows) */
const MIGRATION_LOCK = 'kysely_migration_lock';
const MIGRATIONS = 'kysely_migration';

/**
 * A consistent copy of the live database, taken while servers run:
 * SQLite: `VACUUM INTO` a new file (one read transaction; no -wal to carry, free pages dropped);
 * PostgreSQL: every table of the schema as gzipped JSON lines, read in one repeatable-read
 * snapshot, restored by `restore` through the same migrations.
 * Written to `out.partial` and renamed, so `out` is never half a backup.
 */
export async function backup(db: Db, out: string): Promise<TableCounts> {
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  try {
    const counts = db.dialect === 'sqlite' ? await backupSqlite(db, partial) : await dumpPostgres(db, partial);
    renameSync(partial, out);
    return counts;
  } finally {
    rmSync(partial, { force: true });
  }
}

async function backupSqlite(db: Db, path: string): Promise<TableCounts> {
  await sql`vacuum into ${path}`.execute(db.kysely);
  const copy = openSqliteFile(path, { readonly: true });
  try {
    assertIntact(copy, path);
    return sqliteCounts(copy);
  } finally {
    copy.close();
  }
}

/** The tables of the schema in use (PostgreSQL), kysely's lock table aside. */
async function tableNames(kysely: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' and table_name <> ${MIGRATION_LOCK}
    order by table_name`.execute(kysely);
  return rows.map((r) => r.name);
}

/** Tables ordered so that each comes after the ones its foreign keys point to. */
async function postgresLoadOrder(kysely: Kysely<Database>, tables: string[]): Promise<string[]> {
  const { rows } = await sql<{ child: string; parent: string }>`
    select distinct tc.table_name as child, ccu.table_name as parent
    from information_schema.table_constraints tc
    join information_schema.constraint_column_usage ccu
      on tc.constraint_name = ccu.constraint_name and tc.constraint_schema = ccu.constraint_schema
    where tc.constraint_type = 'FOREIGN KEY' and tc.table_schema = current_schema()`.execute(kysely);
  const parents = new Map(tables.map((t) => [t, new Set<string>()]));
  for (const { child, parent } of rows) if (child !== parent) parents.get(child)?.add(parent);
  const ordered: string[] = [];
  const visit = (table: string, path: Set<string>) => {
    if (ordered.includes(table) || path.has(table)) return;
    path.add(table);
    for (const parent of parents.get(table) ?? []) visit(parent, path);
    ordered.push(table);
  };
  for (const table of tables) visit(table, new Set());
  return ordered;
}

const PAGE = 2000;

async function dumpPostgres(db: Db, path: string): Promise<TableCounts> {
  const gzip = createGzip();
  const file = createWriteStream(path);
  gzip.pipe(file);
  const write = async (value: unknown) => {
    if (!gzip.write(`${JSON.stringify(value)}\n`)) await once(gzip, 'drain');
  };
  const counts: TableCounts = {};
  await db.kysely
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => {
      const tables = await postgresLoadOrder(trx, await tableNames(trx));
      const migrations = await sql<{ name: string }>`select name from ${sql.table(MIGRATIONS)} order by name`.execute(
        trx,
      );
      await write({
        format: DUMP_FORMAT,
        version: 1,
        dialect: 'postgres',
        tables,
        migrations: migrations.rows.map((r) => r.name),
      });
      for (const table of tables) {
        counts[table] = 0;
        // ctid: a stable order inside one snapshot, for any table, with or without a key
        for (let offset = 0; ; offset += PAGE) {
          const { rows } = await sql<
            Record<string, unknown>
          >`select * from ${sql.table(table)} order by ctid limit ${PAGE} offset ${offset}`.execute(trx);
          for (const row of rows) await write({ t: table, r: row });
          counts[table] += rows.length;
          if (rows.length < PAGE) break;
        }
      }
    });
  await write({ end: true, counts });
  gzip.end();
  await finished(file);
  return withoutBookkeeping(counts);
}

const withoutBookkeeping = (counts: TableCounts): TableCounts =>
  Object.fromEntries(Object.entries(counts).filter(([table]) => table !== MIGRATIONS));

function assertIntact(sqlite: ReturnType<typeof openSqliteFile>, path: string) {
  const problems = (sqlite.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
  if (problems.length !== 1 || problems[0] !== 'ok') {
    throw new BackupError(`${path} 未通过完整性检查（${problems.length} 处问题，首条：${problems[0]}）`);
  }
}

function sqliteCounts(sqlite: ReturnType<typeof openSqliteFile>): TableCounts {
  const tables = sqlite
    .prepare(
      `select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not in ('${MIGRATIONS}', '${MIGRATION_LOCK}') order by name`,
    )
    .all() as { name: string }[];
  return Object.fromEntries(
    tables.map(({ name }) => [
      name,
      Number((sqlite.prepare(`select count(*) as n from "${name}"`).get() as { n: number }).n),
    ]),
  );
}

function fileKind(file: string): 'sqlite' | 'dump' {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(16);
  try {
    readSync(fd, head, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1') === SQLITE_HEADER) return 'sqlite';
  if (head[0] === 0x1f && head[1] === 0x8b) return 'dump';
  throw new BackupError(`${file} 不是 minping 备份（既不是 SQLite 数据库，也不是 minping backup 的导出文件）`);
}

export interface RestoreTarget extends LockTarget {
  /** PostgreSQL pool size for the reopened database */
  poolSize?: number;
}

/**
 * Replace the target database with a backup, refusing while a server uses it. SQLite: the
 * backup is checked, the old -wal and -shm are removed (an old WAL beside a restored file would
 * be replayed into it: silent corruption), the file is put in place by a rename and checked again.
 * PostgreSQL: in one transaction the schema's tables are dropped, recreated by the migrations the
 * backup was made with, loaded, and migrated to this version. Returns the rows per table.
 */
export async function restore(target: RestoreTarget, file: string): Promise<TableCounts> {
  if (!existsSync(file)) throw new BackupError(`${file}：文件不存在`);
  const kind = fileKind(file);
  const postgres = Boolean(target.databaseUrl && /^postgres(ql)?:\/\//.test(target.databaseUrl));
  if (postgres !== (kind === 'dump')) {
    throw new BackupError(
      postgres
        ? `${file} 是 SQLite 备份，目标是 PostgreSQL：请用 PostgreSQL 上 minping backup 的导出文件`
        : `${file} 是 PostgreSQL 的导出文件，目标是 SQLite：请用 SQLite 上 minping backup 的备份文件`,
    );
  }
  return whileNoServerRuns(target, () => (postgres ? loadPostgres(target, file) : restoreSqlite(target, file)));
}

async function restoreSqlite(target: RestoreTarget, file: string): Promise<TableCounts> {
  const path = target.databaseUrl || DEFAULT_SQLITE_PATH;
  await assertMigrationsKnown(backupMigrations(file));
  const incoming = `${path}.restoring`;
  copyFileSync(file, incoming);
  for (const stale of [`${path}-wal`, `${path}-shm`, `${path}-journal`]) rmSync(stale, { force: true });
  renameSync(incoming, path);
  // a backup from an older version is brought up to this one
  await (await openDatabase(path)).close();
  const restored = openSqliteFile(path);
  try {
    assertIntact(restored, path);
    return sqliteCounts(restored);
  } finally {
    restored.close();
  }
}

/** The migrations a SQLite backup was made with, once it passes the integrity check. */
function backupMigrations(file: string): string[] {
  let source: ReturnType<typeof openSqliteFile> | undefined;
  try {
    source = openSqliteFile(file, { readonly: true });
    assertIntact(source, file);
    return (source.prepare(`select name from ${MIGRATIONS} order by name`).all() as { name: string }[]).map(
      (r) => r.name,
    );
  } catch (error) {
    if (error instanceof BackupError) throw error;
    // a cut or damaged file: SQLite can't even read its pages
    throw new BackupError(`${file} 无法读取（${(error as Error).message}）：文件可能被截断或损坏`);
  } finally {
    source?.close();
  }
}

/** A backup made by a newer minping has migrations this one doesn't know: refuse before touching anything. */
async function assertMigrationsKnown(names: string[]) {
  const known = new Set(Object.keys(await migrationProvider.getMigrations()));
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length) {
    throw new BackupError(`备份来自更新的 minping 版本（迁移 ${unknown.join(', ')} 在本版本中没有）：请先升级 minping`);
  }
}

interface DumpHeader {
  format: string;
  version: number;
  tables: string[];
  migrations: string[];
}

async function* dumpLines(file: string): AsyncGenerator<Record<string, unknown>> {
  const lines = createInterface({
    input: createReadStream(file).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line) yield JSON.parse(line) as Record<string, unknown>;
}

async function loadPostgres(target: RestoreTarget, file: string): Promise<TableCounts> {
  // read it through once before touching the database: a truncated or altered file is refused whole
  let header: DumpHeader | undefined;
  let footer: TableCounts | undefined;
  const seen: TableCounts = {};
  try {
    for await (const line of dumpLines(file)) {
      if (!header) {
        if (line.format !== DUMP_FORMAT) throw new BackupError(`${file} 不是 minping backup 的导出文件`);
        header = line as unknown as DumpHeader;
      } else if (line.end) footer = line.counts as TableCounts;
      else seen[String(line.t)] = (seen[String(line.t)] ?? 0) + 1;
    }
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} 读不完整（${(error as Error).message}）：文件可能被截断或损坏`);
  }
  if (!header || !footer || header.tables.some((t) => (seen[t] ?? 0) !== (footer![t] ?? 0))) {
    throw new BackupError(`${file} 不完整：行数与文件末尾记录的不一致，文件可能被截断`);
  }
  await assertMigrationsKnown(header.migrations);

  const db = await openDatabase(target.databaseUrl, { schema: target.schema, poolSize: 1 });
  try {
    await db.inOneTransaction(async (single) => {
      for (const table of await tableNames(single.kysely)) {
        await sql`drop table if exists ${sql.table(table)} cascade`.execute(single.kysely);
      }
      await sql`drop table if exists ${sql.table(MIGRATION_LOCK)}`.execute(single.kysely);
      // the tables as the backup's version made them; the dump's own migration rows replace the new ones
      const migrator = new Migrator({
        db: single.kysely,
        provider: migrationProvider,
        ...(single.schema ? { migrationTableSchema: single.schema } : {}),
      });
      const last = header!.migrations.at(-1);
      if (last) throwIfFailed(await migrator.migrateTo(last));
      await sql`delete from ${sql.table(MIGRATIONS)}`.execute(single.kysely);
      let batch: Record<string, unknown>[] = [];
      let batchTable = '';
      const flush = async () => {
        if (batch.length)
          await single.kysely
            .insertInto(batchTable as never)
            .values(batch as never)
            .execute();
        batch = [];
      };
      for await (const line of dumpLines(file)) {
        if (typeof line.t !== 'string') continue;
        if (line.t !== batchTable || batch.length >= 60_000 / Math.max(1, Object.keys(line.r as object).length)) {
          await flush();
          batchTable = line.t;
        }
        batch.push(line.r as Record<string, unknown>);
      }
      await flush();
      throwIfFailed(await migrator.migrateToLatest());
    });
    const counts: TableCounts = {};
    for (const table of await tableNames(db.kysely)) {
      if (table === MIGRATIONS) continue;
      counts[table] = Number(
        (await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db.kysely)).rows[0].n,
      );
    }
    return counts;
  } finally {
    await db.close();
  }
}

function throwIfFailed(result: { error?: unknown }) {
  if (result.error) throw result.error;
}
