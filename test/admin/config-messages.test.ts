import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createApp } from '../../server/app.js';
import { configFieldLabel, parseCampaignConfig } from '../../server/campaigns/config-errors.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { ErrorBody, ErrorDetail } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { AppError } from '../../server/errors.js';
import { createServices } from '../../server/services.js';
import { configNotes, configWarnings, EXAMPLE_CONFIG_PATH } from '../../surveys/campaign-config.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';

const example = () => YAML.parse(readFileSync(EXAMPLE_CONFIG_PATH, 'utf8')) as Record<string, unknown>;
const categories = () => example().categories as Record<string, unknown>[];

/** Broken configs, each with the field names its refusal must give (in the office's words). */
const BROKEN: { what: string; config: Record<string, unknown>; fields: string[] }[] = [
  { what: 'a missing name', config: { ...example(), name: undefined }, fields: ['活动名称'] },
  { what: 'a missing list of groups', config: { ...example(), groups: undefined }, fields: ['部门分组'] },
  {
    what: 'a weight of the wrong type',
    config: { ...example(), categories: categories().map((c, i) => (i === 2 ? { ...c, weight: '一成' } : c)) },
    fields: ['第 3 个评议类别的权重'],
  },
  { what: 'an empty list of categories', config: { ...example(), categories: [] }, fields: ['评议类别'] },
  { what: 'an empty list of items', config: { ...example(), items: [] }, fields: ['评议项目'] },
  { what: 'an unknown key', config: { ...example(), colour: 'red' }, fields: ['活动配置'] },
  {
    what: 'an unknown key in a group',
    config: { ...example(), groups: [{ code: 'g', label: '组', colour: 'red' }] },
    fields: ['第 1 个部门分组'],
  },
  {
    what: 'a zero and a negative weight',
    config: {
      ...example(),
      categories: categories().map((c, i) => (i === 0 ? { ...c, weight: 0 } : i === 4 ? { ...c, weight: -1 } : c)),
    },
    fields: ['第 1 个评议类别的权重', '第 5 个评议类别的权重'],
  },
  {
    what: 'a repeated category code',
    config: { ...example(), categories: [...categories(), categories()[0]] },
    fields: ['评议类别'],
  },
  { what: 'a date that is no date', config: { ...example(), opensAt: '11月1日' }, fields: ['开始时间'] },
  {
    what: 'a close before the opening',
    config: { ...example(), closesAt: '2026-10-01T00:00:00+08:00' },
    fields: ['截止时间'],
  },
  { what: 'an unknown scale preset', config: { ...example(), scale: 'seven-level' }, fields: ['计分等级'] },
  {
    what: 'scale levels missing their fields',
    config: { ...example(), scale: { levels: [{ code: 'good' }, { code: 'bad', label: '差', colour: 1 }] } },
    fields: ['第 1 个计分等级的名称', '第 1 个计分等级的分值', '第 2 个计分等级'],
  },
  {
    what: 'a bad mode and time zone',
    config: { ...example(), mode: 'secret', timeZone: 'Mars/Olympus' },
    fields: ['评议方式', '时区'],
  },
  {
    what: 'a start in 1900 and a deadline in 9999',
    config: { ...example(), opensAt: '1900-11-01T00:00:00+08:00', closesAt: '9999-12-31T23:59:59+08:00' },
    fields: ['开始时间', '截止时间'],
  },
  { what: 'a bad slug', config: { ...example(), slug: 'Demo 2026' }, fields: ['活动代码'] },
  {
    what: 'nested scoring parameters of the wrong kind',
    config: { ...example(), scoring: { bootstrap: { samples: 1.5 }, grades: [{ label: '好', min: '八十五' }] } },
    fields: ['计分规则 · 抽样区间 · 抽样次数', '计分规则 · 第 1 个等次的最低分'],
  },
];

/** Chinese, and no English sentence (three or more Latin words in a row) in it. */
function expectChinese(text: string) {
  expect(text).toMatch(/[\u4e00-\u9fff]/);
  expect(text).not.toMatch(/[A-Za-z]+[ ,]+[A-Za-z]+[ ,]+[A-Za-z]+/);
}

function expectNamed(details: ErrorDetail[], fields: string[]) {
  expect(details.length).toBeGreaterThan(0);
  for (const d of details) {
    expectChinese(`${d.field}：${d.message}`);
    expect(d.field).toMatch(/[\u4e00-\u9fff]/);
  }
  for (const field of fields) expect(details.map((d) => d.field)).toContain(field);
}

describe('a config refused in the office words', () => {
  it('names fields as the office does', () => {
    expect(configFieldLabel(['categories', 2, 'weight'])).toBe('第 3 个评议类别的权重');
    expect(configFieldLabel(['scale', 'levels', 0, 'points'])).toBe('第 1 个计分等级的分值');
    expect(configFieldLabel(['notices', 'serialPattern'])).toBe('工作提示单 · 文号格式');
    expect(configFieldLabel([])).toBe('活动配置');
  });

  it('lists a file’s problems in the order of its lines, not the schema’s (评议项目 before 评议类别 before 部门分组)', () => {
    const { categories: cats, groups: _groups, items, ...rest } = example();
    const file = YAML.stringify({
      ...rest,
      groups: [{ code: 'g', label: '' }],
      categories: (cats as Record<string, unknown>[]).map((c, i) => (i === 1 ? { ...c, weight: '两成' } : c)),
      items: (items as Record<string, unknown>[]).map((c, i) => (i === 0 ? { ...c, weight: '一半' } : c)),
    });
    let error: unknown;
    try {
      parseCampaignConfig(YAML.parse(file));
    } catch (e) {
      error = e;
    }
    expect((error as AppError).details?.map((d) => d.field)).toEqual([
      '第 1 个部门分组的名称',
      '第 2 个评议类别的权重',
      '第 1 个评议项目的权重',
    ]);
    expect((error as AppError).message).toMatch(/^评议活动配置有 3 处错误：第 1 个部门分组的名称：/);
  });

  it.each(BROKEN)('explains $what in Chinese, naming the field', ({ config, fields }) => {
    let error: unknown;
    try {
      parseCampaignConfig(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AppError);
    const refusal = error as AppError;
    expectChinese(refusal.message);
    expect(refusal.message).toContain(fields[0]);
    expectNamed(refusal.details ?? [], fields);
  });

  it('refuses a blank, invisible-only or control-holding campaign name or label, naming the field', () => {
    const refusal = (config: Record<string, unknown>) => {
      try {
        parseCampaignConfig(config);
      } catch (e) {
        return (e as AppError).details?.map((d) => `${d.field}：${d.message}`);
      }
      return [];
    };
    const blank = '活动名称：不能为空（不能只有空格或看不见的字符）';
    const control = '活动名称：不能含有控制字符（换行、制表符或改变文字方向的字符）';
    expect(refusal({ ...example(), name: '   ' })).toEqual([blank]);
    expect(refusal({ ...example(), name: '\u200b\u3000\u200d' })).toEqual([blank]);
    expect(refusal({ ...example(), name: '2026年评议\u202Exslx.exe' })).toEqual([control]);
    expect(refusal({ ...example(), name: '2026年\r\n评议' })).toEqual([control]);
    expect(refusal({ ...example(), groups: [{ code: 'g', label: '\u2066 \u2069' }] })).toEqual([
      '第 1 个部门分组的名称：不能含有控制字符（换行、制表符或改变文字方向的字符）',
    ]);
    expect(refusal({ ...example(), groups: [{ code: 'g', label: '\u200b' }] })).toEqual([
      '第 1 个部门分组的名称：不能为空（不能只有空格或看不见的字符）',
    ]);
    expect(refusal({ ...example(), name: '2026年度民主评议（市直机关）' })).toEqual([]);
  });

  it('notes, in Chinese and without a warning, the shares category weights summing to 10 come to (the scoring takes them as proportions)', () => {
    const config = parseCampaignConfig({
      ...example(),
      categories: categories().map((c) => ({ ...c, weight: (c.weight as number) * 10 })),
    });
    expect(configWarnings(config)).toEqual([]);
    const [note] = configNotes(config).filter((n) => n.startsWith('评议类别'));
    expectChinese(note);
    expect(note).toBe(
      '评议类别的权重按比例计算（合计 10，不必为 1），各占：项目参建单位/服务对象代表 50%，两代表一委员 20%，特邀监督员 10%，基层单位 10%，社会公众 10%。',
    );
    // weights summing to 1 are their own shares: nothing to note
    expect(configNotes(parseCampaignConfig(example())).filter((n) => n.startsWith('评议类别'))).toEqual([]);
  });
});

describe('the upload and the CLI refuse a broken config alike', () => {
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let admin: LoggedIn;
  const clock = fixedClock('2026-10-20T08:00:00Z');
  beforeAll(async () => {
    db = await sqliteDb();
    const deps = { db, config: defaultConfig(), clock };
    app = createApp(deps);
    admin = await loginAs(app, createServices(deps), 'admin');
  });
  afterAll(() => db.close());

  it.each(BROKEN)('an uploaded YAML file with $what', async ({ config, fields }) => {
    const form = new FormData();
    form.append('config', new Blob([YAML.stringify(config)]), 'campaign.yaml');
    const res = await app.request('/api/campaigns', { method: 'POST', headers: admin.headers(), body: form });
    expect(res.status).toBe(422);
    const { error } = (await res.json()) as ErrorBody;
    expectChinese(error.message);
    expectNamed(error.details ?? [], fields);
  });

  it('a YAML file that is not YAML, by line', async () => {
    const form = new FormData();
    form.append('config', new Blob(['slug: a\nname: [unclosed\n  - x: :\n']), 'campaign.yaml');
    const res = await app.request('/api/campaigns', { method: 'POST', headers: admin.headers(), body: form });
    const { error } = (await res.json()) as ErrorBody;
    expect(res.status).toBe(422);
    expectChinese(error.message);
    expect(error.message).toMatch(/第 \d+ 行/);
  });

  it.each(BROKEN.slice(0, 6))('minping campaign create with $what', async ({ config, fields }) => {
    const dir = mkdtempSync(join(tmpdir(), 'minping-config-'));
    const file = join(dir, 'campaign.json');
    writeFileSync(file, JSON.stringify(config));
    const { code, err } = await runCommand(['campaign', 'create', '--config', file], { db, clock });
    expect(code).toBe(2);
    for (const line of err.split('\n')) expectChinese(line);
    for (const field of fields) expect(err).toContain(field);
  });

  it('minping campaign create with a JSON file that is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'minping-config-'));
    const file = join(dir, 'campaign.json');
    writeFileSync(file, '{\n  "slug": "a",\n  "name": "b",,\n}');
    const { code, err } = await runCommand(['campaign', 'create', '--config', file], { db, clock });
    expect(code).toBe(2);
    expectChinese(err);
    expect(err).toContain('第 3 行');
  });
});
