import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/cli.js';
import { defaultConfig } from '../../server/config.js';
import { startServer, unusedPort, type ServerProcess } from '../helpers/server.js';

const dir = mkdtempSync(join(tmpdir(), 'minping-workers-'));
let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const waitFor = async (condition: () => boolean, timeoutMs: number) => {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

describe('minping serve', () => {
  it('replaces a worker that dies, and the new one answers on the same port, telling the start-up warnings once', async () => {
    // the timeouts leave room for a loaded machine; idle, the whole test takes a few seconds
    // a fixed port, as deployed: a replacement worker listens where the dead one did
    const port = String(await unusedPort());
    server = await startServer(
      { DATABASE_URL: join(dir, 'minping.db'), PORT: port },
      ['server/cli/main.ts', 'serve'],
      90_000,
    );
    const started = () => [...server!.output().matchAll(/worker (\d+) started/g)].map((m) => Number(m[1]));
    const [first] = started();
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    process.kill(first, 'SIGKILL');
    await waitFor(() => started().length === 2 && server!.output().split('listening').length === 3, 90_000);
    expect(server.output()).toContain(`worker ${first} exited (SIGKILL)`);
    // told by the supervisor once, not again by each worker it starts
    expect(server.output().split('PUBLIC_URL 未设置或指向本机').length).toBe(2);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    expect(await server.stop()).toBe(0);
    server = undefined;
  }, 200_000);

  it('stops on SIGTERM with a browser’s unused connection open: closes it, closes the database, exits 0', async () => {
    const path = join(dir, 'minping.db');
    server = await startServer({ DATABASE_URL: path }, ['server/cli/main.ts', 'serve'], 90_000);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    // a socket a browser opens ahead of a request it never sends: it held the stop until a fallback exit
    const spare = connect(Number(new URL(server.url).port), '127.0.0.1');
    await new Promise((resolve) => spare.once('connect', resolve));
    const spareClosed = new Promise((resolve) => spare.once('close', resolve));
    spare.on('error', () => {});

    expect(await server.stop()).toBe(0);
    server = undefined;
    await spareClosed;
    // the database closed (its write-ahead log checkpointed and removed), not left as the fallback exit left it
    expect(existsSync(`${path}-wal`)).toBe(false);
  }, 120_000);

  it('refuses several workers on SQLite, saying what to do instead', async () => {
    const { code, err } = await runCommand(['serve', '--workers', '3'], {
      config: defaultConfig({ databaseUrl: join(dir, 'minping.db') }),
    });
    expect(code).toBe(2);
    expect(err).toContain('PostgreSQL');
  });
});
