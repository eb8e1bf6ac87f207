import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';

let db: Db;
const clock = fixedClock('2026-11-10T02:00:00Z');
const run = (...argv: string[]) => runCommand(argv, { db, clock, config: defaultConfig() });

beforeAll(async () => {
  db = await sqliteDb();
  await createTestCampaign(db, createServices({ db, config: defaultConfig(), clock }), { state: 'draft' });
});
afterAll(() => db.close());

describe('a refusal on the command line', () => {
  it.each([
    [['campaign', 'settle', '--campaign', 'test-2026'], '错误：不能结算：结果发布后才能结算'],
    [['campaign', 'open', '--campaign', 'no-such'], '错误：没有代码为 no-such 的评议活动'],
  ])('`minping %j` prints its reason in Chinese without the API’s English code, exiting 2', async (argv, reason) => {
    const { code, err } = await run(...argv);
    expect(code).toBe(2);
    expect(err).toMatch(new RegExp(`^${reason}`));
    expect(err).not.toMatch(/[A-Z]{3,}_?[A-Z]*/);
  });

  it('prints a lifecycle refusal’s only reason once, in its message', async () => {
    const { code, err } = await run('campaign', 'settle', '--campaign', 'test-2026');
    expect(code).toBe(2);
    expect(err).toBe('错误：不能结算：结果发布后才能结算（当前：草稿）');
  });
});
