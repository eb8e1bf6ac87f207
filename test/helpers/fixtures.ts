import type { Db } from '../../server/db/connect.js';
import { newId, newToken, sha256 } from '../../server/shared/ids.js';
import type { Services } from '../../server/services.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../../surveys/campaign-config.js';

export interface TestCampaignOptions {
  slug?: string;
  departments?: number;
  overrides?: Record<string, unknown>;
}

/**
 * The example campaign (open from 2026-11-01 to 2026-12-31, Asia/Shanghai) with departments
 * D001… spread over its three groups, inserted directly: roster imports have their own tests.
 */
export async function createTestCampaign(db: Db, services: Services, options: TestCampaignOptions = {}) {
  const { raw, dir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
  const campaign = await services.campaigns.create(
    {
      raw: { ...(raw as object), slug: options.slug ?? 'test-2026', ...options.overrides },
      configDir: dir,
    },
    'test',
  );
  await insertNumberedDepartments(db, campaign, options.departments ?? 6, '测试部门');
  return campaign;
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

/** `count` evaluators of a category with an invitation each, inserted in batches; returns the plain tokens. */
export async function insertInvitations(
  db: Db,
  campaign: Campaign,
  count: number,
  createdAt: string,
  category = 'project',
): Promise<string[]> {
  const tokens: string[] = [];
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, () => {
      const token = newToken();
      tokens.push(token);
      return { token, evaluatorId: newId() };
    });
    await db.kysely
      .insertInto('evaluators')
      .values(
        batch.map((b) => ({
          id: b.evaluatorId,
          campaign_id: campaign.id,
          row_key: sha256(b.evaluatorId),
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
