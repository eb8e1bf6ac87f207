import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsRepository } from '../../server/accounts/repository.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';

describe.each(await dialects())('accounts storage on $name', ({ open }) => {
  let db: Db;
  const clock = fixedClock('2026-11-23T08:00:00Z');
  beforeAll(async () => {
    db = await open();
  });
  afterAll(() => db.close());

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

  it('finds accounts by username and liaisons by department code among more than PostgreSQL binds in one statement', async () => {
    const services = createServices({ db, clock, config: defaultConfig() });
    await createTestCampaign(db, services, { slug: 'many-codes-2026', departments: 1 });
    await services.accounts.addUser({ username: 'liaison-d001', role: 'liaison', departmentCode: 'D001' }, 'test');
    const codes = Array.from({ length: 70_000 }, (_, i) => `X${i}`);
    const repo = accountsRepository(db.kysely);
    expect(await repo.liaisonsOfCodes([...codes, 'D001'])).toEqual([
      { userId: expect.any(String), code: 'D001', name: '测试部门1' },
    ]);
    const named = await repo.accountsNamed([...codes, 'liaison-d001', 'twice']);
    expect([...named.keys()].sort()).toEqual(['liaison-d001', 'twice']);
  });
});
