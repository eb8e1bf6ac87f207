import type { Kysely } from 'kysely';
import type { AppDeps } from '../context.js';
import type { Database } from '../db/schema.js';
import { accountsRepository, type AuditFilter, type AuditRecord } from './repository.js';

export type { AuditRecord };

export interface AuditEntry {
  /** a username, or `cli` / `demo` for work done outside a session */
  actor: string;
  /** e.g. login, login_failed, campaign_create, import_departments, import_evaluators, invitations_generate */
  action: string;
  campaignId?: string | null;
  detail?: Record<string, unknown>;
}

/**
 * The audit log: who did what, when. Rows are only ever appended, always by the service that does
 * the action and within its transaction, so an action and its row commit or roll back together.
 */
export function auditService({ db, clock }: Pick<AppDeps, 'db' | 'clock'>) {
  return {
    /** Append a row in `trx`, the transaction of the action it records. */
    async record(trx: Kysely<Database>, entry: AuditEntry): Promise<void> {
      await accountsRepository(trx).insertAudit({
        at: clock.now().toISOString(),
        actor: entry.actor,
        action: entry.action,
        campaignId: entry.campaignId ?? null,
        detail: entry.detail ?? {},
      });
    },
    list: (filter: AuditFilter = {}): Promise<AuditRecord[]> => accountsRepository(db.kysely).listAudit(filter),
  };
}

export type AuditService = ReturnType<typeof auditService>;
