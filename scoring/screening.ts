/**
 * Screening: the one exclusion rule of the BRIEF (speeder AND straight-liner), and flags that are
 * shown to the office but never remove a response.
 */
import type { Compiled } from './compile.js';
import { round2, round4 } from './round.js';
import type { ExcludedResponse, FlagKind, ScreeningFlag, ScreeningResult } from './types.js';

/** no_unknown_category fires when a cell this large would show no 不了解 with probability below this */
export const NO_UNKNOWN_ALPHA = 0.01;
/** near_identical: number of MinHash functions (bands × rows) */
const MINHASH_K = 32;
/** near_identical: LSH buckets larger than this are checked along a chain, not pair by pair */
const BUCKET_PAIRWISE_MAX = 48;

export interface Screened {
  result: ScreeningResult;
  /** 1 = response passes screening (by compiled response index) */
  included: Uint8Array;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const v = [...values].sort((a, b) => a - b);
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

export function screen(cx: Compiled): Screened {
  const { N, method } = cx;
  const sp = method.screening;

  // ── exclusion: speeder AND straight-liner ──
  const durations: number[] = [];
  for (let r = 0; r < N; r++) if (!Number.isNaN(cx.duration[r])) durations.push(cx.duration[r]);
  const med = median(durations);
  const included = new Uint8Array(N).fill(1);
  const excluded: ExcludedResponse[] = [];
  if (med !== null) {
    const limit = sp.speederFraction * med;
    for (let r = 0; r < N; r++) {
      const dur = cx.duration[r];
      if (Number.isNaN(dur) || !(dur < limit)) continue;
      let count = 0;
      let level = -1;
      let same = true;
      for (let e = cx.entStart[r]; e < cx.entStart[r + 1] && same; e++) {
        for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++) {
          const lv = cx.ansLevel[a];
          if (!cx.levelValid[lv]) continue;
          if (level === -1) level = lv;
          else if (lv !== level) {
            same = false;
            break;
          }
          count++;
        }
      }
      if (same && count >= sp.minStraightRatings && count > 0) {
        included[r] = 0;
        excluded.push({ id: cx.records[r].id, reasons: ['speeder_straightliner'] });
      }
    }
  }

  // ── flags ──
  const flags: ScreeningFlag[] = [
    ...networkBursts(cx),
    ...nearIdentical(cx),
    ...noUnknownCategory(cx, included),
  ];
  const flaggedIds = new Set<string>();
  const byKind: Record<FlagKind, number> = { network_burst: 0, near_identical: 0, no_unknown_category: 0 };
  for (const f of flags) {
    byKind[f.kind]++;
    for (const id of f.responseIds ?? []) flaggedIds.add(id);
  }
  return {
    included,
    result: {
      medianDurationSeconds: med === null ? null : round2(med),
      excluded,
      flags,
      counts: {
        responses: N,
        withDuration: durations.length,
        excluded: excluded.length,
        included: N - excluded.length,
        flaggedResponses: flaggedIds.size,
        flags: byKind,
      },
    },
  };
}

// ───────────────────────── network bursts ─────────────────────────

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;

/** Parse an ISO date-time deterministically: a time without a zone is read as UTC (never the machine's zone). */
function parseTime(s: string): number {
  const t = Date.parse(HAS_ZONE.test(s) ? s : `${s}Z`);
  return Number.isFinite(t) ? t : NaN;
}

export function networkBursts(cx: Compiled): ScreeningFlag[] {
  const { burstSize, burstWindowMinutes } = cx.method.screening;
  const windowMs = burstWindowMinutes * 60_000;
  const timed = new Map<string, { t: number; r: number }[]>();
  const days = new Map<string, Map<string, number[]>>();
  for (let r = 0; r < cx.N; r++) {
    const rec = cx.records[r];
    const key = rec.networkKey;
    const at = rec.submittedAt;
    if (typeof key !== 'string' || key === '' || typeof at !== 'string' || at === '') continue;
    if (DAY_ONLY.test(at)) {
      let m = days.get(key);
      if (!m) days.set(key, (m = new Map()));
      const list = m.get(at);
      if (list) list.push(r);
      else m.set(at, [r]);
    } else {
      const t = parseTime(at);
      if (Number.isNaN(t)) continue;
      const list = timed.get(key);
      if (list) list.push({ t, r });
      else timed.set(key, [{ t, r }]);
    }
  }
  const out: ScreeningFlag[] = [];
  const ids = (rs: number[]) => rs.map((r) => cx.records[r].id).sort();
  for (const list of timed.values()) {
    if (list.length < burstSize) continue;
    list.sort((x, y) => x.t - y.t || x.r - y.r);
    const marked = new Uint8Array(list.length);
    let i = 0;
    for (let j = 0; j < list.length; j++) {
      while (list[j].t - list[i].t > windowMs) i++;
      if (j - i + 1 >= burstSize) for (let k = i; k <= j; k++) marked[k] = 1;
    }
    let start = -1;
    for (let k = 0; k <= list.length; k++) {
      const continues = k < list.length && marked[k] && start >= 0 && list[k].t - list[k - 1].t <= windowMs;
      if (start >= 0 && !continues) {
        const run = list.slice(start, k);
        out.push({
          kind: 'network_burst',
          responseIds: ids(run.map((x) => x.r)),
          detail: `同一网络地址在 ${burstWindowMinutes} 分钟内集中提交 ${run.length} 份（${new Date(run[0].t).toISOString()} 至 ${new Date(run[run.length - 1].t).toISOString()}）`,
        });
        start = -1;
      }
      if (k < list.length && marked[k] && start < 0) start = k;
    }
  }
  for (const m of days.values()) {
    for (const [day, rs] of m) {
      if (rs.length < burstSize) continue;
      out.push({
        kind: 'network_burst',
        responseIds: ids(rs),
        detail: `同一网络地址在同一天（${day}）提交 ${rs.length} 份（仅知提交日期）`,
      });
    }
  }
  return out.sort((x, y) => cmpStr(x.responseIds![0], y.responseIds![0]));
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

// ───────────────────────── near-identical answer sets ─────────────────────────

function mix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** rows per LSH band: the largest r (b = K / r bands) that still catches a pair at the threshold with probability ≥ 0.95 */
function rowsPerBand(threshold: number): number {
  for (const r of [8, 4, 2]) {
    const b = MINHASH_K / r;
    if (1 - (1 - threshold ** r) ** b >= 0.95) return r;
  }
  return 1;
}

/**
 * Answer sets are sets of tokens (department, item, level), 不了解 included. Two responses are
 * near-identical when their Jaccard similarity |A∩B| / |A∪B| ≥ nearIdenticalThreshold and they share
 * at least minStraightRatings answers. Exact duplicates are grouped by hashing; near ones are found
 * with MinHash + LSH banding (candidates verified exactly), so the cost is ~linear in the answers.
 * Groups are connected components of similar pairs.
 */
export function nearIdentical(cx: Compiled): ScreeningFlag[] {
  const { N, I, L } = cx;
  const { nearIdenticalThreshold: thr, minStraightRatings } = cx.method.screening;
  const minShared = Math.max(1, minStraightRatings);
  // tokens per response, sorted
  const tokStart = new Int32Array(N + 1);
  const tokens = new Int32Array(cx.ansLevel.length);
  let t = 0;
  for (let r = 0; r < N; r++) {
    tokStart[r] = t;
    for (let e = cx.entStart[r]; e < cx.entStart[r + 1]; e++) {
      const base = cx.entDept[e] * I;
      for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++) tokens[t++] = (base + cx.ansItem[a]) * L + cx.ansLevel[a];
    }
    // already ascending: entries are ordered by department, answers by item (see compile)
  }
  tokStart[N] = t;

  const parent = new Int32Array(N);
  for (let r = 0; r < N; r++) parent[r] = r;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };

  // exact duplicates: bucket by a 32-bit hash of the sorted tokens, confirm by comparison
  const sameTokens = (a: number, b: number): boolean => {
    const la = tokStart[a + 1] - tokStart[a];
    if (la !== tokStart[b + 1] - tokStart[b]) return false;
    for (let k = 0; k < la; k++) if (tokens[tokStart[a] + k] !== tokens[tokStart[b] + k]) return false;
    return true;
  };
  const exact = new Map<number, number[]>();
  const reps: number[] = [];
  for (let r = 0; r < N; r++) {
    if (tokStart[r + 1] - tokStart[r] < minShared) continue;
    let h = 0x2545f491;
    for (let x = tokStart[r]; x < tokStart[r + 1]; x++) h = mix32(h ^ tokens[x]);
    const list = exact.get(h);
    let dup = -1;
    if (list) {
      for (const q of list)
        if (sameTokens(q, r)) {
          dup = q;
          break;
        }
    }
    if (dup >= 0) union(dup, r);
    else {
      if (list) list.push(r);
      else exact.set(h, [r]);
      reps.push(r);
    }
  }

  // near duplicates among representatives (thr < 1 only): one-permutation MinHash with
  // densification (K bins), LSH banding, candidates verified exactly
  if (thr < 1 && reps.length > 1) {
    const rows = rowsPerBand(thr);
    const bands = MINHASH_K / rows;
    const EMPTY = 0xffffffff;
    const sig = new Uint32Array(reps.length * MINHASH_K);
    for (let k = 0; k < reps.length; k++) {
      const r = reps[k];
      const s = k * MINHASH_K;
      sig.fill(EMPTY, s, s + MINHASH_K);
      for (let x = tokStart[r]; x < tokStart[r + 1]; x++) {
        const h = mix32(tokens[x] ^ 0x5bd1e995);
        const bin = s + (h >>> 27); // top 5 bits: one of 32 bins
        const v = h & 0x07ffffff;
        if (v < sig[bin]) sig[bin] = v;
      }
      // densify: an empty bin borrows the next non-empty bin's value (circularly), marked by the distance
      for (let j = 0; j < MINHASH_K; j++) {
        if (sig[s + j] !== EMPTY) continue;
        for (let dist = 1; dist < MINHASH_K; dist++) {
          const src = sig[s + ((j + dist) % MINHASH_K)];
          if (src !== EMPTY && src < 0x08000000) {
            sig[s + j] = (src + dist * 0x08000000) >>> 0;
            break;
          }
        }
      }
    }
    const checked = new Set<number>();
    const jaccardOk = (a: number, b: number): boolean => {
      let i = tokStart[a];
      let j = tokStart[b];
      const ie = tokStart[a + 1];
      const je = tokStart[b + 1];
      let inter = 0;
      while (i < ie && j < je) {
        const x = tokens[i];
        const y = tokens[j];
        if (x === y) {
          inter++;
          i++;
          j++;
        } else if (x < y) i++;
        else j++;
      }
      const uni = ie - tokStart[a] + (je - tokStart[b]) - inter;
      return inter >= minShared && inter >= thr * uni;
    };
    const tryPair = (ka: number, kb: number) => {
      const a = reps[ka];
      const b = reps[kb];
      if (find(a) === find(b)) return;
      const key = ka * reps.length + kb;
      if (checked.has(key)) return;
      checked.add(key);
      if (jaccardOk(a, b)) union(a, b);
    };
    // bucket by sorting packed (band hash, representative) keys: no per-bucket allocation
    const kBits = Math.max(1, Math.ceil(Math.log2(reps.length + 1)));
    const hShift = Math.max(0, 32 - (53 - kBits));
    const kScale = 2 ** kBits;
    const packed = new Float64Array(reps.length);
    const run: number[] = [];
    for (let band = 0; band < bands; band++) {
      for (let k = 0; k < reps.length; k++) {
        let h = band + 1;
        // a band takes interleaved bins (band, band + bands, …) so that densified copies of one bin
        // (which fill runs of adjacent empty bins) rarely make up a whole band
        const s = k * MINHASH_K + band;
        for (let j = 0; j < rows; j++) h = mix32(h ^ sig[s + j * bands]);
        packed[k] = (h >>> hShift) * kScale + k;
      }
      packed.sort();
      for (let x = 0; x < packed.length; ) {
        const key = Math.floor(packed[x] / kScale);
        run.length = 0;
        while (x < packed.length && Math.floor(packed[x] / kScale) === key) run.push(packed[x++] % kScale);
        if (run.length < 2) continue;
        if (run.length <= BUCKET_PAIRWISE_MAX) {
          for (let i = 0; i < run.length; i++) for (let j = i + 1; j < run.length; j++) tryPair(run[i], run[j]);
        } else {
          for (let j = 1; j < run.length; j++) {
            tryPair(run[0], run[j]);
            tryPair(run[j - 1], run[j]);
          }
        }
      }
    }
  }

  const groups = new Map<number, number[]>();
  for (let r = 0; r < N; r++) {
    const root = find(r);
    const g = groups.get(root);
    if (g) g.push(r);
    else groups.set(root, [r]);
  }
  const out: ScreeningFlag[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const ids = members.map((r) => cx.records[r].id).sort();
    out.push({
      kind: 'near_identical',
      responseIds: ids,
      detail:
        thr >= 1
          ? `${ids.length} 份答卷的全部评价完全相同（至少 ${minShared} 项）`
          : `${ids.length} 份答卷的评价几乎相同（Jaccard 相似度 ≥ ${thr}，共同评价至少 ${minShared} 项）`,
    });
  }
  return out.sort((x, y) => cmpStr(x.responseIds![0], y.responseIds![0]));
}

// ───────────────────────── no 不了解 from a category ─────────────────────────

/**
 * For each (department, category): n = screened evaluators of the category who listed the
 * department. With p = the campaign-wide share of (evaluator, department) entries holding at least
 * one 不了解, a cell with no 不了解 at all has probability (1 − p)^n by chance; it is flagged when
 * n ≥ minCategoryAnswers and that probability is below NO_UNKNOWN_ALPHA (1%). No flag when p = 0.
 */
export function noUnknownCategory(cx: Compiled, included: Uint8Array): ScreeningFlag[] {
  const { D, C, N } = cx;
  const n = new Int32Array(D * C);
  const withUnknown = new Int32Array(D * C);
  let entries = 0;
  let entriesWithUnknown = 0;
  for (let r = 0; r < N; r++) {
    if (!included[r]) continue;
    const c = cx.respCategory[r];
    for (let e = cx.entStart[r]; e < cx.entStart[r + 1]; e++) {
      if (cx.ansStart[e + 1] === cx.ansStart[e]) continue; // no answer at all for this department
      let unk = 0;
      for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++) if (!cx.levelValid[cx.ansLevel[a]]) unk = 1;
      const cell = cx.entDept[e] * C + c;
      n[cell]++;
      withUnknown[cell] += unk;
      entries++;
      entriesWithUnknown += unk;
    }
  }
  if (entries === 0 || entriesWithUnknown === 0) return [];
  const p = entriesWithUnknown / entries;
  const minN = Math.max(1, cx.method.minCategoryAnswers);
  const out: ScreeningFlag[] = [];
  for (let d = 0; d < D; d++) {
    for (let c = 0; c < C; c++) {
      const cell = d * C + c;
      if (n[cell] < minN || withUnknown[cell] > 0) continue;
      const chance = (1 - p) ** n[cell];
      if (chance >= NO_UNKNOWN_ALPHA) continue;
      out.push({
        kind: 'no_unknown_category',
        department: cx.departments[d].code,
        category: cx.catCodes[c],
        detail: `${n[cell]} 名该类别评议人对此部门无一选择"不了解"（全市该比例为 ${round2(p * 100)}%，偶然出现的概率约 ${round4(chance)}）`,
      });
    }
  }
  return out;
}
