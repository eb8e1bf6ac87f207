/**
 * The evaluator's department search: what was typed is matched against each department's name
 * and short names (简称), character by character in order (住建 finds 市住房和城乡建设局), and
 * against their pinyin, whole syllables or their first letters, mixed (zjj, zhujian, zhuj).
 * The pinyin comes with the directory from the server. Pure: the tests import it too.
 */
import type { DepartmentDirectory, DirectoryEntry } from '../../server/contracts.js';

/** Best first: the whole name or short name, its beginning, its characters in order, its pinyin. */
export type MatchKind = 'exact' | 'prefix' | 'inOrder' | 'pinyin';
const RANK: Record<MatchKind, number> = { exact: 0, prefix: 1, inOrder: 2, pinyin: 3 };

export interface DepartmentMatch {
  entry: DirectoryEntry;
  kind: MatchKind;
  /** within a kind, lower is tighter: characters skipped inside the match, or syllables spanned by the pinyin */
  gap: number;
}

export interface MatchGroup {
  code: string;
  label: string;
  matches: DepartmentMatch[];
}

/** Text compared loosely: full-width as half-width, lower case, without spaces and the apostrophe of zhu'jian. */
export const fold = (text: string) =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s'’·]+/g, '');

/** The fewest characters skipped to find `query`'s characters in order in `term`, or null. */
function inOrderGap(term: string, query: string): number | null {
  const t = Array.from(term);
  const q = Array.from(query);
  let best: number | null = null;
  for (let start = 0; start < t.length; start++) {
    if (t[start] !== q[0]) continue;
    let i = 1;
    let j = start + 1;
    for (; i < q.length && j < t.length; j++) if (t[j] === q[i]) i++;
    if (i < q.length) break; // no later start can finish either
    const gap = j - start - q.length;
    if (best === null || gap < best) best = gap;
  }
  return best;
}

/**
 * The fewest syllables spanned to spell `query` from the starts of syllables in order (each
 * syllable used gives one or more of its first letters: zjj, zhujian, zhuj), or null.
 */
function pinyinGap(syllables: string[], query: string): number | null {
  const memo = new Map<number, number>();
  // the syllable where the spelling of query[i…] ends at the earliest, starting at syllable j
  const end = (i: number, j: number): number => {
    const key = i * 1024 + j;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let best = Number.POSITIVE_INFINITY;
    const s = syllables[j];
    for (let k = 1; k <= s.length && i + k <= query.length && query[i + k - 1] === s[k - 1]; k++) {
      if (i + k === query.length) {
        best = j;
        break;
      }
      for (let next = j + 1; next < syllables.length && next < best; next++) best = Math.min(best, end(i + k, next));
    }
    memo.set(key, best);
    return best;
  };
  let best: number | null = null;
  for (let start = 0; start < syllables.length; start++) {
    const last = end(0, start);
    if (Number.isFinite(last)) {
      const span = last - start + 1;
      if (best === null || span < best) best = span;
    }
  }
  return best;
}

/** How `query` (already folded) matches a department, or null when it does not. */
export function matchDepartment(entry: DirectoryEntry, query: string): DepartmentMatch | null {
  if (!query) return null;
  const terms = [entry.name, ...entry.shortNames].map(fold);
  if (terms.includes(query)) return { entry, kind: 'exact', gap: 0 };
  if (terms.some((t) => t.startsWith(query))) return { entry, kind: 'prefix', gap: 0 };
  const inOrder = terms.map((t) => inOrderGap(t, query)).filter((g) => g !== null);
  if (inOrder.length) return { entry, kind: 'inOrder', gap: Math.min(...inOrder) };
  if (!/^[a-z0-9]+$/.test(query)) return null;
  const spelled = entry.pinyin.map((p) => pinyinGap(p.split(' '), query)).filter((g) => g !== null);
  return spelled.length ? { entry, kind: 'pinyin', gap: Math.min(...spelled) } : null;
}

const better = (a: DepartmentMatch, b: DepartmentMatch) => RANK[a.kind] - RANK[b.kind] || a.gap - b.gap;

/**
 * The departments matching `typed`, grouped by department group: the group of the best match
 * first, each group's matches best first (the directory's order among equals). Nothing typed:
 * every department, groups in the campaign's order.
 */
export function searchDirectory(directory: DepartmentDirectory, typed: string): MatchGroup[] {
  const query = fold(typed);
  const matches = directory.departments
    .map((entry) => (query ? matchDepartment(entry, query) : { entry, kind: 'exact' as const, gap: 0 }))
    .filter((m) => m !== null)
    .sort(better); // stable: equals keep the directory's order
  const groups = new Map<string, MatchGroup>();
  for (const m of matches) {
    let group = groups.get(m.entry.group);
    if (!group) {
      const label = directory.groups.find((g) => g.code === m.entry.group)?.label ?? m.entry.group;
      group = { code: m.entry.group, label, matches: [] };
      groups.set(m.entry.group, group);
    }
    group.matches.push(m);
  }
  const order = (code: string) => {
    const i = directory.groups.findIndex((g) => g.code === code);
    return i < 0 ? directory.groups.length : i;
  };
  const list = [...groups.values()];
  return query ? list : list.sort((a, b) => order(a.code) - order(b.code));
}
