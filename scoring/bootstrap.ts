/**
 * Bootstrap over evaluators. Replicate b draws S responses with replacement from the S screened
 * responses (multinomial counts w_r, from the RNG stream deriveSeed(seed, b)), accumulates
 * count-weighted sums per (department, item, category) cell and count-weighted verified negatives,
 * and recomputes every department's final score with the official rules (≥ minCategoryAnswers per
 * category, renormalised weights, capped deduction). Departments are resampled together because
 * whole responses are drawn. A department whose replicate score is null (no category reaches the
 * minimum) is missing from that replicate: it is left out of that replicate's ranking and its
 * intervals and probability use only the replicates where it has a score.
 */
import { Rng, deriveSeed } from './rng.js';
import { cents, round2, round4 } from './round.js';
import {
  cellSums,
  competitionRanks,
  deductionFor,
  levelCounts,
  type Prepared,
  type Replicable,
  weightedScore,
} from './score.js';

export interface DepartmentUncertainty {
  scoreInterval: [number, number] | null;
  rankInterval: [number, number] | null;
  bottomProbability: number | null;
  /** replicates with a score */
  replicates: number;
}

export interface BootstrapOutput {
  /** by department index */
  departments: DepartmentUncertainty[];
  /** replicate final scores, row-major [b·D + d], NaN = missing (kept for tests and diagnostics) */
  scores: Float64Array;
  /** replicate ranks [b·D + d], 0 = missing or not ranked */
  ranks: Int32Array;
}

/** Inverse empirical CDF (type 1 quantile): the ⌈p·m⌉-th smallest of m sorted values. */
export function quantile(sorted: ArrayLike<number>, p: number): number {
  const m = sorted.length;
  const k = Math.min(m, Math.max(1, Math.ceil(p * m - 1e-9)));
  return sorted[k - 1];
}

/** Run replicates [from, to) and write their final scores into out[(b - from)·D + d]. */
export function replicateScores(prep: Replicable, seed: number, from: number, to: number, out: Float64Array): void {
  const { cx, S } = prep;
  const { D, I, C, method } = cx;
  const cells = D * I * C;
  const counts = new Int32Array(S);
  const patternCount = new Int32Array(prep.P);
  const levelCount = new Int32Array(cells * prep.V);
  const cnt = new Float64Array(cells);
  const sum = new Float64Array(cells);
  const neg = new Float64Array(D);
  const { nStart, nDept, nCount } = prep;
  for (let b = from; b < to; b++) {
    const row = (b - from) * D;
    if (S === 0) {
      out.fill(NaN, row, row + D);
      continue;
    }
    counts.fill(0);
    new Rng(deriveSeed(seed, b)).countDraws(S, counts);
    levelCounts(prep, counts, patternCount, levelCount);
    neg.fill(0);
    for (let s = 0; s < S; s++) {
      const w = counts[s];
      if (w === 0) continue;
      for (let n = nStart[s], ne = nStart[s + 1]; n < ne; n++) neg[nDept[n]] += w * nCount[n];
    }
    cellSums(prep, levelCount, cnt, sum);
    for (let d = 0; d < D; d++) {
      const score = weightedScore(cx, d, cnt, sum, null);
      out[row + d] = Number.isNaN(score) ? NaN : score - deductionFor(method, neg[d]);
    }
  }
}

/**
 * Summaries from the replicate scores: percentile intervals, replicate ranks of the officially
 * ranked departments within their groups (competition ranking on the rounded score), and the
 * probability of being in the bottom `bottomCount` of the group (fewer than bottomCount present
 * group members strictly below it).
 */
export function summarise(prep: Prepared, rankedMask: Uint8Array, scores: Float64Array, B: number): BootstrapOutput {
  const { cx } = prep;
  const { D, method } = cx;
  const bottomCount = method.rectification.bottomCount;
  const ranks = new Int32Array(B * D);
  const bottomHits = new Int32Array(D);
  const groupMembers: number[][] = cx.groups.map(() => []);
  for (let d = 0; d < D; d++) if (rankedMask[d]) groupMembers[cx.deptGroup[d]].push(d);
  const keys: number[] = [];
  const present: number[] = [];
  for (let b = 0; b < B; b++) {
    const row = b * D;
    for (const members of groupMembers) {
      present.length = 0;
      keys.length = 0;
      for (const d of members) {
        const f = scores[row + d];
        if (Number.isNaN(f)) continue;
        present.push(d);
        keys.push(cents(f));
      }
      const { rank } = competitionRanks(keys);
      for (let k = 0; k < present.length; k++) {
        ranks[row + present[k]] = rank[k];
        let lower = 0;
        for (let j = 0; j < keys.length; j++) if (keys[j] < keys[k]) lower++;
        if (lower < bottomCount) bottomHits[present[k]]++;
      }
    }
  }
  const departments: DepartmentUncertainty[] = [];
  const vals = new Float64Array(B);
  const rks = new Float64Array(B);
  for (let d = 0; d < D; d++) {
    let m = 0;
    let mr = 0;
    for (let b = 0; b < B; b++) {
      const f = scores[b * D + d];
      if (Number.isNaN(f)) continue;
      vals[m++] = f;
      const r = ranks[b * D + d];
      if (r > 0) rks[mr++] = r;
    }
    const v = vals.subarray(0, m).sort();
    const rk = rks.subarray(0, mr).sort();
    departments.push({
      scoreInterval: m > 0 ? [round2(quantile(v, 0.025)), round2(quantile(v, 0.975))] : null,
      rankInterval: rankedMask[d] && mr > 0 ? [quantile(rk, 0.025), quantile(rk, 0.975)] : null,
      bottomProbability: rankedMask[d] && mr > 0 ? round4(bottomHits[d] / mr) : null,
      replicates: m,
    });
  }
  return { departments, scores, ranks };
}

export function runBootstrap(prep: Prepared, rankedMask: Uint8Array, B: number, seed: number): BootstrapOutput {
  const scores = new Float64Array(B * prep.cx.D);
  replicateScores(prep, seed, 0, B, scores);
  return summarise(prep, rankedMask, scores, B);
}
