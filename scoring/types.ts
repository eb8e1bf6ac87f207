/**
 * Types of the scoring library. Plain data in, plain data out: every type here is JSON-safe.
 * The input types are built by other wings (server, import); the output is stored as a snapshot.
 */

// ───────────────────────────── inputs ─────────────────────────────

/** One answer level of the scale. `points: null` is 不了解: not a valid answer (no points, out of every denominator). */
export interface ScaleLevel {
  code: string;
  label: string;
  points: number | null;
  /** counts towards 满意率 (satisfaction rate) */
  satisfied: boolean;
  /** counts towards 差评率 (share of unfavourable answers; the 好差评 scale's bottom two) */
  unfavourable?: boolean;
}

export interface ScreeningParams {
  /** a response is a "speeder" when durationSeconds < speederFraction × median duration (default 1/3) */
  speederFraction: number;
  /** a "straight-liner" has at least this many valid ratings, all of the same level (default 6) */
  minStraightRatings: number;
  /** network_burst flag: at least burstSize responses from one networkKey within this many minutes */
  burstWindowMinutes: number;
  burstSize: number;
  /** near_identical flag: Jaccard similarity of (department, item, level) answer sets ≥ this (e.g. 0.9) */
  nearIdenticalThreshold: number;
}

export interface BootstrapParams {
  /** number of bootstrap replicates B (default 1000); 0 switches the bootstrap off */
  samples: number;
  seed: number;
}

export interface RectificationParams {
  /** 重点整改 only when finalScore < maxScore (default 75) … */
  maxScore: number;
  /** … and the probability of being in the bottom `bottomCount` (default 3) of the group … */
  bottomCount: number;
  /** … is at least minProbability (default 0.8) */
  minProbability: number;
}

export interface GradeRule {
  label: string;
  /** inclusive lower bound on the rounded final score; null = no lower bound (JSON has no -Infinity) */
  min: number | null;
}

export interface Method {
  levels: ScaleLevel[];
  items: { code: string; label: string; weight: number }[];
  categories: { code: string; label: string; weight: number }[];
  /** a category takes part in an item score only with at least this many valid answers (default 5) */
  minCategoryAnswers: number;
  /** a department is ranked and graded only with at least this many valid raters (default 30) */
  minRankedRaters: number;
  /** deduction per verified negative situation (default 0.5) */
  deductionPerNegative: number;
  /** cap of the deduction per department (default 5) */
  maxDeduction: number;
  /** sorted descending by min; the last one usually has min: null */
  grades: GradeRule[];
  screening: ScreeningParams;
  bootstrap: BootstrapParams;
  rectification: RectificationParams;
  /** problemFlag when the share of a department's raters naming one problem is ≥ this (a fraction, e.g. 0.2) */
  problemShareThreshold: number;
  /** a cell with fewer evaluators than this (not ticks) has its figures withheld (default 5; small-cells.ts) */
  minCellSize: number;
}

export interface DepartmentInfo {
  code: string;
  name: string;
  group: string;
}

export interface ResponseDepartment {
  code: string;
  /** item code → level code; an item missing from the object is simply not answered */
  ratings: Record<string, string>;
  /** work-style problem numbers named for this department */
  problems: number[];
  /** negative situations reported for this department; verified ones deduct */
  negatives: { kind: number; verified: boolean }[];
}

export interface ResponseRecord {
  id: string;
  category: string;
  durationSeconds: number | null;
  /** coarse hashed network address (network_burst flag) */
  networkKey?: string | null;
  /** ISO date-time, or a day 'YYYY-MM-DD' only (network_burst flag) */
  submittedAt?: string | null;
  departments: ResponseDepartment[];
}

// ───────────────────────────── outputs ─────────────────────────────

export type ExclusionReason = 'speeder_straightliner';

export interface ExcludedResponse {
  id: string;
  reasons: ExclusionReason[];
}

export type FlagKind = 'network_burst' | 'near_identical' | 'no_unknown_category';

export interface ScreeningFlag {
  kind: FlagKind;
  /** network_burst and near_identical: the responses concerned, sorted */
  responseIds?: string[];
  /** no_unknown_category: the department and category concerned */
  department?: string;
  category?: string;
  /** a human-readable explanation (Chinese, with the figures) */
  detail: string;
}

export interface ScreeningCounts {
  /** all responses given */
  responses: number;
  /** responses with a usable durationSeconds */
  withDuration: number;
  excluded: number;
  included: number;
  /** distinct responses named by at least one flag (cell-level flags name none) */
  flaggedResponses: number;
  flags: Record<FlagKind, number>;
}

export interface ScreeningResult {
  medianDurationSeconds: number | null;
  excluded: ExcludedResponse[];
  flags: ScreeningFlag[];
  counts: ScreeningCounts;
}

export interface CategoryBreakdown {
  category: string;
  /** valid answers of this category for (department, item) = evaluators, since one evaluator answers an item once */
  validAnswers: number;
  /** mean points; null when suppressed */
  mean: number | null;
  /** fraction (0..1, 4 decimals) of valid answers at a satisfied level; null when suppressed */
  satisfiedShare: number | null;
  /** validAnswers ≥ minCategoryAnswers: the category takes part in the item score */
  takesPart: boolean;
  /** fewer than minCellSize evaluators (see small-cells.ts): mean and satisfiedShare are withheld */
  suppressed: boolean;
}

export interface ItemResult {
  /** 0..100, 2 decimals; null when no category takes part */
  score: number | null;
  /** percentage 0..100, 2 decimals; null when no category takes part */
  satisfactionRate: number | null;
  /** valid answers of all categories */
  validAnswers: number;
  categoryBreakdown: CategoryBreakdown[];
}

export interface ProblemTally {
  problem: number;
  /** evaluators naming the problem for this department */
  mentions: number;
  /** mentions / raters (fraction 0..1, 4 decimals); null when the department has no raters */
  share: number | null;
}

export interface NegativeTally {
  kind: number;
  reported: number;
  verified: number;
}

export interface Uncertainty {
  /** 95% percentile bootstrap interval of the final score (2 decimals); null without replicates */
  scoreInterval: [number, number] | null;
  /** 95% percentile bootstrap interval of the rank within the group; null when not ranked */
  rankInterval: [number, number] | null;
  /** share of replicates where the department is in the bottom `bottomCount` of its group (4 decimals); null when not ranked */
  bottomProbability: number | null;
  /** codes of the same-group ranked departments whose rank intervals overlap this one's */
  statisticallyTiedWith: string[];
  /** replicates in which the department had a final score */
  replicates: number;
}

export interface DepartmentResult {
  code: string;
  name: string;
  group: string;
  /** screened evaluators who listed the department (denominator of problem shares) */
  raters: number;
  /** screened evaluators with at least one valid answer for the department */
  validRaters: number;
  /** 知晓率: valid answers / all answers (不了解 included), percentage 0..100, 2 decimals; null without answers */
  awareness: number | null;
  items: Record<string, ItemResult>;
  /** survey score S (2 decimals) */
  surveyScore: number | null;
  /** 满意率, percentage 0..100, 2 decimals */
  satisfactionRate: number | null;
  /**
   * 差评率, percentage 0..100, 2 decimals, weighted like 满意率: only for a scale with unfavourable
   * levels (absent otherwise, so results of the other scales are byte-identical to before)
   */
  unfavourableRate?: number | null;
  /** verified negatives counted (screened responses) */
  verifiedNegatives: number;
  /** min(maxDeduction, deductionPerNegative × verified negatives), 2 decimals */
  deduction: number;
  /** F = S − deduction, 2 decimals (rounded once, from the unrounded S) */
  finalScore: number | null;
  grade: string | null;
  ranked: boolean;
  rank: number | null;
  /** shares its rank with another department of the group (并列) */
  tied: boolean;
  /** '样本不足，不予排名' when not ranked, '并列' when tied, else null */
  rankNote: string | null;
  problems: ProblemTally[];
  /** some problem's share ≥ problemShareThreshold */
  problemFlag: boolean;
  negatives: NegativeTally[];
  uncertainty: Uncertainty;
  /** 重点整改: finalScore < rectification.maxScore AND bottomProbability ≥ rectification.minProbability */
  rectification: boolean;
}

export interface CampaignResult {
  method: Method;
  inputs: {
    responses: number;
    included: number;
    excluded: number;
    flagged: number;
    /** sha256 hex of the canonical inputs (see inputsHash) */
    hash: string;
  };
  /** bootstrap replicates actually run (0 for computeOfficialScores) */
  bootstrapSamples: number;
  screening: ScreeningResult;
  /** sorted by group, then rank (unranked last), then code */
  departments: DepartmentResult[];
}
