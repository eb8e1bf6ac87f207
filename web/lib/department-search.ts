/**
 * The evaluator's department search: what was typed is matched against each department's name
 * and short names (简称), and against their pinyin, whole syllables or their first letters, mixed
 * (zjj, zhujian, zhuj). Best first: the whole name or short name (住建局), the pinyin initials or
 * the whole pinyin of one (zjj), its beginning (住建, zj), a run inside it (建设局), and last its
 * characters or syllables in order with others between (住建 finds 市住房和城乡建设局).
 * The pinyin comes with the directory from the server. Pure: the tests import it too.
 */
import type { DepartmentDirectory, DirectoryEntry } from '../../server/contracts.js';

export type MatchKind = 'exact' | 'initials' | 'prefix' | 'substring' | 'inOrder';
const RANK: Record<MatchKind, number> = { exact: 0, initials: 1, prefix: 2, substring: 3, inOrder: 4 };

export interface DepartmentMatch {
  entry: DirectoryEntry;
  kind: MatchKind;
  /**
   * within a kind, lower is tighter: for a beginning or a run, the characters (syllables) of the
   * name left over; in order, the characters skipped inside the match or the syllables spanned
   */
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
function inOrderGap(term: string[], query: string[]): number | null {
  let best: number | null = null;
  for (let start = 0; start < term.length; start++) {
    if (term[start] !== query[0]) continue;
    let i = 1;
    let j = start + 1;
    for (; i < query.length && j < term.length; j++) if (term[j] === query[i]) i++;
    if (i < query.length) break; // no later start can finish either
    const gap = j - start - query.length;
    if (best === null || gap < best) best = gap;
  }
  return best;
}

/**
 * Where `query` is spelled from the starts of syllables in order (each syllable used gives one or
 * more of its first letters: zjj, zhujian, zhuj): the syllable it starts at, and the fewest
 * syllables spanned from there, or null. With `run`, only from syllables one after another.
 */
function spelled(syllables: string[], query: string, run: boolean): { start: number; span: number } | null {
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
      const last = run ? Math.min(j + 1, syllables.length - 1) : syllables.length - 1;
      for (let next = j + 1; next <= last && next < best; next++) best = Math.min(best, end(i + k, next));
    }
    memo.set(key, best);
    return best;
  };
  let best: { start: number; span: number } | null = null;
  for (let start = 0; start < syllables.length; start++) {
    const last = end(0, start);
    if (Number.isFinite(last) && (best === null || last - start + 1 < best.span))
      best = { start, span: last - start + 1 };
  }
  return best;
}

/** How `query` (already folded) matches one name or short name (`text`, its pinyin `pinyin`), or null. */
function matchTerm(text: string, pinyin: string, query: string): { kind: MatchKind; gap: number } | null {
  const term = fold(text);
  const chars = Array.from(term);
  const length = Array.from(query).length;
  if (term === query) return { kind: 'exact', gap: 0 };
  const letters = /^[a-z0-9]+$/.test(query);
  const syllables = letters ? pinyin.split(' ').filter(Boolean) : [];
  if (letters && (syllables.map((s) => s[0]).join('') === query || syllables.join('') === query))
    return { kind: 'initials', gap: 0 };
  if (term.startsWith(query)) return { kind: 'prefix', gap: chars.length - length };
  const run = letters ? spelled(syllables, query, true) : null;
  if (run?.start === 0) return { kind: 'prefix', gap: syllables.length - run.span };
  if (term.includes(query)) return { kind: 'substring', gap: chars.length - length };
  if (run) return { kind: 'substring', gap: syllables.length - run.span };
  const skipped = inOrderGap(chars, Array.from(query));
  if (skipped !== null) return { kind: 'inOrder', gap: skipped };
  const scattered = letters ? spelled(syllables, query, false) : null;
  return scattered ? { kind: 'inOrder', gap: scattered.span } : null;
}

const better = <T extends { kind: MatchKind; gap: number }>(a: T, b: T) => RANK[a.kind] - RANK[b.kind] || a.gap - b.gap;

/** How `query` (already folded) matches a department (its best-matching name or short name), or null when it does not. */
export function matchDepartment(entry: DirectoryEntry, query: string): DepartmentMatch | null {
  if (!query) return null;
  const found = [entry.name, ...entry.shortNames]
    .map((text, i) => matchTerm(text, entry.pinyin[i] ?? '', query))
    .filter((m) => m !== null)
    .sort(better);
  return found.length ? { entry, ...found[0] } : null;
}

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
