import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { ensureDemo } from '../../server/demo/campaign.js';
import { countRows, dialects, sqliteDb } from '../helpers/db.js';

let db: Db;
beforeEach(async () => {
  db = await sqliteDb();
});
afterEach(() => db.close());

const count = (table: 'departments' | 'evaluators' | 'invitations' | 'users') => countRows(db, table);

describe('the demo', () => {
  it('fills an empty database: 100 departments in 3 groups, 3,000 evaluators with invitations, an admin, three working links', async () => {
    const clock = fixedClock('2027-03-15T02:00:00Z');
    const deps = { db, config: defaultConfig({ publicUrl: 'http://localhost:3000' }), clock };
    const lines: string[] = [];
    // the office part only (simulated responses are the results side's step, tested there);
    // ~1 s on an idle machine, a figure for a bench rather than a bound for a test
    const result = await ensureDemo(deps, { log: (l) => lines.push(l), steps: [] });
    expect(result).not.toBeNull();

    expect(await count('departments')).toBe(100);
    const groups = await db.kysely
      .selectFrom('departments')
      .select(['group_code', (eb) => eb.fn.countAll().as('n')])
      .groupBy('group_code')
      .execute();
    expect(groups.map((g) => g.group_code).sort()).toEqual(['economic', 'enforcement', 'service']);
    expect(await count('evaluators')).toBe(3000);
    expect(await count('invitations')).toBe(3000);
    const categories = await db.kysely
      .selectFrom('evaluators')
      .select(['category', (eb) => eb.fn.countAll().as('n')])
      .groupBy('category')
      .execute();
    expect(categories).toHaveLength(5);

    // the example's window (Nov–Dec 2026) does not contain "now": it is moved around it
    expect(Date.parse(result!.campaign.opensAt)).toBeLessThan(clock.now().getTime());
    expect(Date.parse(result!.campaign.closesAt)).toBeGreaterThan(clock.now().getTime());

    const output = lines.join('\n');
    expect(output).toContain(`密码 ${result!.adminPassword}`);
    expect(result!.links).toHaveLength(3);
    const app = createApp(deps);
    for (const link of result!.links) {
      expect(output).toContain(link);
      const token = link.split('/s/')[1];
      expect((await app.request(`/api/s/${token}`)).status).toBe(200);
    }
    const login = await app.request('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: result!.adminPassword }),
    });
    expect(login.status).toBe(200);
  }, 60_000);

  it('keeps the example window when it contains now, and does nothing on a database that has a campaign', async () => {
    const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
    const result = await ensureDemo(deps, { log: () => {}, evaluators: 50, steps: [] });
    expect(result!.campaign.opensAt).toBe('2026-10-31T16:00:00.000Z');
    expect(await ensureDemo(deps, { log: () => {}, steps: [] })).toBeNull();
    expect(await count('users')).toBe(1);
  });

  it('runs the extension steps with the campaign and the plain tokens', async () => {
    const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
    let seen = 0;
    await ensureDemo(deps, {
      log: () => {},
      evaluators: 20,
      steps: [
        async (ctx) => {
          seen = ctx.invitations.length;
          expect(ctx.campaign.slug).toBe('demo-2026');
        },
      ],
    });
    expect(seen).toBe(20);
  });
});

describe.each(await dialects())('a first start interrupted partway on $name', ({ open }) => {
  it('leaves no half-built demo; the next start builds it whole, and the admin password printed first works', async () => {
    const target = await open();
    try {
      const deps = { db: target, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
      const lines: string[] = [];
      const failing = ensureDemo(deps, {
        log: (l) => lines.push(l),
        evaluators: 200,
        steps: [
          async () => {
            throw new Error('the process died here');
          },
        ],
      });
      await expect(failing).rejects.toThrow('the process died here');
      const password = /密码 (\S+)/.exec(lines.join('\n'))?.[1];
      expect(password).toBeTruthy();
      const tally = async (table: 'campaigns' | 'departments' | 'evaluators' | 'invitations' | 'users') =>
        Number(
          (
            await target.kysely
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect([await tally('campaigns'), await tally('departments'), await tally('evaluators')]).toEqual([0, 0, 0]);
      expect(await tally('users')).toBe(1);

      const again: string[] = [];
      const result = await ensureDemo(deps, { log: (l) => again.push(l), evaluators: 200, steps: [] });
      expect(result?.adminPassword).toBe('');
      expect(again.join('\n')).toContain('密码在第一次启动时已显示');
      expect([await tally('campaigns'), await tally('departments'), await tally('invitations')]).toEqual([1, 100, 200]);
      const login = await createApp(deps).request('/api/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password }),
      });
      expect(login.status).toBe(200);
    } finally {
      await target.close();
    }
  });
});
