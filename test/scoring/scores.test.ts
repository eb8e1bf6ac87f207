import { beforeEach, describe, expect, it } from 'vitest';
import { computeOfficialScores, NOT_RANKED_NOTE, ScoringInputError } from '../../scoring/index.js';
import type { DepartmentResult, ResponseRecord } from '../../scoring/types.js';
import { B, F, S, U, X, dept, method, mixed, raters, resetIds, response } from './helpers.js';

beforeEach(() => resetIds());

const one = (responses: ResponseRecord[], code = 'A', m = method()): DepartmentResult => {
  const res = computeOfficialScores(m, [dept('A'), dept('B'), dept('C'), dept('D')], responses);
  return res.departments.find((d) => d.code === code)!;
};

describe('item score: weighted category means', () => {
  it.each([
    {
      name: 'weights are renormalised when a category has fewer than 5 valid answers',
      // project 5×100 (w .5), deputies 5×60 (w .2), supervisors 4×0 (w .1, fewer than 5: left out)
      data: () => [
        ...raters(5, 'project', 'A', S),
        ...raters(5, 'deputies', 'A', B),
        ...raters(4, 'supervisors', 'A', X),
      ],
      score: 88.57, // (0.5·100 + 0.2·60) / 0.7 = 62 / 0.7 = 88.5714…
    },
    {
      name: 'a category with exactly 5 valid answers takes part',
      data: () => [
        ...raters(5, 'project', 'A', S),
        ...raters(5, 'deputies', 'A', B),
        ...raters(5, 'supervisors', 'A', X),
      ],
      score: 77.5, // (50 + 12 + 0) / 0.8
    },
    {
      name: 'one category alone gives its own mean',
      data: () => [...raters(7, 'public', 'A', F)],
      score: 80,
    },
    {
      name: 'all five categories with the default weights',
      // .5·100 + .2·80 + .1·60 + .1·0 + .1·100 = 50+16+6+0+10 = 82 (weights sum to 1)
      data: () => [
        ...raters(5, 'project', 'A', S),
        ...raters(6, 'deputies', 'A', F),
        ...raters(5, 'supervisors', 'A', B),
        ...raters(8, 'grassroots', 'A', X),
        ...raters(5, 'public', 'A', S),
      ],
      score: 82,
    },
    {
      name: 'no category reaching 5 valid answers gives no score',
      data: () => [...raters(4, 'project', 'A', S), ...raters(4, 'deputies', 'A', S)],
      score: null,
    },
  ])('$name', ({ data, score }) => {
    const d = one(data());
    expect(d.items.efficiency.score).toBe(score);
    expect(d.items.quality.score).toBe(score);
    expect(d.surveyScore).toBe(score);
    expect(d.finalScore).toBe(score);
  });

  it('survey score is the item-weighted mean of the item scores that exist', () => {
    // efficiency: 5×100 → 100; quality: 5×60 → 60; equal weights → 80; weights 3:1 → 90
    const data = raters(5, 'project', 'A', S, B);
    expect(one(data).surveyScore).toBe(80);
    const m = method();
    m.items = [
      { code: 'efficiency', label: '工作效率', weight: 3 },
      { code: 'quality', label: '工作质量', weight: 1 },
    ];
    expect(one(data, 'A', m).surveyScore).toBe(90);
  });

  it('an item without a score is left out of the survey score', () => {
    // efficiency 5 valid (100); quality: only 4 valid (one 不了解 each for 1 rater) → no quality score
    const data = [...raters(4, 'project', 'A', S, F), ...raters(1, 'project', 'A', S, U)];
    const d = one(data);
    expect(d.items.efficiency.score).toBe(100);
    expect(d.items.quality.score).toBeNull();
    expect(d.surveyScore).toBe(100);
  });
});

describe('不了解 (unknown)', () => {
  it('is left out of the denominator', () => {
    // 5 × 100 and 3 × 不了解 on efficiency: mean 100, not 62.5
    const d = one([...raters(5, 'project', 'A', S), ...raters(3, 'project', 'A', U, S)]);
    expect(d.items.efficiency.score).toBe(100);
    expect(d.items.efficiency.validAnswers).toBe(5);
    expect(d.items.quality.validAnswers).toBe(8);
  });

  it('does not count towards the 5 answers a category needs', () => {
    const d = one([...raters(4, 'project', 'A', S), ...raters(2, 'project', 'A', U)]);
    expect(d.items.efficiency.score).toBeNull();
    expect(d.items.efficiency.categoryBreakdown[0]).toMatchObject({
      category: 'project',
      validAnswers: 4,
      takesPart: false,
    });
  });

  it('a rater answering only 不了解 is not a valid rater', () => {
    const d = one([...raters(5, 'project', 'A', S), ...raters(2, 'project', 'A', U, U)]);
    expect(d.validRaters).toBe(5);
    expect(d.raters).toBe(7);
  });
});

describe('awareness (知晓率)', () => {
  it.each([
    // 10 raters, 20 answers, 3 不了解 → 17/20 = 85%
    {
      name: '3 of 20 unknown',
      data: () => [...raters(3, 'project', 'A', S, U), ...raters(7, 'project', 'A', S)],
      expected: 85,
    },
    { name: 'no unknown', data: () => raters(10, 'project', 'A', S), expected: 100 },
    // 2 valid of 6 answers (categories mixed) → 33.33
    {
      name: '2 of 6 valid',
      data: () => [
        ...raters(1, 'project', 'A', S, U),
        ...raters(1, 'project', 'A', U, U),
        ...raters(1, 'public', 'A', U, F),
      ],
      expected: 33.33,
    },
  ])('is valid answers / all answers ×100 ($name → $expected)', ({ data, expected }) => {
    expect(one(data()).awareness).toBe(expected);
  });

  it('is null for a department nobody answered about', () => {
    expect(one(raters(5, 'project', 'A', S), 'B').awareness).toBeNull();
  });
});

describe('satisfaction rate (满意率)', () => {
  it('uses the same weighted formula on the share of satisfied levels', () => {
    // project: 100,80,60,0,0 → 3/5 satisfied, mean 48; deputies: 100,100,100,100,0 → 4/5, mean 80
    const data = [
      ...mixed(5, 'project', 'A', [S, F, B, X, X]),
      ...raters(4, 'deputies', 'A', S),
      ...raters(1, 'deputies', 'A', X),
    ];
    const d = one(data);
    // efficiency: (.5·.6 + .2·.8)/.7 = .657142… → 65.71; score (.5·48 + .2·80)/.7 = 57.142… → 57.14
    expect(d.items.efficiency.satisfactionRate).toBe(65.71);
    expect(d.items.efficiency.score).toBe(57.14);
    // quality of project shifted by one: F,B,X,X,S → same multiset, same figures
    expect(d.items.quality.satisfactionRate).toBe(65.71);
    expect(d.satisfactionRate).toBe(65.71);
    const shares = d.items.efficiency.categoryBreakdown.map((c) => c.satisfiedShare);
    expect(shares).toEqual([0.6, 0.8, null, null, null]);
  });

  it('counts only levels marked satisfied (不满意 is not)', () => {
    const d = one(mixed(10, 'project', 'A', [S, X]));
    expect(d.satisfactionRate).toBe(50);
    expect(d.surveyScore).toBe(50);
  });
});

describe('breakdown cells', () => {
  it('cells with fewer than minCellSize evaluators are suppressed', () => {
    const d = one([...raters(6, 'project', 'A', S), ...raters(3, 'deputies', 'A', B)]);
    const [project, deputies, supervisors] = d.items.efficiency.categoryBreakdown;
    expect(project).toEqual({
      category: 'project',
      validAnswers: 6,
      mean: 100,
      satisfiedShare: 1,
      takesPart: true,
      suppressed: false,
    });
    expect(deputies).toEqual({
      category: 'deputies',
      validAnswers: 3,
      mean: null,
      satisfiedShare: null,
      takesPart: false,
      suppressed: true,
    });
    expect(supervisors).toEqual({
      category: 'supervisors',
      validAnswers: 0,
      mean: null,
      satisfiedShare: null,
      takesPart: false,
      suppressed: true,
    });
  });
});

describe('deduction', () => {
  const neg = (n: number, verified: boolean) => Array.from({ length: n }, (_, k) => ({ kind: 1 + (k % 8), verified }));
  it.each([
    { verified: 0, unverified: 3, deduction: 0, final: 100 },
    { verified: 3, unverified: 2, deduction: 1.5, final: 98.5 },
    { verified: 10, unverified: 0, deduction: 5, final: 95 },
    { verified: 11, unverified: 0, deduction: 5, final: 95 }, // capped at 5
    { verified: 40, unverified: 1, deduction: 5, final: 95 },
  ])('$verified verified negatives deduct $deduction', ({ verified, unverified, deduction, final }) => {
    const data = [
      ...raters(5, 'project', 'A', S),
      response('project', [
        { code: 'A', eff: S, qual: S, negatives: [...neg(verified, true), ...neg(unverified, false)] },
      ]),
    ];
    const d = one(data);
    expect(d.deduction).toBe(deduction);
    expect(d.verifiedNegatives).toBe(verified);
    expect(d.finalScore).toBe(final);
    expect(d.negatives.reduce((n, x) => n + x.reported, 0)).toBe(verified + unverified);
    expect(d.negatives.reduce((n, x) => n + x.verified, 0)).toBe(verified);
  });

  it('no survey score → no final score, deduction still shown', () => {
    const d = one(raters(2, 'project', 'A', S, S, { negatives: [{ kind: 3, verified: true }] }));
    expect(d.surveyScore).toBeNull();
    expect(d.finalScore).toBeNull();
    expect(d.deduction).toBe(1);
    expect(d.ranked).toBe(false);
    expect(d.rankNote).toBe(NOT_RANKED_NOTE);
  });
});

describe('problems', () => {
  it('mentions per problem and share of the raters of the department', () => {
    const data = [
      ...raters(6, 'project', 'A', S, S, { problems: [2] }),
      ...raters(2, 'project', 'A', S, S, { problems: [2, 7] }),
      ...raters(12, 'project', 'A', S),
      ...raters(10, 'project', 'B', S, S, { problems: [7] }),
    ];
    const res = computeOfficialScores(method({ problemShareThreshold: 0.3 }), [dept('A'), dept('B')], data);
    const a = res.departments.find((d) => d.code === 'A')!;
    // A: 20 raters; problem 2 named by 8 → 0.4; problem 7 by 2 → 0.1
    expect(a.problems).toEqual([
      { problem: 2, mentions: 8, share: 0.4 },
      { problem: 7, mentions: 2, share: 0.1 },
    ]);
    expect(a.problemFlag).toBe(true);
    const b = res.departments.find((d) => d.code === 'B')!;
    expect(b.problems).toEqual([
      { problem: 2, mentions: 0, share: 0 },
      { problem: 7, mentions: 10, share: 1 },
    ]);
    const low = computeOfficialScores(method({ problemShareThreshold: 0.45 }), [dept('A'), dept('B')], data);
    expect(low.departments.find((d) => d.code === 'A')!.problemFlag).toBe(false);
  });

  it('a problem named twice in one answer counts once', () => {
    const d = one(raters(5, 'project', 'A', S, S, { problems: [3, 3] }));
    expect(d.problems).toEqual([{ problem: 3, mentions: 5, share: 1 }]);
  });
});

describe('empty inputs', () => {
  it('no responses: every figure null or zero, JSON-safe', () => {
    const res = computeOfficialScores(method(), [dept('A')], []);
    const a = res.departments[0];
    expect([a.raters, a.validRaters, a.awareness, a.surveyScore, a.finalScore, a.deduction, a.rank, a.grade]).toEqual([
      0,
      0,
      null,
      null,
      null,
      0,
      null,
      null,
    ]);
    expect(a.rankNote).toBe(NOT_RANKED_NOTE);
    expect(res.screening.medianDurationSeconds).toBeNull();
    expect(JSON.parse(JSON.stringify(res))).toEqual(res);
  });

  it('no departments and no responses', () => {
    const res = computeOfficialScores(method(), [], []);
    expect(res.departments).toEqual([]);
    expect(res.inputs).toMatchObject({ responses: 0, included: 0, excluded: 0, flagged: 0 });
  });
});

describe('input validation', () => {
  it.each([
    {
      name: 'unknown category',
      r: () => response('nobody', [{ code: 'A', eff: S, qual: S }]),
      msg: 'unknown category',
    },
    {
      name: 'unknown department',
      r: () => response('project', [{ code: 'Z', eff: S, qual: S }]),
      msg: 'unknown department',
    },
    {
      name: 'unknown level',
      r: () => response('project', [{ code: 'A', eff: 'great', qual: S }]),
      msg: 'unknown level',
    },
    {
      name: 'same department twice',
      r: () =>
        response('project', [
          { code: 'A', eff: S },
          { code: 'A', eff: S },
        ]),
      msg: 'appears twice',
    },
  ])('rejects $name', ({ r, msg }) => {
    expect(() => one([r()])).toThrow(ScoringInputError);
    expect(() => one([r()])).toThrow(msg);
  });

  it('rejects an unknown item code', () => {
    const r = response('project', [{ code: 'A', eff: S }]);
    r.departments[0].ratings.speed = S;
    expect(() => one([r])).toThrow('unknown item "speed"');
  });

  it('rejects duplicate response ids', () => {
    const r = response('project', [{ code: 'A', eff: S }]);
    expect(() => one([r, { ...r }])).toThrow('duplicate response id');
  });
});
