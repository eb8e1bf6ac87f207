import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('responses')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('questionnaire_version', 'integer', (c) => c.notNull())
    .addColumn('invitation_id', 'text', (c) => c.references('invitations.id').onDelete('set null'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('organisation', 'text')
    .addColumn('duration_seconds', 'integer')
    .addColumn('overall', 'text', (c) => c.notNull())
    .addColumn('suggestion', 'text')
    .addColumn('record_json', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('network_key', 'text')
    .addColumn('submitted_day', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('responses_campaign').on('responses').columns(['campaign_id', 'category']).execute();

  await db.schema
    .createTable('answers')
    .addColumn('response_id', 'text', (c) => c.notNull().references('responses.id').onDelete('cascade'))
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('item', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('answers_pk', ['response_id', 'department_id', 'item'])
    .execute();
  await db.schema.createIndex('answers_department').on('answers').columns(['department_id', 'item', 'level']).execute();

  await db.schema
    .createTable('problem_mentions')
    .addColumn('response_id', 'text', (c) => c.notNull().references('responses.id').onDelete('cascade'))
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('problem', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('problem_mentions_pk', ['response_id', 'department_id', 'problem'])
    .execute();

  await db.schema
    .createTable('negative_reports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('campaign_id', 'text', (c) => c.notNull().references('campaigns.id').onDelete('cascade'))
    .addColumn('response_id', 'text', (c) => c.notNull().references('responses.id').onDelete('cascade'))
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addColumn('kind', 'integer', (c) => c.notNull())
    .addColumn('matter', 'text', (c) => c.notNull())
    .addColumn('event_date', 'text')
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('contact_allowed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('contact', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_day', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('negative_reports_department')
    .on('negative_reports')
    .columns(['department_id', 'status'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('negative_reports').execute();
  await db.schema.dropTable('problem_mentions').execute();
  await db.schema.dropTable('answers').execute();
  await db.schema.dropTable('responses').execute();
}
