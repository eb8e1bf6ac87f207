import { accountsService } from './accounts/service.js';
import { auditService } from './accounts/audit.js';
import { calendarService } from './calendar/service.js';
import { invitationsService } from './invitations/service.js';
import { rosterService } from './roster/service.js';
import { campaignsService } from './campaigns/service.js';
import type { AppDeps } from './context.js';
import { responsesService } from './responses/service.js';
import { evaluatorService } from './evaluator/service.js';
import { resultsService } from './results/service.js';
import { noticesService } from './notices/service.js';
import { ledgerService } from './notices/ledger.js';
import { escalationService } from './notices/escalation.js';
import { outboxService } from './outbox/service.js';
import { notificationsService } from './notices/notify.js';
import { throttleService } from './throttle/service.js';
import { negativesService } from './negatives/service.js';
import { suggestionsService } from './suggestions/service.js';
import { privacyService } from './privacy/service.js';

/** Every domain service, built once per app from the injected deps. Routes and the CLI use these. */
export function createServices(deps: AppDeps) {
  const audit = auditService(deps);
  const invitations = invitationsService(deps, audit);
  const campaigns = campaignsService(deps, audit, invitations.eraseAtClose);
  // notices draft from published results, and publishing drafts notices: each reaches the other lazily
  const calendar = calendarService(deps, audit);
  const notices = noticesService(
    deps,
    audit,
    { latest: (campaignId) => results.latestPublished(campaignId) },
    (trx, timeZone) => calendar.forZone(timeZone, trx),
  );
  const negatives = negativesService(deps, campaigns, audit, notices, calendar);
  const responses = responsesService(deps, campaigns, negatives, audit);
  const results = resultsService(deps, campaigns, responses, negatives, audit, notices, invitations);
  const throttle = throttleService(deps);
  const accounts = accountsService(deps, audit, throttle);
  return {
    campaigns,
    negatives,
    responses,
    evaluator: evaluatorService(deps, campaigns, responses, throttle, audit),
    accounts,
    audit,
    calendar,
    roster: rosterService(deps, audit, accounts),
    invitations,
    results,
    notices,
    ledger: ledgerService(deps, campaigns, notices, calendar),
    escalation: escalationService(deps, (zone) => calendar.forZone(zone), notices.timeZoneOf),
    notifications: notificationsService(deps),
    outbox: outboxService(deps),
    suggestions: suggestionsService(campaigns, responses),
    privacy: privacyService(deps, campaigns, audit, throttle),
  };
}

export type Services = ReturnType<typeof createServices>;
