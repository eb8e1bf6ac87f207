import { beforeEach, describe, expect, it } from 'vitest';
import { computeOfficialScores, inputsHash } from '../../scoring/index.js';
import type { ResponseRecord } from '../../scoring/types.js';
import { B, F, S, U, X, dept, method, resetIds, response } from './helpers.js';

beforeEach(() => resetIds());

const departments = [dept('A', 'g1'), dept('B', 'g1'), dept('C', 'g2')];
function sample(): ResponseRecord[] {
  resetIds(); // same ids on every call
  return [
    response(
      'project',
      [
        { code: 'A', eff: S, qual: F, problems: [3, 1] },
        {
          code: 'C',
          eff: U,
          qual: B,
          negatives: [
            { kind: 2, verified: true },
            { kind: 1, verified: false },
          ],
        },
      ],
      {
        durationSeconds: 320,
        networkKey: 'n1',
        submittedAt: '2026-12-01',
      },
    ),
    response('deputies', [{ code: 'B', eff: X, qual: X }], { durationSeconds: null }),
    response(
      'public',
      [
        { code: 'A', eff: B },
        { code: 'B', eff: F, qual: S, problems: [7] },
      ],
      { durationSeconds: 95 },
    ),
  ];
}

describe('inputsHash', () => {
  it('is a sha256 hex string and equals the hash stored in the result', () => {
    const h = inputsHash(method(), departments, sample());
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(computeOfficialScores(method(), departments, sample()).inputs.hash).toBe(h);
  });

  it('does not depend on input order', () => {
    const h = inputsHash(method(), departments, sample());
    const shuffled = sample()
      .reverse()
      .map((r) => ({
        ...r,
        departments: [...r.departments].reverse().map((d) => ({
          ...d,
          ratings: Object.fromEntries(Object.entries(d.ratings).reverse()),
          problems: [...d.problems].reverse(),
          negatives: [...d.negatives].reverse(),
        })),
      }));
    expect(inputsHash(method(), [...departments].reverse(), shuffled)).toBe(h);
    // object key order of the method does not matter either
    const m = method();
    const reordered = Object.fromEntries(Object.entries(m).reverse()) as typeof m;
    expect(inputsHash(reordered, departments, sample())).toBe(h);
  });

  it('treats an absent optional field like null and ignores fields scoring does not read', () => {
    const h = inputsHash(method(), departments, sample());
    const variant = sample().map((r) => {
      const { networkKey, submittedAt, ...rest } = r;
      return {
        ...rest,
        ...(networkKey !== null ? { networkKey } : {}),
        ...(submittedAt !== null ? { submittedAt } : {}),
        extra: 'x',
      };
    });
    expect(inputsHash(method(), departments, variant)).toBe(h);
  });

  it.each([
    ['a rating', (rs: ResponseRecord[]) => (rs[0].departments[0].ratings.efficiency = F)],
    ['a duration', (rs: ResponseRecord[]) => (rs[0].durationSeconds = 321)],
    ['a verification', (rs: ResponseRecord[]) => (rs[0].departments[1].negatives[0].verified = false)],
    ['a problem', (rs: ResponseRecord[]) => rs[2].departments[1].problems.push(8)],
    ['a category', (rs: ResponseRecord[]) => (rs[1].category = 'public')],
    ['a network key', (rs: ResponseRecord[]) => (rs[0].networkKey = 'n2')],
    ['an id', (rs: ResponseRecord[]) => (rs[1].id = 'other')],
    ['a removed response', (rs: ResponseRecord[]) => rs.pop()],
  ])('changes when %s changes', (_, mutate) => {
    const h = inputsHash(method(), departments, sample());
    const rs = sample();
    mutate(rs);
    expect(inputsHash(method(), departments, rs)).not.toBe(h);
  });

  it('changes with the method and the departments', () => {
    const h = inputsHash(method(), departments, sample());
    expect(inputsHash(method({ minRankedRaters: 31 }), departments, sample())).not.toBe(h);
    expect(inputsHash(method(), [dept('A', 'g2'), departments[1], departments[2]], sample())).not.toBe(h);
  });
});
