import type { CanonicalRecord } from '../../surveys/record.js';
import type { Db } from '../../server/db/connect.js';
import { officeActor } from '../../server/notices/service.js';
import { resultsSetup } from '../results/helpers.js';

export interface ReportSpec {
  code: string;
  kind: number;
  description: string;
  matter?: string;
  /** given with consent to be contacted */
  contact?: string;
  suggestion?: string;
}

export const OFFICE = { ...officeActor('office'), userId: 'u-office', name: '评议办' };

/** One response per report, so each stands alone (a response names a department once). */
export function recordOf(spec: ReportSpec): CanonicalRecord {
  return {
    category: 'project',
    organisation: null,
    durationSeconds: 600,
    overall: 'basically_satisfied',
    suggestion: null,
    departments: [
      {
        code: spec.code,
        ratings: { efficiency: 'basically_satisfied', quality: 'basically_satisfied' },
        problems: [],
        negatives: [
          {
            kind: spec.kind,
            matter: spec.matter ?? '办理施工许可',
            date: '2026-06',
            description: spec.description,
            contactAllowed: spec.contact !== undefined,
            contact: spec.contact ?? null,
          },
        ],
        suggestion: spec.suggestion ?? null,
      },
    ],
  };
}

/** The test campaign (without responses unless asked); `report(day, …)` stores reports as submitted on that day. */
export async function queueSetup(db: Db, options: { records?: boolean } = {}) {
  const s = await resultsSetup(db, { records: options.records ?? false });
  const report = (day: string, ...specs: ReportSpec[]) =>
    s.services.responses.storeMany(s.campaign, specs.map(recordOf), { source: 'import', day });
  /** the id of the report with this description */
  async function idOf(description: string): Promise<string> {
    const page = await s.services.negatives.queue(s.campaign.slug, { q: description, includeMerged: '1' });
    const found = page.items.filter((n) => n.description === description);
    if (found.length !== 1) throw new Error(`expected one report "${description}", found ${found.length}`);
    return found[0].id;
  }
  return { ...s, report, idOf };
}
