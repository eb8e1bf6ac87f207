import type { CampaignConfig } from '../../surveys/campaign-config.js';
import type { DepartmentDirectory } from '../contracts.js';
import type { Department } from '../roster/repository.js';

/** Loaded at the first evaluator's visit, not when the server or a CLI command starts: its dictionary is large. */
const loadPinyin = () => import('pinyin-pro').then((m) => m.pinyin);

/**
 * The department list as the evaluator's search needs it (see web/lib/department-search.ts).
 * The pinyin is toneless, one syllable per character, read in the context of the whole name
 * (pinyin-pro reads 银行 as yin hang), ü as v as on a phone keyboard; other characters stand
 * for themselves.
 */
export async function departmentDirectory(
  config: Pick<CampaignConfig, 'groups'>,
  departments: readonly Department[],
): Promise<DepartmentDirectory> {
  const pinyin = await loadPinyin();
  const syllables = (text: string) =>
    pinyin(text.normalize('NFKC'), { toneType: 'none', type: 'array', v: true })
      .map((s) => s.toLowerCase().trim())
      .filter(Boolean)
      .join(' ');
  return {
    groups: config.groups.map((g) => ({ code: g.code, label: g.label })),
    departments: departments.map((d) => ({
      code: d.code,
      name: d.name,
      group: d.group,
      shortNames: d.shortNames,
      pinyin: [d.name, ...d.shortNames].map(syllables),
    })),
  };
}
