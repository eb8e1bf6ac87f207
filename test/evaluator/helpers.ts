import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig, type AppConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices, type Services } from '../../server/services.js';
import { newId, sha256 } from '../../server/shared/ids.js';
import { newLinkToken } from '../../server/shared/link-token.js';
import { linkKey } from '../../server/shared/sealing.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { createTestCampaign, type TestCampaignOptions } from '../helpers/fixtures.js';

/** Inside the example campaign's window (2026-11-01 … 2026-12-31, +08:00). */
export const OPEN_TIME = '2026-11-23T08:00:00Z';

/**
 * One evaluator with an invitation, inserted directly (the real generator has its own tests).
 * Returns the plain token, as the link would carry it.
 */
export async function createInvitation(
  db: Db,
  campaign: Campaign,
  options: { category?: string; token?: string } = {},
) {
  const token = options.token ?? newLinkToken();
  const category = options.category ?? 'project';
  const evaluatorId = newId();
  const invitationId = newId();
  await db.kysely
    .insertInto('evaluators')
    .values({
      id: evaluatorId,
      campaign_id: campaign.id,
      row_key: sha256(evaluatorId),
      name: '张三',
      organisation: '测试建设有限公司',
      category,
      phone: null,
      email: null,
      created_at: '2026-10-20T00:00:00.000Z',
    })
    .returning('id')
    .execute();
  await db.kysely
    .insertInto('invitations')
    .values({
      id: invitationId,
      campaign_id: campaign.id,
      evaluator_id: evaluatorId,
      category,
      token_hash: sha256(token),
      created_at: '2026-10-20T00:00:00.000Z',
      opened_at: null,
      draft_saved_at: null,
      used: 0,
      used_at: null,
    })
    .returning('id')
    .execute();
  return { token, invitationId, evaluatorId };
}

/** SurveyJS answers as the browser sends them: profile, two departments, overall. */
/** `value` with every object's keys in reverse order, at every depth (the same JSON to any reader). */
export function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reversedKeys(v)]),
  );
}

export function webAnswers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    category: 'project',
    organisation: '宁波某建设集团',
    departments: [
      {
        dept: 'D001',
        efficiency: 'satisfied',
        quality: 'fairly_satisfied',
        problems: [2, 5],
        negatives: [
          {
            kind: 3,
            matter: '施工许可审批',
            date: '2026-06',
            description: '超过承诺时限二十个工作日仍未办结',
            contactAllowed: true,
            contact: '13800000000',
          },
        ],
        suggestion: '希望进一步压缩审批时限',
      },
      { dept: 'D002', efficiency: 'dissatisfied', quality: 'unknown' },
    ],
    overall: 'basically_satisfied',
    suggestion: '总体不错',
    ...overrides,
  };
}

export interface SurveySetup {
  db: Db;
  app: ReturnType<typeof createApp>;
  services: Services;
  campaign: Campaign;
  clock: ReturnType<typeof fixedClock>;
}

export async function surveySetup(
  db: Db,
  options: TestCampaignOptions & { config?: Partial<AppConfig>; time?: string } = {},
): Promise<SurveySetup> {
  const clock = fixedClock(options.time ?? OPEN_TIME);
  const deps = { db, config: defaultConfig(options.config), clock };
  const app = createApp(deps);
  const services = createServices(deps);
  const campaign = await createTestCampaign(db, services, options);
  return { db, app, services, campaign, clock };
}

export const jsonRequest = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** Everything a submission could have written, to assert "database unchanged". */
export async function snapshotCounts(db: Db) {
  const count = async (table: 'responses' | 'problem_mentions' | 'negative_reports' | 'idempotency_keys' | 'drafts') =>
    Number(
      (
        await db.kysely
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const used = await db.kysely
    .selectFrom('invitations')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('used', '=', 1)
    .executeTakeFirstOrThrow();
  // an anonymous campaign's spent link waits for its batch before its invitation is flagged
  const waiting = await db.kysely
    .selectFrom('spent_links')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('pending', 'is not', null)
    .executeTakeFirstOrThrow();
  return {
    responses: await count('responses'),
    problems: await count('problem_mentions'),
    negatives: await count('negative_reports'),
    idempotency: await count('idempotency_keys'),
    drafts: await count('drafts'),
    usedInvitations: Number(used.n) + Number(waiting.n),
  };
}

/** Whether a link is spent: its invitation flagged, or (anonymous campaigns) its spent link waiting for the batch. */
export async function isSpent(db: Db, token: string): Promise<boolean> {
  const invitation = await db.kysely
    .selectFrom('invitations')
    .select('used')
    .where('token_hash', '=', sha256(token))
    .executeTakeFirstOrThrow();
  const link = await db.kysely
    .selectFrom('spent_links')
    .select('spend_key')
    .where('spend_key', '=', linkKey('spent', token))
    .executeTakeFirst();
  return Number(invitation.used) === 1 || link !== undefined;
}
