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
  /** responses sorted by id */
  records: ResponseRecord[];
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

/** Validate and compile. Throws ScoringInputError listing what is wrong. */
export function compile(method: Method, departments: DepartmentInfo[], responses: ResponseRecord[]): Compiled {
  const issues: string[] = [];
  validateMethod(method, issues);
  if (!Array.isArray(departments)) issues.push('departments must be an array');
  if (!Array.isArray(responses)) issues.push('responses must be an array');
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

  const records = [...responses].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const N = records.length;
  const respCategory = new Int32Array(N);
  const duration = new Float64Array(N);
  let nEnt = 0;
  let nAns = 0;
  let nProb = 0;
  let nNeg = 0;
  for (let r = 0; r < N; r++) {
    const rec = records[r];
    if (r > 0 && records[r - 1].id === rec.id) issues.push(`duplicate response id "${rec.id}"`);
    if (typeof rec.id !== 'string') issues.push(`response #${r}: id must be a string`);
    const c = catIdx.get(rec.category);
    if (c === undefined) issues.push(`response "${rec.id}": unknown category "${rec.category}"`);
    respCategory[r] = c ?? 0;
    duration[r] = isNum(rec.durationSeconds) ? rec.durationSeconds : NaN;
    if (!Array.isArray(rec.departments)) {
      issues.push(`response "${rec.id}": departments must be an array`);
      continue;
    }
    nEnt += rec.departments.length;
    for (const e of rec.departments) {
      nAns += I;
      nProb += Array.isArray(e.problems) ? e.problems.length : 0;
      nNeg += Array.isArray(e.negatives) ? e.negatives.length : 0;
    }
  }
  if (issues.length) throw new ScoringInputError(issues);

  const entStart = new Int32Array(N + 1);
  const entDept = new Int32Array(nEnt);
  const ansStart = new Int32Array(nEnt + 1);
  const ansItem = new Int32Array(nAns);
  const ansLevel = new Int32Array(nAns);
  const probStart = new Int32Array(nEnt + 1);
  const probValue = new Int32Array(nProb);
  const negStart = new Int32Array(nEnt + 1);
  const negKind = new Int32Array(nNeg);
  const negVerified = new Uint8Array(nNeg);
  const seenDept = new Int32Array(D).fill(-1);
  const entOrder: number[] = [];
  const entOrderDept: number[] = [];
  let e = 0;
  let a = 0;
  let p = 0;
  let g = 0;
  for (let r = 0; r < N; r++) {
    const rec = records[r];
    entStart[r] = e;
    // the response's departments, ordered by department index (canonical order)
    const ents = rec.departments;
    entOrder.length = 0;
    entOrderDept.length = 0;
    for (let k = 0; k < ents.length; k++) {
      const d = deptIndex.get(ents[k].code);
      if (d === undefined) {
        issues.push(`response "${rec.id}": unknown department "${ents[k].code}"`);
        continue;
      }
      if (seenDept[d] === r) {
        issues.push(`response "${rec.id}": department "${ents[k].code}" appears twice`);
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
    for (let o = 0; o < entOrder.length; o++) {
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
          issues.push(
            `response "${rec.id}", department "${ent.code}": unknown level "${code}" for item "${itemCodes[i]}"`,
          );
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
            issues.push(`response "${rec.id}", department "${ent.code}": unknown item "${k}"`);
      }
      if (Array.isArray(ent.problems)) {
        const p0 = p;
        for (const pr of ent.problems) {
          if (!Number.isInteger(pr) || pr < -2147483648 || pr > 2147483647) {
            issues.push(
              `response "${rec.id}", department "${ent.code}": problem must be an integer, got ${String(pr)}`,
            );
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
        const g0 = g;
        for (const n of ent.negatives) {
          if (!n || !Number.isInteger(n.kind) || n.kind < -2147483648 || n.kind > 2147483647) {
            issues.push(`response "${rec.id}", department "${ent.code}": negative kind must be an integer`);
            continue;
          }
          const v = n.verified === true ? 1 : 0;
          // sorted insert by (kind, verified)
          let j = g;
          while (j > g0 && (negKind[j - 1] > n.kind || (negKind[j - 1] === n.kind && negVerified[j - 1] > v))) {
            negKind[j] = negKind[j - 1];
            negVerified[j] = negVerified[j - 1];
            j--;
          }
          negKind[j] = n.kind;
          negVerified[j] = v;
          g++;
        }
      }
      e++;
    }
  }
  entStart[N] = e;
  ansStart[e] = a;
  probStart[e] = p;
  negStart[e] = g;
  if (issues.length) throw new ScoringInputError(issues);

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
    records,
    N,
    respCategory,
    duration,
    entStart,
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
}
