import type { CampaignConfig } from '../../surveys/campaign-config.js';
import type { Method } from '../../scoring/index.js';

/**
 * The scoring method of a campaign, read from its config: every parameter the computation uses,
 * published with the results. Pure: the same config always gives the same Method.
 */
export function methodFromConfig(config: CampaignConfig): Method {
  const s = config.scoring;
  return {
    // `unfavourable` only where a level has it: the method (and inputs hash) of other scales stays as it was
    levels: config.scale.map((l) => ({
      code: l.code,
      label: l.label,
      points: l.points,
      satisfied: l.satisfied,
      ...(l.unfavourable ? { unfavourable: true } : {}),
    })),
    items: config.items.map((i) => ({ code: i.code, label: i.label, weight: i.weight })),
    categories: config.categories.map((c) => ({ code: c.code, label: c.label, weight: c.weight })),
    minCategoryAnswers: s.minCategoryAnswers,
    minRankedRaters: s.minRankedRaters,
    deductionPerNegative: s.deductionPerNegative,
    maxDeduction: s.maxDeduction,
    // highest bound first; a rule without a bound (null) is the floor and goes last
    grades: [...s.grades]
      .map((g) => ({ label: g.label, min: g.min }))
      .sort((a, b) => (a.min === null ? 1 : b.min === null ? -1 : b.min - a.min)),
    screening: {
      speederFraction: s.screening.speederFraction,
      minStraightRatings: s.screening.minStraightRatings,
      burstWindowMinutes: s.screening.burstWindowMinutes,
      burstSize: s.screening.burstSize,
      nearIdenticalThreshold: s.screening.nearIdenticalThreshold,
    },
    bootstrap: { samples: s.bootstrap.samples, seed: s.bootstrap.seed },
    rectification: {
      maxScore: s.rectification.maxScore,
      bottomCount: s.rectification.bottomCount,
      minProbability: s.rectification.minProbability,
    },
    problemShareThreshold: s.problemShareThreshold,
    minCellSize: s.minCellSize,
  };
}

type Weighted = Method['items'][number];

const shown = (n: number) => String(Math.round(n * 10_000) / 10_000);
const pointsText = (points: number | null) => (points === null ? '不计分' : `${shown(points)} 分`);

/**
 * Weights that changed, were added or dropped. Scores re-normalise weights, so weights multiplied
 * alike (0.5/0.5 and 1/1) are no change: only a different share among the codes both lists have is.
 */
function weightChanges(title: string, from: Weighted[], to: Weighted[]): string | null {
  const before = new Map(from.map((x) => [x.code, x]));
  const common = to.filter((x) => before.has(x.code));
  const totalBefore = common.reduce((sum, x) => sum + before.get(x.code)!.weight, 0);
  const totalAfter = common.reduce((sum, x) => sum + x.weight, 0);
  const reweighted = common.some(
    (x) => Math.abs(before.get(x.code)!.weight / totalBefore - x.weight / totalAfter) > 1e-9,
  );
  const parts: string[] = [];
  for (const x of to) {
    const old = before.get(x.code);
    if (!old) parts.push(`新增 ${x.label}（${shown(x.weight)}）`);
    else if (reweighted && old.weight !== x.weight) parts.push(`${x.label} ${shown(old.weight)} → ${shown(x.weight)}`);
  }
  const kept = new Set(to.map((x) => x.code));
  for (const x of from) if (!kept.has(x.code)) parts.push(`取消 ${x.label}（原 ${shown(x.weight)}）`);
  return parts.length ? `${title}：${parts.join('，')}` : null;
}

function scaleChanges(from: Method['levels'], to: Method['levels']): string | null {
  const before = new Map(from.map((l) => [l.code, l]));
  const parts: string[] = [];
  for (const l of to) {
    const old = before.get(l.code);
    if (!old) {
      parts.push(`新增 ${l.label}（${pointsText(l.points)}）`);
      continue;
    }
    if (old.points !== l.points) parts.push(`${l.label} ${pointsText(old.points)} → ${pointsText(l.points)}`);
    if (old.satisfied !== l.satisfied) parts.push(`${l.label} ${l.satisfied ? '改为计入满意率' : '不再计入满意率'}`);
  }
  const kept = new Set(to.map((l) => l.code));
  for (const l of from) if (!kept.has(l.code)) parts.push(`取消 ${l.label}（原 ${pointsText(l.points)}）`);
  return parts.length ? `计分等级：${parts.join('，')}` : null;
}

const gradesText = (grades: Method['grades']) =>
  grades.map((g) => `${g.label}${g.min === null ? '' : ` ≥ ${shown(g.min)}`}`).join('、');

/** The parameters besides weights, scale and items that change a score, a rank or a grade. */
const PARAMETERS: [string, (m: Method) => number][] = [
  ['类别参与计分最少有效答复', (m) => m.minCategoryAnswers],
  ['排名最少有效评议人数', (m) => m.minRankedRaters],
  ['每项核实负面情形扣分', (m) => m.deductionPerNegative],
  ['扣分上限', (m) => m.maxDeduction],
  ['过快答卷阈值（中位用时的比例）', (m) => m.screening.speederFraction],
  ['全部同一等级的最少评价数', (m) => m.screening.minStraightRatings],
];

/**
 * How the scoring method of `to` differs from that of `from`, one line per aspect in Chinese
 * (`类别权重：社会公众 0.1 → 0.2`): what a year-over-year comparison must say rather than compare
 * silently. Empty when the scores are computed alike.
 */
export function methodChanges(from: Method, to: Method): string[] {
  const lines = [
    weightChanges('类别权重', from.categories, to.categories),
    scaleChanges(from.levels, to.levels),
    weightChanges('评议项目', from.items, to.items),
  ];
  for (const [label, of] of PARAMETERS)
    if (of(from) !== of(to)) lines.push(`${label}：${shown(of(from))} → ${shown(of(to))}`);
  if (gradesText(from.grades) !== gradesText(to.grades))
    lines.push(`等级：${gradesText(from.grades)} → ${gradesText(to.grades)}`);
  return lines.filter((line): line is string => line !== null);
}
