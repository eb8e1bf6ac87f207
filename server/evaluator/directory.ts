import { pinyin } from 'pinyin-pro';
import type { CampaignConfig } from '../../surveys/campaign-config.js';
import type { DepartmentDirectory } from '../contracts.js';
import type { Department } from '../roster/repository.js';

/**
 * Toneless pinyin, one syllable per character, in the context of the whole name (pinyin-pro reads
 * 银行 as yin hang); ü as v, as on a phone keyboard. Other characters stand for themselves.
 */
export const syllables = (text: string) =>
  pinyin(text.normalize('NFKC'), { toneType: 'none', type: 'array', v: true })
    .map((s) => s.toLowerCase().trim())
    .filter(Boolean)
    .join(' ');

/** The department list as the evaluator's search needs it (see web/lib/department-search.ts). */
export function departmentDirectory(
  config: Pick<CampaignConfig, 'groups'>,
  departments: readonly Department[],
): DepartmentDirectory {
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
