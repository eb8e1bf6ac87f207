/**
 * Regression: official figures a hair below a rounding half (closer to it than a double can tell)
 * are rounded on their exact value, as the BRIEF's "half away from zero" requires.
 */
import { describe, expect, it } from 'vitest';
import { computeResults } from '../../scoring/index.js';
import type { Method, ResponseRecord } from '../../scoring/types.js';
import { briefMethod, cmp, dec } from './reference.js';
import { exactDept, levelsFor, officialAndReference, resp } from './reference-helpers.js';

// ───────────────────────────── regression: a score a hair below a half ─────────────────────────────

describe('regression: official figures a hair below a rounding half are rounded on their exact value', () => {
  // Five categories with prime counts 103, 73, 107, 43, 89 (415 evaluators, default weights, both
  // items answered alike) and points 20·(423, 352, 439, 205, 307): by the Chinese remainder theorem
  // S = 84.995 − 9/(200·103·73·107·43·89) ≈ 84.995 − 1.5e-11. Half away from zero on that value gives
  // 84.99 (较好); the library used to report 85.00 (好), because round2 first writes the double with
  // 10 decimals (to absorb binary noise), which moves anything within 5e-11 below a half onto it.
  const counts = [103, 73, 107, 43, 89];
  const units = [423, 352, 439, 205, 307];
  const build = (m: Method, code: string): ResponseRecord[] =>
    m.categories.flatMap((c, k) => levelsFor(m, units[k], counts[k])!.map((l) => resp(c.code, code, l, l)));

  it('84.995 − 9/(200·103·73·107·43·89) reports 84.99, grade 较好, below a department at exactly 84.995', () => {
    const m = briefMethod();
    const departments = ['X', 'Y'].map((code) => ({ code, name: code, group: 'G' }));
    const responses = [...build(m, 'X'), ...exactDept(m, 'Y', 84.995)];
    const { ref, get } = officialAndReference(m, departments, responses);
    const F = ref.departments.X.exactF!;
    const Q = BigInt(103 * 73 * 107 * 43 * 89);
    expect(cmp(F, { n: 16999n * Q - 9n, d: 200n * Q })).toBe(0);
    const x = get('X');
    const y = get('Y');
    expect([
      x.items.efficiency.score,
      x.items.quality.score,
      x.surveyScore,
      x.finalScore,
      x.grade,
      x.rank,
      x.tied,
    ]).toEqual([84.99, 84.99, 84.99, 84.99, '较好', 2, false]);
    expect([y.finalScore, y.grade, y.rank, y.tied]).toEqual([85, '好', 1, false]);
  });

  it('with a deduction of 10 the final score is 74.995 − ε: reported 74.99, so 重点整改 applies', () => {
    const m = briefMethod();
    m.maxDeduction = 10;
    m.bootstrap = { samples: 200, seed: 3 };
    const departments = ['X', 'P', 'Q', 'R'].map((code) => ({ code, name: code, group: 'G' }));
    const x = build(m, 'X');
    for (let k = 0; k < 20; k++) x[k].departments[0].negatives.push({ kind: 1, verified: true });
    const responses = [...x, ...exactDept(m, 'P', 93), ...exactDept(m, 'Q', 94), ...exactDept(m, 'R', 95)];
    const { ref, get } = officialAndReference(m, departments, responses);
    expect(cmp(ref.departments.X.exactF!, dec(74.995))).toBe(-1);
    expect([get('X').surveyScore, get('X').deduction, get('X').finalScore, get('X').grade, get('X').rank]).toEqual([
      84.99,
      10,
      74.99,
      '一般',
      4,
    ]);
    const full = computeResults(m, departments, responses).departments.find((d) => d.code === 'X')!;
    // not exactly 1: in a few replicates the 4 'deputies' of P, Q or R are drawn 5+ times, take part
    // with their 0 points and pull that department below X (the ≥ 5 rule applies per replicate)
    expect(full.uncertainty.bottomProbability).toBeGreaterThanOrEqual(0.8);
    expect(full.rectification).toBe(true); // 74.99 < 75; the library used to report 75.00 and not mark it
  });
});
