/**
 * What leaves the results module: the scoring result shaped for people (group labels, catalogs)
 * with small-cell suppression applied. Every API answer, page and export is built from a view;
 * only the stored snapshot keeps the raw result, so published figures can be recomputed.
 *
 * Suppression follows the one rule of scoring/small-cells.ts (`withheld`): a cell counting fewer
 * than minCellSize (default 5) EVALUATORS keeps its count of evaluators but its figures become
 * null and it carries `suppressed: true`; a cell with enough evaluators shows every figure, a
 * count of 0–4 ticks included. The evaluators of a cell are the people its figures are over:
 * - a category cell (department × item × category): that category's valid answers;
 * - an item of a department: its valid answers (score, satisfaction rate);
 * - a department: its valid raters (every score, rate and interval);
 * - a work-style problem or a negative-situation kind of a department: the department's raters
 *   (everyone who listed it: the denominator of the shares), not the number who ticked it
 *   (the department's total of verified negatives and its deduction stay: they are official figures).
 */
import type { CampaignConfig } from '../../surveys/campaign-config.js';
import { withheld, type CampaignResult, type DepartmentResult, type Method } from '../../scoring/index.js';
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
  method: Method,
  groupLabel: string,
  problemIds: number[],
  negativeIds: number[],
): DepartmentView {
  const small = withheld(d.validRaters, method);
  const items: Record<string, ItemView> = {};
  for (const [code, item] of Object.entries(d.items)) {
    const itemSmall = small || withheld(item.validAnswers, method);
    items[code] = {
      score: itemSmall ? null : item.score,
      satisfactionRate: itemSmall ? null : item.satisfactionRate,
      validAnswers: item.validAnswers,
      suppressed: itemSmall,
      categoryBreakdown: item.categoryBreakdown.map((c) => {
        const cellSmall = withheld(c.validAnswers, method);
        return {
          ...c,
          mean: cellSmall ? null : c.mean,
          satisfiedShare: cellSmall ? null : c.satisfiedShare,
          suppressed: cellSmall,
        };
      }),
    };
  }
  // problem and negative cells are over the department's raters, whoever ticked them
  const tallySmall = withheld(d.raters, method);
  // every catalog entry gets a cell, named or not, so tables have fixed columns
  const tallies = new Map(d.problems.map((p) => [p.problem, p]));
  const problems: ProblemCell[] = problemIds.map((id) => {
    const p = tallies.get(id);
    return {
      problem: id,
      mentions: tallySmall ? null : (p?.mentions ?? 0),
      share: tallySmall ? null : (p?.share ?? 0),
      suppressed: tallySmall,
    };
  });
  const negTallies = new Map(d.negatives.map((n) => [n.kind, n]));
  const negatives: NegativeCell[] = negativeIds.map((id) => {
    const n = negTallies.get(id);
    return {
      kind: id,
      reported: tallySmall ? null : (n?.reported ?? 0),
      verified: tallySmall ? null : (n?.verified ?? 0),
      suppressed: tallySmall,
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
    ...(d.unfavourableRate !== undefined ? { unfavourableRate: small ? null : d.unfavourableRate } : {}),
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
    .map((d) => suppressDepartment(d, result.method, groupLabels.get(d.group) ?? d.group, problemIds, negativeIds))
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
