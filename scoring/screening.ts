/**
 * Screening: the one exclusion rule of the BRIEF (speeder AND straight-liner), and flags that are
 * shown to the office but never remove a response.
 */
import type { Compiled } from './compile.js';
import { round2, round4 } from './round.js';
import type { ExcludedResponse, FlagKind, ScreeningFlag, ScreeningResult } from './types.js';

/** no_unknown_category fires when a cell this large would show no 不了解 with probability below this */
export const NO_UNKNOWN_ALPHA = 0.01;
/** near_identical: buckets up to this size are checked pair by pair (exact) … */
const BUCKET_PAIRWISE_MAX = 1500;
/** … larger ones only against this many neighbours in size order (bounded cost, no longer exact) */
const BUCKET_NEIGHBOURS = 64;

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
        excluded.push({ id: cx.ids[r], reasons: ['speeder_straightliner'] });
      }
    }
  }

  // ── flags ──
  const flags: ScreeningFlag[] = [...networkBursts(cx), ...nearIdentical(cx), ...noUnknownCategory(cx, included)];
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
    const key = cx.networkKeys[r];
    const at = cx.submittedAt[r];
    if (key === null || key === '' || at === null || at === '') continue;
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
  const ids = (rs: number[]) => rs.map((r) => cx.ids[r]).sort();
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

/**
 * Answer sets are sets of tokens (department, item, level), 不了解 included. Two responses are
 * near-identical when their Jaccard similarity |A∩B| / |A∪B| ≥ nearIdenticalThreshold and they share
 * at least minStraightRatings answers. Exact duplicates are grouped by hashing; near ones are found
 * by a pigeonhole partition join (below) whose candidates are verified exactly, so every pair at
 * or above the threshold is found (except inside pathological buckets of more than
 * BUCKET_PAIRWISE_MAX responses, where only size-order neighbours are compared) and the cost stays
 * close to linear in the answers.
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
      for (let a = cx.ansStart[e]; a < cx.ansStart[e + 1]; a++)
        tokens[t++] = (base + cx.ansItem[a]) * L + cx.ansLevel[a];
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

  // near duplicates among representatives (thr < 1 only), found exactly by pigeonhole:
  // J(A, B) ≥ t implies |A Δ B| ≤ (1 − t)/(1 + t)·(|A| + |B|) and t·|B| ≤ |A| ≤ |B|/t. Split the
  // token universe into P parts (by a hash of the token); when |A Δ B| ≤ P − 1, some part holds
  // the same tokens in A and in B, so A and B share a bucket keyed by (part, hash of that part's
  // tokens). P grows with set size: sizes fall into geometric classes [L_c, L_c+1) with
  // L_c+1 ≥ L_c / t, so similar sets are in the same or adjacent classes; scheme s serves classes
  // s and s + 1 with enough parts for the largest sets there. Candidates are verified exactly.
  if (thr < 1 && reps.length > 1) {
    const R = reps.length;
    const size = (k: number) => tokStart[reps[k] + 1] - tokStart[reps[k]];
    let maxSize = 0;
    for (let k = 0; k < R; k++) maxSize = Math.max(maxSize, size(k));
    const bounds = [minShared];
    while (bounds[bounds.length - 1] <= maxSize) {
      const last = bounds[bounds.length - 1];
      bounds.push(Math.max(last + 1, Math.floor(last / thr) + 1));
    }
    const classes = bounds.length - 1; // class c: sizes [bounds[c], bounds[c + 1])
    const classOf = new Int32Array(maxSize + 1);
    for (let c = 0; c < classes; c++) for (let z = bounds[c]; z < bounds[c + 1] && z <= maxSize; z++) classOf[z] = c;
    const factor = (1 - thr) / (1 + thr);
    const parts: number[] = [];
    for (let sc = 0; sc < classes; sc++) {
      const largest = Math.min(maxSize, (sc + 2 < bounds.length ? bounds[sc + 2] : bounds[sc + 1]) - 1);
      parts.push(Math.floor(factor * 2 * largest + 1e-9) + 1);
    }
    // keys: (scheme, part, tokens of the part) hashed to 32 bits, packed with the representative
    let nKeys = 0;
    for (let k = 0; k < R; k++) {
      const c = classOf[size(k)];
      nKeys += parts[c] + (c > 0 ? parts[c - 1] : 0);
    }
    const kBits = Math.max(1, Math.ceil(Math.log2(R + 1)));
    const hShift = Math.max(0, 32 - (53 - kBits));
    const kScale = 2 ** kBits;
    const packed = new Float64Array(nKeys);
    let q = 0;
    const acc = new Int32Array(Math.max(...parts));
    for (let k = 0; k < R; k++) {
      const r = reps[k];
      const c = classOf[size(k)];
      for (let sc = c > 0 ? c - 1 : c; sc <= c; sc++) {
        const P = parts[sc];
        const salt = mix32(sc ^ 0x3c6ef372);
        acc.fill(0x1234567, 0, P);
        for (let x = tokStart[r]; x < tokStart[r + 1]; x++) {
          const tok = tokens[x];
          const part = mix32(tok ^ salt) % P;
          acc[part] = mix32(acc[part] ^ tok);
        }
        for (let part = 0; part < P; part++) {
          const key = mix32(mix32(salt ^ part) ^ acc[part]);
          packed[q++] = (key >>> hShift) * kScale + k;
        }
      }
    }
    packed.sort();

    const checked = new Set<number>();
    const jaccardOk = (a: number, b: number): boolean => {
      const la = tokStart[a + 1] - tokStart[a];
      const lb = tokStart[b + 1] - tokStart[b];
      if (Math.min(la, lb) < thr * Math.max(la, lb) - 1e-9) return false; // length filter
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
      return inter >= minShared && inter >= thr * (la + lb - inter) - 1e-9;
    };
    const tryPair = (ka: number, kb: number) => {
      const a = reps[ka];
      const b = reps[kb];
      if (find(a) === find(b)) return;
      const key = ka * R + kb;
      if (checked.has(key)) return;
      checked.add(key);
      if (jaccardOk(a, b)) union(a, b);
    };
    const run: number[] = [];
    for (let x = 0; x < packed.length; ) {
      const key = Math.floor(packed[x] / kScale);
      run.length = 0;
      while (x < packed.length && Math.floor(packed[x] / kScale) === key) run.push(packed[x++] % kScale);
      if (run.length < 2) continue;
      if (run.length <= BUCKET_PAIRWISE_MAX) {
        for (let i = 0; i < run.length; i++) for (let j = i + 1; j < run.length; j++) tryPair(run[i], run[j]);
      } else {
        // very large bucket (many sets sharing one part, e.g. an empty one): neighbours by size only
        run.sort((u, v) => size(u) - size(v) || u - v);
        for (let i = 0; i < run.length; i++)
          for (let j = i + 1; j < run.length && j <= i + BUCKET_NEIGHBOURS; j++) tryPair(run[i], run[j]);
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
    const ids = members.map((r) => cx.ids[r]).sort();
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
