/**
 * What leaves the results module: the scoring result shaped for people (group labels, catalogs)
 * with small-cell suppression applied. Every API answer, page and export is built from a view;
 * only the stored snapshot keeps the raw result, so published figures can be recomputed.
 *
 * Suppression (minCellSize, default 5): a breakdown cell counting fewer evaluators than that keeps
 * its count of evaluators but its figures become null and it carries `suppressed: true`:
 * - a category cell (department × item × category): mean and satisfied share;
 * - an item of a department with fewer valid answers: its score and satisfaction rate;
 * - a department with fewer valid raters: every score, rate and interval;
 * - a work-style problem named by 1…4 evaluators of a department: the count and its share;
 * - a negative-situation kind reported 1…4 times for a department: its counts
 *   (the department's total of verified negatives and its deduction stay: they are official figures).
 */
import type { CampaignConfig } from '../../surveys/campaign-config.js';
import type { CampaignResult, DepartmentResult } from '../../scoring/index.js';
import type {
  ViewCampaign,
  Catalogs,
  DepartmentView,
  ItemView,
  NegativeCell,
  ProblemCell,
  ResultView,
  SnapshotMeta,
} from '../contracts.js';

/** The catalogs of a campaign config, in config order. */
export function catalogsOf(config: CampaignConfig): Catalogs {
  return {
    items: config.items.map((i) => ({ code: i.code, label: i.label })),
    categories: config.categories.map((c) => ({ code: c.code, label: c.label, weight: c.weight })),
    groups: config.groups.map((g) => ({ code: g.code, label: g.label })),
    problems: config.problems.map((p) => ({ id: p.id, label: p.label, ...(p.kind ? { kind: p.kind } : {}) })),
    negatives: config.negatives.map((n) => ({ id: n.id, label: n.label })),
  };
}

function suppressDepartment(
  d: DepartmentResult,
  min: number,
  groupLabel: string,
  problemIds: number[],
  negativeIds: number[],
): DepartmentView {
  const small = d.validRaters > 0 && d.validRaters < min;
  const items: Record<string, ItemView> = {};
  for (const [code, item] of Object.entries(d.items)) {
    const itemSmall = small || (item.validAnswers > 0 && item.validAnswers < min);
    items[code] = {
      score: itemSmall ? null : item.score,
      satisfactionRate: itemSmall ? null : item.satisfactionRate,
      validAnswers: item.validAnswers,
      suppressed: itemSmall,
      categoryBreakdown: item.categoryBreakdown.map((c) => {
        const cellSmall = c.validAnswers < min;
        return {
          ...c,
          mean: cellSmall ? null : c.mean,
          satisfiedShare: cellSmall ? null : c.satisfiedShare,
          suppressed: cellSmall,
        };
      }),
    };
  }
  // every catalog entry gets a cell, named or not, so tables have fixed columns
  const tallies = new Map(d.problems.map((p) => [p.problem, p]));
  const problems: ProblemCell[] = problemIds.map((id) => {
    const p = tallies.get(id);
    const mentions = p?.mentions ?? 0;
    const share = p?.share ?? (d.raters > 0 ? 0 : null);
    const cellSmall = mentions > 0 && mentions < min;
    return {
      problem: id,
      mentions: cellSmall ? null : mentions,
      share: cellSmall ? null : share,
      suppressed: cellSmall,
    };
  });
  const negTallies = new Map(d.negatives.map((n) => [n.kind, n]));
  const negatives: NegativeCell[] = negativeIds.map((id) => {
    const n = negTallies.get(id);
    const reported = n?.reported ?? 0;
    const cellSmall = reported > 0 && reported < min;
    return {
      kind: id,
      reported: cellSmall ? null : reported,
      verified: cellSmall ? null : (n?.verified ?? 0),
      suppressed: cellSmall,
    };
  });
  const u = d.uncertainty;
  return {
    ...d,
    groupLabel,
    suppressed: small,
    awareness: small ? null : d.awareness,
    surveyScore: small ? null : d.surveyScore,
    satisfactionRate: small ? null : d.satisfactionRate,
    finalScore: small ? null : d.finalScore,
    grade: small ? null : d.grade,
    items,
    problems,
    negatives,
    uncertainty: small ? { ...u, scoreInterval: null } : { ...u, statisticallyTiedWith: [...u.statisticallyTiedWith] },
  };
}

/** The view of a result: labels, catalogs and small-cell suppression. */
export function toView(
  campaign: ViewCampaign,
  catalogs: Catalogs,
  result: CampaignResult,
  snapshot: SnapshotMeta | null = null,
): ResultView {
  const min = result.method.minCellSize;
  const groupLabels = new Map(catalogs.groups.map((g) => [g.code, g.label]));
  const groupOrder = new Map(catalogs.groups.map((g, i) => [g.code, i]));
  const problemIds = [
    ...new Set([
      ...catalogs.problems.map((p) => p.id),
      ...result.departments.flatMap((d) => d.problems.map((p) => p.problem)),
    ]),
  ];
  const negativeIds = [
    ...new Set([
      ...catalogs.negatives.map((n) => n.id),
      ...result.departments.flatMap((d) => d.negatives.map((n) => n.kind)),
    ]),
  ];
  const departments = result.departments
    .map((d) => suppressDepartment(d, min, groupLabels.get(d.group) ?? d.group, problemIds, negativeIds))
    // groups in config order; within a group scoring's order (rank, unranked last, code) is kept
    .map((d, i) => ({ d, i }))
    .sort((a, b) => (groupOrder.get(a.d.group) ?? 1e9) - (groupOrder.get(b.d.group) ?? 1e9) || a.i - b.i)
    .map(({ d }) => d);
  const { excluded, ...screening } = result.screening;
  return {
    campaign: { slug: campaign.slug, name: campaign.name, timeZone: campaign.timeZone },
    snapshot,
    method: result.method,
    inputs: result.inputs,
    bootstrapSamples: result.bootstrapSamples,
    screening: { ...screening, excludedIds: excluded.map((e) => e.id) },
    catalogs,
    departments,
  };
}
