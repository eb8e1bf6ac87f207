import { accountsService } from './accounts/service.js';
import { auditService } from './accounts/audit.js';
import { campaignsService } from './campaigns/service.js';
import type { AppDeps } from './context.js';

/** Every domain service, built once per app from the injected deps. Routes and the CLI use these. */
export function createServices(deps: AppDeps) {
  return {
    campaigns: campaignsService(deps),
    accounts: accountsService(deps),
    audit: auditService(deps),
  };
}

export type Services = ReturnType<typeof createServices>;
