import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { dialects, type DbPair, sqlitePair } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';

/** SQLite as deployed (a WAL file opened by two processes) and PostgreSQL (two pools) when reachable. */
const stores = [{ name: 'sqlite', openPair: sqlitePair }, ...(await dialects()).filter((d) => d.name === 'postgres')];

const appOn = (db: Db) => {
  const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
  return { app: createApp(deps), services: createServices(deps) };
};

/** username → password of a one-time file's rows (after the header, before the blank row) */
function passwordsIn(csv: string): Map<string, string> {
  const lines = csv.replace(/^\uFEFF/, '').split('\r\n');
  return new Map(lines.slice(1, lines.indexOf('')).map((l) => [l.split(',')[3], l.split(',')[4]]));
}

describe.each(stores)('simultaneous bulk resets of the liaison passwords on $name', ({ openPair }) => {
  let pair: DbPair | undefined;
  afterEach(async () => {
    await pair?.close();
    pair = undefined;
  });

  it('hand out only files whose every password signs in; a reset that lost the race is refused with 409 and resets nothing', async () => {
    pair = await openPair();
    // two server processes on one database
    const servers = [appOn(pair.first), appOn(pair.second)];
    const [{ app, services }] = servers;
    await createTestCampaign(pair.first, services);
    for (const code of ['D001', 'D002', 'D003'])
      await loginAs(app, services, 'liaison', { departmentCode: code, password: 'liaison-first-password' });
    const admin = await loginAs(app, services, 'admin');

    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        servers[i % 2].app.request('/admin/users/reset-liaison-passwords', {
          method: 'POST',
          headers: admin.headers({ 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }),
          body: new URLSearchParams([
            ['campaign', 'test-2026'],
            ['scope', 'all'],
            ['confirm', '1'],
          ]).toString(),
        }),
      ),
    );

    const files = answers.filter((a) => a.status === 200);
    const refused = answers.filter((a) => a.status !== 200);
    expect(files.length).toBeGreaterThanOrEqual(1);
    for (const a of refused) {
      expect(a.status).toBe(409);
      const { error } = (await a.json()) as ErrorBody;
      expect(error.code).toBe('CONFLICT');
      expect(error.message).toContain('另一次重置正在进行');
    }
    for (const a of files) {
      const passwords = passwordsIn(await a.text());
      expect([...passwords.keys()]).toEqual(['liaison-d001', 'liaison-d002', 'liaison-d003']);
      for (const [username, password] of passwords) {
        const login = await app.request('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        });
        expect(login.status, `${username} with the password of its file`).toBe(200);
      }
    }
    expect(await services.audit.list({ action: 'liaisons_reset_password' })).toHaveLength(files.length);
  });
});
