import type { AppDeps } from './context.js';

/**
 * On an empty database: create the demo campaign from surveys/campaign.example.yaml with ~100
 * departments in 3 groups and 3,000 evaluators, print the admin login and three evaluator links.
 */
export async function ensureDemo(deps: AppDeps): Promise<void> {
  const existing = await deps.db.kysely.selectFrom('campaigns').select('id').limit(1).executeTakeFirst();
  if (existing) return;
  // Filled in as the campaign, invitation and account services land.
}
