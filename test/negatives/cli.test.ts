import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../server/db/connect.js';
import type { QueuePage } from '../../server/contracts.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { queueSetup } from './helpers.js';

let db: Db;
let s: Awaited<ReturnType<typeof queueSetup>>;

const cli = (...argv: string[]) => runCommand(argv, { db, clock: s.clock, config: s.deps.config });

beforeAll(async () => {
  db = await sqliteDb();
  s = await queueSetup(db);
  await s.report('2026-11-30', { code: 'D001', kind: 3, description: '超时一' });
  await s.report('2026-12-07', { code: 'D002', kind: 5, description: '刁难一' });
  await s.report('2026-12-17', { code: 'D001', kind: 5, description: '刁难二' });
  // a day with no public holiday in the four weeks before
  s.clock.set('2026-12-18T04:00:00Z');
});
afterAll(() => db.close());

describe('minping negatives', () => {
  it('lists the queue as a table with the counts, overdue ones marked', async () => {
    const { code, out } = await cli('negatives', 'list', '--campaign', 'test-2026');
    expect(code).toBe(0);
    expect(out).toContain('待核实 3（逾期 1）');
    expect(out).toMatch(/测试部门1（D001）.*2026-11-30\s+2026-12-14 已逾期/);
    expect(out).toMatch(/测试部门2（D002）.*2026-12-07\s+2026-12-21\s+待核实/);
    expect(out).toContain('共 3 条，第 1/1 页');
  });

  it('filters and prints JSON', async () => {
    const { code, out } = await cli(
      'negatives',
      'list',
      '--campaign',
      'test-2026',
      '--department',
      'D001',
      '--kind',
      '5',
      '--json',
    );
    expect(code).toBe(0);
    const page = JSON.parse(out) as QueuePage;
    expect(page.items.map((n) => n.description)).toEqual(['刁难二']);
    const overdue = JSON.parse(
      (await cli('negatives', 'list', '--campaign', 'test-2026', '--overdue', '--json')).out,
    ) as QueuePage;
    expect(overdue.items.map((n) => n.description)).toEqual(['超时一']);
  });

  it('names the option and value it refuses, exit code 2, no stack trace', async () => {
    for (const [args, expected] of [
      [['--kind', '9'], '--kind 9：'],
      [['--kind', 'x'], '--kind x：'],
      [['--state', 'open'], '--state open：应为 pending、verified 或 dismissed'],
      [['--page-size', '0'], '--page-size 0：'],
      [['--min-age=-3'], '--min-age -3：不能为负数'],
      [['--department', 'D999'], '--department D999：没有这个部门'],
      [['--frobnicate'], "Unknown option '--frobnicate'"],
    ] as const) {
      const { code, err } = await cli('negatives', 'list', '--campaign', 'test-2026', ...args);
      expect(code, args.join(' ')).toBe(2);
      expect(err, args.join(' ')).toContain(expected);
      expect(err).not.toMatch(/\bat \S+\.ts:\d+/);
    }
    const missing = await cli('negatives', 'list');
    expect(missing).toMatchObject({ code: 2, err: '请用 --campaign 指定评议活动代码' });
    const unknown = await cli('negatives', 'list', '--campaign', 'nope');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('没有代码为 nope 的评议活动');
  });

  it('verifies and dismisses with a reason, and refuses without one or twice', async () => {
    const first = await s.idOf('超时一');
    const second = await s.idOf('刁难一');
    expect(await cli('negatives', 'verify', '--campaign', 'test-2026', '--id', first)).toMatchObject({
      code: 2,
      err: '请用 --reason 指定核实理由',
    });
    const ok = await cli('negatives', 'verify', '--campaign', 'test-2026', '--id', first, '--reason', '电话核实属实');
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain('已核实：测试部门1');
    const twice = await cli('negatives', 'verify', '--campaign', 'test-2026', '--id', first, '--reason', '再来');
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('错误：这条负面情形已经核实');
    const dismissed = await cli(
      'negatives',
      'dismiss',
      '--campaign',
      'test-2026',
      '--id',
      second,
      '--reason',
      '查无实据',
    );
    expect(dismissed.out).toContain('已不予采纳');
    const none = await cli('negatives', 'dismiss', '--campaign', 'test-2026', '--id', 'nope', '--reason', 'x');
    expect(none.code).toBe(2);
    expect(none.err).toContain('没有这条负面情形');
    const decisions = await db.kysely
      .selectFrom('negative_decisions')
      .select(['actor', 'action', 'reason'])
      .orderBy('seq')
      .execute();
    expect(decisions).toEqual([
      { actor: 'cli', action: 'verify', reason: '电话核实属实' },
      { actor: 'cli', action: 'dismiss', reason: '查无实据' },
    ]);
  });

  it('is listed in --help', async () => {
    const { out } = await cli('--help');
    for (const c of ['negatives list', 'negatives verify', 'negatives dismiss']) expect(out).toContain(c);
  });
});
