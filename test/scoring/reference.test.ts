/**
 * Independent check of the official scores against a naive, exact reference written from the
 * BRIEF (test/scoring/reference.ts), on many seeded random campaigns and on adversarial rounding
 * cases; plus properties of the bootstrap checked through the public API only.
 */
import { describe, expect, it } from 'vitest';
import { computeResults, defaultMethod } from '../../scoring/index.js';
import type { DepartmentInfo, DepartmentResult, Method, ResponseRecord } from '../../scoring/types.js';
import { briefMethod, cmp, dec, prng, randomCampaign, reference } from './reference.js';
import {
  check,
  compare,
  exactDept,
  levelsFor,
  nonBootstrap,
  officialAndReference,
  resp,
  THREE,
} from './reference-helpers.js';

// ───────────────────────────── 1–2. random campaigns ─────────────────────────────

const CAMPAIGNS = 500;

describe('official scores = the exact reference, on random campaigns', () => {
  it(`${CAMPAIGNS} seeded campaigns, every reported figure equal`, () => {
    const bad: string[] = [];
    const seen = {
      departments: 0,
      ranked: 0,
      tied: 0,
      excluded: 0,
      negativeF: 0,
      capped: 0,
      underFive: 0,
      noScore: 0,
      boundaryKept: 0,
      threeLevel: 0,
      halves: 0,
    };
    for (let s = 1; s <= CAMPAIGNS; s++) {
      const c = randomCampaign(s * 7919);
      const { ref, lib, bad: b } = check(`seed ${s * 7919}`, c);
      bad.push(...b);
      if (c.method.levels.length === 4) seen.threeLevel++;
      seen.excluded += ref.excluded.length;
      for (const d of Object.values(ref.departments)) {
        seen.departments++;
        if (d.ranked) seen.ranked++;
        if (d.tied) seen.tied++;
        if (d.finalScore !== null && d.finalScore < 0) seen.negativeF++;
        if (d.deduction === c.method.maxDeduction && d.verifiedNegatives > 0) seen.capped++;
        if (d.surveyScore === null) seen.noScore++;
        if (d.exactF && (200n * d.exactF.n) % d.exactF.d === 0n && ((200n * d.exactF.n) / d.exactF.d) % 2n !== 0n)
          seen.halves++; // F exactly on x.xx5
        for (const item of Object.values(d.items))
          for (const cell of Object.values(item.cells)) if (cell.validAnswers > 0 && !cell.takesPart) seen.underFive++;
      }
      // boundary durations (exactly f × median) are kept
      if (ref.medianDurationSeconds !== null) {
        for (const r of c.responses) {
          if (
            r.durationSeconds !== null &&
            cmp(
              dec(r.durationSeconds),
              dec(
                c.method.screening.speederFraction === 1 / 3
                  ? ref.medianDurationSeconds / 3
                  : c.method.screening.speederFraction * ref.medianDurationSeconds,
              ),
            ) === 0
          ) {
            if (!lib.screening.excluded.some((e) => e.id === r.id)) seen.boundaryKept++;
          }
        }
      }
      // computeResults (small B) gives the same non-bootstrap figures; 重点整改 follows its rule
      if (s % 10 === 0) {
        const m: Method = { ...c.method, bootstrap: { samples: 12, seed: s } };
        const full = computeResults(m, c.departments, c.responses);
        expect(nonBootstrap(full)).toEqual(nonBootstrap({ ...lib, method: m }));
        for (const d of full.departments) {
          const bp = d.uncertainty.bottomProbability;
          if (bp !== null) expect(bp >= 0 && bp <= 1).toBe(true);
          expect(d.rectification).toBe(
            d.ranked && d.finalScore !== null && bp !== null && d.finalScore < 75 && bp >= 0.8,
          );
          expect(d.uncertainty.replicates).toBeLessThanOrEqual(12);
        }
      }
    }
    expect(bad.slice(0, 30)).toEqual([]);
    // the generator does reach the corners it is meant to reach
    expect(seen.ranked).toBeGreaterThan(500);
    expect(seen.tied).toBeGreaterThan(20);
    expect(seen.excluded).toBeGreaterThan(50);
    expect(seen.capped).toBeGreaterThan(100);
    expect(seen.underFive).toBeGreaterThan(1000);
    expect(seen.noScore).toBeGreaterThan(100);
    expect(seen.boundaryKept).toBeGreaterThan(10);
    expect(seen.threeLevel).toBeGreaterThan(100);
    expect(seen.halves).toBeGreaterThan(5);
    console.log(`reference: ${CAMPAIGNS} campaigns`, JSON.stringify(seen));
  });
});

// ───────────────────────────── adversarial rounding and ties ─────────────────────────────

describe('adversarial rounding: scores exactly on x.xx5', () => {
  it.each([
    {
      name: '84.995 → 85.00, 好 not 较好',
      levels: null,
      target: 84.995,
      verified: 0,
      per: 0.5,
      S: 85,
      F: 85,
      grade: '好',
    },
    {
      name: '74.995 → 75.00, 较好 not 一般',
      levels: null,
      target: 74.995,
      verified: 0,
      per: 0.5,
      S: 75,
      F: 75,
      grade: '较好',
    },
    {
      name: '59.995 on the three-level scale → 60.00, 一般 not 差',
      levels: THREE,
      target: 59.995,
      verified: 0,
      per: 0.5,
      S: 60,
      F: 60,
      grade: '一般',
    },
    {
      name: 'S 85.495 minus one 0.5 deduction: F 84.995 → 85.00',
      levels: null,
      target: 85.495,
      verified: 1,
      per: 0.5,
      S: 85.5,
      F: 85,
      grade: '好',
    },
    {
      name: 'S 85.445 minus 3 × 0.15 (0.44999… in binary): F 84.995 → 85.00',
      levels: null,
      target: 85.445,
      verified: 3,
      per: 0.15,
      S: 85.45,
      F: 85,
      grade: '好',
    },
    {
      name: 'S 4.995 minus the 5-point cap: F −0.005 → −0.01 (half away from zero)',
      levels: null,
      target: 4.995,
      verified: 12,
      per: 0.5,
      S: 5,
      F: -0.01,
      grade: '差',
    },
    { name: '84.985 → 84.99', levels: null, target: 84.985, verified: 0, per: 0.5, S: 84.99, F: 84.99, grade: '较好' },
  ])('$name', ({ levels, target, verified, per, S, F, grade }) => {
    const m = briefMethod();
    if (levels) m.levels = levels;
    m.deductionPerNegative = per;
    const responses = exactDept(m, 'A', target, verified);
    const { ref, get } = officialAndReference(m, [{ code: 'A', name: 'A', group: 'G' }], responses);
    // the exact value really is on the half: S − deduction = target − min(5, per·verified)
    const ded = Math.min(5, per * verified);
    expect(cmp(ref.departments.A.exactF!, { n: BigInt(Math.round((target - ded) * 200)), d: 200n })).toBe(0);
    const a = get('A');
    expect(a.validRaters).toBe(129);
    expect(a.items.efficiency.categoryBreakdown.find((c) => c.category === 'deputies')!.takesPart).toBe(false);
    expect([a.surveyScore, a.finalScore, a.grade, a.ranked, a.rank]).toEqual([S, F, grade, true, 1]);
  });

  it('74.995 through the category weights (0.5 and 0.2, a third category re-normalised away)', () => {
    // project: 32 evaluators, points 20·113; deputies: 125 evaluators, points 20·537; supervisors: 4 (under 5)
    // S = (0.5·70.625 + 0.2·85.92) / 0.7 = 52.4965 / 0.7 = 74.995 exactly, on both items
    const m = briefMethod();
    const p = levelsFor(m, 113, 32)!;
    const d = levelsFor(m, 537, 125)!;
    const responses = [
      ...p.map((l) => resp('project', 'A', l, l)),
      ...d.map((l) => resp('deputies', 'A', l, l)),
      ...Array.from({ length: 4 }, () => resp('supervisors', 'A', 'satisfied', 'satisfied')),
    ];
    const { ref, get } = officialAndReference(m, [{ code: 'A', name: 'A', group: 'G' }], responses);
    expect(cmp(ref.departments.A.exactF!, dec(74.995))).toBe(0);
    const a = get('A');
    expect([a.items.efficiency.score, a.items.quality.score, a.surveyScore, a.finalScore, a.grade]).toEqual([
      75,
      75,
      75,
      75,
      '较好',
    ]);
  });

  it('ties that exist only after rounding share a rank (1, 2, 2, 4) and are 并列', () => {
    const m = briefMethod();
    const departments = ['R', 'Q', 'P', 'T'].map((code) => ({ code, name: code, group: 'G' }));
    const responses = [
      ...exactDept(m, 'R', 80.005), // 80.01
      ...exactDept(m, 'Q', 80), //     80.00
      ...exactDept(m, 'P', 79.995), // 80.00: tied with Q although lower before rounding
      ...exactDept(m, 'T', 79.99), //  79.99
    ];
    const { lib } = officialAndReference(m, departments, responses);
    expect(lib.departments.map((d) => [d.code, d.finalScore, d.rank, d.tied, d.rankNote])).toEqual([
      ['R', 80.01, 1, false, null],
      ['P', 80, 2, true, '并列'],
      ['Q', 80, 2, true, '并列'],
      ['T', 79.99, 4, false, null],
    ]);
  });

  it('a deduction can create a tie, and the ranked floor is minRankedRaters', () => {
    const m = briefMethod();
    m.minRankedRaters = 130; // the builder's departments have 129 valid raters
    const departments = ['A', 'B'].map((code) => ({ code, name: code, group: 'G' }));
    const responses = [...exactDept(m, 'A', 80.5, 1), ...exactDept(m, 'B', 80)];
    let { get } = officialAndReference(m, departments, responses);
    expect([get('A').ranked, get('A').rank, get('A').grade, get('A').rankNote, get('A').finalScore]).toEqual([
      false,
      null,
      null,
      '样本不足，不予排名',
      80,
    ]);
    m.minRankedRaters = 129;
    ({ get } = officialAndReference(m, departments, responses));
    expect([get('A').rank, get('B').rank, get('A').tied, get('B').tied, get('A').grade]).toEqual([
      1,
      1,
      true,
      true,
      '较好',
    ]);
  });

  it('the reference’s default method is the library’s defaultMethod() apart from the bootstrap', () => {
    expect({ ...defaultMethod(), bootstrap: null }).toEqual({ ...briefMethod(), bootstrap: null });
    expect(defaultMethod().bootstrap.samples).toBe(1000);
  });
});

// ───────────────────────────── 3. bootstrap properties (public API only) ─────────────────────────────

const LEVELS = ['satisfied', 'fairly_satisfied', 'basically_satisfied', 'dissatisfied'];
const CATS = ['project', 'deputies', 'supervisors', 'grassroots', 'public'];

/** n evaluators of `code` (categories in turn, so each has ≥ 5 when n ≥ 25), levels drawn with probabilities p */
function crowd(rnd: () => number, code: string, n: number, p: number[], verifiedEach = 0): ResponseRecord[] {
  const draw = (): string => {
    let u = rnd();
    for (let k = 0; k < p.length; k++) if ((u -= p[k]) < 0) return LEVELS[k];
    return LEVELS[p.length - 1];
  };
  return Array.from({ length: n }, (_, k) => resp(CATS[k % 5], code, draw(), draw(), verifiedEach));
}

describe('bootstrap, through the public API', () => {
  const rnd = prng(424242);
  const m = briefMethod();
  m.bootstrap = { samples: 400, seed: 99 };
  const groups: Record<string, [string, number[], number][]> = {
    // group of 6: one far below, one far above
    G1: [
      ['LOW', [0.1, 0.1, 0.3, 0.5], 60],
      ['M1', [0.5, 0.3, 0.15, 0.05], 60],
      ['M2', [0.55, 0.25, 0.15, 0.05], 60],
      ['M3', [0.45, 0.35, 0.15, 0.05], 60],
      ['M4', [0.5, 0.35, 0.1, 0.05], 60],
      ['HIGH', [0.97, 0.03, 0, 0], 60],
    ],
    // group of 4, the bottom one far below but above 75: never 重点整改
    G2: [
      ['B78', [0.35, 0.3, 0.3, 0.05], 80],
      ['T1', [0.9, 0.1, 0, 0], 60],
      ['T2', [0.92, 0.08, 0, 0], 60],
      ['T3', [0.95, 0.05, 0, 0], 60],
    ],
    // group of 4, all below 75: the top one is not in the bottom 3
    G3: [
      ['L1', [0.1, 0.05, 0.25, 0.6], 80],
      ['L2', [0.15, 0.1, 0.3, 0.45], 80],
      ['L3', [0.25, 0.1, 0.3, 0.35], 80],
      ['TOP', [0.45, 0.15, 0.1, 0.3], 80],
    ],
    // group of 2 (≤ bottomCount): always in the bottom 3; plus an unranked department (too few raters)
    G4: [
      ['U1', [0.2, 0.3, 0.3, 0.2], 40],
      ['U2', [0.6, 0.3, 0.1, 0], 40],
      ['FEW', [0.5, 0.5, 0, 0], 25],
    ],
  };
  const departments: DepartmentInfo[] = [];
  const responses: ResponseRecord[] = [];
  for (const [g, list] of Object.entries(groups)) {
    for (const [code, p, n] of list) {
      departments.push({ code, name: code, group: g });
      responses.push(...crowd(rnd, code, n, p));
    }
  }
  // group J: A and B rated by the same 40 evaluators with the same answers (100 or 0: a wide
  // interval); every one of them reports a verified negative for B, so B's deduction is the 5-point
  // cap in every replicate and B = A − 5 in every replicate. Group K: A2 and B2 get the same
  // answers and negatives from two separate sets of 40 evaluators.
  for (const code of ['A', 'B']) departments.push({ code, name: code, group: 'J' });
  for (const code of ['A2', 'B2']) departments.push({ code, name: code, group: 'K' });
  for (let k = 0; k < 40; k++) {
    const lv = k % 2 === 0 ? 'satisfied' : 'dissatisfied';
    const r = resp('project', 'A', lv, lv);
    r.departments.push({
      code: 'B',
      ratings: { efficiency: lv, quality: lv },
      problems: [],
      negatives: [{ kind: 2, verified: true }],
    });
    responses.push(r);
    responses.push(resp('project', 'A2', lv, lv), resp('project', 'B2', lv, lv, 1));
  }

  const full = computeResults(m, departments, responses);
  const get = (code: string): DepartmentResult => full.departments.find((d) => d.code === code)!;

  it('the official figures match the reference; same seed → byte-identical JSON, whatever the input order', () => {
    expect(compare('bootstrap campaign', reference(m, departments, responses), full)).toEqual([]);
    const again = computeResults(structuredClone(m), structuredClone(departments), structuredClone(responses));
    expect(JSON.stringify(again)).toBe(JSON.stringify(full));
    const shuffled = computeResults(m, [...departments].reverse(), [...responses].reverse());
    expect(JSON.stringify(shuffled)).toBe(JSON.stringify(full));
    const otherSeed = computeResults({ ...m, bootstrap: { samples: 400, seed: 100 } }, departments, responses);
    expect(JSON.stringify(otherSeed.departments.map((d) => d.uncertainty))).not.toBe(
      JSON.stringify(full.departments.map((d) => d.uncertainty)),
    );
  });

  it('random campaigns too: the same seed gives the same JSON', () => {
    for (const seed of [11, 23, 37]) {
      const c = randomCampaign(seed);
      const mm = { ...c.method, bootstrap: { samples: 60, seed } };
      expect(JSON.stringify(computeResults(mm, c.departments, c.responses))).toBe(
        JSON.stringify(computeResults(mm, [...c.departments].reverse(), [...c.responses].reverse())),
      );
    }
  });

  it('the 95% score interval contains the official final score of departments with many raters', () => {
    let n = 0;
    for (const d of full.departments) {
      if (d.validRaters < 40) continue;
      n++;
      const [lo, hi] = d.uncertainty.scoreInterval!;
      expect(lo).toBeLessThanOrEqual(d.finalScore!);
      expect(hi).toBeGreaterThanOrEqual(d.finalScore!);
      expect(hi - lo).toBeGreaterThan(0);
      expect(d.uncertainty.replicates).toBe(400);
    }
    expect(n).toBeGreaterThanOrEqual(16);
  });

  it('bottom probability: in [0, 1], ~1 far below the rest of a group of ≥ 4, ~0 far above; null when unranked', () => {
    for (const d of full.departments) {
      const bp = d.uncertainty.bottomProbability;
      if (!d.ranked) {
        expect([bp, d.uncertainty.rankInterval, d.rectification]).toEqual([null, null, false]);
        continue;
      }
      expect(bp).not.toBeNull();
      expect(bp! >= 0 && bp! <= 1).toBe(true);
    }
    expect(get('FEW').ranked).toBe(false);
    expect(get('FEW').finalScore).not.toBeNull(); // 25 valid raters: figures shown, not ranked
    expect(get('FEW').uncertainty.scoreInterval).not.toBeNull();
    expect(get('LOW').uncertainty.bottomProbability).toBeGreaterThanOrEqual(0.99);
    expect(get('HIGH').uncertainty.bottomProbability).toBeLessThanOrEqual(0.05);
    expect(get('B78').uncertainty.bottomProbability).toBeGreaterThanOrEqual(0.99);
    expect(get('TOP').uncertainty.bottomProbability).toBeLessThanOrEqual(0.05);
    expect(get('L1').uncertainty.bottomProbability).toBeGreaterThanOrEqual(0.99);
    expect([get('U1').uncertainty.bottomProbability, get('U2').uncertainty.bottomProbability]).toEqual([1, 1]); // group of 2
  });

  it('重点整改 exactly when the final score < 75 and the bottom probability ≥ 0.8', () => {
    for (const d of full.departments) {
      const bp = d.uncertainty.bottomProbability;
      expect(d.rectification).toBe(d.ranked && d.finalScore! < 75 && bp !== null && bp >= 0.8);
    }
    expect(get('LOW').finalScore!).toBeLessThan(75);
    expect(get('LOW').rectification).toBe(true);
    expect(get('B78').finalScore!).toBeGreaterThanOrEqual(75);
    expect(get('B78').rectification).toBe(false); // always at the bottom, but not under 75
    expect(get('TOP').finalScore!).toBeLessThan(75);
    expect(get('TOP').rectification).toBe(false); // under 75, but top of its group
    expect([get('L1').rectification, get('L2').rectification, get('L3').rectification]).toEqual([true, true, true]);
    expect(get('U1').finalScore!).toBeLessThan(75);
    expect(get('U1').rectification).toBe(true);
  });

  it('departments are resampled together: A − B is the same 5 points in every replicate', () => {
    const a = get('A');
    const b = get('B');
    expect([a.finalScore, b.finalScore, b.deduction]).toEqual([50, 45, 5]);
    const [alo, ahi] = a.uncertainty.scoreInterval!;
    const [blo, bhi] = b.uncertainty.scoreInterval!;
    // wide intervals that overlap by far more than the 5-point gap …
    expect(ahi - alo).toBeGreaterThan(20);
    expect(blo).toBeLessThan(ahi);
    // … yet B's interval is A's shifted by exactly 5, and the ranks never flip
    expect([Math.round(blo * 100), Math.round(bhi * 100)]).toEqual([
      Math.round(alo * 100) - 500,
      Math.round(ahi * 100) - 500,
    ]);
    expect([a.uncertainty.rankInterval, b.uncertainty.rankInterval]).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect([a.uncertainty.statisticallyTiedWith, b.uncertainty.statisticallyTiedWith]).toEqual([[], []]);
    expect(a.uncertainty.replicates).toBe(b.uncertainty.replicates);
    // control: the same data from two separate sets of evaluators flips often
    const a2 = get('A2');
    const b2 = get('B2');
    expect([a2.finalScore, b2.finalScore]).toEqual([50, 45]);
    expect(a2.uncertainty.rankInterval).toEqual([1, 2]);
    expect(b2.uncertainty.rankInterval).toEqual([1, 2]);
    expect(a2.uncertainty.statisticallyTiedWith).toEqual(['B2']);
  });
});
