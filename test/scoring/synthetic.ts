/**
 * Deterministic synthetic campaign data for tests and the benchmark (no Math.random).
 */
import { Rng } from '../../scoring/rng.js';
import type { DepartmentInfo, Method, ResponseDepartment, ResponseRecord } from '../../scoring/types.js';

export interface SyntheticOptions {
  evaluators: number;
  departments: number;
  perEvaluator: number; // mean departments rated per evaluator
  seed?: number;
  unknownShare?: number;
  /** share of responses that are speeding straight-liners (excluded by screening); default 0 */
  cheaterShare?: number;
  /** clusters of copied responses submitted from one network on one day; default 0 */
  copyClusters?: number;
  copyClusterSize?: number;
}

/** The departments of a synthetic campaign, and how good each is (0..1), drawn from `rng`. */
function syntheticDepartments(o: SyntheticOptions, rng: Rng): { departments: DepartmentInfo[]; quality: number[] } {
  const groups = ['综合经济管理类', '执法监管类', '社会服务类'];
  const departments: DepartmentInfo[] = [];
  const quality: number[] = [];
  for (let d = 0; d < o.departments; d++) {
    departments.push({
      code: `D${String(d + 1).padStart(3, '0')}`,
      name: `部门${d + 1}`,
      group: groups[d % groups.length],
    });
    quality.push(rng.next()); // 0..1: how good the department is
  }
  return { departments, quality };
}

/**
 * A synthetic campaign's departments and its responses, made one at a time as they are read (a
 * benchmark at 100k evaluators never holds them all), in id order: R000001… then the copies X….
 */
export function syntheticStream(
  method: Method,
  o: SyntheticOptions,
): { departments: DepartmentInfo[]; responses: Iterable<ResponseRecord> } {
  const { departments, quality } = syntheticDepartments(o, new Rng(o.seed ?? 1));
  return { departments, responses: syntheticResponses(method, o, departments, quality) };
}

function* syntheticResponses(
  method: Method,
  o: SyntheticOptions,
  departments: DepartmentInfo[],
  quality: number[],
): Generator<ResponseRecord> {
  const rng = new Rng(((o.seed ?? 1) * 7919) ^ 0x5bd1e995);
  // categories drawn with these shares
  const catShares = [0.45, 0.15, 0.1, 0.15, 0.15];
  const cats = method.categories.map((c) => c.code);
  const valid = method.levels.filter((l) => l.points !== null).sort((a, b) => (b.points ?? 0) - (a.points ?? 0));
  const unknown = method.levels.find((l) => l.points === null)?.code ?? null;
  const unknownShare = o.unknownShare ?? 0.05;
  // copy clusters: a response copied, from one network key, on one day
  const sources = Array.from({ length: o.copyClusters ?? 0 }, () => rng.nextInt(o.evaluators));
  const copied = new Map<number, ResponseRecord>();
  const pick = new Int32Array(o.departments);
  for (let r = 0; r < o.evaluators; r++) {
    let u = rng.next();
    let c = 0;
    while (c < cats.length - 1 && u >= catShares[c]) u -= catShares[c++];
    const k = Math.max(1, Math.min(o.departments, o.perEvaluator - 5 + rng.nextInt(11)));
    // speeding straight-liners: fast, every rating the same level
    const cheater = rng.next() < (o.cheaterShare ?? 0);
    // partial Fisher–Yates for k distinct departments
    for (let d = 0; d < o.departments; d++) pick[d] = d;
    const depts: ResponseDepartment[] = [];
    for (let j = 0; j < k; j++) {
      const x = j + rng.nextInt(o.departments - j);
      const t = pick[j];
      pick[j] = pick[x];
      pick[x] = t;
      const d = pick[j];
      const ratings: Record<string, string> = {};
      for (const item of method.items) {
        if (cheater) ratings[item.code] = valid[0].code;
        else if (unknown && rng.next() < unknownShare) ratings[item.code] = unknown;
        else {
          // better departments get higher levels
          const z = rng.next() * 0.8 + quality[d] * 0.45;
          const idx = z > 0.85 ? 0 : z > 0.55 ? 1 : z > 0.3 ? 2 : 3;
          ratings[item.code] = valid[Math.min(idx, valid.length - 1)].code;
        }
      }
      const problems: number[] = [];
      if (rng.next() < 0.25 * (1.2 - quality[d])) {
        const n = 1 + rng.nextInt(3);
        for (let q = 0; q < n; q++) {
          const p = 1 + rng.nextInt(10);
          if (!problems.includes(p)) problems.push(p);
        }
      }
      const negatives: { kind: number; verified: boolean }[] = [];
      if (rng.next() < 0.02 * (1.5 - quality[d]))
        negatives.push({ kind: 1 + rng.nextInt(8), verified: rng.next() < 0.5 });
      depts.push({ code: departments[d].code, ratings, problems, negatives });
    }
    const day = 1 + rng.nextInt(10);
    const response: ResponseRecord = {
      id: `R${String(r + 1).padStart(6, '0')}`,
      category: cats[c],
      durationSeconds: cheater ? 20 + rng.nextInt(20) : rng.next() < 0.05 ? null : Math.round(120 + rng.next() * 900),
      networkKey: `n${rng.nextInt(Math.max(1, o.evaluators >> 2))}`,
      submittedAt: `2026-12-${String(day).padStart(2, '0')}`,
      departments: depts,
    };
    if (sources.includes(r)) copied.set(r, response);
    yield response;
  }
  const clusterSize = o.copyClusterSize ?? 12;
  for (const [k, r] of sources.entries()) {
    const src = copied.get(r)!;
    for (let j = 0; j < clusterSize; j++)
      yield {
        ...src,
        id: `X${k}-${String(j).padStart(3, '0')}`,
        networkKey: `copy${k}`,
        submittedAt: '2026-12-20',
        departments: src.departments.map((d) => ({ ...d, ratings: { ...d.ratings } })),
      };
  }
}

/** A synthetic campaign with its responses in an array (syntheticStream, all held). */
export function syntheticCampaign(
  method: Method,
  o: SyntheticOptions,
): { departments: DepartmentInfo[]; responses: ResponseRecord[] } {
  const { departments, responses } = syntheticStream(method, o);
  return { departments, responses: [...responses] };
}
