/**
 * A deliberately naive reference implementation of the official scores, written straight from
 * BRIEF.md "The default scoring method" and scoring/types.ts, without looking at the library's
 * code. Exact and slow: every quantity is an exact rational (BigInt numerator / denominator);
 * configured numbers (points, weights, deductions) are taken at their decimal value (0.1 is 1/10,
 * not the nearest double), so a score "lands on 84.995" exactly when the arithmetic says so.
 * Rounding is half away from zero on that exact value.
 *
 * Also a seeded random campaign generator (its own PRNG, independent of scoring/rng.ts).
 */
import type { DepartmentInfo, Method, ResponseRecord } from '../../scoring/types.js';

// ───────────────────────────── exact rationals ─────────────────────────────

export interface Q {
  n: bigint;
  d: bigint; // > 0
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function q(n: bigint | number, d: bigint | number = 1n): Q {
  let nn = BigInt(n);
  let dd = BigInt(d);
  if (dd === 0n) throw new Error('division by zero');
  if (dd < 0n) {
    nn = -nn;
    dd = -dd;
  }
  const g = gcd(nn, dd);
  return g > 1n ? { n: nn / g, d: dd / g } : { n: nn, d: dd };
}

export const ZERO = q(0);
export const add = (a: Q, b: Q): Q => q(a.n * b.d + b.n * a.d, a.d * b.d);
export const sub = (a: Q, b: Q): Q => q(a.n * b.d - b.n * a.d, a.d * b.d);
export const mul = (a: Q, b: Q): Q => q(a.n * b.n, a.d * b.d);
export const div = (a: Q, b: Q): Q => q(a.n * b.d, a.d * b.n);
export const cmp = (a: Q, b: Q): number => {
  const x = a.n * b.d - b.n * a.d;
  return x < 0n ? -1 : x > 0n ? 1 : 0;
};
export const min = (a: Q, b: Q): Q => (cmp(a, b) <= 0 ? a : b);

/** the decimal value a configured number is written with: 0.1 → 1/10, 1/3 → 3333333333333333/10^16 */
export function dec(x: number): Q {
  if (!Number.isFinite(x)) throw new Error(`not finite: ${x}`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) throw new Error(`cannot parse ${x}`);
  const frac = m[3] ?? '';
  let n = BigInt(m[2] + frac);
  let d = 10n ** BigInt(frac.length);
  const e = m[4] ? Number(m[4]) : 0;
  if (e > 0) n *= 10n ** BigInt(e);
  if (e < 0) d *= 10n ** BigInt(-e);
  return q(m[1] === '-' ? -n : n, d);
}

/** round to `places` decimals, half away from zero, on the exact value; the nearest double of the result */
export function roundQ(x: Q, places = 2): number {
  const scale = 10n ** BigInt(places);
  const neg = x.n < 0n;
  const a = (neg ? -x.n : x.n) * scale;
  const k = (2n * a + x.d) / (2n * x.d); // floor(a/d + 1/2)
  if (k === 0n) return 0;
  return ((neg ? -1 : 1) * Number(k)) / Number(scale);
}

export const toNumber = (x: Q): number => Number(x.n) / Number(x.d); // for messages only

// ───────────────────────────── the reference ─────────────────────────────

export interface RefItem {
  score: number | null;
  satisfactionRate: number | null;
  validAnswers: number;
  cells: Record<
    string,
    { validAnswers: number; takesPart: boolean; suppressed: boolean; satisfiedShare: number | null }
  >;
}

export interface RefDepartment {
  code: string;
  group: string;
  raters: number;
  validRaters: number;
  awareness: number | null;
  items: Record<string, RefItem>;
  surveyScore: number | null;
  satisfactionRate: number | null;
  verifiedNegatives: number;
  deduction: number;
  finalScore: number | null;
  /** exact F, for messages and adversarial checks */
  exactF: Q | null;
  grade: string | null;
  ranked: boolean;
  rank: number | null;
  tied: boolean;
  rankNote: string | null;
}

export interface RefResult {
  medianDurationSeconds: number | null;
  excluded: string[]; // sorted
  included: number;
  departments: Record<string, RefDepartment>;
}

const hasDuration = (r: ResponseRecord): boolean =>
  typeof r.durationSeconds === 'number' && Number.isFinite(r.durationSeconds);

export function reference(method: Method, departments: DepartmentInfo[], responses: ResponseRecord[]): RefResult {
  const levelByCode: Record<string, { points: Q | null; satisfied: boolean }> = {};
  for (const l of method.levels)
    levelByCode[l.code] = { points: l.points === null ? null : dec(l.points), satisfied: l.satisfied };
  const isValid = (code: string): boolean => levelByCode[code].points !== null;

  // ── screening: median over the responses that have a duration (even count: mean of the two middle)
  const durations: number[] = [];
  for (const r of responses) if (hasDuration(r)) durations.push(r.durationSeconds as number);
  durations.sort((a, b) => a - b);
  let median: number | null = null;
  let medianQ: Q | null = null;
  if (durations.length > 0) {
    const h = Math.floor(durations.length / 2);
    if (durations.length % 2 === 1) {
      median = durations[h];
      medianQ = dec(durations[h]);
    } else {
      median = (durations[h - 1] + durations[h]) / 2;
      medianQ = mul(add(dec(durations[h - 1]), dec(durations[h])), q(1, 2));
    }
  }
  const excluded = new Set<string>();
  for (const r of responses) {
    if (!hasDuration(r) || medianQ === null) continue; // no completion time → never excluded
    const speeder = cmp(dec(r.durationSeconds as number), mul(dec(method.screening.speederFraction), medianQ)) < 0;
    const validLevels: string[] = [];
    for (const d of r.departments) {
      for (const item of method.items) {
        const lv = d.ratings[item.code];
        if (lv === undefined) continue; // not answered
        if (!isValid(lv)) continue; // 不了解
        validLevels.push(lv);
      }
    }
    let allSame = true;
    for (const lv of validLevels) if (lv !== validLevels[0]) allSame = false;
    const straight = validLevels.length >= method.screening.minStraightRatings && allSame;
    if (speeder && straight) excluded.add(r.id);
  }
  const kept = responses.filter((r) => !excluded.has(r.id));

  // ── per department
  const out: Record<string, RefDepartment> = {};
  for (const dep of departments) {
    let raters = 0;
    let validRaters = 0;
    let allAnswers = 0;
    let validAnswersAll = 0;
    let verified = 0;
    // [item][category] → { n, sum, satisfied }
    const cell: Record<string, Record<string, { n: number; sum: Q; sat: number }>> = {};
    for (const item of method.items) {
      cell[item.code] = {};
      for (const c of method.categories) cell[item.code][c.code] = { n: 0, sum: ZERO, sat: 0 };
    }
    for (const r of kept) {
      for (const d of r.departments) {
        if (d.code !== dep.code) continue;
        raters++;
        let anyValid = false;
        for (const item of method.items) {
          const lv = d.ratings[item.code];
          if (lv === undefined) continue;
          allAnswers++;
          if (!isValid(lv)) continue;
          anyValid = true;
          validAnswersAll++;
          const c = cell[item.code][r.category];
          c.n++;
          c.sum = add(c.sum, levelByCode[lv].points as Q);
          if (levelByCode[lv].satisfied) c.sat++;
        }
        if (anyValid) validRaters++;
        for (const neg of d.negatives) if (neg.verified) verified++;
      }
    }

    const items: Record<string, RefItem> = {};
    const itemScoreQ: Record<string, Q | null> = {};
    const itemSatQ: Record<string, Q | null> = {};
    for (const item of method.items) {
      let wsum = ZERO;
      let num = ZERO;
      let satNum = ZERO;
      let parts = 0;
      let itemValid = 0;
      const cells: RefItem['cells'] = {};
      for (const c of method.categories) {
        const x = cell[item.code][c.code];
        itemValid += x.n;
        const takesPart = x.n >= method.minCategoryAnswers && x.n > 0;
        const suppressed = x.n < method.minCellSize;
        cells[c.code] = {
          validAnswers: x.n,
          takesPart,
          suppressed,
          satisfiedShare: suppressed || x.n === 0 ? null : roundQ(q(x.sat, x.n), 4),
        };
        if (!takesPart) continue;
        parts++;
        const w = dec(c.weight);
        const mean = div(x.sum, q(x.n));
        const share = q(x.sat * 100, x.n);
        wsum = add(wsum, w);
        num = add(num, mul(w, mean));
        satNum = add(satNum, mul(w, share));
      }
      const exists = parts > 0 && wsum.n !== 0n;
      itemScoreQ[item.code] = exists ? div(num, wsum) : null;
      itemSatQ[item.code] = exists ? div(satNum, wsum) : null;
      items[item.code] = {
        score: exists ? roundQ(itemScoreQ[item.code] as Q) : null,
        satisfactionRate: exists ? roundQ(itemSatQ[item.code] as Q) : null,
        validAnswers: itemValid,
        cells,
      };
    }

    // survey score: item-weighted mean of the item scores that exist; 满意率 the same over the same items
    let vsum = ZERO;
    let s = ZERO;
    let sat = ZERO;
    let nItems = 0;
    for (const item of method.items) {
      const sc = itemScoreQ[item.code];
      if (sc === null) continue;
      nItems++;
      const v = dec(item.weight);
      vsum = add(vsum, v);
      s = add(s, mul(v, sc));
      sat = add(sat, mul(v, itemSatQ[item.code] as Q));
    }
    const S: Q | null = nItems > 0 && vsum.n !== 0n ? div(s, vsum) : null;
    const SAT: Q | null = S === null ? null : div(sat, vsum);
    const deduction = min(dec(method.maxDeduction), mul(dec(method.deductionPerNegative), q(verified)));
    const Fq: Q | null = S === null ? null : sub(S, deduction);

    out[dep.code] = {
      code: dep.code,
      group: dep.group,
      raters,
      validRaters,
      awareness: allAnswers === 0 ? null : roundQ(q(validAnswersAll * 100, allAnswers)),
      items,
      surveyScore: S === null ? null : roundQ(S),
      satisfactionRate: SAT === null ? null : roundQ(SAT),
      verifiedNegatives: verified,
      deduction: roundQ(deduction),
      finalScore: Fq === null ? null : roundQ(Fq),
      exactF: Fq,
      grade: null,
      ranked: Fq !== null && validRaters >= method.minRankedRaters,
      rank: null,
      tied: false,
      rankNote: null,
    };
  }

  // ── ranking within groups on the rounded F, competition ranking (1, 2, 2, 4); grades on the rounded F
  const grades = [...method.grades].sort((a, b) => (a.min === null ? 1 : b.min === null ? -1 : b.min - a.min));
  for (const a of Object.values(out)) {
    if (!a.ranked) {
      a.rankNote = '样本不足，不予排名';
      continue;
    }
    const fa = dec(a.finalScore as number); // the rounded score, exactly
    let higher = 0;
    let same = 0;
    for (const b of Object.values(out)) {
      if (b === a || !b.ranked || b.group !== a.group) continue;
      const c = cmp(dec(b.finalScore as number), fa);
      if (c > 0) higher++;
      if (c === 0) same++;
    }
    a.rank = higher + 1;
    a.tied = same > 0;
    a.rankNote = a.tied ? '并列' : null;
    for (const g of grades) {
      if (g.min === null || cmp(fa, dec(g.min)) >= 0) {
        a.grade = g.label;
        break;
      }
    }
  }

  return {
    medianDurationSeconds: median,
    excluded: [...excluded].sort(),
    included: kept.length,
    departments: out,
  };
}

// ───────────────────────────── seeded random campaigns ─────────────────────────────

/** mulberry32: tiny, seeded, independent of scoring/rng.ts */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Campaign {
  method: Method;
  departments: DepartmentInfo[];
  responses: ResponseRecord[];
}

/** The BRIEF's default method, typed out from the BRIEF (not imported from the library). */
export function briefMethod(): Method {
  return {
    levels: [
      { code: 'satisfied', label: '满意', points: 100, satisfied: true },
      { code: 'fairly_satisfied', label: '比较满意', points: 80, satisfied: true },
      { code: 'basically_satisfied', label: '基本满意', points: 60, satisfied: true },
      { code: 'dissatisfied', label: '不满意', points: 0, satisfied: false },
      { code: 'unknown', label: '不了解', points: null, satisfied: false },
    ],
    items: [
      { code: 'efficiency', label: '工作效率', weight: 1 },
      { code: 'quality', label: '工作质量', weight: 1 },
    ],
    categories: [
      { code: 'project', label: '项目参建单位/服务对象代表', weight: 0.5 },
      { code: 'deputies', label: '两代表一委员', weight: 0.2 },
      { code: 'supervisors', label: '特邀监督员', weight: 0.1 },
      { code: 'grassroots', label: '基层单位', weight: 0.1 },
      { code: 'public', label: '社会公众', weight: 0.1 },
    ],
    minCategoryAnswers: 5,
    minRankedRaters: 30,
    deductionPerNegative: 0.5,
    maxDeduction: 5,
    grades: [
      { label: '好', min: 85 },
      { label: '较好', min: 75 },
      { label: '一般', min: 60 },
      { label: '差', min: null },
    ],
    screening: {
      speederFraction: 1 / 3,
      minStraightRatings: 6,
      burstWindowMinutes: 10,
      burstSize: 10,
      nearIdenticalThreshold: 0.9,
    },
    bootstrap: { samples: 0, seed: 1 },
    rectification: { maxScore: 75, bottomCount: 3, minProbability: 0.8 },
    problemShareThreshold: 0.2,
    minCellSize: 5,
  };
}

const THREE_LEVELS: Method['levels'] = [
  { code: 'satisfied', label: '满意', points: 100, satisfied: true },
  { code: 'basically_satisfied', label: '基本满意', points: 60, satisfied: true },
  { code: 'dissatisfied', label: '不满意', points: 0, satisfied: false },
  { code: 'unknown', label: '不了解', points: null, satisfied: false },
];

// an odd custom scale: decimal points, a satisfied level below an unsatisfied one in the list order
const ODD_LEVELS: Method['levels'] = [
  { code: 'a', label: 'A', points: 95, satisfied: true },
  { code: 'b', label: 'B', points: 72.5, satisfied: true },
  { code: 'c', label: 'C', points: 33.3, satisfied: false },
  { code: 'z', label: '不了解', points: null, satisfied: false },
  { code: 'd', label: 'D', points: 61.7, satisfied: true },
  { code: 'e', label: 'E', points: 0, satisfied: false },
];

const GROUPS = ['综合经济管理类', '执法监管类', '社会服务类'];
const ITEM_CODES = ['efficiency', 'quality', 'attitude'];

export function randomCampaign(seed: number): Campaign {
  const rnd = prng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (lo: number, hi: number): number => lo + Math.floor(rnd() * (hi - lo + 1));

  const m = briefMethod();
  const scale = rnd();
  if (scale < 0.3) m.levels = structuredClone(THREE_LEVELS);
  else if (scale < 0.4) m.levels = structuredClone(ODD_LEVELS);

  const nItems = int(1, 3);
  const equalItems = rnd() < 0.3;
  m.items = ITEM_CODES.slice(0, nItems).map((code) => ({
    code,
    label: code,
    weight: equalItems ? 1 : rnd() < 0.04 ? 0 : pick([0.5, 1, 1.5, 2, 3, 0.3, 0.25, 0.7]),
  }));

  const nCat = rnd() < 0.4 ? 5 : int(1, 5);
  if (nCat < 5 || rnd() < 0.5) {
    m.categories = m.categories
      .slice(0, nCat)
      .map((c) => ({ ...c, weight: rnd() < 0.04 ? 0 : pick([0.5, 0.2, 0.1, 0.05, 0.35, 1, 0.15, 0.33, 0.07]) }));
  }
  m.minCategoryAnswers = pick([5, 5, 5, 1, 3, 8]);
  m.minRankedRaters = pick([30, 30, 3, 10, 1, 50]);
  m.deductionPerNegative = pick([0.5, 0.5, 0.3, 0.25, 1, 0.1, 0.15]);
  m.maxDeduction = pick([5, 5, 2, 3.7, 1, 0.45]);
  m.screening.speederFraction = pick([1 / 3, 1 / 3, 0.5, 0.25]);
  m.screening.minStraightRatings = pick([6, 6, 3, 10, 2]);
  m.minCellSize = pick([5, 5, 3, 1]);
  if (rnd() < 0.3) {
    m.grades = [
      { label: 'A', min: 90 },
      { label: 'B', min: 80.5 },
      { label: 'C', min: 70.25 },
      { label: 'D', min: null },
    ];
  }

  const D = int(1, 15);
  const nGroups = int(1, 3);
  const departments: DepartmentInfo[] = [];
  const deptCodes = Array.from({ length: D }, (_, i) => `D${String(i).padStart(2, '0')}`).sort(() => rnd() - 0.5);
  for (const code of deptCodes) departments.push({ code, name: `部门${code}`, group: GROUPS[int(0, nGroups - 1)] });

  const validLevels = m.levels.filter((l) => l.points !== null).map((l) => l.code);
  const unknown = m.levels.find((l) => l.points === null)!.code;
  const coarse = rnd() < 0.2;
  const prof = departments.map(() => ({
    pop: rnd() < 0.3 ? 0.02 + rnd() * 0.08 : 0.1 + rnd() * 0.8, // some departments rarely chosen
    unknown: rnd() < 0.3 ? 0.5 + rnd() * 0.4 : rnd() * 0.3, // lots of 不了解 for some
    // uneven level distributions; in "coarse" campaigns a department gets one level only, so ties abound
    levelW: coarse ? oneHot(validLevels.length, int(0, 1)) : validLevels.map(() => rnd() ** 2),
    neg: rnd() < 0.25 ? 0.3 + rnd() * 0.5 : rnd() * 0.05, // some departments get > 10 verified
  }));
  const catW = m.categories.map(() => rnd() ** 3 + 0.002); // very uneven category counts

  const pickW = <T>(xs: T[], ws: number[]): T => {
    let t = rnd() * ws.reduce((a, b) => a + b, 0);
    for (let i = 0; i < xs.length; i++) {
      t -= ws[i];
      if (t <= 0) return xs[i];
    }
    return xs[xs.length - 1];
  };

  const sizeDraw = rnd();
  const N = sizeDraw < 0.05 ? 0 : sizeDraw < 0.15 ? int(1, 10) : int(10, 300);
  const responses: ResponseRecord[] = [];
  const idOrder = Array.from({ length: N }, (_, i) => i).sort(() => rnd() - 0.5);
  for (let k = 0; k < N; k++) {
    const straight = rnd() < 0.15 && !coarse ? pick(validLevels) : null;
    const durDraw = rnd();
    const durationSeconds =
      durDraw < 0.1 ? null : durDraw < 0.2 ? int(0, 60) : durDraw < 0.25 ? int(100, 400) + 0.5 : int(120, 900);
    const deps = departments.filter((_, i) => rnd() < prof[i].pop);
    responses.push({
      id: `R${String(idOrder[k]).padStart(4, '0')}`,
      category: pickW(
        m.categories.map((c) => c.code),
        catW,
      ),
      durationSeconds,
      networkKey: null,
      submittedAt: null,
      departments: deps.map((d) => {
        const p = prof[departments.indexOf(d)];
        const ratings: Record<string, string> = {};
        for (const item of m.items) {
          if (rnd() < 0.05) continue; // not answered
          ratings[item.code] = rnd() < p.unknown ? unknown : (straight ?? pickW(validLevels, p.levelW));
        }
        const negatives: { kind: number; verified: boolean }[] = [];
        if (rnd() < p.neg)
          for (let j = int(1, 3); j > 0; j--) negatives.push({ kind: int(1, 8), verified: rnd() < 0.6 });
        const problems = [...new Set(Array.from({ length: int(0, 3) }, () => int(1, 10)))];
        return { code: d.code, ratings, problems, negatives };
      }),
    });
  }

  // durations exactly on the speeder boundary (not a speeder: the rule is strict) and just below it
  const durs = responses
    .filter(hasDuration)
    .map((r) => r.durationSeconds as number)
    .sort((a, b) => a - b);
  if (durs.length >= 3 && rnd() < 0.5) {
    const h = Math.floor(durs.length / 2);
    const med = durs.length % 2 ? durs[h] : (durs[h - 1] + durs[h]) / 2;
    const f = m.screening.speederFraction;
    const boundary = f === 1 / 3 ? med / 3 : f * med; // exact for f = 1/2, 1/4; med/3 is the BRIEF's "1/3 of the median"
    // move a few straight-liners from well below the middle to the boundary; the middle values stay put
    if (boundary < durs[h - 1]) {
      const candidates = responses.filter(
        (r) =>
          hasDuration(r) && (r.durationSeconds as number) < durs[Math.max(0, h - 2)] && straight(r, m, validLevels),
      );
      for (const r of candidates.slice(0, 2)) r.durationSeconds = boundary;
      for (const r of candidates.slice(2, 4)) r.durationSeconds = Math.max(0, boundary - 0.25);
    }
  }
  return { method: m, departments, responses };
}

const oneHot = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => (i === k ? 1 : 0));

function straight(r: ResponseRecord, m: Method, validLevels: string[]): boolean {
  const seen: string[] = [];
  for (const d of r.departments)
    for (const item of m.items) {
      const lv = d.ratings[item.code];
      if (lv !== undefined && validLevels.includes(lv)) seen.push(lv);
    }
  return seen.length >= 1 && seen.every((x) => x === seen[0]);
}
