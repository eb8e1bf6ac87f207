import { describe, expect, it } from 'vitest';
import { methodFromConfig } from '../../server/results/method.js';
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
