import { beforeEach, describe, expect, it } from 'vitest';
import { computeOfficialScores, screenResponses } from '../../scoring/index.js';
import type { ResponseRecord } from '../../scoring/types.js';
import { B, F, S, U, X, dept, method, raters, resetIds, response } from './helpers.js';

beforeEach(() => resetIds());

const departments = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L'].map((c) => dept(c));
/** 4 ordinary responses of 300 s with varied levels: the median duration is 300 s, speeder limit 100 s */
const background = (): ResponseRecord[] =>
  Array.from({ length: 4 }, () =>
    response(
      'project',
      [
        { code: 'A', eff: S, qual: F },
        { code: 'B', eff: B, qual: X },
      ],
      { durationSeconds: 300 },
    ),
  );

/** one response rating `n` departments, both items at `level` (or the given pairs) */
const straight = (n: number, level: string, durationSeconds: number | null, id: string) =>
  response(
    'public',
    departments.slice(0, n).map((d) => ({ code: d.code, eff: level, qual: level })),
    { durationSeconds, id },
  );

describe('screening: speeder AND straight-liner', () => {
  it.each([
    {
      name: 'speeder and straight-liner (6 ratings, 3 departments) is excluded',
      r: () => straight(3, S, 60, 'x'),
      excluded: true,
    },
    { name: 'just under a third of the median is a speeder', r: () => straight(3, S, 99.9, 'x'), excluded: true },
    { name: 'exactly a third of the median is not a speeder', r: () => straight(3, S, 100, 'x'), excluded: false },
    { name: 'straight-liner alone (normal duration) is kept', r: () => straight(6, S, 300, 'x'), excluded: false },
    {
      name: 'speeder alone (varied levels) is kept',
      r: () =>
        response(
          'public',
          [
            { code: 'A', eff: S, qual: S },
            { code: 'B', eff: S, qual: S },
            { code: 'C', eff: S, qual: F },
          ],
          { durationSeconds: 10, id: 'x' },
        ),
      excluded: false,
    },
    { name: 'no duration is never excluded', r: () => straight(6, X, null, 'x'), excluded: false },
    {
      name: 'fewer than 6 ratings is not excluded (5 valid + one 不了解)',
      r: () =>
        response(
          'public',
          [
            { code: 'A', eff: S, qual: S },
            { code: 'B', eff: S, qual: S },
            { code: 'C', eff: S, qual: U },
          ],
          { durationSeconds: 10, id: 'x' },
        ),
      excluded: false,
    },
    {
      name: '不了解 answers are ignored: 6 same valid ratings among 8 answers is excluded',
      r: () =>
        response(
          'public',
          [
            { code: 'A', eff: X, qual: X },
            { code: 'B', eff: X, qual: U },
            { code: 'C', eff: X, qual: X },
            { code: 'D', eff: U, qual: X },
          ],
          { durationSeconds: 10, id: 'x' },
        ),
      excluded: true,
    },
    { name: 'all 不了解 is not a straight-liner', r: () => straight(6, U, 10, 'x'), excluded: false },
  ])('$name', ({ r, excluded }) => {
    const s = screenResponses(method(), departments, [...background(), r()]);
    expect(s.medianDurationSeconds).toBe(300);
    expect(s.excluded).toEqual(excluded ? [{ id: 'x', reasons: ['speeder_straightliner'] }] : []);
    expect(s.counts.excluded).toBe(excluded ? 1 : 0);
    expect(s.counts.included).toBe(excluded ? 4 : 5);
  });

  it('the median is taken over the responses that have a duration (even count: mean of the middle two)', () => {
    const rs = [
      response('project', [{ code: 'A', eff: S, qual: F }], { durationSeconds: 100 }),
      response('project', [{ code: 'A', eff: S, qual: F }], { durationSeconds: 200 }),
      response('project', [{ code: 'A', eff: S, qual: F }], { durationSeconds: 400 }),
      response('project', [{ code: 'A', eff: S, qual: F }], { durationSeconds: 1000 }),
      response('project', [{ code: 'A', eff: S, qual: F }], { durationSeconds: null }),
    ];
    const s = screenResponses(method(), departments, rs);
    expect(s.medianDurationSeconds).toBe(300);
    expect(s.counts.withDuration).toBe(4);
  });

  it('excluded responses count nowhere in the scores', () => {
    // 5 honest raters give A 60; a speeding straight-liner gives A..C 100 → A stays 60, B and C have no rater
    const rs = [...raters(5, 'project', 'A', B), straight(3, S, 5, 'cheat')];
    const res = computeOfficialScores(method(), departments.slice(0, 3), rs);
    const a = res.departments.find((d) => d.code === 'A')!;
    expect(a.surveyScore).toBe(60);
    expect(a.validRaters).toBe(5);
    expect(res.departments.find((d) => d.code === 'B')!.raters).toBe(0);
    expect(res.inputs).toMatchObject({ responses: 6, included: 5, excluded: 1 });
  });
});

describe('flags (never exclusions)', () => {
  const m = method();
  m.screening = { ...m.screening, burstSize: 3, burstWindowMinutes: 10, nearIdenticalThreshold: 0.9 };

  it('network_burst: burstSize responses from one network within the window', () => {
    const at = (id: string, key: string, time: string) =>
      response('project', [{ code: 'A', eff: S, qual: F }], { id, networkKey: key, submittedAt: time });
    const rs = [
      at('a1', 'net1', '2026-12-01T09:00:00Z'),
      at('a2', 'net1', '2026-12-01T09:04:00Z'),
      at('a3', 'net1', '2026-12-01T09:09:59Z'),
      at('a4', 'net1', '2026-12-01T15:00:00Z'), // hours later: not part of the burst
      at('b1', 'net2', '2026-12-01T09:00:00Z'), // spread over 30 minutes: no burst
      at('b2', 'net2', '2026-12-01T09:15:00Z'),
      at('b3', 'net2', '2026-12-01T09:30:00Z'),
      at('c1', 'net3', '2026-12-02'), // only days known: 3 on one day is a burst
      at('c2', 'net3', '2026-12-02'),
      at('c3', 'net3', '2026-12-02'),
      at('d1', 'net4', '2026-12-02'),
      at('d2', 'net4', '2026-12-03'),
      at('d3', 'net4', '2026-12-04'),
    ];
    const s = screenResponses(m, departments, rs);
    const bursts = s.flags.filter((f) => f.kind === 'network_burst');
    expect(bursts.map((f) => f.responseIds)).toEqual([
      ['a1', 'a2', 'a3'],
      ['c1', 'c2', 'c3'],
    ]);
    expect(bursts[0].detail).toContain('10 分钟');
    expect(s.excluded).toEqual([]);
    expect(s.counts.flags.network_burst).toBe(2);
    expect(s.counts.flaggedResponses).toBe(6);
  });

  it('network_burst: times without a zone are read as UTC, whatever the machine zone', () => {
    const at = (id: string, time: string) =>
      response('project', [{ code: 'A', eff: S }], { id, networkKey: 'k', submittedAt: time });
    const s = screenResponses(m, departments, [
      at('1', '2026-12-01T09:00:00'),
      at('2', '2026-12-01T09:05:00Z'),
      at('3', '2026-12-01T17:06:00+08:00'),
    ]);
    expect(s.flags.map((f) => f.responseIds)).toEqual([['1', '2', '3']]);
  });

  it('near_identical: identical answer sets are flagged, with enough answers', () => {
    const same = (id: string, n: number) =>
      response(
        'public',
        departments.slice(0, n).map((d, k) => ({ code: d.code, eff: [S, F, B][k % 3], qual: X })),
        { id },
      );
    const s = screenResponses(m, departments, [
      same('p', 4),
      same('q', 4),
      same('r', 2),
      same('s', 2),
      ...background(),
    ]);
    // p and q share 8 answers; r and s only 4 (< minStraightRatings 6): not flagged
    expect(s.flags.filter((f) => f.kind === 'near_identical').map((f) => f.responseIds)).toEqual([['p', 'q']]);
  });

  it.each([
    // 10 departments = 20 answers, one differs: Jaccard 19/21 = 0.905
    { n: 10, threshold: 0.9, flagged: true },
    // 5 departments = 10 answers, one differs: Jaccard 9/11 = 0.818
    { n: 5, threshold: 0.9, flagged: false },
    { n: 5, threshold: 0.8, flagged: true },
    { n: 5, threshold: 1, flagged: false },
  ])(
    'near_identical: one answer differing among $n departments at threshold $threshold → $flagged',
    ({ n, threshold, flagged }) => {
      const mm = method();
      mm.screening = { ...mm.screening, nearIdenticalThreshold: threshold };
      const mk = (id: string, last: string) =>
        response(
          'public',
          departments
            .slice(0, n)
            .map((d, k) => ({ code: d.code, eff: [S, F, B][k % 3], qual: k === n - 1 ? last : X })),
          { id },
        );
      const s = screenResponses(mm, departments, [mk('p', X), mk('q', S), ...background()]);
      expect(s.flags.filter((f) => f.kind === 'near_identical').map((f) => f.responseIds)).toEqual(
        flagged ? [['p', 'q']] : [],
      );
    },
  );

  it('near_identical finds a pair hidden among many different responses', () => {
    // 400 responses with pseudo-random answers over 12 departments, plus two near-copies
    const levels = [S, F, B, X, U];
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % 5;
    const rs: ResponseRecord[] = [];
    for (let k = 0; k < 400; k++)
      rs.push(
        response(
          'public',
          departments.map((d) => ({ code: d.code, eff: levels[next()], qual: levels[next()] })),
          { id: `n${k}` },
        ),
      );
    const base = departments.map((d, k) => ({ code: d.code, eff: levels[k % 5], qual: levels[(k + 2) % 5] }));
    rs.push(response('public', base, { id: 'twin1' }));
    rs.push(
      response(
        'public',
        base.map((x, k) => (k === 0 ? { ...x, eff: X === x.eff ? S : X } : x)),
        { id: 'twin2' },
      ),
    ); // 23/25 = 0.92
    const s = screenResponses(m, departments, rs);
    expect(s.flags.filter((f) => f.kind === 'near_identical').map((f) => f.responseIds)).toEqual([['twin1', 'twin2']]);
  });

  it('near_identical: a similarity exactly at the threshold counts (9 of 10 answers, one left out)', () => {
    const mk = (id: string, dropLast: boolean) =>
      response(
        'public',
        departments
          .slice(0, 5)
          .map((d, k) => ({ code: d.code, eff: [S, F, B][k % 3], qual: dropLast && k === 4 ? undefined : X })),
        { id },
      );
    const s = screenResponses(m, departments, [mk('p', false), mk('q', true), ...background()]);
    expect(s.flags.filter((f) => f.kind === 'near_identical').map((f) => f.responseIds)).toEqual([['p', 'q']]);
  });

  it('near_identical agrees with a brute-force comparison of all pairs', () => {
    // 300 responses: 60 originals over 12 departments and 4 mutated copies of each (0–4 answers changed or dropped)
    let seed = 987654321;
    const rand = (n: number) => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n;
    const levels = [S, F, B, X, U];
    const rs: ResponseRecord[] = [];
    for (let o = 0; o < 60; o++) {
      const n = 3 + rand(10);
      const picked = departments.filter(() => rand(12) < n);
      const base = picked.map((d) => ({ code: d.code, eff: levels[rand(5)], qual: levels[rand(5)] }));
      rs.push(response('public', base, { id: `o${o}` }));
      for (let c = 0; c < 4; c++) {
        const copy = base.map((x) => ({ ...x }));
        for (let k = rand(5); k > 0 && copy.length; k--) {
          const x = copy[rand(copy.length)];
          if (rand(2)) x.eff = levels[rand(5)];
          else x.qual = rand(3) ? levels[rand(5)] : (undefined as unknown as string);
        }
        rs.push(response('public', copy, { id: `o${o}c${c}` }));
      }
    }
    for (const thr of [0.7, 0.8, 0.9, 0.95]) {
      const mm = method();
      mm.screening = { ...mm.screening, nearIdenticalThreshold: thr };
      const got = screenResponses(mm, departments, rs)
        .flags.filter((f) => f.kind === 'near_identical')
        .map((f) => f.responseIds!.join(' '))
        .sort();
      // brute force
      const sets = rs.map(
        (r) =>
          new Set(
            r.departments.flatMap((d) =>
              Object.entries(d.ratings)
                .filter(([, v]) => v !== undefined)
                .map(([k, v]) => `${d.code}|${k}|${v}`),
            ),
          ),
      );
      const parent = rs.map((_, i) => i);
      const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
      for (let i = 0; i < rs.length; i++)
        for (let j = i + 1; j < rs.length; j++) {
          const a = sets[i];
          const b = sets[j];
          if (a.size < 6 || b.size < 6) continue;
          let inter = 0;
          for (const t of a) if (b.has(t)) inter++;
          if (inter >= 6 && inter / (a.size + b.size - inter) >= thr - 1e-12) parent[find(i)] = find(j);
        }
      const groups = new Map<number, string[]>();
      rs.forEach((r, i) => {
        groups.set(find(i), [...(groups.get(find(i)) ?? []), r.id]);
      });
      const expected = [...groups.values()]
        .filter((g) => g.length > 1)
        .map((g) => g.sort().join(' '))
        .sort();
      expect(got, `threshold ${thr}`).toEqual(expected);
      expect(expected.length).toBeGreaterThan(0);
    }
  });

  it('no_unknown_category: a category giving no 不了解 where the campaign often does', () => {
    // campaign: B's raters answer 不了解 half the time → p = share of (rater, department) entries with a 不了解
    const rs = [
      ...raters(12, 'deputies', 'A', S), // A from deputies: 12 raters, no 不了解
      ...raters(3, 'public', 'A', S), // A from public: too few to mean anything
      ...raters(20, 'project', 'B', S, U),
      ...raters(5, 'project', 'B', F),
    ];
    const s = screenResponses(method(), departments, rs);
    // entries: 40, with 不了解: 20 → p = 0.5; (1 − 0.5)^12 = 0.00024 < 0.01 → flagged; B/project has 不了解
    const f = s.flags.filter((x) => x.kind === 'no_unknown_category');
    expect(f.map((x) => [x.department, x.category])).toEqual([['A', 'deputies']]);
    expect(f[0].detail).toContain('12');
    expect(f[0].responseIds).toBeUndefined();
  });

  it('no_unknown_category: no flag when nobody in the campaign answers 不了解', () => {
    const s = screenResponses(method(), departments, [...raters(40, 'project', 'A', S)]);
    expect(s.flags).toEqual([]);
  });

  it('flags never remove a response from the scores', () => {
    const rs = raters(30, 'project', 'A', S).map((r) => ({ ...r, networkKey: 'same', submittedAt: '2026-12-01' }));
    const res = computeOfficialScores(m, [dept('A')], rs);
    expect(res.inputs).toMatchObject({ responses: 30, included: 30, excluded: 0, flagged: 30 });
    expect(res.departments[0].validRaters).toBe(30);
  });
});
