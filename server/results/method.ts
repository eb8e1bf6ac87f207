import type { CampaignConfig } from '../../surveys/campaign-config.js';
import type { Method } from '../../scoring/index.js';

/**
 * The scoring method of a campaign, read from its config: every parameter the computation uses,
 * published with the results. Pure: the same config always gives the same Method.
 */
export function methodFromConfig(config: CampaignConfig): Method {
  const s = config.scoring;
  return {
    levels: config.scale.map((l) => ({ code: l.code, label: l.label, points: l.points, satisfied: l.satisfied })),
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
