import type { Insertable, Kysely, Selectable } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../shared/ids.js';

export type UserRow = Selectable<Database['users']>;
export type SessionRow = Selectable<Database['sessions']>;

export interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  action: string;
  campaignId: string | null;
  detail: Record<string, unknown>;
}

export interface AuditFilter {
  campaignId?: string;
  action?: string;
  limit?: number;
}

export function accountsRepository(db: Kysely<Database>) {
  return {
    findUserByUsername: (username: string) =>
      db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst(),
    listUsers: () => db.selectFrom('users').selectAll().orderBy('username').execute(),
    insertUser: (user: Insertable<Database['users']>) =>
      db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow(),

    /** whether any campaign has a department with this code (a liaison's department) */
    departmentCodeExists: async (code: string) =>
      !!(await db.selectFrom('departments').select('id').where('code', '=', code).limit(1).executeTakeFirst()),

    insertSession: (session: Insertable<Database['sessions']>) =>
      db.insertInto('sessions').values(session).returning('id').executeTakeFirstOrThrow(),

    /** a live session with its (enabled) user */
    findSession: (id: string, now: string) =>
      db
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select([
          'sessions.id as session_id',
          'sessions.csrf_token',
          'sessions.expires_at',
          'users.id as user_id',
          'users.username',
          'users.display_name',
          'users.role',
          'users.department_code',
        ])
        .where('sessions.id', '=', id)
        .where('sessions.expires_at', '>', now)
        .where('users.disabled', '=', 0)
        .executeTakeFirst(),

    deleteSession: (id: string) => db.deleteFrom('sessions').where('id', '=', id).execute(),
    deleteExpiredSessions: (userId: string, now: string) =>
      db.deleteFrom('sessions').where('user_id', '=', userId).where('expires_at', '<=', now).execute(),

    insertAudit: (entry: Omit<AuditRecord, 'id'>) =>
      db
        .insertInto('audit_log')
        .values({
          id: newId(),
          at: entry.at,
          actor: entry.actor,
          action: entry.action,
          campaign_id: entry.campaignId,
          detail_json: JSON.stringify(entry.detail),
        })
        .returning('id')
        .executeTakeFirstOrThrow(),

    async listAudit(filter: AuditFilter = {}): Promise<AuditRecord[]> {
      let q = db.selectFrom('audit_log').selectAll();
      if (filter.campaignId) q = q.where('campaign_id', '=', filter.campaignId);
      if (filter.action) q = q.where('action', '=', filter.action);
      const rows = await q
        .orderBy('at', 'desc')
        .limit(filter.limit ?? 200)
        .execute();
      return rows.map((row) => ({
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        campaignId: row.campaign_id,
        // written by insertAudit from an object, never by anyone else
        detail: JSON.parse(row.detail_json) as Record<string, unknown>,
      }));
    },
  };
}

export type AccountsRepository = ReturnType<typeof accountsRepository>;
