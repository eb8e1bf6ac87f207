/**
 * Input validation and compilation into typed arrays. Done once per computation; everything
 * downstream (screening, official scores, bootstrap) reads these arrays only.
 *
 * Canonical order: departments by code, responses by id, a response's departments by code,
 * problems ascending (duplicates dropped), negatives by (kind, verified). Nothing downstream
 * depends on the order the caller gave its arrays in, so the output (bootstrap included) and the
 * inputs hash are order-independent.
 */
import type { DepartmentInfo, Method, ResponseRecord } from './types.js';

export class ScoringInputError extends Error {
  readonly issues: string[];
  constructor(issues: string[]) {
    const shown = issues.slice(0, 20);
    const more = issues.length > shown.length ? `\n… and ${issues.length - shown.length} more` : '';
    super(`invalid scoring input:\n- ${shown.join('\n- ')}${more}`);
    this.name = 'ScoringInputError';
    this.issues = issues;
  }
}

export interface Compiled {
  method: Method;
  /** departments sorted by code */
  departments: DepartmentInfo[];
  deptIndex: Map<string, number>;
  /** department index → group index; groups sorted by name */
  groups: string[];
  deptGroup: Int32Array;
  D: number;
  I: number;
  C: number;
  L: number;
  itemCodes: string[];
  catCodes: string[];
  itemWeight: Float64Array;
  catWeight: Float64Array;
  /** points per level; NaN for 不了解 (points null) */
  levelPoints: Float64Array;
  levelValid: Uint8Array;
  levelSatisfied: Uint8Array;
  levelUnfavourable: Uint8Array;
  /** the scale has unfavourable levels: results report 差评率 */
  reportsUnfavourable: boolean;
  /** by response (sorted by id): the id, and the two fields of the network_burst flag (null: none) */
  ids: string[];
  networkKeys: (string | null)[];
  submittedAt: (string | null)[];
  N: number;
  respCategory: Int32Array;
  /** seconds; NaN when unknown */
  duration: Float64Array;
  /** department entries: entStart[r]..entStart[r+1] */
  entStart: Int32Array;
  entDept: Int32Array;
  /** answers (valid and 不了解) of entry e: ansStart[e]..ansStart[e+1] */
  ansStart: Int32Array;
  ansItem: Int32Array;
  ansLevel: Int32Array;
  /** distinct problems named in entry e: probStart[e]..probStart[e+1] */
  probStart: Int32Array;
  probValue: Int32Array;
  /** negatives of entry e: negStart[e]..negStart[e+1] */
  negStart: Int32Array;
  negKind: Int32Array;
  negVerified: Uint8Array;
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

export function validateMethod(method: Method, issues: string[]): void {
  if (!method || typeof method !== 'object') {
    issues.push('method is missing');
    return;
  }
  const uniq = (what: string, codes: string[]) => {
    const seen = new Set<string>();
    for (const c of codes) {
      if (typeof c !== 'string' || c === '') issues.push(`${what}: empty or non-string code`);
      else if (seen.has(c)) issues.push(`${what}: duplicate code "${c}"`);
      seen.add(c);
    }
  };
  if (!Array.isArray(method.levels) || method.levels.length === 0)
    issues.push('method.levels must be a non-empty array');
  else {
    uniq(
      'method.levels',
      method.levels.map((l) => l.code),
    );
    for (const l of method.levels) {
      if (l.points !== null && !isNum(l.points))
        issues.push(`level "${l.code}": points must be a finite number or null`);
      if (typeof l.satisfied !== 'boolean') issues.push(`level "${l.code}": satisfied must be a boolean`);
      if (l.unfavourable !== undefined && typeof l.unfavourable !== 'boolean')
        issues.push(`level "${l.code}": unfavourable must be a boolean`);
    }
  }
  for (const key of ['items', 'categories'] as const) {
    const list = method[key];
    if (!Array.isArray(list) || list.length === 0) issues.push(`method.${key} must be a non-empty array`);
    else {
      uniq(
        `method.${key}`,
        list.map((x) => x.code),
      );
      for (const x of list)
        if (!isNum(x.weight) || x.weight < 0)
          issues.push(`method.${key} "${x.code}": weight must be a finite number ≥ 0`);
    }
  }
  const nonNeg = (name: string, v: unknown, integer = false) => {
    if (!isNum(v) || v < 0 || (integer && !Number.isInteger(v)))
      issues.push(`method.${name} must be a ${integer ? 'non-negative integer' : 'finite number ≥ 0'}`);
  };
  nonNeg('minCategoryAnswers', method.minCategoryAnswers, true);
  nonNeg('minRankedRaters', method.minRankedRaters, true);
  nonNeg('deductionPerNegative', method.deductionPerNegative);
  nonNeg('maxDeduction', method.maxDeduction);
  nonNeg('minCellSize', method.minCellSize, true);
  nonNeg('problemShareThreshold', method.problemShareThreshold);
  if (!Array.isArray(method.grades)) issues.push('method.grades must be an array');
  else
    for (const g of method.grades)
      if (g.min !== null && !isNum(g.min)) issues.push(`grade "${g.label}": min must be a finite number or null`);
  const s = method.screening;
  if (!s || typeof s !== 'object') issues.push('method.screening is missing');
  else {
    nonNeg('screening.speederFraction', s.speederFraction);
    nonNeg('screening.minStraightRatings', s.minStraightRatings, true);
    nonNeg('screening.burstWindowMinutes', s.burstWindowMinutes);
    if (!isNum(s.burstSize) || !Number.isInteger(s.burstSize) || s.burstSize < 2)
      issues.push('method.screening.burstSize must be an integer ≥ 2');
    if (!isNum(s.nearIdenticalThreshold) || s.nearIdenticalThreshold <= 0 || s.nearIdenticalThreshold > 1)
      issues.push('method.screening.nearIdenticalThreshold must be in (0, 1]');
  }
  const b = method.bootstrap;
  if (!b || typeof b !== 'object') issues.push('method.bootstrap is missing');
  else {
    nonNeg('bootstrap.samples', b.samples, true);
    if (!isNum(b.seed)) issues.push('method.bootstrap.seed must be a finite number');
  }
  const r = method.rectification;
  if (!r || typeof r !== 'object') issues.push('method.rectification is missing');
  else {
    if (!isNum(r.maxScore)) issues.push('method.rectification.maxScore must be a finite number');
    nonNeg('rectification.bottomCount', r.bottomCount, true);
    if (!isNum(r.minProbability) || r.minProbability < 0 || r.minProbability > 1)
      issues.push('method.rectification.minProbability must be in [0, 1]');
  }
}

function byCode<T extends { code: string }>(a: T, b: T): number {
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/** `a` with room for `need` elements (doubling), its first `used` kept */
function room<T extends Int32Array | Uint8Array | Float64Array>(a: T, used: number, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a.subarray(0, used));
  return b;
}

const byId = (a: unknown, b: unknown) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0);

/** An issue of response `at` (arrival order), reported in `seq` order within it; `text(r)` given its position by id. */
interface Issue {
  at: number;
  seq: number;
  text: (sorted: number) => string;
}

/**
 * Validation and compilation one response at a time, as they arrive (a database cursor, a
 * generator): each record is read into the typed arrays and can be dropped at once, so the
 * records of a campaign never need to exist together. `finish` puts the responses in canonical
 * order (they need not arrive sorted) and throws ScoringInputError listing what is wrong: the
 * method's and the departments' issues and those of the responses' fields first, by response
 * id; only without those, the issues inside the responses' departments.
 */
export interface Compiler {
  add(record: ResponseRecord): void;
  finish(): Compiled;
}

/** Start compiling (throws ScoringInputError at once for an invalid method or department list). */
export function compiler(method: Method, departments: DepartmentInfo[]): Compiler {
  const issues: string[] = [];
  validateMethod(method, issues);
  if (!Array.isArray(departments)) issues.push('departments must be an array');
  if (issues.length) throw new ScoringInputError(issues);

  const depts = [...departments].sort(byCode);
  const deptIndex = new Map<string, number>();
  depts.forEach((d, i) => {
    if (typeof d.code !== 'string' || d.code === '') issues.push(`department #${i}: empty code`);
    else if (deptIndex.has(d.code)) issues.push(`duplicate department code "${d.code}"`);
    if (typeof d.group !== 'string') issues.push(`department "${d.code}": group must be a string`);
    deptIndex.set(d.code, i);
  });
  const groups = [...new Set(depts.map((d) => d.group))].sort();
  const groupIndex = new Map(groups.map((g, i) => [g, i]));
  const D = depts.length;
  const deptGroup = new Int32Array(D);
  depts.forEach((d, i) => {
    deptGroup[i] = groupIndex.get(d.group) ?? 0;
  });

  const itemCodes = method.items.map((x) => x.code);
  const catCodes = method.categories.map((x) => x.code);
  const itemIdx = new Map(itemCodes.map((c, i) => [c, i]));
  const catIdx = new Map(catCodes.map((c, i) => [c, i]));
  const levelIdx = new Map(method.levels.map((l, i) => [l.code, i]));
  const I = itemCodes.length;
  const C = catCodes.length;
  const L = method.levels.length;
  const levelPoints = new Float64Array(L);
  const levelValid = new Uint8Array(L);
  const levelSatisfied = new Uint8Array(L);
  const levelUnfavourable = new Uint8Array(L);
  method.levels.forEach((l, i) => {
    levelPoints[i] = l.points === null ? NaN : l.points;
    levelValid[i] = l.points === null ? 0 : 1;
    levelSatisfied[i] = l.satisfied && l.points !== null ? 1 : 0;
    levelUnfavourable[i] = l.unfavourable && l.points !== null ? 1 : 0;
  });

  // the responses' fields (issues that stop everything) and their departments' (reported only without those)
  const fieldIssues: Issue[] = [];
  const entryIssues: Issue[] = [];
  const ids: string[] = [];
  const networkKeys: (string | null)[] = [];
  const submittedAt: (string | null)[] = [];
  let N = 0;
  let respCategory = new Int32Array(1024);
  let duration = new Float64Array(1024);
  let entStart = new Int32Array(1025);
  let entDept = new Int32Array(4096);
  let ansStart = new Int32Array(4097);
  let probStart = new Int32Array(4097);
  let negStart = new Int32Array(4097);
  let ansItem = new Int32Array(4096 * Math.max(1, I));
  let ansLevel = new Int32Array(4096 * Math.max(1, I));
  let probValue = new Int32Array(1024);
  let negKind = new Int32Array(256);
  let negVerified = new Uint8Array(256);
  const seenDept = new Int32Array(D).fill(-1);
  const entOrder: number[] = [];
  const entOrderDept: number[] = [];
  let e = 0;
  let a = 0;
  let p = 0;
  let g = 0;

  function add(rec: ResponseRecord): void {
    const r = N++;
    const id = rec.id;
    const fieldIssue = (text: (sorted: number) => string) => fieldIssues.push({ at: r, seq: fieldIssues.length, text });
    if (typeof id !== 'string') fieldIssue((sorted) => `response #${sorted}: id must be a string`);
    const c = catIdx.get(rec.category);
    if (c === undefined) fieldIssue(() => `response "${id}": unknown category "${rec.category}"`);
    respCategory = room(respCategory, r, r + 1);
    duration = room(duration, r, r + 1);
    entStart = room(entStart, r + 1, r + 2);
    respCategory[r] = c ?? 0;
    duration[r] = isNum(rec.durationSeconds) ? rec.durationSeconds : NaN;
    ids.push(id);
    networkKeys.push(typeof rec.networkKey === 'string' ? rec.networkKey : null);
    submittedAt.push(typeof rec.submittedAt === 'string' ? rec.submittedAt : null);
    entStart[r] = e;
    const ents = rec.departments;
    if (!Array.isArray(ents)) {
      fieldIssue(() => `response "${id}": departments must be an array`);
      entStart[r + 1] = e;
      return;
    }
    const issue = (text: string) => entryIssues.push({ at: r, seq: entryIssues.length, text: () => text });
    // the response's departments, ordered by department index (canonical order)
    entOrder.length = 0;
    entOrderDept.length = 0;
    for (let k = 0; k < ents.length; k++) {
      const d = deptIndex.get(ents[k].code);
      if (d === undefined) {
        issue(`response "${id}": unknown department "${ents[k].code}"`);
        continue;
      }
      if (seenDept[d] === r) {
        issue(`response "${id}": department "${ents[k].code}" appears twice`);
        continue;
      }
      seenDept[d] = r;
      // insertion sort by department index
      let j = entOrder.length;
      entOrder.push(k);
      entOrderDept.push(d);
      while (j > 0 && entOrderDept[j - 1] > d) {
        entOrder[j] = entOrder[j - 1];
        entOrderDept[j] = entOrderDept[j - 1];
        j--;
      }
      entOrder[j] = k;
      entOrderDept[j] = d;
    }
    const n = entOrder.length;
    entDept = room(entDept, e, e + n);
    ansStart = room(ansStart, e + 1, e + n + 1);
    probStart = room(probStart, e + 1, e + n + 1);
    negStart = room(negStart, e + 1, e + n + 1);
    ansItem = room(ansItem, a, a + n * I);
    ansLevel = room(ansLevel, a, a + n * I);
    for (let o = 0; o < n; o++) {
      const ent = ents[entOrder[o]];
      entDept[e] = entOrderDept[o];
      ansStart[e] = a;
      probStart[e] = p;
      negStart[e] = g;
      const ratings = ent.ratings ?? {};
      let matched = 0;
      for (let i = 0; i < I; i++) {
        const code = ratings[itemCodes[i]];
        if (code === undefined || code === null) continue;
        matched++;
        const lv = levelIdx.get(code);
        if (lv === undefined) {
          issue(`response "${id}", department "${ent.code}": unknown level "${code}" for item "${itemCodes[i]}"`);
          continue;
        }
        ansItem[a] = i;
        ansLevel[a] = lv;
        a++;
      }
      let keys = 0;
      for (const k in ratings) if (ratings[k] !== undefined && ratings[k] !== null) keys++;
      if (matched !== keys) {
        for (const k of Object.keys(ratings))
          if (!itemIdx.has(k) && ratings[k] !== undefined && ratings[k] !== null)
            issue(`response "${id}", department "${ent.code}": unknown item "${k}"`);
      }
      if (Array.isArray(ent.problems)) {
        probValue = room(probValue, p, p + ent.problems.length);
        const p0 = p;
        for (const pr of ent.problems) {
          if (!Number.isInteger(pr) || pr < -2147483648 || pr > 2147483647) {
            issue(`response "${id}", department "${ent.code}": problem must be an integer, got ${String(pr)}`);
            continue;
          }
          // sorted insert, duplicates dropped
          let j = p;
          while (j > p0 && probValue[j - 1] > pr) j--;
          if (j > p0 && probValue[j - 1] === pr) continue;
          probValue.copyWithin(j + 1, j, p);
          probValue[j] = pr;
          p++;
        }
      }
      if (Array.isArray(ent.negatives)) {
        negKind = room(negKind, g, g + ent.negatives.length);
        negVerified = room(negVerified, g, g + ent.negatives.length);
        const g0 = g;
        for (const neg of ent.negatives) {
          if (!neg || !Number.isInteger(neg.kind) || neg.kind < -2147483648 || neg.kind > 2147483647) {
            issue(`response "${id}", department "${ent.code}": negative kind must be an integer`);
            continue;
          }
          const v = neg.verified === true ? 1 : 0;
          // sorted insert by (kind, verified)
          let j = g;
          while (j > g0 && (negKind[j - 1] > neg.kind || (negKind[j - 1] === neg.kind && negVerified[j - 1] > v))) {
            negKind[j] = negKind[j - 1];
            negVerified[j] = negVerified[j - 1];
            j--;
          }
          negKind[j] = neg.kind;
          negVerified[j] = v;
          g++;
        }
      }
      e++;
    }
    entStart[r + 1] = e;
  }

  function finish(): Compiled {
    ansStart[e] = a;
    probStart[e] = p;
    negStart[e] = g;
    // canonical order: by id, ties (duplicates, refused below) in arrival order
    let sorted = true;
    for (let r = 1; r < N && sorted; r++) sorted = byId(ids[r - 1], ids[r]) <= 0;
    const order = Int32Array.from({ length: N }, (_, r) => r);
    if (!sorted) order.sort((x, y) => byId(ids[x], ids[y]) || x - y);
    const rank = new Int32Array(N);
    for (let r = 0; r < N; r++) rank[order[r]] = r;
    for (let r = 1; r < N; r++)
      if (ids[order[r - 1]] === ids[order[r]]) {
        const id = ids[order[r]];
        // first among its response's issues
        fieldIssues.push({ at: order[r], seq: -1, text: () => `duplicate response id "${id}"` });
      }
    const report = (list: Issue[]) =>
      list.sort((x, y) => rank[x.at] - rank[y.at] || x.seq - y.seq).map((x) => x.text(rank[x.at]));
    if (issues.length || fieldIssues.length) throw new ScoringInputError([...issues, ...report(fieldIssues)]);
    if (entryIssues.length) throw new ScoringInputError(report(entryIssues));

    const arrays = {
      respCategory: respCategory.subarray(0, N),
      duration: duration.subarray(0, N),
      entStart: entStart.subarray(0, N + 1),
      entDept: entDept.subarray(0, e),
      ansStart: ansStart.subarray(0, e + 1),
      ansItem: ansItem.subarray(0, a),
      ansLevel: ansLevel.subarray(0, a),
      probStart: probStart.subarray(0, e + 1),
      probValue: probValue.subarray(0, p),
      negStart: negStart.subarray(0, e + 1),
      negKind: negKind.subarray(0, g),
      negVerified: negVerified.subarray(0, g),
    };
    return {
      method,
      departments: depts,
      deptIndex,
      groups,
      deptGroup,
      D,
      I,
      C,
      L,
      itemCodes,
      catCodes,
      itemWeight: Float64Array.from(method.items.map((x) => x.weight)),
      catWeight: Float64Array.from(method.categories.map((x) => x.weight)),
      levelPoints,
      levelValid,
      levelSatisfied,
      levelUnfavourable,
      reportsUnfavourable: levelUnfavourable.some((u) => u === 1),
      N,
      ...(sorted
        ? { ids, networkKeys, submittedAt, ...arrays }
        : {
            ids: Array.from(order, (r) => ids[r]),
            networkKeys: Array.from(order, (r) => networkKeys[r]),
            submittedAt: Array.from(order, (r) => submittedAt[r]),
            ...reorder(arrays, order),
          }),
    };
  }

  return { add, finish };
}

type Packed = Pick<
  Compiled,
  | 'respCategory'
  | 'duration'
  | 'entStart'
  | 'entDept'
  | 'ansStart'
  | 'ansItem'
  | 'ansLevel'
  | 'probStart'
  | 'probValue'
  | 'negStart'
  | 'negKind'
  | 'negVerified'
>;

/** the packed responses with response order[r] moved to position r (offsets rewritten) */
function reorder(x: Packed, order: Int32Array): Packed {
  const N = order.length;
  const y: Packed = {
    respCategory: new Int32Array(N),
    duration: new Float64Array(N),
    entStart: new Int32Array(N + 1),
    entDept: new Int32Array(x.entDept.length),
    ansStart: new Int32Array(x.ansStart.length),
    ansItem: new Int32Array(x.ansItem.length),
    ansLevel: new Int32Array(x.ansLevel.length),
    probStart: new Int32Array(x.probStart.length),
    probValue: new Int32Array(x.probValue.length),
    negStart: new Int32Array(x.negStart.length),
    negKind: new Int32Array(x.negKind.length),
    negVerified: new Uint8Array(x.negVerified.length),
  };
  let e = 0;
  let a = 0;
  let p = 0;
  let g = 0;
  for (let r = 0; r < N; r++) {
    const s = order[r];
    y.respCategory[r] = x.respCategory[s];
    y.duration[r] = x.duration[s];
    y.entStart[r] = e;
    for (let f = x.entStart[s]; f < x.entStart[s + 1]; f++, e++) {
      y.entDept[e] = x.entDept[f];
      y.ansStart[e] = a;
      y.probStart[e] = p;
      y.negStart[e] = g;
      for (let k = x.ansStart[f]; k < x.ansStart[f + 1]; k++, a++) {
        y.ansItem[a] = x.ansItem[k];
        y.ansLevel[a] = x.ansLevel[k];
      }
      for (let k = x.probStart[f]; k < x.probStart[f + 1]; k++) y.probValue[p++] = x.probValue[k];
      for (let k = x.negStart[f]; k < x.negStart[f + 1]; k++, g++) {
        y.negKind[g] = x.negKind[k];
        y.negVerified[g] = x.negVerified[k];
      }
    }
  }
  y.entStart[N] = e;
  y.ansStart[e] = a;
  y.probStart[e] = p;
  y.negStart[e] = g;
  return y;
}

/** Validate and compile responses given together (an array, or any iterable: see compiler). */
export function compile(method: Method, departments: DepartmentInfo[], responses: Iterable<ResponseRecord>): Compiled {
  if (typeof (responses as Partial<Iterable<unknown>> | null)?.[Symbol.iterator] !== 'function') {
    const issues: string[] = [];
    validateMethod(method, issues);
    if (!Array.isArray(departments)) issues.push('departments must be an array');
    throw new ScoringInputError([...issues, 'responses must be an array']);
  }
  const c = compiler(method, departments);
  for (const record of responses) c.add(record);
  return c.finish();
}
