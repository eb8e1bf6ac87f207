import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../server/clock.js';
import { commands, runCli } from '../../server/cli/commands.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { methodFromConfig } from '../../server/results/method.js';
import { runSimulation, simulateResponses } from '../../server/demo/simulate.js';
import { createServices } from '../../server/services.js';
import { resolveQuestionnairePath } from '../../surveys/campaign-config.js';
import { compileRecordValidator } from '../../surveys/record.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { RESULTS_TIME } from './helpers.js';

const opened: Db[] = [];
afterAll(() => Promise.all(opened.map((db) => db.close())));

async function campaignDb(departments = 12, questionnaire?: unknown) {
  const db = await sqliteDb();
  opened.push(db);
  const deps = { db, config: defaultConfig(), clock: fixedClock(RESULTS_TIME) };
  const services = createServices(deps);
  const campaign = await createTestCampaign(db, services, { departments, questionnaire });
  return { db, deps, services, campaign };
}

type Definition = { pages: { name?: string; elements: Record<string, unknown>[] }[] };

/** The default questionnaire with required questions of the office's own: of every kind, on a page and in the panel. */
function withRequiredExtras(): Definition {
  const definition = JSON.parse(
    readFileSync(resolveQuestionnairePath('questionnaire.default.json'), 'utf8'),
  ) as Definition;
  definition.pages.splice(1, 0, {
    name: 'heard',
    elements: [
      { type: 'radiogroup', name: 'heardFrom', isRequired: true, choices: ['media', 'letter'] },
      { type: 'text', name: 'years', inputType: 'number', min: 3, max: 5, isRequired: true },
      { type: 'text', name: 'town', maxLength: 2, isRequired: true },
      { type: 'boolean', name: 'firstTime', isRequired: true },
      { type: 'comment', name: 'optionalNote' },
    ],
  });
  const panel = definition.pages.find((p) => p.name === 'rate')!.elements[0] as { templateElements: unknown[] };
  panel.templateElements.push(
    { type: 'checkbox', name: 'channel', choices: ['窗口', '网上', '电话'], minSelectedChoices: 2, isRequired: true },
    { type: 'rating', name: 'wait', rateMin: 1, rateMax: 3, isRequired: true },
    { type: 'comment', name: 'detail', maxLength: 200, isRequired: true },
  );
  return definition;
}

describe('simulate', () => {
  it('generates the same records for the same seed and different ones for another seed', async () => {
    const { services, campaign } = await campaignDb();
    const depts = await services.campaigns.departments(campaign.id);
    const a = simulateResponses(campaign.config, depts, { evaluators: 500, seed: 42 });
    const b = simulateResponses(campaign.config, depts, { evaluators: 500, seed: 42 });
    const c = simulateResponses(campaign.config, depts, { evaluators: 500, seed: 43 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    expect(JSON.stringify(c)).not.toBe(JSON.stringify(a));
  });

  it('generates records the campaign validator accepts, with 不了解, problems, negatives and speeders', async () => {
    const { services, campaign } = await campaignDb();
    const depts = await services.campaigns.departments(campaign.id);
    const validate = compileRecordValidator({ config: campaign.config, departmentCodes: depts.map((d) => d.code) });
    const sim = simulateResponses(campaign.config, depts, { evaluators: 1000, seed: 5 });
    const levels = new Set<string>();
    let problems = 0;
    let negatives = 0;
    for (const { record } of sim.records) {
      const result = validate({
        ...record,
        departments: record.departments.map(({ ratings, ...d }) => ({ ...d, ...ratings })),
      });
      expect(result.ok, JSON.stringify(result.ok ? null : result.error.issues[0])).toBe(true);
      for (const d of record.departments) {
        for (const l of Object.values(d.ratings)) levels.add(l);
        problems += d.problems.length;
        negatives += d.negatives.length;
      }
    }
    expect([...levels].sort()).toEqual([
      'basically_satisfied',
      'dissatisfied',
      'fairly_satisfied',
      'satisfied',
      'unknown',
    ]);
    expect(problems).toBeGreaterThan(100);
    expect(negatives).toBeGreaterThan(10);
    expect(sim.verifiedDescriptions.length).toBeGreaterThan(0);
    expect(sim.verifiedDescriptions.length).toBeLessThan(negatives);
    const categories = new Set(sim.records.map((r) => r.record.category));
    expect(categories.size).toBe(campaign.config.categories.length);
  });

  it('answers the office’s required questions (a valid choice, a short text, a number in range) as a submission must', async () => {
    const { db, deps, services, campaign } = await campaignDb(6, withRequiredExtras());
    const depts = await services.campaigns.departments(campaign.id);
    const index = await services.campaigns.departmentIndex(campaign);
    expect(index.extras.record.map((q) => q.name)).toEqual(['heardFrom', 'years', 'town', 'firstTime', 'optionalNote']);
    const sim = simulateResponses(campaign.config, depts, { evaluators: 300, seed: 5, extras: index.extras });
    for (const { record } of sim.records) {
      const result = index.validate({
        ...record,
        departments: record.departments.map(({ ratings, ...d }) => ({ ...d, ...ratings })),
      });
      expect(result.ok, JSON.stringify(result.ok ? null : result.error.issues[0])).toBe(true);
      expect(Object.keys(record.extra!).sort()).toEqual(['firstTime', 'heardFrom', 'town', 'years']);
      for (const d of record.departments) expect(Object.keys(d.extra!).sort()).toEqual(['channel', 'detail', 'wait']);
    }
    expect(new Set(sim.records.map((r) => r.record.extra!.years))).toEqual(new Set([3, 4, 5]));

    expect((await runSimulation(deps, services, 'test-2026', { evaluators: 50, seed: 3 })).stored).toBe(50);
    const stored = await db.kysely.selectFrom('responses').select('record_json').execute();
    for (const { record_json } of stored) expect(JSON.parse(record_json).extra).toHaveProperty('heardFrom');
  });

  it('stores through the responses service so that scoring excludes speeders and deducts verified negatives, identically for a seed', async () => {
    const scores = [];
    for (let run = 0; run < 2; run++) {
      const { db, deps, services, campaign } = await campaignDb();
      const summary = await runSimulation(deps, services, 'test-2026', { evaluators: 800, seed: 9 });
      expect(summary.stored).toBe(800);
      expect(summary.verified).toBeGreaterThan(0);
      const sources = await db.kysely.selectFrom('responses').select('source').distinct().execute();
      expect(sources).toEqual([{ source: 'simulate' }]);
      const days = await db.kysely.selectFrom('responses').select('submitted_day').distinct().execute();
      expect(days.length).toBeGreaterThan(5);
      const { result } = await services.results.compute('test-2026', { uncertainty: false });
      expect(result.inputs.excluded).toBeGreaterThan(0);
      expect(result.departments.some((d) => d.deduction > 0)).toBe(true);
      const finals = result.departments.map((d) => d.finalScore);
      // departments differ in quality: a spread of at least 15 points
      const known = finals.filter((f): f is number => f !== null);
      expect(Math.max(...known) - Math.min(...known)).toBeGreaterThan(15);
      scores.push(result.departments.map((d) => [d.code, d.finalScore, d.rank, d.deduction, d.validRaters]));
      expect(methodFromConfig(campaign.config).minCellSize).toBe(5);
    }
    expect(scores[1]).toEqual(scores[0]);
  });

  it('fills 3,000 evaluators × 40 departments, every department ranked', async () => {
    const { deps, services } = await campaignDb(40);
    const summary = await runSimulation(deps, services, 'test-2026', { evaluators: 3000, seed: 1 });
    expect(summary.stored).toBe(3000);
    const { result } = await services.results.compute('test-2026', { uncertainty: false });
    expect(result.departments.filter((d) => d.ranked)).toHaveLength(40);
    expect(result.inputs.responses).toBe(3000);
  });

  it('is a CLI command that checks its arguments', async () => {
    const { db } = await campaignDb(6);
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    const env = { db, clock: fixedClock(RESULTS_TIME), config: defaultConfig() };
    expect(await runCli(['simulate', '--campaign', 'test-2026', '--evaluators', '0'], commands, io, env)).toBe(2);
    expect(
      await runCli(['simulate', '--campaign', 'test-2026', '--evaluators', '200', '--seed', '3'], commands, io, env),
    ).toBe(0);
    expect(out.join('\n')).toContain('生成 200 份模拟答卷');
  });
});
