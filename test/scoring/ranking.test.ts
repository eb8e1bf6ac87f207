import { beforeEach, describe, expect, it } from 'vitest';
import { computeOfficialScores, gradeOf, NOT_RANKED_NOTE, round2, round4, TIED_NOTE } from '../../scoring/index.js';
import type { Method, ResponseRecord } from '../../scoring/types.js';
import { B, F, S, U, X, dept, method, raters, resetIds } from './helpers.js';

beforeEach(() => resetIds());

describe('round2 / round4: half away from zero on the decimal value', () => {
  it.each([
    [84.995, 85],
    [74.985, 74.99],
    [74.994, 74.99],
    [74.995, 75],
    [1.005, 1.01],
    [2.675, 2.68],
    [0.125, 0.13],
    [-1.005, -1.01],
    [-0.001, 0],
    [59.994999, 59.99],
    [88.57142857142857, 88.57],
    [100, 100],
    [0, 0],
  ])('round2(%d) = %d', (x, expected) => {
    expect(round2(x)).toBe(expected);
    expect(Object.is(round2(x), -0)).toBe(false);
  });

  it.each([
    [0.66665, 0.6667],
    [0.12345, 0.1235],
    [1 / 3, 0.3333],
    [0.99995, 1],
  ])('round4(%d) = %d', (x, expected) => expect(round4(x)).toBe(expected));

  it('absorbs floating-point noise from sums (0.1+0.2 … style)', () => {
    expect(round2(0.1 * 3 * 100 + 84.695)).toBe(114.7); // 114.69499999999999 in binary
    expect(round2((84.995 * 30) / 30)).toBe(85);
  });
});

describe('grades on the rounded final score', () => {
  const grades = method().grades;
  it.each([
    [100, '好'],
    [85, '好'],
    [84.99, '较好'],
    [75, '较好'],
    [74.99, '一般'],
    [60, '一般'],
    [59.99, '差'],
    [0, '差'],
    [-3, '差'],
  ])('%d → %s', (f, g) => expect(gradeOf(grades, f)).toBe(g));

  it('accepts grades in any order and no lower bound last', () => {
    expect(
      gradeOf(
        [
          { label: '差', min: null },
          { label: '好', min: 85 },
          { label: '一般', min: 60 },
        ],
        70,
      ),
    ).toBe('一般');
    expect(gradeOf([{ label: '好', min: 85 }], 70)).toBeNull();
  });

  // levels worth exactly the boundary values, so that the final score is F itself (after float noise)
  const atPoints = (points: number): Method => {
    const m = method();
    m.levels = [...m.levels, { code: 'x', label: 'x', points, satisfied: true }];
    return m;
  };
  it.each([
    [84.995, 85, '好'],
    [84.994, 84.99, '较好'],
    [74.994, 74.99, '一般'],
    [74.995, 75, '较好'],
    [60, 60, '一般'],
    [59.995, 60, '一般'],
    [59.994, 59.99, '差'],
  ])('a department whose F is %d is reported %d and graded %s', (points, rounded, grade) => {
    // 30 project raters and 7 deputies all at `points`: the weighted mean goes through sums and renormalised weights
    const data = [...raters(30, 'project', 'A', 'x'), ...raters(7, 'deputies', 'A', 'x')];
    const d = computeOfficialScores(atPoints(points), [dept('A')], data).departments[0];
    expect(d.finalScore).toBe(rounded);
    expect(d.grade).toBe(grade);
    expect(d.ranked).toBe(true);
  });
});

describe('ranking within groups', () => {
  const groupOf = (code: string) => (code <= 'D' ? '执法监管类' : '社会服务类');
  const departments = ['A', 'B', 'C', 'D', 'E', 'F'].map((c) => dept(c, groupOf(c)));

  it('competition ranking 1, 2, 2, 4 with 并列', () => {
    const data = [
      ...raters(30, 'project', 'A', S), // 100
      ...raters(30, 'project', 'B', F), // 80
      ...raters(30, 'project', 'C', F), // 80
      ...raters(30, 'project', 'D', B), // 60
      ...raters(30, 'project', 'E', B), // 60, other group
      ...raters(30, 'project', 'F', S, F), // 90, other group
    ];
    const res = computeOfficialScores(method(), departments, data);
    const by = Object.fromEntries(res.departments.map((d) => [d.code, d]));
    expect(['A', 'B', 'C', 'D'].map((c) => by[c].rank)).toEqual([1, 2, 2, 4]);
    expect(['A', 'B', 'C', 'D'].map((c) => by[c].tied)).toEqual([false, true, true, false]);
    expect(by.B.rankNote).toBe(TIED_NOTE);
    expect(by.A.rankNote).toBeNull();
    expect([by.F.rank, by.E.rank]).toEqual([1, 2]);
    expect(res.departments.map((d) => d.code)).toEqual(['A', 'B', 'C', 'D', 'F', 'E']); // groups by code unit order (执 < 社), then rank
  });

  it('ties are decided on the rounded score: 80.004 and 79.996 both show 80.00 and share a rank', () => {
    const m = method();
    m.levels = [
      ...m.levels,
      { code: 'a', label: 'a', points: 80.004, satisfied: true },
      { code: 'b', label: 'b', points: 79.996, satisfied: true },
    ];
    const data = [
      ...raters(30, 'project', 'A', 'a'),
      ...raters(30, 'project', 'B', 'b'),
      ...raters(30, 'project', 'C', B),
    ];
    const res = computeOfficialScores(m, departments.slice(0, 4), data);
    const by = Object.fromEntries(res.departments.map((d) => [d.code, d]));
    expect([by.A.finalScore, by.B.finalScore]).toEqual([80, 80]);
    expect([by.A.rank, by.B.rank, by.C.rank]).toEqual([1, 1, 3]);
  });

  it('deductions change the order', () => {
    // A 90 − 5 (capped) = 85; B 88 → B first
    const data = [
      ...raters(30, 'project', 'A', S, F).map((r, k) => {
        if (k < 12) r.departments[0].negatives = [{ kind: 1, verified: true }];
        return r;
      }),
      ...raters(24, 'project', 'B', S, F),
      ...raters(6, 'project', 'B', F, F), // B: efficiency (24·100+6·80)/30 = 96, quality 80 → 88
    ];
    const res = computeOfficialScores(method(), departments.slice(0, 2), data);
    const by = Object.fromEntries(res.departments.map((d) => [d.code, d]));
    expect([by.A.surveyScore, by.A.deduction, by.A.finalScore, by.A.rank]).toEqual([90, 5, 85, 2]);
    expect([by.B.finalScore, by.B.rank]).toEqual([88, 1]);
  });
});

describe('the 30-rater floor', () => {
  it.each([
    { name: '29 valid raters: not ranked', data: () => raters(29, 'project', 'A', S), ranked: false },
    { name: '30 valid raters: ranked', data: () => raters(30, 'project', 'A', S), ranked: true },
    {
      name: '30 raters of whom one answered only 不了解: not ranked',
      data: () => [...raters(29, 'project', 'A', S), ...raters(1, 'project', 'A', U, U)],
      ranked: false,
    },
    {
      name: '30 raters, one with a single valid answer: ranked',
      data: () => [...raters(29, 'project', 'A', S), ...raters(1, 'project', 'A', U, X)],
      ranked: true,
    },
  ])('$name', ({ data, ranked }) => {
    const d = computeOfficialScores(
      method(),
      [dept('A'), dept('B')],
      [...data(), ...raters(30, 'project', 'B', F)],
    ).departments.find((x) => x.code === 'A')!;
    expect(d.ranked).toBe(ranked);
    expect(d.surveyScore).not.toBeNull(); // figures are still shown
    if (ranked) {
      expect(d.rank).toBe(1);
      expect(d.grade).toBe('好');
      expect(d.rankNote).toBeNull();
    } else {
      expect(d.rank).toBeNull();
      expect(d.grade).toBeNull();
      expect(d.rankNote).toBe(NOT_RANKED_NOTE);
    }
  });

  it('an unranked department does not take a rank from the others', () => {
    const data = [...raters(10, 'project', 'A', S), ...raters(30, 'project', 'B', F), ...raters(30, 'project', 'C', B)];
    const res = computeOfficialScores(method(), [dept('A'), dept('B'), dept('C')], data);
    expect(res.departments.map((d) => [d.code, d.rank])).toEqual([
      ['B', 1],
      ['C', 2],
      ['A', null],
    ]);
  });
});

describe('method parameters are honoured', () => {
  it('three-level scale, custom floor and category minimum', () => {
    const m = method({ minRankedRaters: 10, minCategoryAnswers: 3 });
    m.levels = [
      { code: 'satisfied', label: '满意', points: 100, satisfied: true },
      { code: 'basically_satisfied', label: '基本满意', points: 60, satisfied: true },
      { code: 'dissatisfied', label: '不满意', points: 0, satisfied: false },
      { code: 'unknown', label: '不了解', points: null, satisfied: false },
    ];
    // project 7 × 60, deputies 3 × 100 (takes part with 3) → (.5·60 + .2·100)/.7 = 71.428…
    const data: ResponseRecord[] = [...raters(7, 'project', 'A', B), ...raters(3, 'deputies', 'A', S)];
    const d = computeOfficialScores(m, [dept('A')], data).departments[0];
    expect(d.surveyScore).toBe(71.43);
    expect(d.ranked).toBe(true);
    expect(d.grade).toBe('一般');
  });
});
