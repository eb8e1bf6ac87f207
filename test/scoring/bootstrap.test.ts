import { beforeEach, describe, expect, it } from 'vitest';
import { computeOfficialScores, computeResults, Rng, deriveSeed } from '../../scoring/index.js';
import { quantile } from '../../scoring/bootstrap.js';
import type { DepartmentResult, Method, ResponseRecord } from '../../scoring/types.js';
import { B, F, S, X, dept, method, mixed, raters, resetIds } from './helpers.js';

beforeEach(() => resetIds());

const withSamples = (samples: number, seed = 7, patch: Partial<Method> = {}): Method => ({
  ...method(patch),
  bootstrap: { samples, seed },
});

/** six departments of one group, well separated: 100 raters each, mostly project, some deputies */
function separated(): { departments: ReturnType<typeof dept>[]; responses: ResponseRecord[] } {
  const plan: [string, string[]][] = [
    ['A', [S, S, S, F]], // ≈ 95
    ['B', [S, F, F, F]], // ≈ 85
    ['C', [F, F, F, B]], // ≈ 75
    ['D', [F, B, B, B]], // ≈ 65
    ['E', [B, B, B, X]], // ≈ 45
    ['Z', [B, X, X, X]], // ≈ 15
  ];
  const responses: ResponseRecord[] = [];
  for (const [code, levels] of plan)
    responses.push(...mixed(80, 'project', code, levels), ...mixed(20, 'deputies', code, levels));
  return { departments: plan.map(([c]) => dept(c)), responses };
}

const byCode = (ds: DepartmentResult[]) => Object.fromEntries(ds.map((d) => [d.code, d]));

describe('seeded RNG', () => {
  it('is deterministic and seed-dependent', () => {
    const a = new Rng(1);
    const b = new Rng(1);
    const c = new Rng(2);
    const xs = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(xs);
    expect(deriveSeed(1, 0)).not.toBe(deriveSeed(1, 1));
    expect(deriveSeed(2 ** 40 + 1, 0)).not.toBe(deriveSeed(1, 0)); // high bits of the seed count
  });

  it('nextInt is uniform enough and in range', () => {
    const r = new Rng(99);
    const counts = new Array(10).fill(0);
    for (let k = 0; k < 100_000; k++) counts[r.nextInt(10)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
    const big = 3_000_000;
    for (let k = 0; k < 1000; k++) {
      const v = r.nextInt(big);
      expect(v >= 0 && v < big && Number.isInteger(v)).toBe(true);
    }
  });
});

describe('percentile', () => {
  it('is the ⌈p·m⌉-th smallest value', () => {
    const v = Array.from({ length: 1000 }, (_, k) => k + 1);
    expect([quantile(v, 0.025), quantile(v, 0.975)]).toEqual([25, 975]);
    expect([quantile([3], 0.025), quantile([3], 0.975)]).toEqual([3, 3]);
    expect([quantile([1, 2, 3, 4], 0.025), quantile([1, 2, 3, 4], 0.975)]).toEqual([1, 4]);
  });
});

describe('bootstrap', () => {
  it('same seed → byte-identical output (B = 1000); different seed → different intervals', () => {
    const { departments, responses } = separated();
    const a = JSON.stringify(computeResults(withSamples(1000, 11), departments, responses));
    const b = JSON.stringify(computeResults(withSamples(1000, 11), departments, responses));
    expect(a).toBe(b);
    const c = computeResults(withSamples(1000, 12), departments, responses);
    const intervals = (s: string) =>
      (JSON.parse(s) as { departments: DepartmentResult[] }).departments.map((d) => d.uncertainty.scoreInterval);
    expect(intervals(JSON.stringify(c))).not.toEqual(intervals(a));
    // the official figures do not depend on the seed
    expect(c.departments.map((d) => d.finalScore)).toEqual(
      (JSON.parse(a) as { departments: DepartmentResult[] }).departments.map((d) => d.finalScore),
    );
  });

  it('output does not depend on the order of the inputs', () => {
    const { departments, responses } = separated();
    const a = computeResults(withSamples(200), departments, responses);
    const shuffled = [...responses].reverse().map((r) => ({ ...r, departments: [...r.departments].reverse() }));
    const b = computeResults(withSamples(200), [...departments].reverse(), shuffled);
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('intervals contain the point estimate in a well-behaved case', () => {
    const { departments, responses } = separated();
    const res = computeResults(withSamples(300), departments, responses);
    expect(res.bootstrapSamples).toBe(300);
    for (const d of res.departments) {
      const [lo, hi] = d.uncertainty.scoreInterval!;
      expect(lo).toBeLessThanOrEqual(d.finalScore!);
      expect(hi).toBeGreaterThanOrEqual(d.finalScore!);
      expect(hi - lo).toBeLessThan(15);
      const [rlo, rhi] = d.uncertainty.rankInterval!;
      expect(rlo).toBeLessThanOrEqual(d.rank!);
      expect(rhi).toBeGreaterThanOrEqual(d.rank!);
      expect(d.uncertainty.replicates).toBe(300);
    }
    const by = byCode(res.departments);
    expect(by.A.uncertainty.rankInterval).toEqual([1, 1]);
    expect(by.Z.uncertainty.rankInterval).toEqual([6, 6]);
    expect(by.A.uncertainty.statisticallyTiedWith).toEqual([]);
  });

  it('marks 重点整改 only when F < 75 and P(bottom 3) ≥ 0.8', () => {
    const { departments, responses } = separated();
    const res = computeResults(withSamples(300), departments, responses);
    const by = byCode(res.departments);
    // E and Z are always in the bottom 3 and below 75
    expect([by.E.uncertainty.bottomProbability, by.Z.uncertainty.bottomProbability]).toEqual([1, 1]);
    expect([by.E.rectification, by.Z.rectification]).toEqual([true, true]);
    // A and B never are
    expect([by.A.uncertainty.bottomProbability, by.B.uncertainty.bottomProbability]).toEqual([0, 0]);
    expect([by.A.rectification, by.B.rectification]).toEqual([false, false]);
    for (const d of res.departments)
      expect(d.rectification).toBe(d.finalScore! < 75 && d.uncertainty.bottomProbability! >= 0.8);
  });

  it('F < 75 alone is not enough: the best of a weak group is not marked', () => {
    // all six below 75; the best one is never in the bottom 3
    const plan: [string, string[]][] = [
      ['A', [F, B, B]], // 66.67
      ['B', [B, B, B, X]], // 45
      ['C', [B, X]], // 30
      ['D', [B, X, X]], // 20
      ['E', [B, X, X, X]], // 15
      ['Z', [X]], // 0
    ];
    const responses = plan.flatMap(([code, levels]) => mixed(60, 'project', code, levels));
    const res = computeResults(
      withSamples(200),
      plan.map(([c]) => dept(c)),
      responses,
    );
    const by = byCode(res.departments);
    expect(by.A.finalScore).toBeLessThan(75);
    expect(by.A.uncertainty.bottomProbability).toBe(0);
    expect(by.A.rectification).toBe(false);
    expect(by.Z.rectification).toBe(true);
  });

  it('a smaller bottom count and a lower score cap are honoured', () => {
    const { departments, responses } = separated();
    const res = computeResults(
      withSamples(200, 7, { rectification: { maxScore: 30, bottomCount: 1, minProbability: 0.8 } }),
      departments,
      responses,
    );
    expect(res.departments.filter((d) => d.rectification).map((d) => d.code)).toEqual(['Z']);
  });

  it('departments with the same answers are statistically tied', () => {
    const responses = [
      ...mixed(40, 'project', 'A', [S, F, B]),
      ...mixed(40, 'project', 'B', [S, F, B]),
      ...mixed(40, 'project', 'C', [X]),
    ];
    const res = computeResults(withSamples(200), [dept('A'), dept('B'), dept('C')], responses);
    const by = byCode(res.departments);
    expect([by.A.rank, by.B.rank, by.A.tied]).toEqual([1, 1, true]);
    expect(by.A.uncertainty.statisticallyTiedWith).toEqual(['B']);
    expect(by.B.uncertainty.statisticallyTiedWith).toEqual(['A']);
    expect(by.C.uncertainty.statisticallyTiedWith).toEqual([]);
  });

  it('a department without an official score gets no score interval, even when replicates could invent one', () => {
    // 4 answers: under the 5-answer floor officially; a replicate drawing one of them twice would reach it
    const responses = [...mixed(40, 'project', 'A', [S, F]), ...mixed(4, 'project', 'C', [S, B])];
    const res = computeResults(withSamples(200), [dept('A'), dept('C')], responses);
    const c = byCode(res.departments).C;
    expect(c.finalScore).toBeNull();
    expect(c.uncertainty.scoreInterval).toBeNull();
    expect(c.rectification).toBe(false);
  });

  it('unranked departments get a score interval but no rank interval or probability', () => {
    const responses = [...mixed(40, 'project', 'A', [S, F]), ...mixed(12, 'project', 'B', [S, B])];
    const res = computeResults(withSamples(100), [dept('A'), dept('B')], responses);
    const b = byCode(res.departments).B;
    expect(b.ranked).toBe(false);
    expect(b.uncertainty.scoreInterval).not.toBeNull();
    expect(b.uncertainty.rankInterval).toBeNull();
    expect(b.uncertainty.bottomProbability).toBeNull();
    expect(b.rectification).toBe(false);
  });

  it('a replicate where a department has no score leaves it out of that replicate', () => {
    // B rests on exactly 5 project answers: many replicates draw fewer than 5 of them → no score there
    const responses = [...mixed(40, 'project', 'A', [S, F]), ...raters(5, 'project', 'B', F)];
    const res = computeResults(withSamples(200), [dept('A'), dept('B')], responses);
    const b = byCode(res.departments).B;
    expect(b.finalScore).toBe(80);
    expect(b.uncertainty.replicates).toBeGreaterThan(0);
    expect(b.uncertainty.replicates).toBeLessThan(200);
    expect(b.uncertainty.scoreInterval).toEqual([80, 80]);
    expect(byCode(res.departments).A.uncertainty.replicates).toBe(200);
  });

  it('verified negatives are resampled with their responses', () => {
    // every rater of A reports one verified negative: deduction 5 (capped) in every replicate
    // B: 4 of 40 raters report one → official deduction 2, varies across replicates
    const a = raters(40, 'project', 'A', S, S, { negatives: [{ kind: 1, verified: true }] });
    const b = [
      ...raters(4, 'project', 'B', S, S, { negatives: [{ kind: 2, verified: true }] }),
      ...raters(36, 'project', 'B', S),
    ];
    const res = computeResults(withSamples(300), [dept('A'), dept('B')], [...a, ...b]);
    const by = byCode(res.departments);
    expect(by.A.finalScore).toBe(95);
    expect(by.A.uncertainty.scoreInterval).toEqual([95, 95]);
    expect(by.B.finalScore).toBe(98);
    const [lo, hi] = by.B.uncertainty.scoreInterval!;
    expect(lo).toBeLessThan(98);
    expect(hi).toBeGreaterThanOrEqual(98);
    expect(hi).toBeLessThanOrEqual(100);
  });

  it('computeOfficialScores is computeResults without the uncertainty', () => {
    const { departments, responses } = separated();
    const full = computeResults(withSamples(50), departments, responses);
    const fast = computeOfficialScores(withSamples(50), departments, responses);
    expect(fast.bootstrapSamples).toBe(0);
    const strip = (d: DepartmentResult) => ({ ...d, uncertainty: null, rectification: null });
    expect(fast.departments.map(strip)).toEqual(full.departments.map(strip));
    expect(fast.departments.every((d) => d.uncertainty.scoreInterval === null && !d.rectification)).toBe(true);
    expect(fast.inputs).toEqual(full.inputs);
  });

  it('samples = 0 switches the bootstrap off', () => {
    const { departments, responses } = separated();
    const res = computeResults(withSamples(0), departments, responses);
    expect(res.bootstrapSamples).toBe(0);
    expect(res.departments.every((d) => d.uncertainty.bottomProbability === null)).toBe(true);
  });

  it('the result is JSON-safe (no NaN, no Infinity, no undefined)', () => {
    const responses = [...mixed(40, 'project', 'A', [S, F]), ...raters(3, 'project', 'B', F)];
    const res = computeResults(withSamples(50), [dept('A'), dept('B'), dept('C')], responses);
    const text = JSON.stringify(res);
    expect(JSON.parse(text)).toEqual(res);
    expect(text).not.toMatch(/NaN|Infinity/);
  });
});
