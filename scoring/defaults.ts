/** The default scoring method of the BRIEF, as a Method value (a fresh copy on every call). */
import type { Method } from './types.js';

export function defaultMethod(): Method {
  return {
    levels: [
      { code: 'satisfied', label: '满意', points: 100, satisfied: true },
      { code: 'fairly_satisfied', label: '比较满意', points: 80, satisfied: true },
      { code: 'basically_satisfied', label: '基本满意', points: 60, satisfied: true },
      { code: 'dissatisfied', label: '不满意', points: 0, satisfied: false },
      { code: 'unknown', label: '不了解', points: null, satisfied: false },
    ],
    items: [
      { code: 'efficiency', label: '工作效率', weight: 1 },
      { code: 'quality', label: '工作质量', weight: 1 },
    ],
    categories: [
      { code: 'project', label: '项目参建单位/服务对象代表', weight: 0.5 },
      { code: 'deputies', label: '两代表一委员', weight: 0.2 },
      { code: 'supervisors', label: '特邀监督员', weight: 0.1 },
      { code: 'grassroots', label: '基层单位', weight: 0.1 },
      { code: 'public', label: '社会公众', weight: 0.1 },
    ],
    minCategoryAnswers: 5,
    minRankedRaters: 30,
    deductionPerNegative: 0.5,
    maxDeduction: 5,
    grades: [
      { label: '好', min: 85 },
      { label: '较好', min: 75 },
      { label: '一般', min: 60 },
      { label: '差', min: null },
    ],
    screening: {
      speederFraction: 1 / 3,
      minStraightRatings: 6,
      burstWindowMinutes: 10,
      burstSize: 10,
      nearIdenticalThreshold: 0.9,
    },
    bootstrap: { samples: 1000, seed: 20260101 },
    rectification: { maxScore: 75, bottomCount: 3, minProbability: 0.8 },
    problemShareThreshold: 0.2,
    minCellSize: 5,
  };
}
