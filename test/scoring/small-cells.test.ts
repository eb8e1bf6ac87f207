import { describe, expect, it } from 'vitest';
import { computeOfficialScores, withheld } from '../../scoring/index.js';
import { B, dept, method, raters, S } from './helpers.js';

describe('the small-cell rule', () => {
  it('withholds a cell of fewer than minCellSize evaluators and shows one of at least that many', () => {
    const m = method();
    expect(m.minCellSize).toBe(5);
    expect([1, 2, 3, 4].map((n) => withheld(n, m))).toEqual([true, true, true, true]);
    expect([5, 6, 250, 736].map((n) => withheld(n, m))).toEqual([false, false, false, false]);
  });

  it('follows the configured minimum', () => {
    expect(withheld(9, { minCellSize: 10 })).toBe(true);
    expect(withheld(10, { minCellSize: 10 })).toBe(false);
    expect(withheld(1, { minCellSize: 1 })).toBe(false);
  });

  it('has nothing to show for a cell of nobody, whatever the minimum', () => {
    expect(withheld(0, { minCellSize: 5 })).toBe(true);
    expect(withheld(0, { minCellSize: 0 })).toBe(true);
    expect(withheld(1, { minCellSize: 0 })).toBe(false);
  });

  it('is the rule of the category breakdown: 4 evaluators withheld, 5 shown, each category on its own', () => {
    const d = computeOfficialScores(
      method(),
      [dept('A')],
      [...raters(5, 'project', 'A', S), ...raters(4, 'deputies', 'A', B)],
    ).departments[0];
    const [project, deputies] = d.items.efficiency.categoryBreakdown;
    expect(project).toMatchObject({ validAnswers: 5, mean: 100, suppressed: false });
    expect(deputies).toMatchObject({ validAnswers: 4, mean: null, satisfiedShare: null, suppressed: true });
  });
});
