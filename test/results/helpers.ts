import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { officeActor } from '../../server/notices/service.js';
import { createServices, type Services } from '../../server/services.js';
import type { CanonicalNegative, CanonicalRecord } from '../../server/contracts.js';
import { createTestCampaign } from '../helpers/fixtures.js';

/** After the example campaign closed (2026-12-31 +08:00). */
export const RESULTS_TIME = '2027-01-05T08:00:00Z';

export type Level = 'satisfied' | 'fairly_satisfied' | 'basically_satisfied' | 'dissatisfied' | 'unknown';

export interface Rating {
  code: string;
  efficiency: Level;
  quality: Level;
  problems?: number[];
  negatives?: { kind: number; description: string }[];
}

export function record(category: string, ratings: Rating[], durationSeconds: number | null = 600): CanonicalRecord {
  return {
    category,
    organisation: null,
    durationSeconds,
    overall: 'basically_satisfied',
    suggestion: null,
    departments: ratings.map((r) => ({
      code: r.code,
      ratings: { efficiency: r.efficiency, quality: r.quality },
      problems: r.problems ?? [],
      negatives: (r.negatives ?? []).map(
        (n): CanonicalNegative => ({
          kind: n.kind,
          matter: '办理施工许可',
          date: '2026-06',
          description: n.description,
          contactAllowed: false,
          contact: null,
        }),
      ),
      suggestion: null,
    })),
  };
}

const cycle: Level[] = ['satisfied', 'fairly_satisfied', 'basically_satisfied', 'dissatisfied'];

/**
 * A small campaign with known cells (departments D001…D006, groups economic/enforcement/service):
 * - 40 'project' evaluators rate D001…D005 (ranked: ≥ 30 valid raters); D001 is best, D005 worst;
 * - 2 'deputies' rate D001: that category cell of D001 has 2 evaluators → suppressed;
 * - 3 'public' rate only D006: the whole department has 3 valid raters → suppressed, not ranked;
 * - problem 4 is named for D001 by 2 evaluators (suppressed), problem 2 for D002 by 10 (shown);
 * - D005 gets 3 negative reports of kind 3, 2 of them verified (deduction 1.0).
 */
export function knownRecords(): { records: CanonicalRecord[]; verify: string[] } {
  const records: CanonicalRecord[] = [];
  const verify: string[] = [];
  for (let i = 0; i < 40; i++) {
    const level = (offset: number) => cycle[Math.min(3, Math.floor(((i % 4) + offset) / 1.5))];
    records.push(
      record('project', [
        {
          code: 'D001',
          efficiency: 'satisfied',
          quality: i % 5 === 0 ? 'fairly_satisfied' : 'satisfied',
          problems: i < 2 ? [4] : [],
        },
        { code: 'D002', efficiency: level(0), quality: level(1), problems: i < 10 ? [2] : [] },
        { code: 'D003', efficiency: level(1), quality: level(1) },
        { code: 'D004', efficiency: level(2), quality: i % 10 === 0 ? 'unknown' : level(2) },
        {
          code: 'D005',
          efficiency: level(3),
          quality: level(3),
          negatives: i < 3 ? [{ kind: 3, description: `超过承诺时限，第${i + 1}件` }] : [],
        },
      ]),
    );
    if (i < 2) verify.push(`超过承诺时限，第${i + 1}件`);
  }
  for (let i = 0; i < 2; i++)
    records.push(record('deputies', [{ code: 'D001', efficiency: 'basically_satisfied', quality: 'dissatisfied' }]));
  for (let i = 0; i < 3; i++)
    records.push(record('public', [{ code: 'D006', efficiency: 'dissatisfied', quality: 'dissatisfied' }]));
  return { records, verify };
}

/**
 * Cells that tell evaluators apart from ticks (the small-cell rule counts the first):
 * - D001 is rated by 250 'project' evaluators and 3 'deputies' (253 raters): 3 of them name
 *   problem 4 and 2 report a negative situation of kind 3 — small tallies of a big department,
 *   shown; its 'deputies' category cell has 3 evaluators — withheld;
 * - D002 is rated by 4 'public' evaluators who all name problem 1 — a tiny department, withheld
 *   whole, its problem tallies included.
 */
export function smallCellRecords(): CanonicalRecord[] {
  const records: CanonicalRecord[] = [];
  for (let i = 0; i < 250; i++)
    records.push(
      record('project', [
        {
          code: 'D001',
          efficiency: i % 3 ? 'satisfied' : 'fairly_satisfied',
          quality: 'satisfied',
          problems: i < 3 ? [4] : [],
          negatives: i >= 10 && i < 12 ? [{ kind: 3, description: `办件超时，第${i}件` }] : [],
        },
      ]),
    );
  for (let i = 0; i < 3; i++)
    records.push(record('deputies', [{ code: 'D001', efficiency: 'dissatisfied', quality: 'basically_satisfied' }]));
  for (let i = 0; i < 4; i++)
    records.push(
      record('public', [{ code: 'D002', efficiency: 'dissatisfied', quality: 'dissatisfied', problems: [1] }]),
    );
  return records;
}

export const TEST_OFFICE = officeActor('test');

/** Store records through the responses service, then verify (as the office) the negative reports with these descriptions. */
export async function storeRecords(
  services: Services,
  campaign: Campaign,
  records: CanonicalRecord[],
  verify: string[] = [],
) {
  await services.responses.storeMany(campaign, records, { source: 'import' });
  if (verify.length) await services.negatives.verifyByDescription(campaign, verify, '经核查属实', TEST_OFFICE);
}

/** An app over `db` with the test campaign and the known records stored. */
export async function resultsSetup(db: Db, options: { slug?: string; records?: boolean; timeZone?: string } = {}) {
  const clock = fixedClock(RESULTS_TIME);
  const deps = { db, config: defaultConfig(), clock };
  const app = createApp(deps);
  const services = createServices(deps);
  const campaign = await createTestCampaign(db, services, {
    slug: options.slug,
    departments: 6,
    ...(options.timeZone ? { overrides: { timeZone: options.timeZone } } : {}),
  });
  if (options.records !== false) {
    const { records, verify } = knownRecords();
    await storeRecords(services, campaign, records, verify);
  }
  return { app, services, campaign, clock, deps };
}
