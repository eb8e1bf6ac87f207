import type { Method } from './types.js';

/**
 * The small-cell rule, the one place it is written: a cell's figures are withheld when fewer than
 * `minCellSize` evaluators are in it — the people its figures are computed over (a category cell's
 * valid answers, a department's raters for its problem and negative tallies), never the number of
 * ticks. A cell of 250 evaluators of whom 3 named a problem shows 3; a cell of 4 evaluators shows
 * nothing. A cell of nobody has nothing to show either.
 */
export function withheld(evaluators: number, method: Pick<Method, 'minCellSize'>): boolean {
  return evaluators === 0 || evaluators < method.minCellSize;
}
