/**
 * Other cities' rules, each table worked by hand: the national five-level 好差评 scale with 差评率,
 * Hangzhou's three weighted items, five items on a three-level scale.
 */
import { describe, expect, it } from 'vitest';
import { computeOfficialScores } from '../../scoring/index.js';
import type { DepartmentResult, Method, ResponseRecord } from '../../scoring/types.js';
import {
  campaignConfigSchema,
  configWarnings,
  EXAMPLE_CONFIG_PATH,
  loadConfigFile,
} from '../../surveys/campaign-config.js';
import { SCALE_PRESETS } from '../../surveys/catalogs.js';
import { dept, method } from './helpers.js';

const levelsOf = (preset: keyof typeof SCALE_PRESETS): Method['levels'] =>
  SCALE_PRESETS[preset].map(({ english: _, ...level }) => level);

let counter = 0;
/** n responses of a category rating department A with these item → level answers */
const rated = (n: number, category: string, ratings: Record<string, string>): ResponseRecord[] =>
  Array.from({ length: n }, () => ({
    id: `r${String(++counter).padStart(5, '0')}`,
    category,
    durationSeconds: 300,
    networkKey: null,
    submittedAt: null,
    departments: [{ code: 'A', ratings, problems: [], negatives: [] }],
  }));

const scoreA = (m: Method, responses: ResponseRecord[]): DepartmentResult =>
  computeOfficialScores(m, [dept('A'), dept('B')], responses).departments.find((d) => d.code === 'A')!;

describe('the 好差评 five-level scale (非常满意 100, 满意 75, 基本满意 50, 不满意 25, 非常不满意 0)', () => {
  const haochaping = () => method({ levels: levelsOf('five-level-haochaping') });
  // 10 of the public rate 工作效率: 2 非常满意, 3 满意, 2 基本满意, 2 不满意, 1 非常不满意; 工作质量 满意 from all
  const efficiency = ['very_satisfied', 'very_satisfied', 'satisfied', 'satisfied', 'satisfied']
    .concat(['basically_satisfied', 'basically_satisfied', 'dissatisfied', 'dissatisfied', 'very_dissatisfied'])
    .flatMap((level) => rated(1, 'public', { efficiency: level, quality: 'satisfied' }));

  it('scores, and reports 差评率 (the bottom two) beside 满意率 (the top three)', () => {
    const d = scoreA(haochaping(), efficiency);
    // 工作效率 (200 + 225 + 100 + 50 + 0) / 10 = 57.5; 工作质量 75; S = (57.5 + 75) / 2 = 66.25
    expect(d.items.efficiency.score).toBe(57.5);
    expect(d.items.quality.score).toBe(75);
    expect(d.surveyScore).toBe(66.25);
    // 满意率: 工作效率 7/10, 工作质量 10/10 → (70 + 100) / 2 = 85; 差评率: (3/10 + 0) / 2 = 15
    expect(d.satisfactionRate).toBe(85);
    expect(d.unfavourableRate).toBe(15);
  });

  it('weights 差评率 by category like 满意率', () => {
    // 5 project representatives (weight 0.5) answer 非常不满意 on both items; the public (0.1) as above
    const d = scoreA(haochaping(), [
      ...efficiency,
      ...rated(5, 'project', { efficiency: 'very_dissatisfied', quality: 'very_dissatisfied' }),
    ]);
    // 工作效率 (0.5·0 + 0.1·57.5) / 0.6 = 9.5833…; 工作质量 (0.5·0 + 0.1·75) / 0.6 = 12.5; S = 11.0416… → 11.04
    expect(d.surveyScore).toBe(11.04);
    // 满意率 ((0.1·0.7) / 0.6 + (0.1·1) / 0.6) / 2 = 0.141666… → 14.17
    expect(d.satisfactionRate).toBe(14.17);
    // 差评率 ((0.5·1 + 0.1·0.3) / 0.6 + (0.5·1 + 0.1·0) / 0.6) / 2 = (0.88333… + 0.83333…) / 2 → 85.83
    expect(d.unfavourableRate).toBe(85.83);
  });

  it('is absent on a scale without unfavourable levels, so other results stay as they were', () => {
    const d = scoreA(method(), rated(5, 'public', { efficiency: 'satisfied', quality: 'dissatisfied' }));
    expect('unfavourableRate' in d).toBe(false);
  });
});

describe('Hangzhou: three items with their own weights', () => {
  it('takes the item-weighted mean of the three', () => {
    const m = method({
      items: [
        { code: 'attitude', label: '服务态度和工作效率', weight: 2 },
        { code: 'integrity', label: '办事公正和廉洁自律', weight: 1 },
        { code: 'impact', label: '工作实效和社会影响', weight: 1 },
      ],
    });
    const d = scoreA(
      m,
      rated(5, 'public', { attitude: 'satisfied', integrity: 'basically_satisfied', impact: 'dissatisfied' }),
    );
    // items 100, 60, 0; S = (2·100 + 60 + 0) / 4 = 65; 满意率 (2·1 + 1 + 0) / 4 = 75
    expect(Object.keys(d.items)).toEqual(['attitude', 'integrity', 'impact']);
    expect(d.surveyScore).toBe(65);
    expect(d.satisfactionRate).toBe(75);
  });
});

describe('five items on the three-level scale (满意 100, 基本满意 60, 不满意 0)', () => {
  it('averages the five items', () => {
    const m = method({
      levels: levelsOf('three-level'),
      items: ['style', 'service', 'law', 'efficiency', 'integrity'].map((code) => ({ code, label: code, weight: 1 })),
    });
    const d = scoreA(
      m,
      rated(5, 'public', {
        style: 'satisfied',
        service: 'basically_satisfied',
        law: 'dissatisfied',
        efficiency: 'satisfied',
        integrity: 'satisfied',
      }),
    );
    // (100 + 60 + 0 + 100 + 100) / 5 = 72; 满意率 4/5 = 80
    expect(d.surveyScore).toBe(72);
    expect(d.satisfactionRate).toBe(80);
    expect(d.items.law.score).toBe(0);
  });
});

describe('a scale floor above 0', () => {
  const withFloor = (extra: Record<string, unknown> = {}) => {
    const { raw } = loadConfigFile(EXAMPLE_CONFIG_PATH);
    const levels = SCALE_PRESETS['three-level'].map((l) => (l.code === 'dissatisfied' ? { ...l, points: 40 } : l));
    return campaignConfigSchema.safeParse({ ...(raw as object), scale: { levels }, ...extra });
  };

  it('is refused, saying why, unless the config allows it; then it is warned about', () => {
    const refused = withFloor();
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['scale'],
      message: expect.stringContaining('allowPositiveFloor'),
    });
    const allowed = withFloor({ allowPositiveFloor: true });
    expect(allowed.success).toBe(true);
    expect(configWarnings(allowed.data!)).toEqual([expect.stringContaining('最低的计分等级计 40 分')]);
  });

  it('takes the 好差评 preset by name, without a warning', () => {
    const { raw } = loadConfigFile(EXAMPLE_CONFIG_PATH);
    const parsed = campaignConfigSchema.parse({ ...(raw as object), scale: 'five-level-haochaping' });
    expect(parsed.scale.map((l) => l.label)).toEqual([
      '非常满意',
      '满意',
      '基本满意',
      '不满意',
      '非常不满意',
      '不了解',
    ]);
    expect(configWarnings(parsed)).toEqual([]);
  });
});
