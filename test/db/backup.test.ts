import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/cli.js';
import { defaultConfig } from '../../server/config.js';
import { openDatabase, type Db } from '../../server/db/connect.js';
import { holdServerLock } from '../../server/db/server-lock.js';
import { openSqliteFile } from '../../server/db/sqlite.js';
import { createServices } from '../../server/services.js';
import { fixedClock } from '../../server/clock.js';
import { PG_TEST_URL, postgresAvailable } from '../helpers/db.js';
import { insertInvitations } from '../helpers/fixtures.js';
import { jsonRequest, OPEN_TIME, surveySetup, webAnswers } from '../evaluator/helpers.js';

const LEVELS = ['satisfied', 'fairly_satisfied', 'basically_satisfied', 'dissatisfied'];

interface Target {
  name: 'sqlite' | 'postgres';
  databaseUrl: string;
  databaseSchema?: string;
  cleanup(): Promise<void>;
}

/** A fresh database file, or a fresh PostgreSQL schema, for each test. */
async function targets(): Promise<{ name: Target['name']; make: () => Target }[]> {
  const sqliteTarget = (): Target => {
    const dir = mkdtempSync(join(tmpdir(), 'minping-backup-'));
    return {
      name: 'sqlite',
      databaseUrl: join(dir, 'minping.db'),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  };
  const postgresTarget = (): Target => {
    const schema = `minping_backup_${randomBytes(4).toString('hex')}`;
    return {
      name: 'postgres',
      databaseUrl: PG_TEST_URL,
      databaseSchema: schema,
      cleanup: async () => {
        const admin = new pg.Client({ connectionString: PG_TEST_URL });
        await admin.connect();
        await admin.query(`drop schema if exists ${schema} cascade`);
        await admin.end();
      },
    };
  };
  return [
    { name: 'sqlite', make: sqliteTarget },
    ...((await postgresAvailable()) ? [{ name: 'postgres' as const, make: postgresTarget }] : []),
  ];
}

const cli = (argv: string[], target: Target, db?: Db) =>
  runCommand(argv, {
    config: defaultConfig({ databaseUrl: target.databaseUrl, databaseSchema: target.databaseSchema }),
    db,
  });

/** The live figures people would read off the dashboard. */
async function scores(db: Db, slug: string) {
  const services = createServices({ db, config: defaultConfig(), clock: fixedClock(OPEN_TIME) });
  const live = await services.results.live(slug, { uncertainty: false });
  return { responses: live.inputs.responses, departments: live.departments.map((d) => [d.code, d.finalScore]) };
}

describe.each(await targets())('minping backup and restore on $name', ({ make }) => {
  let target: Target;
  let dir: string;
  let db: Db | undefined;
  beforeEach(() => {
    target = make();
    dir = mkdtempSync(join(tmpdir(), 'minping-backup-file-'));
  });
  afterEach(async () => {
    await db?.close();
    await target.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up online and restores over a later state (and its old WAL) to the same scores, refusing while a server runs', async () => {
    const backupFile = join(dir, target.name === 'sqlite' ? 'backup.db' : 'backup.jsonl.gz');
    db = await openDatabase(target.databaseUrl, { schema: target.databaseSchema });
    const { app, campaign } = await surveySetup(db);
    const tokens = await insertInvitations(db, campaign, 18, OPEN_TIME);
    const submit = async (token: string, i: number) => {
      const answers = webAnswers({
        departments: [
          { dept: 'D001', efficiency: LEVELS[i % 4], quality: LEVELS[(i + 1) % 4] },
          { dept: 'D002', efficiency: LEVELS[(i + 2) % 4], quality: LEVELS[(i * 3) % 4] },
        ],
      });
      const res = await app.request(`/api/s/${token}/submit`, jsonRequest('POST', { answers, elapsedSeconds: 300 }));
      expect(res.status).toBe(201);
    };
    for (const [i, token] of tokens.slice(0, 12).entries()) await submit(token, i);
    const before = await scores(db, campaign.slug);
    expect(before.responses).toBe(12);

    // online: the server's connection stays open while the backup is taken
    const made = await cli(['backup', '--out', backupFile], target, db);
    expect(made.err).toBe('');
    expect(made.code).toBe(0);
    expect(made.out).toContain('responses 12');

    for (const [i, token] of tokens.slice(12).entries()) await submit(token, i + 12);
    expect((await scores(db, campaign.slug)).responses).toBe(18);
    let oldWal: string | undefined;
    if (target.name === 'sqlite') {
      // the scenario: the live database's -wal is still beside the file being replaced
      oldWal = join(dir, 'old.db-wal');
      copyFileSync(`${target.databaseUrl}-wal`, oldWal);
    }
    await db.close();
    db = undefined;
    if (oldWal) {
      copyFileSync(oldWal, `${target.databaseUrl}-wal`);
      // the obvious restore, copying the backup over the file, has SQLite replay the old WAL into it: not the backup
      const naive = join(dir, 'naive.db');
      copyFileSync(backupFile, naive);
      copyFileSync(oldWal, `${naive}-wal`);
      const copied = openSqliteFile(naive, { readonly: true });
      const check = copied.pragma('integrity_check', { simple: true });
      const count = (copied.prepare('select count(*) as n from responses').get() as { n: number }).n;
      copied.close();
      expect(check !== 'ok' || count !== 12).toBe(true);
    }

    const server = await holdServerLock({ databaseUrl: target.databaseUrl, schema: target.databaseSchema });
    const refused = await cli(['restore', backupFile], target);
    await server.release();
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('请先停止');

    const restored = await cli(['restore', backupFile], target);
    expect(restored.err).toBe('');
    expect(restored.code).toBe(0);
    expect(restored.out).toContain('完整性检查通过');
    expect(restored.out).toContain('responses 12');
    if (target.name === 'sqlite') {
      expect(existsSync(`${target.databaseUrl}-wal`)).toBe(false);
      const file = openSqliteFile(target.databaseUrl, { readonly: true });
      expect(file.pragma('integrity_check', { simple: true })).toBe('ok');
      file.close();
    }

    db = await openDatabase(target.databaseUrl, { schema: target.databaseSchema });
    expect(await scores(db, campaign.slug)).toEqual(before);
  });

  it('refuses a file that is not a backup, or one cut short, and leaves the database as it was', async () => {
    db = await openDatabase(target.databaseUrl, { schema: target.databaseSchema });
    await surveySetup(db);
    const backupFile = join(dir, 'backup');
    expect((await cli(['backup', '--out', backupFile], target, db)).code).toBe(0);
    await db.close();
    db = undefined;

    const notBackup = join(dir, 'notes.txt');
    writeFileSync(notBackup, 'just some notes\n');
    const wrong = await cli(['restore', notBackup], target);
    expect(wrong.code).toBe(2);
    expect(wrong.err).toContain('不是 minping 备份');

    const whole = readFileSync(backupFile);
    const cut = join(dir, 'cut');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.6)));
    const short = await cli(['restore', cut], target);
    expect(short.code).toBe(2);

    db = await openDatabase(target.databaseUrl, { schema: target.databaseSchema });
    const campaigns = await db.kysely.selectFrom('campaigns').select('slug').execute();
    expect(campaigns.map((c) => c.slug)).toEqual(['test-2026']);
  });
});
