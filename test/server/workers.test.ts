import { mkdtempSync, rmSync } from 'node:fs';
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

  it('refuses several workers on SQLite, saying what to do instead', async () => {
    const { code, err } = await runCommand(['serve', '--workers', '3'], {
      config: defaultConfig({ databaseUrl: join(dir, 'minping.db') }),
    });
    expect(code).toBe(2);
    expect(err).toContain('PostgreSQL');
  });
});
