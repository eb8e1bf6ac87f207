import { describe, expect, it } from 'vitest';
import { methodChanges, methodFromConfig } from '../../server/results/method.js';
import { defaultMethod } from '../../scoring/index.js';
import { campaignConfigSchema, EXAMPLE_CONFIG_PATH, loadConfigFile } from '../../surveys/campaign-config.js';

const example = () => loadConfigFile(EXAMPLE_CONFIG_PATH).raw as Record<string, unknown>;

describe('the scoring method of a campaign config', () => {
  it('maps the example config to the default method of the BRIEF', () => {
    const method = methodFromConfig(campaignConfigSchema.parse(example()));
    const expected = defaultMethod();
    expect(method.levels).toEqual(expected.levels);
    expect(method.items).toEqual(expected.items);
    expect(method.categories).toEqual(expected.categories);
    expect(method.grades).toEqual(expected.grades);
    expect(method).toMatchObject({
      minCategoryAnswers: 5,
      minRankedRaters: 30,
      deductionPerNegative: 0.5,
      maxDeduction: 5,
      minCellSize: 5,
    });
    expect(method.bootstrap).toEqual({ samples: 1000, seed: 20261231 });
    expect(method.rectification).toEqual({ maxScore: 75, bottomCount: 3, minProbability: 0.8 });
  });

  it('takes the three-level preset, custom weights and parameters from the config', () => {
    const raw = example();
    const config = campaignConfigSchema.parse({
      ...raw,
      scale: 'three-level',
      items: [
        { code: 'efficiency', label: '工作效率', weight: 2 },
        { code: 'quality', label: '工作质量', weight: 1 },
      ],
      scoring: {
        minRankedRaters: 50,
        bootstrap: { samples: 200, seed: 7 },
        grades: [
          { label: '差', min: null },
          { label: '好', min: 90 },
          { label: '一般', min: 60 },
        ],
      },
    });
    const method = methodFromConfig(config);
    expect(method.levels.map((l) => [l.label, l.points])).toEqual([
      ['满意', 100],
      ['基本满意', 60],
      ['不满意', 0],
      ['不了解', null],
    ]);
    expect(method.items.map((i) => i.weight)).toEqual([2, 1]);
    expect(method.minRankedRaters).toBe(50);
    expect(method.bootstrap).toEqual({ samples: 200, seed: 7 });
    // grades ordered from the highest bound down, the open floor last
    expect(method.grades.map((g) => g.label)).toEqual(['好', '一般', '差']);
  });

  it('is plain JSON data', () => {
    const method = methodFromConfig(campaignConfigSchema.parse(example()));
    expect(JSON.parse(JSON.stringify(method))).toEqual(method);
  });
});

describe('how two methods differ, as a year-over-year comparison says it', () => {
  const method = (over: Record<string, unknown> = {}) =>
    methodFromConfig(campaignConfigSchema.parse({ ...example(), ...over }));

  it('finds no change between a config and itself, nor when weights are all scaled alike', () => {
    expect(methodChanges(method(), method())).toEqual([]);
    const raw = example();
    const tenfold = (raw.categories as { weight: number }[]).map((c) => ({ ...c, weight: c.weight * 10 }));
    expect(methodChanges(method(), method({ categories: tenfold }))).toEqual([]);
  });

  it('lists changed, added and dropped category weights', () => {
    const raw = example();
    const categories = (raw.categories as { code: string; weight: number }[])
      .filter((c) => c.code !== 'public')
      .map((c) => (c.code === 'project' ? { ...c, weight: 0.6 } : c));
    categories.push({ code: 'experts', label: '专家', weight: 0.1 } as (typeof categories)[number]);
    expect(methodChanges(method(), method({ categories }))).toEqual([
      '类别权重：项目参建单位/服务对象代表 0.5 → 0.6，新增 专家（0.1），取消 社会公众（原 0.1）',
    ]);
  });

  it('lists a changed scale, items, deduction and grades, one line each', () => {
    const changes = methodChanges(
      method(),
      method({
        scale: 'three-level',
        items: [
          { code: 'efficiency', label: '工作效率', weight: 1 },
          { code: 'honesty', label: '廉洁自律', weight: 1 },
        ],
        scoring: {
          deductionPerNegative: 1,
          grades: [
            { label: '好', min: 90 },
            { label: '差', min: null },
          ],
        },
      }),
    );
    expect(changes).toEqual([
      '计分等级：取消 比较满意（原 80 分）',
      '评议项目：新增 廉洁自律（1），取消 工作质量（原 1）',
      '每项核实负面情形扣分：0.5 → 1',
      '等级：好 ≥ 85、较好 ≥ 75、一般 ≥ 60、差 → 好 ≥ 90、差',
    ]);
  });
});
