import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/cli.js';
import { defaultConfig } from '../../server/config.js';
import { openDatabase, type Db } from '../../server/db/connect.js';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { unusedPort } from '../helpers/server.js';
import { createInvitation, jsonRequest, OPEN_TIME, surveySetup, webAnswers } from '../evaluator/helpers.js';

interface ErrorReply {
  ok?: boolean;
  cause?: string;
  error: { code: string; message: string };
}

let dir: string;
let db: Db | undefined;
afterEach(async () => {
  await db?.close();
  db = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A campaign with two invitations in a database file; what the driver logs is collected. */
async function fileCampaign(log: string[]) {
  dir = mkdtempSync(join(tmpdir(), 'minping-failures-'));
  const path = join(dir, 'minping.db');
  db = await openDatabase(path, { log: (line) => log.push(line) });
  const { campaign } = await surveySetup(db);
  const first = await createInvitation(db, campaign);
  const second = await createInvitation(db, campaign);
  const stored = async () =>
    Number(
      (
        await db!.kysely
          .selectFrom('responses')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { ...appFor(db), db, path, tokens: [first.token, second.token], stored };
}

/** The app over a database, and a submission through it. */
function appFor(db: Db) {
  const app = createApp({ db, config: defaultConfig(), clock: fixedClock(OPEN_TIME) });
  // a long suggestion (3 KB): the submission needs pages of its own, not a corner of an existing one
  const submit = (token: string, key: string) =>
    app.request(
      `/api/s/${token}/submit`,
      jsonRequest(
        'POST',
        { answers: webAnswers({ suggestion: '建'.repeat(1000) }), elapsedSeconds: 300 },
        { 'Idempotency-Key': key },
      ),
    );
  return { app, submit };
}

describe('a full disk (SQLite)', () => {
  it('answers 503 in Chinese, logs SQLITE_FULL once (not a failed rollback), /healthz 503, and works again once there is room', async () => {
    const log: string[] = [];
    const s = await fileCampaign(log);
    // no free pages and no room to grow: the next page the database needs is refused
    await sql`vacuum`.execute(s.db.kysely);
    const { page_count } = (await sql<{ page_count: number }>`pragma page_count`.execute(s.db.kysely)).rows[0];
    await sql.raw(`pragma max_page_count = ${page_count}`).execute(s.db.kysely);

    const refused = await s.submit(s.tokens[0], 'full-disk-key-1');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    const body = (await refused.json()) as ErrorReply;
    expect(body.error.code).toBe('SERVICE_UNAVAILABLE');
    expect(body.error.message).toContain('存储空间已满');
    expect((await s.submit(s.tokens[1], 'full-disk-key-2')).status).toBe(503);

    const health = await s.app.request('/healthz');
    expect(health.status).toBe(503);
    expect(((await health.json()) as ErrorReply).cause).toBe('disk_full');
    expect(log.filter((line) => line.includes('SQLITE_FULL'))).toHaveLength(1);
    expect(log.join('\n')).not.toContain('cannot rollback');

    await sql.raw('pragma max_page_count = 1000000').execute(s.db.kysely);
    expect((await s.app.request('/healthz')).status).toBe(200);
    expect((await s.submit(s.tokens[0], 'full-disk-key-1')).status).toBe(201);
    expect(await s.stored()).toBe(1);
    expect(log.at(-1)).toContain('recovered');
  });
});

describe('a read-only database file (SQLite)', () => {
  it('answers 503 while the file is read-only and works again, without a restart, once it is writable', async () => {
    const log: string[] = [];
    const s = await fileCampaign(log);
    await db!.close();
    db = undefined;
    // root writes to any file: the server runs as an ordinary user, as deployed
    const asRoot = process.geteuid?.() === 0;
    if (asRoot) {
      chmodSync(dir, 0o777);
      chownSync(s.path, 65534, 65534);
      process.seteuid!(65534);
    }
    try {
      chmodSync(s.path, 0o444);
      db = await openDatabase(s.path, { log: (line) => log.push(line) });
      const readOnly = appFor(db);

      const refused = await readOnly.submit(s.tokens[0], 'read-only-key-1');
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as ErrorReply).error.message).toContain('只能读取');
      const health = await readOnly.app.request('/healthz');
      expect(health.status).toBe(503);
      expect(((await health.json()) as ErrorReply).cause).toBe('read_only');
      expect(log.filter((line) => line.includes('SQLITE_READONLY'))).toHaveLength(1);

      chmodSync(s.path, 0o644);
      expect((await readOnly.app.request('/healthz')).status).toBe(200);
      expect((await readOnly.submit(s.tokens[0], 'read-only-key-1')).status).toBe(201);
    } finally {
      if (asRoot) process.seteuid!(0);
    }
  });
});

function runServer(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        PORT: '0',
        MINPING_DEMO: '0',
        NETWORK_SALT: 'test',
        PUBLIC_URL: 'https://minping.example.gov.cn',
        ...env,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('an unreachable PostgreSQL at start', () => {
  it('makes the server print one line naming the cause, without a stack trace, and exit non-zero', async () => {
    dir = mkdtempSync(join(tmpdir(), 'minping-failures-'));
    const url = `postgres://postgres:secret@127.0.0.1:${await unusedPort()}/test`;
    const { code, stderr } = await runServer({ DATABASE_URL: url, DATABASE_SCHEMA: 'minping_unreachable' });
    expect(code).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^无法打开数据库 127\.0\.0\.1:\d+\/test：database unreachable/);
    expect(lines[0]).toContain('ECONNREFUSED');
    expect(lines[0]).not.toContain('secret');
  });

  it('makes a CLI command say so in one line and exit 1', async () => {
    dir = mkdtempSync(join(tmpdir(), 'minping-failures-'));
    const { code, err } = await runCommand(['user', 'add', '--role', 'admin', 'chief'], {
      config: defaultConfig({ databaseUrl: `postgres://postgres@127.0.0.1:${await unusedPort()}/test` }),
    });
    expect(code).toBe(1);
    expect(err.split('\n')).toHaveLength(1);
    expect(err).toContain('ECONNREFUSED');
  });
});
