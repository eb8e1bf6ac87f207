import { type Kysely, sql } from 'kysely';

/**
 * Which department rows (per campaign) a liaison account is the liaison of. Results and the
 * liaison's pages follow these rows, never a department code alone: a code reused by another
 * campaign for a different department shows nothing of it. Filled by the department import and
 * `user add --department`. Existing accounts are bound to the departments whose 联络员 column
 * names them (same code, same name); an account no department names (made by `user add`) keeps
 * the department of its code in the newest campaign, as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('liaison_departments')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('department_id', 'text', (c) => c.notNull().references('departments.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('liaison_departments_pk', ['user_id', 'department_id'])
    .execute();
  await db.schema
    .createIndex('liaison_departments_department')
    .on('liaison_departments')
    .column('department_id')
    .execute();
  await sql`
    insert into liaison_departments (user_id, department_id)
    select u.id, d.id from users u join departments d on d.code = u.department_code
    where u.role = 'liaison' and d.liaison_name = u.display_name`.execute(db);
  await sql`
    insert into liaison_departments (user_id, department_id)
    select u.id, (
      select d.id from departments d join campaigns c on c.id = d.campaign_id
      where d.code = u.department_code order by c.opens_at desc limit 1
    )
    from users u
    where u.role = 'liaison'
      and not exists (select 1 from liaison_departments l where l.user_id = u.id)
      and exists (select 1 from departments d where d.code = u.department_code)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('liaison_departments').execute();
}
