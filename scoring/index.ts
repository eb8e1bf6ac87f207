/**
 * minping scoring: how answers become results. Pure functions over plain data (see README.md).
 *
 *   computeResults(method, departments, responses)       full result with bootstrap uncertainty
 *   computeOfficialScores(method, departments, responses) same shape, no bootstrap (fast path)
 *   screenResponses(method, departments, responses)       screening only
 *   inputsHash(method, departments, responses)            sha256 of the canonical inputs
 */
import { replicateScores, runBootstrap, summarise } from './bootstrap.js';
import { type Compiled, compile, compiler } from './compile.js';
import { hashCompiled } from './hash.js';
import { officialScores, prepare, type Prepared, type Replicable, replicable } from './score.js';
import { screen } from './screening.js';
import type {
  CampaignResult,
  DepartmentInfo,
  DepartmentResult,
  Method,
  ResponseRecord,
  ScreeningResult,
} from './types.js';

export type * from './types.js';
export { ScoringInputError } from './compile.js';
export { Rng, deriveSeed, rngFor } from './rng.js';
export { round2, round4 } from './round.js';
export { inputsHash, canonicalJson, HASH_FORMAT } from './hash.js';
export { NOT_RANKED_NOTE, TIED_NOTE, gradeOf } from './score.js';
export { withheld } from './small-cells.js';

/** Screening only: which responses are excluded, and the flags. */
export function screenResponses(
  method: Method,
  departments: DepartmentInfo[],
  responses: Iterable<ResponseRecord>,
): ScreeningResult {
  return screen(compile(method, departments, responses)).result;
}

function byGroupRankCode(a: DepartmentResult, b: DepartmentResult): number {
  if (a.group !== b.group) return a.group < b.group ? -1 : 1;
  const ra = a.rank ?? Number.POSITIVE_INFINITY;
  const rb = b.rank ?? Number.POSITIVE_INFINITY;
  if (ra !== rb) return ra - rb;
  return a.code < b.code ? -1 : a.code > b.code ? 1 : 0;
}

/**
 * Computes the B bootstrap replicates' final scores, row-major [b·D + d] (see replicateScores):
 * by default all in this thread; a caller may run some of them elsewhere (another thread, given
 * `replicable(prep)`) since replicate b depends only on the inputs and deriveSeed(seed, b).
 */
export type ReplicateRunner = (prep: Prepared, B: number, seed: number) => Float64Array;

export type { Prepared, Replicable };
export { replicable, replicateScores };

/** Validated, compiled and hashed inputs: enough to tell whether a result held is still current. */
export interface CompiledInputs {
  cx: Compiled;
  hash: string;
}

/** … then screened and packed: what the official figures and the replicates are computed from. */
export interface PreparedInputs extends CompiledInputs {
  screening: ScreeningResult;
  prep: Prepared;
}

/** The stages of computeResults, for a caller that acts between them (throws ScoringInputError). */
export function compileInputs(
  method: Method,
  departments: DepartmentInfo[],
  responses: Iterable<ResponseRecord>,
): CompiledInputs {
  const cx = compile(method, departments, responses);
  return { cx, hash: hashCompiled(cx) };
}

/**
 * compileInputs one response at a time, as they arrive (from a database cursor, in batches): each
 * record is packed into typed arrays when added and can be dropped at once, so a campaign's
 * records never need to exist together. In any order; `finish` throws ScoringInputError.
 */
export function inputsCompiler(
  method: Method,
  departments: DepartmentInfo[],
): { add(record: ResponseRecord): void; finish(): CompiledInputs } {
  const c = compiler(method, departments);
  return {
    add: c.add,
    finish: () => {
      const cx = c.finish();
      return { cx, hash: hashCompiled(cx) };
    },
  };
}

export function prepareInputs({ cx, hash }: CompiledInputs): PreparedInputs {
  const screened = screen(cx);
  return { cx, hash, screening: screened.result, prep: prepare(cx, screened.included) };
}

/** The result from prepared inputs: with the bootstrap (replicates by `replicates`, else here) or without. */
export function resultsFrom(
  { cx, hash, screening: s, prep }: PreparedInputs,
  withBootstrap: boolean,
  replicates?: ReplicateRunner,
): CampaignResult {
  const { method } = cx;
  const official = officialScores(prep);
  const results = official.departments;
  const B = withBootstrap ? method.bootstrap.samples : 0;

  if (B > 0) {
    const { seed } = method.bootstrap;
    const boot = replicates
      ? summarise(prep, official.ranked, replicates(prep, B, seed), B)
      : runBootstrap(prep, official.ranked, B, seed);
    const { rectification } = method;
    for (let d = 0; d < cx.D; d++) {
      const u = boot.departments[d];
      const res = results[d];
      res.uncertainty = {
        // no official score, no interval: replicates can lift a category past the 5-answer floor
        // and invent a score the official figures don't have
        scoreInterval: res.finalScore === null ? null : u.scoreInterval,
        rankInterval: u.rankInterval,
        bottomProbability: u.bottomProbability,
        statisticallyTiedWith: [],
        replicates: u.replicates,
      };
      res.rectification =
        res.ranked &&
        res.finalScore !== null &&
        u.bottomProbability !== null &&
        res.finalScore < rectification.maxScore &&
        u.bottomProbability >= rectification.minProbability;
    }
    // statistically tied: same group, both ranked, rank intervals overlap
    for (let d = 0; d < cx.D; d++) {
      const a = results[d].uncertainty.rankInterval;
      if (!a) continue;
      const tied: DepartmentResult[] = [];
      for (let e = 0; e < cx.D; e++) {
        if (e === d || cx.deptGroup[e] !== cx.deptGroup[d]) continue;
        const b = results[e].uncertainty.rankInterval;
        if (b && a[0] <= b[1] && b[0] <= a[1]) tied.push(results[e]);
      }
      results[d].uncertainty.statisticallyTiedWith = tied.sort(byGroupRankCode).map((x) => x.code);
    }
  }

  return {
    method: structuredClone(method), // the result never aliases the caller's objects
    inputs: {
      responses: cx.N,
      included: s.counts.included,
      excluded: s.counts.excluded,
      flagged: s.counts.flaggedResponses,
      hash,
    },
    bootstrapSamples: B,
    screening: s,
    departments: [...results].sort(byGroupRankCode),
  };
}

/** Full result: screening, official scores, ranks, grades, bootstrap uncertainty and 重点整改 marks. */
export function computeResults(
  method: Method,
  departments: DepartmentInfo[],
  responses: Iterable<ResponseRecord>,
  replicates?: ReplicateRunner,
): CampaignResult {
  return resultsFrom(prepareInputs(compileInputs(method, departments, responses)), true, replicates);
}

/**
 * Official scores without the bootstrap (fast path, e.g. live dashboards while a campaign runs):
 * same shape as computeResults, with bootstrapSamples 0, empty uncertainty and rectification false.
 */
export function computeOfficialScores(
  method: Method,
  departments: DepartmentInfo[],
  responses: Iterable<ResponseRecord>,
): CampaignResult {
  return resultsFrom(prepareInputs(compileInputs(method, departments, responses)), false);
}
export { defaultMethod } from './defaults.js';
