import { sql, type Kysely, type Selectable } from 'kysely';
import type { SessionUser, UserAccount } from '../contracts.js';
import type { Database } from '../db/schema.js';
import { chunks } from '../shared/chunks.js';
import { newId } from '../shared/ids.js';

/** An account as sign-in checks it. */
export interface StoredUser {
  user: SessionUser;
  passwordHash: string;
  disabled: boolean;
}

export interface NewUser extends Omit<SessionUser, 'id'> {
  passwordHash: string;
  createdAt: string;
}

/** A live session with its user, as a request's cookie finds it. */
export interface StoredSession {
  /** sha256 of the cookie value */
  sessionId: string;
  csrfToken: string;
  expiresAt: string;
  user: SessionUser;
}

type UserColumns = Pick<Selectable<Database['users']>, 'id' | 'username' | 'display_name' | 'role' | 'department_code'>;

const toSessionUser = (row: UserColumns): SessionUser => ({
  id: row.id,
  username: row.username,
  displayName: row.display_name,
  role: row.role,
  departmentCode: row.department_code,
});

const toAccount = (row: Selectable<Database['users']> & { department_name: string | null }): UserAccount => ({
  ...toSessionUser(row),
  departmentName: row.department_name,
  disabled: Number(row.disabled) === 1,
  createdAt: row.created_at,
  lastLoginAt: row.last_login_at,
});

/** A liaison account of a campaign's departments. */
export interface CampaignLiaison {
  userId: string;
  username: string;
  displayName: string;
  disabled: boolean;
  /** the campaign's departments it is the liaison of (one or, bound to several, more), by code */
  departments: { code: string; name: string }[];
}

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
    findUserByUsername: async (username: string): Promise<StoredUser | undefined> => {
      const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
      return row && { user: toSessionUser(row), passwordHash: row.password_hash, disabled: Number(row.disabled) === 1 };
    },
    /** The username that is this one but for the case of its letters, if an account has it. */
    usernameDifferingInCase: async (username: string): Promise<string | undefined> =>
      (
        await db
          .selectFrom('users')
          .select('username')
          .where(sql<string>`lower(username)`, '=', username.toLowerCase())
          .where('username', '!=', username)
          .executeTakeFirst()
      )?.username,
    listUsers: async (): Promise<SessionUser[]> =>
      (await db.selectFrom('users').selectAll().orderBy('username').execute()).map(toSessionUser),
    /** Accounts with a liaison's department name (from the newest campaign that lists the code). */
    async listAccounts(username?: string): Promise<UserAccount[]> {
      let q = db
        .selectFrom('users')
        .selectAll('users')
        .select((eb) =>
          eb
            .selectFrom('departments')
            .innerJoin('campaigns', 'campaigns.id', 'departments.campaign_id')
            .select('departments.name')
            .whereRef('departments.code', '=', 'users.department_code')
            .orderBy('campaigns.opens_at', 'desc')
            .limit(1)
            .as('department_name'),
        );
      if (username !== undefined) q = q.where('users.username', '=', username);
      return (await q.orderBy('users.username').execute()).map(toAccount);
    },
    /** Accounts of these usernames, by username. */
    async accountsNamed(usernames: readonly string[]): Promise<Map<string, StoredUser>> {
      const rows = [];
      for (const chunk of chunks([...new Set(usernames)]))
        rows.push(...(await db.selectFrom('users').selectAll().where('username', 'in', chunk).execute()));
      return new Map(
        rows.map((row) => [
          row.username,
          { user: toSessionUser(row), passwordHash: row.password_hash, disabled: Number(row.disabled) === 1 },
        ]),
      );
    },
    countEnabledAdmins: async () =>
      Number(
        (
          await db
            .selectFrom('users')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('role', '=', 'admin')
            .where('disabled', '=', 0)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    setDisabled: (userId: string, disabled: boolean) =>
      db
        .updateTable('users')
        .set({ disabled: disabled ? 1 : 0 })
        .where('id', '=', userId)
        .execute(),
    setPasswordHash: (userId: string, passwordHash: string) =>
      db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).execute(),
    /**
     * Set an account's password (an enabled one's unless `enabledOnly: false`) only if it is still
     * `was`: false when another reset or change (in this process or another) came between reading
     * it and this write.
     */
    replacePasswordHash: async (
      userId: string,
      was: string,
      passwordHash: string,
      { enabledOnly = true } = {},
    ): Promise<boolean> => {
      let q = db
        .updateTable('users')
        .set({ password_hash: passwordHash })
        .where('id', '=', userId)
        .where('password_hash', '=', was);
      if (enabledOnly) q = q.where('disabled', '=', 0);
      const { numUpdatedRows } = await q.executeTakeFirstOrThrow();
      return Number(numUpdatedRows) === 1;
    },
    setDisplayName: (userId: string, displayName: string) =>
      db.updateTable('users').set({ display_name: displayName }).where('id', '=', userId).execute(),
    signedIn: (userId: string, at: string) =>
      db.updateTable('users').set({ last_login_at: at }).where('id', '=', userId).execute(),
    /** End every session of a user, but `keep` (the session that changed its own password). */
    deleteSessionsOf: (userId: string, keep?: string) => {
      let q = db.deleteFrom('sessions').where('user_id', '=', userId);
      if (keep) q = q.where('id', '!=', keep);
      return q.execute();
    },
    insertUser: async (user: NewUser): Promise<SessionUser> =>
      toSessionUser(
        await db
          .insertInto('users')
          .values({
            id: newId(),
            username: user.username,
            display_name: user.displayName,
            password_hash: user.passwordHash,
            role: user.role,
            department_code: user.departmentCode,
            created_at: user.createdAt,
            disabled: 0,
          })
          .returningAll()
          .executeTakeFirstOrThrow(),
      ),

    /** Make a liaison account the liaison of these department rows (kept if already so). */
    bindLiaison: async (userId: string, departmentIds: readonly string[]) => {
      if (departmentIds.length === 0) return;
      await db
        .insertInto('liaison_departments')
        .values(departmentIds.map((id) => ({ user_id: userId, department_id: id })))
        .onConflict((oc) => oc.columns(['user_id', 'department_id']).doNothing())
        .execute();
    },

    /** A cloned campaign's departments get the liaisons of the source's departments of the same code. */
    copyLiaisonBindings: (fromCampaignId: string, toCampaignId: string) =>
      db
        .insertInto('liaison_departments')
        .columns(['user_id', 'department_id'])
        .expression(
          db
            .selectFrom('liaison_departments as l')
            .innerJoin('departments as old', 'old.id', 'l.department_id')
            .innerJoin('departments as copy', 'copy.code', 'old.code')
            .select(['l.user_id', 'copy.id'])
            .where('old.campaign_id', '=', fromCampaignId)
            .where('copy.campaign_id', '=', toCampaignId),
        )
        .execute(),

    /** The usernames of the liaisons of a department row; with `unbind`, no longer its liaisons. */
    liaisonsOfDepartment: async (departmentId: string, options: { unbind: boolean }): Promise<string[]> => {
      const users = await db
        .selectFrom('liaison_departments as l')
        .innerJoin('users as u', 'u.id', 'l.user_id')
        .select('u.username')
        .where('l.department_id', '=', departmentId)
        .orderBy('u.username')
        .execute();
      if (options.unbind)
        await db.deleteFrom('liaison_departments').where('department_id', '=', departmentId).execute();
      return users.map((u) => u.username);
    },

    /** The liaison accounts bound to department rows of these codes (any campaign): account, code and name of each row. */
    async liaisonsOfCodes(codes: readonly string[]): Promise<{ userId: string; code: string; name: string }[]> {
      const rows = [];
      // each code is in one chunk only: the rows stay distinct across chunks
      for (const chunk of chunks([...new Set(codes)]))
        rows.push(
          ...(await db
            .selectFrom('liaison_departments as l')
            .innerJoin('users as u', 'u.id', 'l.user_id')
            .innerJoin('departments as d', 'd.id', 'l.department_id')
            .select(['l.user_id as userId', 'd.code', 'd.name'])
            .distinct()
            .where('u.role', '=', 'liaison')
            .where('d.code', 'in', chunk)
            .execute()),
        );
      return rows;
    },

    /** The department rows a liaison account is the liaison of, newest campaign first: id, campaign, code and name of each. */
    liaisonDepartments: (userId: string): Promise<{ id: string; campaignId: string; code: string; name: string }[]> =>
      db
        .selectFrom('liaison_departments as l')
        .innerJoin('departments as d', 'd.id', 'l.department_id')
        .innerJoin('campaigns as c', 'c.id', 'd.campaign_id')
        .select(['d.id', 'd.campaign_id as campaignId', 'd.code', 'd.name'])
        .where('l.user_id', '=', userId)
        .orderBy('c.opens_at', 'desc')
        .orderBy('d.id')
        .execute(),

    /** The liaison accounts of a campaign's departments, once each, by (first) department code. */
    async campaignLiaisons(campaignId: string): Promise<CampaignLiaison[]> {
      const rows = await db
        .selectFrom('liaison_departments as l')
        .innerJoin('users as u', 'u.id', 'l.user_id')
        .innerJoin('departments as d', 'd.id', 'l.department_id')
        .select(['u.id', 'u.username', 'u.display_name', 'u.disabled', 'd.code', 'd.name'])
        .where('d.campaign_id', '=', campaignId)
        .where('u.role', '=', 'liaison')
        .orderBy('d.code')
        .orderBy('u.username')
        .execute();
      const byUser = new Map<string, CampaignLiaison>();
      for (const row of rows) {
        const liaison = byUser.get(row.id);
        if (liaison) liaison.departments.push({ code: row.code, name: row.name });
        else
          byUser.set(row.id, {
            userId: row.id,
            username: row.username,
            displayName: row.display_name,
            disabled: Number(row.disabled) === 1,
            departments: [{ code: row.code, name: row.name }],
          });
      }
      return [...byUser.values()];
    },

    insertSession: (session: Omit<StoredSession, 'user'> & { userId: string; createdAt: string }) =>
      db
        .insertInto('sessions')
        .values({
          id: session.sessionId,
          user_id: session.userId,
          csrf_token: session.csrfToken,
          created_at: session.createdAt,
          expires_at: session.expiresAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow(),

    /** a live session with its (enabled) user */
    findSession: async (id: string, now: string): Promise<StoredSession | undefined> => {
      const row = await db
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
        .executeTakeFirst();
      return (
        row && {
          sessionId: row.session_id,
          csrfToken: row.csrf_token,
          expiresAt: row.expires_at,
          user: toSessionUser({ ...row, id: row.user_id }),
        }
      );
    },

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
