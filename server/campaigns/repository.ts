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

    insert: (campaign: Insertable<Database['campaigns']>) =>
      db.insertInto('campaigns').values(campaign).returningAll().executeTakeFirstOrThrow(),

    insertQuestionnaire: (questionnaire: Insertable<Database['questionnaires']>) =>
      db.insertInto('questionnaires').values(questionnaire).returning('id').executeTakeFirstOrThrow(),

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

    /** The department with this code in the latest campaign (by opening time) that lists it. */
    latestDepartmentByCode: (code: string) =>
      db
        .selectFrom('departments')
        .innerJoin('campaigns', 'campaigns.id', 'departments.campaign_id')
        .selectAll('departments')
        .where('departments.code', '=', code)
        .orderBy('campaigns.opens_at', 'desc')
        .limit(1)
        .executeTakeFirst(),
  };
}

export type CampaignsRepository = ReturnType<typeof campaignsRepository>;
