import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database, DepartmentsTable } from '../db/schema.js';

export type CampaignRow = Selectable<Database['campaigns']>;
export type QuestionnaireRow = Selectable<Database['questionnaires']>;
export type DepartmentRow = Selectable<DepartmentsTable>;

export function campaignsRepository(db: Kysely<Database>) {
  return {
    findBySlug: (slug: string) => db.selectFrom('campaigns').selectAll().where('slug', '=', slug).executeTakeFirst(),
    findById: (id: string) => db.selectFrom('campaigns').selectAll().where('id', '=', id).executeTakeFirst(),
    list: () => db.selectFrom('campaigns').selectAll().orderBy('opens_at', 'desc').execute(),

    insertWithQuestionnaire: (
      campaign: Insertable<Database['campaigns']>,
      questionnaire: Insertable<Database['questionnaires']>,
    ) =>
      db.transaction().execute(async (trx) => {
        const row = await trx.insertInto('campaigns').values(campaign).returningAll().executeTakeFirstOrThrow();
        await trx.insertInto('questionnaires').values(questionnaire).returning('id').executeTakeFirstOrThrow();
        return row;
      }),

    latestQuestionnaire: (campaignId: string) =>
      db
        .selectFrom('questionnaires')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .orderBy('version', 'desc')
        .limit(1)
        .executeTakeFirst(),

    questionnaireVersion: (campaignId: string, version: number) =>
      db
        .selectFrom('questionnaires')
        .selectAll()
        .where('campaign_id', '=', campaignId)
        .where('version', '=', version)
        .executeTakeFirst(),

    departments: (campaignId: string) =>
      db.selectFrom('departments').selectAll().where('campaign_id', '=', campaignId).orderBy('code').execute(),
  };
}

export type CampaignsRepository = ReturnType<typeof campaignsRepository>;
