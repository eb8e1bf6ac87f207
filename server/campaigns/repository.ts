import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import type { StoredState } from './lifecycle.js';
import { newId } from '../shared/ids.js';
import { storedCampaignConfig, type CampaignConfig } from '../../surveys/campaign-config.js';
import { toDepartment, type Department } from '../roster/repository.js';
import { compiledOnce } from '../db/compiled.js';
import { negativesRepository } from '../negatives/repository.js';

export interface Campaign {
  id: string;
  slug: string;
  name: string;
  opensAt: string;
  closesAt: string;
  mode: 'anonymous' | 'named';
  config: CampaignConfig;
  createdAt: string;
  /** when its personal data was last purged (server/privacy/), null until then */
  purgedAt: string | null;
  /** the office's lifecycle decisions (server/campaigns/lifecycle.ts); the dates add the rest */
  state: StoredState;
  paused: boolean;
  /** counted up by every change of its config or questionnaire: what is cached per campaign keys on it */
  revision: number;
}

/** What a change writes: the state, the pause, the dates (in the config too), a draft's whole config. */
export type CampaignPatch = Partial<
  Pick<Campaign, 'state' | 'paused' | 'opensAt' | 'closesAt' | 'config' | 'slug' | 'name' | 'mode'>
> & {
  /** a new questionnaire with the same config: the revision is counted up all the same */
  questionnaire?: true;
};

/** A questionnaire version: the SurveyJS definition as loaded (departments are injected when served). */
export interface Questionnaire {
  version: number;
  definition: Record<string, unknown>;
}

/**
 * Each campaign's config as last parsed, with the text it was parsed from: every request reads its
 * campaign's row (a pause or a close is seen at once by every process), and the same text is not
 * parsed again. Shared by every reader of the row, not to be changed.
 */
const parsedConfigs = new Map<string, { json: string; config: CampaignConfig }>();
const MAX_PARSED_CONFIGS = 1000;

function configOf(id: string, json: string): CampaignConfig {
  const known = parsedConfigs.get(id);
  if (known?.json === json) return known.config;
  const config = storedCampaignConfig(json);
  if (parsedConfigs.size >= MAX_PARSED_CONFIGS) parsedConfigs.clear();
  parsedConfigs.set(id, { json, config });
  return config;
}

const toCampaign = (row: Selectable<Database['campaigns']>): Campaign => ({
  id: row.id,
  slug: row.slug,
  name: row.name,
  opensAt: row.opens_at,
  closesAt: row.closes_at,
  mode: row.mode,
  config: configOf(row.id, row.config_json),
  createdAt: row.created_at,
  purgedAt: row.purged_at,
  state: row.state,
  paused: Number(row.paused) === 1,
  revision: Number(row.revision),
});

const toQuestionnaire = (row: Pick<Selectable<Database['questionnaires']>, 'version' | 'definition_json'>) => ({
  version: Number(row.version),
  definition: JSON.parse(row.definition_json) as Record<string, unknown>,
});

/** The one repository that writes `campaigns` and `questionnaires` (departments: the roster's). */
/** The statements every submission and draft save runs, compiled once (server/db/compiled.ts). */
const campaignById = compiledOnce('campaigns.byId', (db, id: string) =>
  db.selectFrom('campaigns').selectAll().where('id', '=', id),
);
const departmentsKey = compiledOnce('departments.key', (db, campaignId: string) =>
  db
    .selectFrom('departments')
    .select(sql<string | null>`string_agg(code || ${'\t'} || id, ${'\n'} order by code)`.as('key'))
    .where('campaign_id', '=', campaignId),
);
const latestQuestionnaire = compiledOnce('questionnaires.latest', (db, campaignId: string) =>
  db
    .selectFrom('questionnaires')
    .select(['version', 'definition_json'])
    .where('campaign_id', '=', campaignId)
    .orderBy('version', 'desc')
    .limit(1),
);

export function campaignsRepository(db: Kysely<Database>) {
  const insertQuestionnaire = (
    campaignId: string,
    questionnaire: { version: number; definition: unknown },
    at: string,
  ) =>
    db
      .insertInto('questionnaires')
      .values({
        id: newId(),
        campaign_id: campaignId,
        version: questionnaire.version,
        definition_json: JSON.stringify(questionnaire.definition),
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();

  return {
    findBySlug: async (slug: string): Promise<Campaign | undefined> => {
      const row = await db.selectFrom('campaigns').selectAll().where('slug', '=', slug).executeTakeFirst();
      return row && toCampaign(row);
    },
    findById: async (id: string): Promise<Campaign | undefined> => {
      const row = (await campaignById(db, id)).rows[0];
      return row && toCampaign(row);
    },
    list: async (): Promise<Campaign[]> =>
      (await db.selectFrom('campaigns').selectAll().orderBy('opens_at', 'desc').execute()).map(toCampaign),

    insert: async (campaign: Omit<Campaign, 'purgedAt' | 'state' | 'paused' | 'revision'>): Promise<Campaign> =>
      toCampaign(
        await db
          .insertInto('campaigns')
          .values({
            id: campaign.id,
            slug: campaign.slug,
            name: campaign.name,
            opens_at: campaign.opensAt,
            closes_at: campaign.closesAt,
            mode: campaign.mode,
            config_json: JSON.stringify(campaign.config),
            created_at: campaign.createdAt,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),

    /**
     * The campaign's row locked until the transaction ends (a write of nothing: SQLite has no
     * FOR UPDATE), so a settlement or publication waits for it and it reads the state they left.
     */
    lock: (id: string) =>
      db
        .updateTable('campaigns')
        .set((eb) => ({ state: eb.ref('state') }))
        .where('id', '=', id)
        .execute(),

    /**
     * `patch` written only if the campaign still has the state and pause it was read with
     * (compare-and-set: two changes decided on the same reading can't both apply); undefined if not.
     */
    update: async (
      read: Pick<Campaign, 'id' | 'state' | 'paused'>,
      patch: CampaignPatch,
    ): Promise<Campaign | undefined> => {
      const row = await db
        .updateTable('campaigns')
        .set({
          ...(patch.state ? { state: patch.state } : {}),
          ...(patch.paused === undefined ? {} : { paused: patch.paused ? 1 : 0 }),
          ...(patch.opensAt ? { opens_at: patch.opensAt } : {}),
          ...(patch.closesAt ? { closes_at: patch.closesAt } : {}),
          ...(patch.slug ? { slug: patch.slug } : {}),
          ...(patch.name ? { name: patch.name } : {}),
          ...(patch.mode ? { mode: patch.mode } : {}),
          ...(patch.config ? { config_json: JSON.stringify(patch.config) } : {}),
          ...(patch.config || patch.questionnaire ? { revision: sql<number>`revision + 1` } : {}),
        })
        .where('id', '=', read.id)
        .where('state', '=', read.state)
        .where('paused', '=', read.paused ? 1 : 0)
        .returningAll()
        .executeTakeFirst();
      return row && toCampaign(row);
    },

    /** What opening and closing check: the campaign's departments, roster, links and answers. */
    readiness: async (id: string) => {
      const count = async (table: 'departments' | 'evaluators' | 'invitations' | 'responses') =>
        Number(
          (
            await db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll().as('n'))
              .where('campaign_id', '=', id)
              .executeTakeFirstOrThrow()
          ).n,
        );
      return {
        departments: await count('departments'),
        evaluators: await count('evaluators'),
        invitations: await count('invitations'),
        responses: await count('responses'),
      };
    },

    /**
     * What a settlement weighs: the campaign's tracked items by state and department, and its
     * negative-situation reports still pending (merged duplicates count with their primary only).
     */
    settlementFacts: async (id: string) => {
      const items = await db
        .selectFrom('tracked_items as t')
        .innerJoin('departments as d', 'd.id', 't.department_id')
        .select(['t.state', 'd.code', 'd.name', (eb) => eb.fn.countAll().as('n')])
        .where('t.campaign_id', '=', id)
        .groupBy(['t.state', 'd.code', 'd.name'])
        .orderBy('d.code')
        .execute();
      return {
        items: items.map((r) => ({ state: r.state, code: r.code, name: r.name, count: Number(r.n) })),
        unverifiedNegatives: await negativesRepository(db).pendingCount(id),
      };
    },

    /** How many evaluators of each category the campaign's roster has (what a draft's edit must keep). */
    evaluatorCategories: async (id: string): Promise<{ category: string; count: number }[]> =>
      (
        await db
          .selectFrom('evaluators')
          .select(['category', (eb) => eb.fn.countAll().as('n')])
          .where('campaign_id', '=', id)
          .groupBy('category')
          .orderBy('category')
          .execute()
      ).map((r) => ({ category: r.category, count: Number(r.n) })),

    markPurged: (id: string, at: string) =>
      db.updateTable('campaigns').set({ purged_at: at }).where('id', '=', id).execute(),

    insertQuestionnaire,

    /** A draft's questionnaire replaced: version `version` becomes its only one (nothing was answered on the others). */
    replaceQuestionnaire: async (
      campaignId: string,
      questionnaire: { version: number; definition: unknown },
      at: string,
    ) => {
      await db.deleteFrom('questionnaires').where('campaign_id', '=', campaignId).execute();
      await insertQuestionnaire(campaignId, questionnaire, at);
    },

    latestQuestionnaire: async (campaignId: string): Promise<Questionnaire | undefined> => {
      const row = (await latestQuestionnaire(db, campaignId)).rows[0];
      return row && toQuestionnaire(row);
    },

    questionnaireVersion: async (campaignId: string, version: number): Promise<Questionnaire | undefined> => {
      const row = await db
        .selectFrom('questionnaires')
        .select(['version', 'definition_json'])
        .where('campaign_id', '=', campaignId)
        .where('version', '=', version)
        .executeTakeFirst();
      return row && toQuestionnaire(row);
    },

    /**
     * The campaign's department codes and ids as one text, made by the database: what tells a
     * changed list from the one a validator was compiled for, without reading every row.
     */
    departmentsKey: async (campaignId: string): Promise<string> => {
      const row = (await departmentsKey(db, campaignId)).rows[0];
      return row?.key ?? '';
    },

    departments: async (campaignId: string): Promise<Department[]> =>
      (
        await db.selectFrom('departments').selectAll().where('campaign_id', '=', campaignId).orderBy('code').execute()
      ).map(toDepartment),

    /** The department with this code in the latest campaign (by opening time) that lists it. */
    /** The department rows of this code, newest campaign first. */
    departmentsByCode: async (code: string): Promise<Department[]> =>
      (
        await db
          .selectFrom('departments')
          .innerJoin('campaigns', 'campaigns.id', 'departments.campaign_id')
          .selectAll('departments')
          .where('departments.code', '=', code)
          .orderBy('campaigns.opens_at', 'desc')
          .execute()
      ).map(toDepartment),
  };
}

export type CampaignsRepository = ReturnType<typeof campaignsRepository>;
