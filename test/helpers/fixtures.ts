import type { Db } from '../../server/db/connect.js';
import { chunks } from '../../server/shared/chunks.js';
import { newId, sha256 } from '../../server/shared/ids.js';
import { newLinkToken } from '../../server/shared/link-token.js';
import type { Services } from '../../server/services.js';
import type { Campaign } from '../../server/campaigns/service.js';
import type { StoredState } from '../../server/campaigns/lifecycle.js';
import { campaignsRepository } from '../../server/campaigns/repository.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../../surveys/campaign-config.js';

export interface TestCampaignOptions {
  slug?: string;
  departments?: number;
  overrides?: Record<string, unknown>;
  /** a SurveyJS definition instead of the config's questionnaire file */
  questionnaire?: unknown;
  /** the stored lifecycle state (default open: the dates then say scheduled, open or closed) */
  state?: StoredState;
}

/**
 * The example campaign (opened, running from 2026-11-01 to 2026-12-31, Asia/Shanghai) with departments
 * D001… spread over its three groups, inserted directly: roster imports have their own tests.
 */
export async function createTestCampaign(db: Db, services: Services, options: TestCampaignOptions = {}) {
  const { raw, dir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
  const campaign = await services.campaigns.create(
    {
      raw: { ...(raw as object), slug: options.slug ?? 'test-2026', ...options.overrides },
      configDir: dir,
      questionnaire: options.questionnaire,
    },
    'test',
  );
  await insertNumberedDepartments(db, campaign, options.departments ?? 6, '测试部门');
  return setState(db, campaign, options.state ?? 'open');
}

/** The campaign with its stored lifecycle state set directly (the transitions have their own tests). */
export async function setState(db: Db, campaign: Campaign, state: StoredState): Promise<Campaign> {
  const repo = campaignsRepository(db.kysely);
  const current = (await repo.findById(campaign.id))!;
  return (await repo.update(current, { state }))!;
}

/**
 * Replay a moment before the publication of `campaign`: the clock set to `at` and its stored state
 * open again (a published campaign never reopens; suites of open-campaign routes need a snapshot too).
 */
export async function replayOpen(
  db: Db,
  clock: { set(t: string): void },
  campaign: Campaign,
  at: string,
): Promise<Campaign> {
  clock.set(at);
  return setState(db, campaign, 'open');
}

/** Departments D001, D002, … named `${namePrefix}1`, `${namePrefix}2`, …, spread round-robin over the campaign's groups. */
export function insertNumberedDepartments(
  db: Db,
  campaign: Campaign,
  count: number,
  namePrefix: string,
): Promise<void> {
  return insertDepartments(
    db,
    campaign,
    Array.from({ length: count }, (_, i) => `${namePrefix}${i + 1}`),
  );
}

/** Departments D001, D002, … with these names, spread round-robin over the campaign's groups. */
export async function insertDepartments(db: Db, campaign: Campaign, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const groups = campaign.config.groups.map((g) => g.code);
  await db.kysely
    .insertInto('departments')
    .values(
      names.map((name, i) => ({
        id: newId(),
        campaign_id: campaign.id,
        code: `D${String(i + 1).padStart(3, '0')}`,
        name,
        group_code: groups[i % groups.length],
        liaison_name: null,
        liaison_email: null,
        created_at: '2026-10-01T00:00:00.000Z',
      })),
    )
    .returning('id')
    .execute();
}

/** `count` evaluators of a category without invitations, inserted in batches; their ids. */
export async function insertEvaluators(
  db: Db,
  campaign: Campaign,
  count: number,
  createdAt = '2026-10-20T00:00:00.000Z',
  category = 'project',
): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newId());
  for (const batch of chunks(ids)) {
    await db.kysely
      .insertInto('evaluators')
      .values(
        batch.map((id) => ({
          id,
          campaign_id: campaign.id,
          row_key: sha256(id),
          name: '评议代表',
          organisation: null,
          category,
          phone: null,
          email: null,
          created_at: createdAt,
        })),
      )
      .returning('id')
      .execute();
  }
  return ids;
}

/** `count` evaluators of a category with an invitation each, inserted in batches; returns the plain tokens. */
export async function insertInvitations(
  db: Db,
  campaign: Campaign,
  count: number,
  createdAt: string,
  category = 'project',
): Promise<string[]> {
  const evaluators = await insertEvaluators(db, campaign, count, createdAt, category);
  const tokens = evaluators.map(() => newLinkToken());
  for (const batch of chunks(evaluators.map((evaluatorId, i) => ({ evaluatorId, token: tokens[i] })))) {
    await db.kysely
      .insertInto('invitations')
      .values(
        batch.map((b) => ({
          id: newId(),
          campaign_id: campaign.id,
          evaluator_id: b.evaluatorId,
          category,
          token_hash: sha256(b.token),
          created_at: createdAt,
          opened_at: null,
          draft_saved_at: null,
          used: 0,
          used_at: null,
        })),
      )
      .returning('id')
      .execute();
  }
  return tokens;
}
