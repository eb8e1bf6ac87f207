/**
 * What the HTTP benchmarks share: a database of their own (a temporary SQLite file, or a fresh
 * schema when DATABASE_URL is postgres://…), an office session, and timing a request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { App } from '../server/app.js';
import { openDatabase } from '../server/db/connect.js';
import type { Services } from '../server/services.js';

export async function benchDatabase(name: string) {
  const dir = mkdtempSync(join(tmpdir(), `minping-${name}-bench-`));
  const databaseUrl = process.env.DATABASE_URL ?? join(dir, 'bench.db');
  const schema = databaseUrl.startsWith('postgres') ? `bench_${name}_${Date.now()}` : undefined;
  const db = await openDatabase(databaseUrl, { schema });
  return {
    db,
    dialect: schema ? 'postgres' : 'sqlite',
    async close() {
      await db.close();
      if (schema) {
        const client = new pg.Client({ connectionString: databaseUrl });
        await client.connect();
        await client.query(`drop schema if exists ${schema} cascade`);
        await client.end();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Sign an office user in: the session cookie, for `timer`. */
export async function officeCookie(app: App, services: Services): Promise<string> {
  const password = 'correct horse battery staple';
  await services.accounts.addUser({ username: 'office', role: 'admin', password }, 'bench');
  const login = await app.request('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'office', password }),
  });
  return /minping_session=[^;]*/.exec(login.headers.get('set-cookie') ?? '')?.[0] ?? '';
}

/** GET `path` runs + 1 times (the first warms caches and the JIT): the median and slowest in ms, the last body. */
export const timer =
  (app: App, cookie: string) =>
  async (path: string, runs: number): Promise<{ medianMs: number; maxMs: number; body: Uint8Array }> => {
    const times: number[] = [];
    let body = new Uint8Array();
    for (let k = 0; k <= runs; k++) {
      const start = performance.now();
      const res = await app.request(path, { headers: { cookie, accept: 'application/json' } });
      body = new Uint8Array(await res.arrayBuffer());
      if (res.status !== 200) throw new Error(`${path} → ${res.status} ${new TextDecoder().decode(body)}`);
      if (k > 0) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const r1 = (x: number) => Math.round(x * 10) / 10;
    return { medianMs: r1(times[Math.floor(times.length / 2)]), maxMs: r1(times[times.length - 1]), body };
  };
