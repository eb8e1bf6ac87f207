/**
 * Figures as the pages show them: a dash for a missing figure, fixed decimals, shares (0–1) and
 * rates (already 0–100) as percentages. Isomorphic.
 */
export const MISSING = '—';

type Figure = number | null | undefined;

const missing = (x: Figure): x is null | undefined => x === null || x === undefined || Number.isNaN(x);

/** `83.46` */
export function formatNumber(x: Figure, digits = 2): string {
  return missing(x) ? MISSING : x.toFixed(digits);
}

/** A share 0–1 as `12.5%`; one above 0 too small to show as `<0.1%` (`<1%` with no decimals), never `0%`. */
export function formatShare(x: Figure, digits = 1): string {
  if (missing(x)) return MISSING;
  const shown = (x * 100).toFixed(digits);
  return x > 0 && Number(shown) === 0 ? `<${(10 ** -digits).toFixed(digits)}%` : `${shown}%`;
}

/**
 * Whether a group is too small for a 末位概率: with no more ranked departments than the bottom
 * places (后 3 名 by default) every one of them is always among the last, a "100%" that says nothing.
 */
export const tooFewForBottom = (groupSize: number, bottomCount: number) => groupSize <= bottomCount;

/** The 末位概率 cell of a group too small for one. */
export const NO_BOTTOM_PROBABILITY = '不计算';

/** Why a group has no 末位概率, said once beside its table. */
export const tooFewForBottomNote = (groupSize: number, bottomCount: number) =>
  `本组只有 ${groupSize} 个部门参与排名，不多于后 ${bottomCount} 名的名额，每个部门都必然在后 ${bottomCount} 名之内：不计算末位概率。`;

/**
 * 末位概率 in whole percent, "<1%" and ">99%" at the ends: it is counted over bootstrap samples,
 * so 0 and 1 mean "in (almost) none" and "in (almost) all", never a certainty.
 */
export function formatBottomProbability(p: Figure, groupSize: number, bottomCount: number): string {
  if (tooFewForBottom(groupSize, bottomCount)) return NO_BOTTOM_PROBABILITY;
  if (missing(p)) return MISSING;
  return bottomPercent(p, { below: '<1%', above: '>99%' });
}

/**
 * A department's 末位概率 wherever people read it (the dashboard, the CSV and XLSX exports): only a
 * ranked department has one (`—` otherwise), shown as `formatBottomProbability` says;
 * `rankedInGroup` is how many of its group are ranked.
 */
export const bottomProbabilityOf = (
  d: { ranked: boolean; uncertainty: { bottomProbability: number | null } },
  rankedInGroup: number,
  bottomCount: number,
) => (d.ranked ? formatBottomProbability(d.uncertainty.bottomProbability, rankedInGroup, bottomCount) : MISSING);

/** The same in a sentence after 概率 (a notice's evidence): "超过 99%", "不到 1%", "为 85%". */
export const bottomProbabilityPhrase = (p: number) => {
  const percent = bottomPercent(p, { below: '不到 1%', above: '超过 99%' });
  return /^\d/.test(percent) ? `为 ${percent}` : percent;
};

const bottomPercent = (p: number, ends: { below: string; above: string }) =>
  p < 0.01 ? ends.below : p > 0.99 ? ends.above : `${Math.round(p * 100)}%`;

/** A rate already in percent (satisfaction, awareness) as `85.3%`. */
export function formatRate(x: Figure, digits = 1): string {
  return missing(x) ? MISSING : `${x.toFixed(digits)}%`;
}

/** An interval `[low, high]` as `80.12–86.40`. */
export function formatInterval(interval: readonly [number, number] | null | undefined, digits = 2): string {
  return interval ? `${interval[0].toFixed(digits)}–${interval[1].toFixed(digits)}` : MISSING;
}

/** A signed change `+1.25` / `-0.50`. */
export function formatChange(x: Figure, digits = 2): string {
  return missing(x) ? MISSING : `${x > 0 ? '+' : ''}${x.toFixed(digits)}`;
}

/** A change of rank (positive = moved up) as `↑2` / `↓1`; none as a dash. */
export function formatRankChange(x: Figure): string {
  if (missing(x) || x === 0) return MISSING;
  return x > 0 ? `↑${x}` : `↓${-x}`;
}

/** A figure withheld by the small-cell rule (scoring/small-cells.ts) where there is room for a word only: a heat-map cell, a chart's gap. */
/**
 * Figures computed before publication: the interim view, for analysts only (liaisons see published
 * snapshots). Every page, export and terminal table of such a view carries this label.
 */
export const INTERIM = '中期结果';
export const INTERIM_NOTE = '中期结果（未发布）';
/** The dashboard's `snapshot=` for the interim figures (without it, a published campaign opens on its latest snapshot). */
export const LIVE = 'live';

/**
 * A published result as the office tells it apart: `第 2 次发布`, its place among the campaign's
 * publications (listed newest first), never the snapshot's id.
 */
export function publicationLabel(newestFirst: readonly { id: string }[], id: string): string {
  return `第 ${newestFirst.length - newestFirst.findIndex((s) => s.id === id)} 次发布`;
}

export const WITHHELD = '人数不足';

/** The same in a table cell or an export, saying why: `人数不足（少于5人）`. */
export function withheldText(minCellSize: number): string {
  return `${WITHHELD}（少于${minCellSize}人）`;
}

/** A withheld cell of a table that says why once, in `withheldNote`, instead of in every cell. */
export const WITHHELD_MARK = '—';

/** The one note under such a table: `— 为人数不足（少于5人），不予显示`. */
export function withheldNote(minCellSize: number): string {
  return `${WITHHELD_MARK} 为${withheldText(minCellSize)}，不予显示`;
}

/**
 * The two head counts of a department, side by side on the results pages and exports. Both leave out
 * the excluded responses; they differ by the evaluators who chose the department and answered only
 * 不了解 for it (counted in RATERS_LABEL, not in VALID_RATERS_LABEL).
 */
export const VALID_RATERS_LABEL = '有效评议人数';
export const RATERS_LABEL = '评议人数（含不了解）';

/** What 有效评议人数 counts (the scores' evaluators, and the ranking's minimum). */
export const validRatersDefinition = (minRanked: number) =>
  `对该部门至少有一项评价不是“不了解”的评议代表，得分按他们的评价计算，满 ${minRanked} 人才参与排名`;

/** What 评议人数（含不了解） counts (the denominator of the work-style problems' shares). */
export const RATERS_DEFINITION = '在答卷里选了该部门的评议代表，包括对它只答了“不了解”的；作风问题的比例以它为分母';

/** Both, said once under a table or the figures that show them. */
export const ratersNote = (minRanked: number) =>
  `${VALID_RATERS_LABEL}：${validRatersDefinition(minRanked)}。${RATERS_LABEL}：${RATERS_DEFINITION}。两者都不计剔除的答卷，相差的是只答了“不了解”的人。`;
