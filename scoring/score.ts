/**
 * Scores of the screened responses. The same arithmetic serves the official result (every screened
 * response counted once) and each bootstrap replicate (response r counted w_r times), so a
 * replicate that happens to draw every response once reproduces the official scores exactly.
 */
import type { Compiled } from './compile.js';
import { nearHalf, R0, radd, rdiv, rint, rmin, rmul, roundRatio, ratioOf, rsub, type Ratio } from './exact.js';
import { cents, round2, round4 } from './round.js';
import { withheld } from './small-cells.js';
import type { CategoryBreakdown, DepartmentResult, ItemResult, Method, NegativeTally, ProblemTally } from './types.js';

export const NOT_RANKED_NOTE = '样本不足，不予排名';
export const TIED_NOTE = '并列';

/** The screened responses, packed for repeated weighted accumulation. */
export interface Prepared {
  cx: Compiled;
  /** number of screened responses */
  S: number;
  /** compiled index of screened response s */
  respIndex: Int32Array;
  /**
   * The valid answers, as answer patterns. A pattern is the set of keys key = cell·V + v, where
   * cell = (d·I + i)·C + c and v indexes the V valid levels (validPoints[v] points each), that one
   * evaluator's answers for one department add: pattern p holds pKey[pStart[p]..pStart[p+1]].
   * Screened response s has the patterns uPat[uStart[s]..uStart[s+1]], one per department it
   * answered validly. A replicate adds each drawn response's weight to its patterns' counts and
   * then each pattern's count to its keys: with two items there are ~12k patterns (department ×
   * category × level of each item) for millions of answers, so this halves the additions of
   * adding every answer (the counts are the same integers). When a scale makes the pattern space
   * too large, a pattern is one answer.
   */
  uStart: Int32Array;
  uPat: Int32Array;
  P: number;
  pStart: Int32Array;
  pKey: Int32Array;
  V: number;
  validPoints: Float64Array;
  /** departments with verified negatives in response s: nStart[s]..nStart[s+1] */
  nStart: Int32Array;
  nDept: Int32Array;
  nCount: Float64Array;
}

/** what a bootstrap replicate reads: typed arrays and plain numbers, cheap to copy to another thread */
export type Replicable = Omit<Prepared, 'cx' | 'respIndex'> & {
  cx: Pick<Compiled, 'D' | 'I' | 'C' | 'method' | 'catWeight' | 'itemWeight'>;
};

export function replicable(prep: Prepared): Replicable {
  const { cx, respIndex: _, ...rest } = prep;
  const { D, I, C, method, catWeight, itemWeight } = cx;
  return { ...rest, cx: { D, I, C, method, catWeight, itemWeight } };
}

/** the largest pattern space (department × category × (level or none) per item) given a lookup table */
const MAX_PATTERN_SPACE = 1 << 20;

export function prepare(cx: Compiled, included: Uint8Array): Prepared {
  const { N, I, C } = cx;
  let S = 0;
  let nu = 0;
  let nn = 0;
  for (let r = 0; r < N; r++) {
    if (!included[r]) continue;
    S++;
    for (let e = cx.entStart[r]; e < cx.entStart[r + 1]; e++) {
      for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++) nu += cx.levelValid[cx.ansLevel[a]];
      for (let g = cx.negStart[e]; g < cx.negStart[e + 1]; g++)
        if (cx.negVerified[g]) {
          nn++;
          break;
        }
    }
  }
  // valid levels, in method order
  const validLevel = new Int32Array(cx.L).fill(-1);
  const pts: number[] = [];
  for (let l = 0; l < cx.L; l++)
    if (cx.levelValid[l]) {
      validLevel[l] = pts.length;
      pts.push(cx.levelPoints[l]);
    }
  const V = pts.length;
  // pattern code of an entry: (d·C + c)·(V+1)^I + Σ_i (v_i + 1)·(V+1)^i, v_i = −1 without a valid answer
  const space = cx.D * C * (V + 1) ** I;
  const patternOf = space <= MAX_PATTERN_SPACE ? new Int32Array(space).fill(-1) : null;
  const radix = Array.from({ length: I + 1 }, (_, i) => (V + 1) ** i);
  const respIndex = new Int32Array(S);
  const uStart = new Int32Array(S + 1);
  const uPat = new Int32Array(nu); // at most one pattern per valid answer
  const pStart: number[] = [0];
  const pKey: number[] = [];
  const nStart = new Int32Array(S + 1);
  const nDept = new Int32Array(nn);
  const nCount = new Float64Array(nn);
  let s = 0;
  let u = 0;
  let n = 0;
  for (let r = 0; r < N; r++) {
    if (!included[r]) continue;
    respIndex[s] = r;
    uStart[s] = u;
    nStart[s] = n;
    const c = cx.respCategory[r];
    for (let e = cx.entStart[r]; e < cx.entStart[r + 1]; e++) {
      const d = cx.entDept[e];
      if (patternOf) {
        let code = 0;
        let valid = 0;
        for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++) {
          const lv = cx.ansLevel[a];
          if (!cx.levelValid[lv]) continue;
          code += (validLevel[lv] + 1) * radix[cx.ansItem[a]];
          valid++;
        }
        if (valid > 0) {
          code += (d * C + c) * radix[I];
          let p = patternOf[code];
          if (p < 0) {
            p = patternOf[code] = pStart.length - 1;
            for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++) {
              const lv = cx.ansLevel[a];
              if (cx.levelValid[lv]) pKey.push(((d * I + cx.ansItem[a]) * C + c) * V + validLevel[lv]);
            }
            pStart.push(pKey.length);
          }
          uPat[u++] = p;
        }
      } else {
        // one pattern per key, the key itself
        for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++) {
          const lv = cx.ansLevel[a];
          if (cx.levelValid[lv]) uPat[u++] = ((d * I + cx.ansItem[a]) * C + c) * V + validLevel[lv];
        }
      }
      let verified = 0;
      for (let g = cx.negStart[e]; g < cx.negStart[e + 1]; g++) verified += cx.negVerified[g];
      if (verified > 0) {
        nDept[n] = d;
        nCount[n] = verified;
        n++;
      }
    }
    s++;
  }
  uStart[S] = u;
  nStart[S] = n;
  if (!patternOf) {
    const keys = cx.D * I * C * V;
    for (let k = 0; k < keys; k++) {
      pKey.push(k);
      pStart.push(k + 1);
    }
  }
  return {
    cx,
    S,
    respIndex,
    uStart,
    uPat: uPat.slice(0, u),
    P: pStart.length - 1,
    pStart: Int32Array.from(pStart),
    pKey: Int32Array.from(pKey),
    V,
    validPoints: Float64Array.from(pts),
    nStart,
    nDept,
    nCount,
  };
}

/**
 * Level counts per cell (levelCount[cell·V + v]) when screened response s is counted weight[s]
 * times (once each without weights): through the patterns, see Prepared. patternCount is scratch.
 */
export function levelCounts(
  prep: Replicable,
  weight: Int32Array | null,
  patternCount: Int32Array,
  levelCount: Int32Array,
): void {
  const { S, uStart, uPat, P, pStart, pKey } = prep;
  patternCount.fill(0);
  for (let s = 0; s < S; s++) {
    const w = weight ? weight[s] : 1;
    if (w === 0) continue;
    for (let u = uStart[s], ue = uStart[s + 1]; u < ue; u++) patternCount[uPat[u]] += w;
  }
  levelCount.fill(0);
  for (let p = 0; p < P; p++) {
    const m = patternCount[p];
    if (m === 0) continue;
    for (let k = pStart[p], ke = pStart[p + 1]; k < ke; k++) levelCount[pKey[k]] += m;
  }
}

/**
 * From level counts per cell (levelCount[cell·V + v]) to answers per cell and points per cell:
 * cnt[cell] = Σ_v n_v, sum[cell] = Σ_v n_v·points_v (in level order, so the official result and
 * every replicate use the same arithmetic).
 */
export function cellSums(
  prep: Pick<Prepared, 'V' | 'validPoints'>,
  levelCount: Int32Array,
  cnt: Float64Array,
  sum: Float64Array,
): void {
  const { V, validPoints } = prep;
  const cells = cnt.length;
  for (let cell = 0, k = 0; cell < cells; cell++) {
    let n = 0;
    let total = 0;
    for (let v = 0; v < V; v++, k++) {
      const m = levelCount[k];
      if (m !== 0) {
        n += m;
        total += m * validPoints[v];
      }
    }
    cnt[cell] = n;
    sum[cell] = total;
  }
}

/**
 * The weighted formula of the BRIEF for department d: per item, Σ w_c·(val_c / cnt_c) / Σ w_c over
 * the categories with cnt_c ≥ minCategoryAnswers; then the item-weighted mean of the items that
 * have a value. With val = points sums this is the survey score; with val = satisfied counts it is
 * the satisfaction share. Returns NaN when no item has a value; writes item values (NaN = none) to
 * itemOut when given.
 */
export function weightedScore(
  cx: Pick<Compiled, 'I' | 'C' | 'catWeight' | 'itemWeight' | 'method'>,
  d: number,
  cnt: Float64Array,
  val: Float64Array,
  itemOut: Float64Array | null,
): number {
  const { I, C, catWeight, itemWeight } = cx;
  const minCat = cx.method.minCategoryAnswers;
  let sNum = 0;
  let sDen = 0;
  for (let i = 0; i < I; i++) {
    const base = (d * I + i) * C;
    let num = 0;
    let den = 0;
    for (let c = 0; c < C; c++) {
      const n = cnt[base + c];
      if (n > 0 && n >= minCat) {
        const w = catWeight[c];
        num += (w * val[base + c]) / n;
        den += w;
      }
    }
    const item = den > 0 ? num / den : NaN;
    if (itemOut) itemOut[i] = item;
    if (!Number.isNaN(item)) {
      sNum += itemWeight[i] * item;
      sDen += itemWeight[i];
    }
  }
  return sDen > 0 ? sNum / sDen : NaN;
}

/**
 * weightedScore in exact rationals (exact.ts), for the official figures that land near a rounding
 * half: the same participation rule and weights, cell values given by `value(cell)`.
 */
function exactWeighted(
  cx: Compiled,
  d: number,
  cnt: Float64Array,
  value: (cell: number) => Ratio,
): { items: (Ratio | null)[]; total: Ratio | null } {
  const { I, C, catWeight, itemWeight } = cx;
  const minCat = cx.method.minCategoryAnswers;
  const items: (Ratio | null)[] = [];
  let sNum = R0;
  let sDen = R0;
  for (let i = 0; i < I; i++) {
    const base = (d * I + i) * C;
    let num = R0;
    let den = R0;
    for (let c = 0; c < C; c++) {
      const n = cnt[base + c];
      if (n > 0 && n >= minCat) {
        const w = ratioOf(catWeight[c]);
        num = radd(num, rdiv(rmul(w, value(base + c)), rint(n)));
        den = radd(den, w);
      }
    }
    const item = den.n > 0n ? rdiv(num, den) : null;
    items.push(item);
    if (item) {
      const v = ratioOf(itemWeight[i]);
      sNum = radd(sNum, rmul(v, item));
      sDen = radd(sDen, v);
    }
  }
  return { items, total: sDen.n > 0n ? rdiv(sNum, sDen) : null };
}

/** round2 of an official figure, decided on the exact value when the double is near a half */
function report2(x: number, exact: () => Ratio | null): number {
  if (!nearHalf(x, 2)) return round2(x);
  const e = exact();
  return e === null ? round2(x) : roundRatio(e, 2);
}

export function deductionFor(
  method: Pick<Method, 'maxDeduction' | 'deductionPerNegative'>,
  verifiedNegatives: number,
): number {
  return Math.min(method.maxDeduction, method.deductionPerNegative * verifiedNegatives);
}

/** Grade of a rounded final score: the first rule (sorted by min, descending; null last) it reaches. */
export function gradeOf(grades: Method['grades'], rounded: number): string | null {
  const sorted = [...grades].sort((a, b) =>
    a.min === null ? (b.min === null ? 0 : 1) : b.min === null ? -1 : b.min - a.min,
  );
  for (const g of sorted) if (g.min === null || rounded >= g.min) return g.label;
  return null;
}

/**
 * Competition ranking (1, 2, 2, 4) by integer keys, descending. keys[k] is the key of member k;
 * returns ranks and whether each shares its rank.
 */
export function competitionRanks(keys: number[]): { rank: number[]; tied: boolean[] } {
  const rank: number[] = [];
  const tied: boolean[] = [];
  for (let k = 0; k < keys.length; k++) {
    let higher = 0;
    let same = 0;
    for (let j = 0; j < keys.length; j++) {
      if (keys[j] > keys[k]) higher++;
      else if (keys[j] === keys[k] && j !== k) same++;
    }
    rank.push(higher + 1);
    tied.push(same > 0);
  }
  return { rank, tied };
}

/** Official figures of every department, before the bootstrap. */
export interface Official {
  departments: DepartmentResult[];
  /** unrounded final scores by department index (NaN = none) */
  final: Float64Array;
  /** 1 = ranked */
  ranked: Uint8Array;
}

const emptyUncertainty = () => ({
  scoreInterval: null,
  rankInterval: null,
  bottomProbability: null,
  statisticallyTiedWith: [] as string[],
  replicates: 0,
});

const mulOrNull = (a: Ratio | null, b: Ratio): Ratio | null => (a === null ? null : rmul(a, b));
const subOrNull = (a: Ratio | null, b: Ratio): Ratio | null => (a === null ? null : rsub(a, b));

export function officialScores(prep: Prepared): Official {
  const { cx } = prep;
  const { D, I, C, method } = cx;
  const cells = D * I * C;
  const cnt = new Float64Array(cells);
  const sum = new Float64Array(cells);
  const sat = new Float64Array(cells);
  const unfavourable = new Float64Array(cells);
  const answers = new Int32Array(D); // all answers, 不了解 included
  const validAnswers = new Int32Array(D);
  const validRaters = new Int32Array(D);
  const raters = new Int32Array(D);
  const verified = new Float64Array(D);
  const problems = new Map<number, Int32Array>();
  const negatives = new Map<number, { reported: Int32Array; verified: Int32Array }>();

  const levelCount = new Int32Array(cells * prep.V);
  // the same accumulation as a bootstrap replicate where every response has weight 1
  levelCounts(prep, null, new Int32Array(prep.P), levelCount);
  for (let s = 0; s < prep.S; s++) {
    for (let n = prep.nStart[s]; n < prep.nStart[s + 1]; n++) verified[prep.nDept[n]] += 1 * prep.nCount[n];

    const r = prep.respIndex[s];
    const c = cx.respCategory[r];
    for (let e = cx.entStart[r]; e < cx.entStart[r + 1]; e++) {
      const d = cx.entDept[e];
      raters[d]++;
      let valid = 0;
      for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++) {
        const lv = cx.ansLevel[a];
        answers[d]++;
        if (cx.levelValid[lv]) {
          valid++;
          sat[(d * I + cx.ansItem[a]) * C + c] += cx.levelSatisfied[lv];
          unfavourable[(d * I + cx.ansItem[a]) * C + c] += cx.levelUnfavourable[lv];
        }
      }
      validAnswers[d] += valid;
      if (valid > 0) validRaters[d]++;
      for (let p = cx.probStart[e]; p < cx.probStart[e + 1]; p++) {
        const pr = cx.probValue[p];
        let arr = problems.get(pr);
        if (!arr) problems.set(pr, (arr = new Int32Array(D)));
        arr[d]++;
      }
      for (let g = cx.negStart[e]; g < cx.negStart[e + 1]; g++) {
        const k = cx.negKind[g];
        let t = negatives.get(k);
        if (!t) negatives.set(k, (t = { reported: new Int32Array(D), verified: new Int32Array(D) }));
        t.reported[d]++;
        t.verified[d] += cx.negVerified[g];
      }
    }
  }

  cellSums(prep, levelCount, cnt, sum);
  const problemIds = [...problems.keys()].sort((a, b) => a - b);
  const negativeKinds = [...negatives.keys()].sort((a, b) => a - b);
  const final = new Float64Array(D).fill(NaN);
  const rankedMask = new Uint8Array(D);
  const itemScore = new Float64Array(I);
  const itemSat = new Float64Array(I);
  const results: DepartmentResult[] = [];

  const pointsRatio = Array.from(prep.validPoints, (p) => ratioOf(p));
  const hundred = rint(100);

  for (let d = 0; d < D; d++) {
    const info = cx.departments[d];
    const S = weightedScore(cx, d, cnt, sum, itemScore);
    const satShare = weightedScore(cx, d, cnt, sat, itemSat);
    const unfavourableShare = cx.reportsUnfavourable ? weightedScore(cx, d, cnt, unfavourable, null) : NaN;
    // exact figures, computed only when some reported figure is near a rounding half
    let exactMemo: {
      points: ReturnType<typeof exactWeighted>;
      sat: ReturnType<typeof exactWeighted>;
      unfavourable: ReturnType<typeof exactWeighted>;
      deduction: Ratio;
    } | null = null;
    const exact = () =>
      (exactMemo ??= {
        points: exactWeighted(cx, d, cnt, (cell) => {
          let t = R0;
          for (let v = 0; v < prep.V; v++) {
            const m = levelCount[cell * prep.V + v];
            if (m !== 0) t = radd(t, rmul(rint(m), pointsRatio[v]));
          }
          return t;
        }),
        sat: exactWeighted(cx, d, cnt, (cell) => rint(sat[cell])),
        unfavourable: exactWeighted(cx, d, cnt, (cell) => rint(unfavourable[cell])),
        deduction: rmin(ratioOf(method.maxDeduction), rmul(ratioOf(method.deductionPerNegative), rint(verified[d]))),
      });
    const items: Record<string, ItemResult> = {};
    for (let i = 0; i < I; i++) {
      const base = (d * I + i) * C;
      const breakdown: CategoryBreakdown[] = [];
      let valid = 0;
      for (let c = 0; c < C; c++) {
        const n = cnt[base + c];
        valid += n;
        const suppressed = withheld(n, method);
        breakdown.push({
          category: cx.catCodes[c],
          validAnswers: n,
          mean: suppressed ? null : round2(sum[base + c] / n),
          satisfiedShare: suppressed ? null : round4(sat[base + c] / n),
          takesPart: n > 0 && n >= method.minCategoryAnswers,
          suppressed,
        });
      }
      items[cx.itemCodes[i]] = {
        score: Number.isNaN(itemScore[i]) ? null : report2(itemScore[i], () => exact().points.items[i]),
        satisfactionRate: Number.isNaN(itemSat[i])
          ? null
          : report2(itemSat[i] * 100, () => mulOrNull(exact().sat.items[i], hundred)),
        validAnswers: valid,
        categoryBreakdown: breakdown,
      };
    }
    const deduction = deductionFor(method, verified[d]);
    const F = Number.isNaN(S) ? NaN : S - deduction;
    final[d] = F;
    const finalScore = Number.isNaN(F) ? null : report2(F, () => subOrNull(exact().points.total, exact().deduction));
    const ranked = !Number.isNaN(F) && validRaters[d] >= method.minRankedRaters;
    rankedMask[d] = ranked ? 1 : 0;
    const problemTallies: ProblemTally[] = problemIds.map((pr) => {
      const mentions = problems.get(pr)![d];
      return { problem: pr, mentions, share: raters[d] > 0 ? round4(mentions / raters[d]) : null };
    });
    const negativeTallies: NegativeTally[] = negativeKinds.map((k) => {
      const t = negatives.get(k)!;
      return { kind: k, reported: t.reported[d], verified: t.verified[d] };
    });
    results.push({
      code: info.code,
      name: info.name,
      group: info.group,
      raters: raters[d],
      validRaters: validRaters[d],
      awareness: answers[d] > 0 ? round2((validAnswers[d] / answers[d]) * 100) : null,
      items,
      surveyScore: Number.isNaN(S) ? null : report2(S, () => exact().points.total),
      satisfactionRate: Number.isNaN(satShare)
        ? null
        : report2(satShare * 100, () => mulOrNull(exact().sat.total, hundred)),
      ...(cx.reportsUnfavourable
        ? {
            unfavourableRate: Number.isNaN(unfavourableShare)
              ? null
              : report2(unfavourableShare * 100, () => mulOrNull(exact().unfavourable.total, hundred)),
          }
        : {}),
      verifiedNegatives: verified[d],
      deduction: report2(deduction, () => exact().deduction),
      finalScore,
      grade: ranked && finalScore !== null ? gradeOf(method.grades, finalScore) : null,
      ranked,
      rank: null,
      tied: false,
      rankNote: ranked ? null : NOT_RANKED_NOTE,
      problems: problemTallies,
      problemFlag:
        raters[d] > 0 &&
        problemIds.some(
          (pr) => problems.get(pr)![d] / raters[d] >= method.problemShareThreshold && problems.get(pr)![d] > 0,
        ),
      negatives: negativeTallies,
      uncertainty: emptyUncertainty(),
      rectification: false,
    });
  }

  // ranks within groups, on the rounded final score
  for (let gi = 0; gi < cx.groups.length; gi++) {
    const members: number[] = [];
    for (let d = 0; d < D; d++) if (cx.deptGroup[d] === gi && rankedMask[d]) members.push(d);
    // on the reported (rounded) final score, so that ranks always agree with the published figures
    const { rank, tied } = competitionRanks(members.map((d) => cents(results[d].finalScore as number)));
    members.forEach((d, k) => {
      results[d].rank = rank[k];
      results[d].tied = tied[k];
      if (tied[k]) results[d].rankNote = TIED_NOTE;
    });
  }
  return { departments: results, final, ranked: rankedMask };
}
