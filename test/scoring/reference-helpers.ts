/**
 * Helpers of the reference tests: field-by-field comparison of a library result with the exact
 * reference (reference.ts), and builders for hand-made campaigns whose scores land exactly where
 * wanted (e.g. on x.xx5).
 */
import { expect } from 'vitest';
import { computeOfficialScores } from '../../scoring/index.js';
import type { CampaignResult, DepartmentInfo, DepartmentResult, Method, ResponseRecord } from '../../scoring/types.js';
import { cmp, dec, reference, type Campaign, type RefResult } from './reference.js';

// ───────────────────────────── comparison ─────────────────────────────

const same = (a: unknown, b: unknown): boolean => (typeof a === 'number' && typeof b === 'number' ? a === b : a === b); // 0 === -0 on purpose

export function compare(label: string, ref: RefResult, lib: CampaignResult): string[] {
  const bad: string[] = [];
  const eq = (what: string, r: unknown, l: unknown): void => {
    if (!same(r, l)) bad.push(`${label} ${what}: reference ${JSON.stringify(r)} library ${JSON.stringify(l)}`);
  };
  eq('median', ref.medianDurationSeconds, lib.screening.medianDurationSeconds);
  eq(
    'excluded',
    ref.excluded.join(','),
    lib.screening.excluded
      .map((e) => e.id)
      .sort()
      .join(','),
  );
  eq('included', ref.included, lib.inputs.included);
  eq('excludedCount', ref.excluded.length, lib.inputs.excluded);
  eq(
    'departments',
    Object.keys(ref.departments).sort().join(','),
    lib.departments
      .map((d) => d.code)
      .sort()
      .join(','),
  );
  for (const d of lib.departments) {
    const r = ref.departments[d.code];
    if (!r) continue;
    const p = (f: string): string => `${d.code}.${f}`;
    eq(p('group'), r.group, d.group);
    eq(p('raters'), r.raters, d.raters);
    eq(p('validRaters'), r.validRaters, d.validRaters);
    eq(p('awareness'), r.awareness, d.awareness);
    for (const [code, ri] of Object.entries(r.items)) {
      const li = d.items[code];
      if (!li) {
        bad.push(`${label} ${p(code)} missing`);
        continue;
      }
      eq(p(`${code}.score`), ri.score, li.score);
      eq(p(`${code}.satisfactionRate`), ri.satisfactionRate, li.satisfactionRate);
      eq(p(`${code}.validAnswers`), ri.validAnswers, li.validAnswers);
      for (const [cat, rc] of Object.entries(ri.cells)) {
        const lc = li.categoryBreakdown.find((x) => x.category === cat);
        if (!lc) {
          bad.push(`${label} ${p(code)}.${cat} missing`);
          continue;
        }
        eq(p(`${code}.${cat}.validAnswers`), rc.validAnswers, lc.validAnswers);
        eq(p(`${code}.${cat}.takesPart`), rc.takesPart, lc.takesPart);
        eq(p(`${code}.${cat}.suppressed`), rc.suppressed, lc.suppressed);
        if (rc.validAnswers > 0) eq(p(`${code}.${cat}.satisfiedShare`), rc.satisfiedShare, lc.satisfiedShare);
      }
    }
    eq(p('surveyScore'), r.surveyScore, d.surveyScore);
    eq(p('satisfactionRate'), r.satisfactionRate, d.satisfactionRate);
    eq(p('verifiedNegatives'), r.verifiedNegatives, d.verifiedNegatives);
    eq(p('deduction'), r.deduction, d.deduction);
    eq(p('finalScore'), r.finalScore, d.finalScore);
    eq(p('grade'), r.grade, d.grade);
    eq(p('ranked'), r.ranked, d.ranked);
    eq(p('rank'), r.rank, d.rank);
    eq(p('tied'), r.tied, d.tied);
    eq(p('rankNote'), r.rankNote, d.rankNote);
  }
  // order: group, then rank (unranked last), then code
  const order = [...lib.departments].sort((a, b) =>
    a.group !== b.group
      ? a.group < b.group
        ? -1
        : 1
      : (a.rank ?? Infinity) - (b.rank ?? Infinity) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  eq('order', order.map((d) => d.code).join(','), lib.departments.map((d) => d.code).join(','));
  return bad;
}

export function check(label: string, c: Campaign): { ref: RefResult; lib: CampaignResult; bad: string[] } {
  const ref = reference(c.method, c.departments, c.responses);
  const lib = computeOfficialScores(c.method, c.departments, c.responses);
  return { ref, lib, bad: compare(label, ref, lib) };
}

/** everything but the bootstrap's own fields */
export function nonBootstrap(r: CampaignResult): unknown {
  return {
    ...r,
    method: { ...r.method, bootstrap: null },
    inputs: { ...r.inputs, hash: null }, // the method, bootstrap parameters included, is hashed
    bootstrapSamples: null,
    departments: r.departments.map((d) => ({ ...d, uncertainty: null, rectification: null })),
  };
}

// ───────────────────────────── builders for hand-made campaigns ─────────────────────────────

let nextId = 0;
export function resp(
  category: string,
  code: string,
  eff: string | undefined,
  qual: string | undefined,
  verified = 0,
): ResponseRecord {
  const ratings: Record<string, string> = {};
  if (eff !== undefined) ratings.efficiency = eff;
  if (qual !== undefined) ratings.quality = qual;
  return {
    id: `H${String(nextId++).padStart(6, '0')}`,
    category,
    durationSeconds: 300,
    departments: [
      { code, ratings, problems: [], negatives: Array.from({ length: verified }, () => ({ kind: 3, verified: true })) },
    ],
  };
}

/** n level codes of the method (points multiples of 20, one of them 0) whose points add up to 20·units, or null */
export function levelsFor(m: Method, units: number, n: number): string[] | null {
  const lv = m.levels.filter((l) => l.points !== null).map((l) => ({ code: l.code, u: (l.points as number) / 20 }));
  const zero = lv.find((l) => l.u === 0)!;
  const top = lv.reduce((a, b) => (b.u > a.u ? b : a));
  const others = lv.filter((l) => l !== top && l.u > 0);
  const tryCounts = (i: number, rest: number, acc: string[]): string[] | null => {
    if (i === others.length) {
      if (rest < 0 || rest % top.u !== 0) return null;
      const out = [...acc, ...Array<string>(rest / top.u).fill(top.code)];
      return out.length <= n ? [...out, ...Array<string>(n - out.length).fill(zero.code)] : null;
    }
    for (let c = 0; c < top.u; c++) {
      const r = tryCounts(i + 1, rest - c * others[i].u, [...acc, ...Array<string>(c).fill(others[i].code)]);
      if (r) return r;
    }
    return null;
  };
  return tryCounts(0, units, []);
}

/**
 * A department whose survey score is exactly `target` (a multiple of 0.005): efficiency answered
 * validly by 16 evaluators (the other 109 say 不了解), quality by all 125, all 'project', so
 * S = (20·a1/16 + 20·a2/125) / 2 = (125·a1 + 16·a2) / 200. Plus 4 'deputies' evaluators rating
 * 不满意 on both items, who stay under the 5-answer rule (their weight is re-normalised away).
 */
export function exactDept(m: Method, code: string, target: number, verified = 0): ResponseRecord[] {
  const P = Math.round(target * 200);
  expect(cmp(dec(target), { n: BigInt(P), d: 200n })).toBe(0);
  for (let a1 = 0; a1 <= 80; a1++) {
    const r = P - 125 * a1;
    if (r < 0 || r % 16 !== 0 || r / 16 > 625) continue;
    const eff = levelsFor(m, a1, 16);
    const qual = levelsFor(m, r / 16, 125);
    if (!eff || !qual) continue;
    const out: ResponseRecord[] = [];
    for (let k = 0; k < 125; k++)
      out.push(resp('project', code, k < 16 ? eff[k] : 'unknown', qual[k], k < verified ? 1 : 0));
    for (let k = 0; k < 4; k++) out.push(resp('deputies', code, 'dissatisfied', 'dissatisfied'));
    return out;
  }
  throw new Error(`no construction for ${target}`);
}

export const THREE: Method['levels'] = [
  { code: 'satisfied', label: '满意', points: 100, satisfied: true },
  { code: 'basically_satisfied', label: '基本满意', points: 60, satisfied: true },
  { code: 'dissatisfied', label: '不满意', points: 0, satisfied: false },
  { code: 'unknown', label: '不了解', points: null, satisfied: false },
];

export function officialAndReference(m: Method, departments: DepartmentInfo[], responses: ResponseRecord[]) {
  const { ref, lib, bad } = check('hand-made', { method: m, departments, responses });
  expect(bad).toEqual([]);
  const get = (code: string): DepartmentResult => lib.departments.find((d) => d.code === code)!;
  return { ref, lib, get };
}
