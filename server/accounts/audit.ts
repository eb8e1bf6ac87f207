import type { AppDeps } from '../context.js';
import { newId } from '../shared/ids.js';
import { accountsRepository } from './repository.js';

export interface AuditEntry {
  /** a username, or `cli` / `demo` for work done outside a session */
  actor: string;
  /** e.g. login, login_failed, campaign_create, import_departments, import_evaluators, invitations_generate */
  action: string;
  campaignId?: string | null;
  detail?: Record<string, unknown>;
}

/** The audit log: who did what, when. Rows are only ever appended. */
export function auditService({ db, clock }: AppDeps) {
  const repo = accountsRepository(db.kysely);
  return {
    async record(entry: AuditEntry): Promise<void> {
      await repo.insertAudit({
        id: newId(),
        at: clock.now().toISOString(),
        actor: entry.actor,
        action: entry.action,
        campaign_id: entry.campaignId ?? null,
        detail_json: JSON.stringify(entry.detail ?? {}),
      });
    },
    async list(filter: { campaignId?: string; action?: string; limit?: number } = {}) {
      return (await repo.listAudit(filter)).map((row) => ({
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        campaignId: row.campaign_id,
        detail: JSON.parse(row.detail_json) as Record<string, unknown>,
      }));
    },
  };
}

export type AuditService = ReturnType<typeof auditService>;
