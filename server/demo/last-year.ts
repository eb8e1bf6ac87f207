/**
 * The results part of the demo (`npm start` on an empty database), run as a step of server/demo.ts:
 * last year's campaign with the same departments, simulated and published (so the dashboard has a
 * year-over-year comparison and a trend), and simulated responses for the running campaign.
 */
import type { DemoContext } from './campaign.js';
import { runSimulation } from './simulate.js';

const YEAR = 365 * 86_400_000;

export async function demoResultsStep({ deps, services, campaign, log }: DemoContext): Promise<void> {
  const started = Date.now();
  const departments = await services.campaigns.departments(campaign.id);

  // last year's campaign: the same config a year earlier, the same departments, published
  const lastYear = (text: string) => text.replace(/(\d{4})/, (y) => String(Number(y) - 1));
  // demo-2026 → demo-2025: the code says the year, as the name does
  const previousSlug = /\d{4}/.test(campaign.slug) ? lastYear(campaign.slug) : `${campaign.slug}-previous`;
  const previous = await services.campaigns.create(
    {
      raw: {
        ...campaign.config,
        // the parsed config holds the scale's levels; the schema takes them as { levels }
        scale: { levels: campaign.config.scale },
        slug: previousSlug,
        name: lastYear(campaign.name).replace(/^(?!.*\d{4})/, '上一年度 '),
        opensAt: new Date(Date.parse(campaign.opensAt) - YEAR).toISOString(),
        closesAt: new Date(Date.parse(campaign.closesAt) - YEAR).toISOString(),
      },
      questionnaire: (await services.campaigns.questionnaire(campaign.id)).definition,
    },
    'demo',
  );
  const csv = `${[['code', 'name', 'group'], ...departments.map((d) => [d.code, d.name, d.group])]
    .map((r) => r.join(','))
    .join('\n')}\n`;
  await services.roster.importDepartments(
    previous,
    { bytes: new TextEncoder().encode(csv), filename: 'departments.csv' },
    { actor: 'demo' },
  );
  await runSimulation(deps, services, previousSlug, { evaluators: 2800, seed: 2025 });
  // entered after the fact (its dates are past): closed as it is, then published
  await services.campaigns.close(previousSlug, 'demo');
  const snapshot = await services.results.publish(previousSlug, 'demo');

  // this year's campaign, still running: most of the roster has answered
  const current = await runSimulation(deps, services, campaign.slug, { evaluators: 2400, seed: 2026 });
  log(
    `模拟答卷：${previous.name} ${snapshot.counts.responses} 份（已发布），${campaign.name} ${current.stored} 份（${Date.now() - started} ms）；分析页面 ${deps.config.publicUrl}/dashboard`,
  );
}
