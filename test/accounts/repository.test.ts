import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsRepository } from '../../server/accounts/repository.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { dialects } from '../helpers/db.js';

describe.each(await dialects())('accounts storage on $name', ({ open }) => {
  let db: Db;
  const clock = fixedClock('2026-11-23T08:00:00Z');
  beforeAll(async () => {
    db = await open();
  });
  afterAll(() => db.close());

  it('counts login failures in one statement and restarts the count after the window', async () => {
    const repo = accountsRepository(db.kysely);
    const first = await repo.recordFailure('user:x', '2026-11-23T08:00:00.000Z', '2026-11-23T07:45:00.000Z');
    expect(Number(first.failures)).toBe(1);
    const second = await repo.recordFailure('user:x', '2026-11-23T08:05:00.000Z', '2026-11-23T07:50:00.000Z');
    expect(Number(second.failures)).toBe(2);
    expect(second.window_started_at).toBe('2026-11-23T08:00:00.000Z');
    const later = await repo.recordFailure('user:x', '2026-11-23T08:20:00.000Z', '2026-11-23T08:05:00.000Z');
    expect(Number(later.failures)).toBe(1);
    expect(later.window_started_at).toBe('2026-11-23T08:20:00.000Z');
  });

  it('counts concurrent failures without losing any', async () => {
    const repo = accountsRepository(db.kysely);
    await Promise.all(
      Array.from({ length: 8 }, () =>
        repo.recordFailure('net:y', '2026-11-23T08:00:00.000Z', '2026-11-23T07:45:00.000Z'),
      ),
    );
    const [row] = await repo.attempts(['net:y']);
    expect(Number(row.failures)).toBe(8);
  });

  it('creates users, opens and finds sessions until they expire, and writes audit rows', async () => {
    const service = createServices({ db, clock, config: defaultConfig({ sessionTtlHours: 1 }) }).accounts;
    const { password } = await service.addUser({ username: 'repo-admin', role: 'admin' });
    expect(password).toMatch(/^[A-Za-z2-9]{18}$/);
    const session = await service.login({ username: 'repo-admin', password, networkKey: 'n' });
    expect((await service.authenticate(session.cookie))?.user.username).toBe('repo-admin');
    expect(await service.authenticate('not-a-session')).toBeNull();
    clock.advance(3_600_000);
    expect(await service.authenticate(session.cookie)).toBeNull();
    const audit = await accountsRepository(db.kysely).listAudit({ action: 'login' });
    expect(audit.map((a) => a.actor)).toContain('repo-admin');
  });

  it('rejects a duplicate username with CONFLICT', async () => {
    const service = createServices({ db, clock, config: defaultConfig() }).accounts;
    await service.addUser({ username: 'twice', role: 'analyst', password: 'long-enough-password' });
    await expect(
      service.addUser({ username: 'twice', role: 'analyst', password: 'long-enough-password' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
