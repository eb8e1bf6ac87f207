import { type Kysely, sql } from 'kysely';

/**
 * A liaison account is the liaison of its department's rows in every campaign (`sameDepartment`:
 * the same code and the same name). Accounts bound before that rule (0046: the newest campaign
 * only, or the rows whose 联络员 column named them) get the rows of the same department in the
 * other campaigns. A code another campaign gives to another body (another name) stays unbound.
 * Idempotent: a binding already there is left as it is.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    insert into liaison_departments (user_id, department_id)
    select distinct l.user_id, same.id
    from liaison_departments l
    join users u on u.id = l.user_id
    join departments bound on bound.id = l.department_id
    join departments same on same.code = bound.code and same.name = bound.name
    where u.role = 'liaison'
      and not exists (
        select 1 from liaison_departments x where x.user_id = l.user_id and x.department_id = same.id
      )`.execute(db);
}

/** The bindings it added are not told apart from the others: nothing to undo. */
export async function down(): Promise<void> {}
