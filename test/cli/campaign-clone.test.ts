import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign, insertEvaluators } from '../helpers/fixtures.js';

let db: Db;
const clock = fixedClock('2027-01-10T08:00:00Z');
const config = defaultConfig();

beforeEach(async () => {
  db = await sqliteDb();
  const services = createServices({ db, config, clock });
  const campaign = await createTestCampaign(db, services);
  await insertEvaluators(db, campaign, 4);
});
afterEach(() => db.close());

const cli = (...argv: string[]) => runCommand(argv, { db, clock, config });
const campaigns = async () => (await db.kysely.selectFrom('campaigns').select('slug').execute()).map((r) => r.slug);

describe('minping campaign clone', () => {
  it('makes next year’s campaign from last year’s, dates a year on, without the roster', async () => {
    const { code, out } = await cli(
      'campaign',
      'clone',
      '--from',
      'test-2026',
      '--slug',
      'test-2027',
      '--name',
      '2027年度',
    );
    expect(code).toBe(0);
    expect(out).toContain('已以 test-2026 为模板创建评议活动 test-2027：2027年度');
    expect(out).toContain('时间 2027-11-01 00:00 至 2027-12-31 23:59（北京时间）');
    expect(out).toContain('3 个分组、6 个部门（代码不变）');
    expect(out).toContain('未复制评议代表');
    const clone = await db.kysely
      .selectFrom('campaigns')
      .selectAll()
      .where('slug', '=', 'test-2027')
      .executeTakeFirstOrThrow();
    const evaluators = await db.kysely
      .selectFrom('evaluators')
      .select('id')
      .where('campaign_id', '=', clone.id)
      .execute();
    expect(evaluators).toEqual([]);
    const audit = await db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'campaign_clone').execute();
    expect(audit.map((r) => r.actor)).toEqual(['cli']);
  });

  it('copies the roster with --with-roster and takes the dates given', async () => {
    const { code, out } = await cli(
      'campaign',
      'clone',
      '--from',
      'test-2026',
      '--slug',
      'test-2027',
      '--name',
      '2027年度',
      '--opens-at',
      '2027-10-15T09:00:00+08:00',
      '--closes-at',
      '2027-11-30T18:00:00+08:00',
      '--with-roster',
    );
    expect(code).toBe(0);
    expect(out).toContain('时间 2027-10-15 09:00 至 2027-11-30 18:00');
    expect(out).toContain('复制了 4 名评议代表（还没有邀请链接');
  });

  it('refuses an existing slug, an unknown source and bad dates, naming the flag, exit 2', async () => {
    const taken = await cli('campaign', 'clone', '--from', 'test-2026', '--slug', 'test-2026', '--name', 'x');
    expect(taken).toMatchObject({ code: 2, err: '--slug（活动代码）：评议活动 test-2026 已存在' });
    const unknown = await cli('campaign', 'clone', '--from', 'nope', '--slug', 'x-2027', '--name', 'x');
    expect(unknown).toMatchObject({ code: 2, err: '--from（来源活动）：没有代码为 nope 的评议活动' });
    const badDate = await cli(
      'campaign',
      'clone',
      '--from',
      'test-2026',
      '--slug',
      'x-2027',
      '--name',
      'x',
      '--opens-at',
      'soon',
    );
    expect(badDate.code).toBe(2);
    expect(badDate.err).toMatch(/^--opens-at（开始时间）：应为 ISO-8601 时间/);
    const backwards = await cli(
      'campaign',
      'clone',
      '--from',
      'test-2026',
      '--slug',
      'x-2027',
      '--name',
      'x',
      '--opens-at',
      '2027-12-01T00:00:00Z',
      '--closes-at',
      '2027-11-01T00:00:00Z',
    );
    expect(backwards.code).toBe(2);
    expect(backwards.err).toMatch(/^--closes-at（截止时间）：必须晚于开始时间/);
    const missing = await cli('campaign', 'clone', '--from', 'test-2026', '--name', 'x');
    expect(missing).toMatchObject({ code: 2, err: '--slug（活动代码）：必填' });
    const noFrom = await cli('campaign', 'clone', '--slug', 'x-2027', '--name', 'x');
    expect(noFrom.code).toBe(2);
    expect(noFrom.err).toContain('--from');
    expect(await campaigns()).toEqual(['test-2026']);
  });
});
