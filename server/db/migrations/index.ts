import type { Migration, MigrationProvider } from 'kysely';
import * as m0001 from './0001_campaigns.js';
import * as m0002 from './0002_roster.js';
import * as m0003 from './0003_invitations.js';
import * as m0004 from './0004_responses.js';
import * as m0005 from './0005_accounts.js';
import * as m0006 from './0006_snapshots.js';
import * as m0007 from './0007_invitation_per_evaluator.js';
import * as m0008 from './0008_response_imports.js';
import * as m0009 from './0009_unlinkable_idempotency.js';
import * as m0010 from './0010_invitation_seal.js';
import * as m0011 from './0011_notices.js';
import * as m0012 from './0012_idempotency_request_hash.js';
import * as m0013 from './0013_notice_items.js';
import * as m0014 from './0014_calendar_overrides.js';
import * as m0015 from './0015_scheduler_leases.js';
import * as m0016 from './0016_health_probe.js';
import * as m0017 from './0017_negative_decisions.js';
import * as m0023 from './0023_unlinkable_spends.js';
import * as m0024 from './0024_blind_credentials.js';
import * as m0025 from './0025_campaign_purge.js';
import * as m0026 from './0026_user_sign_ins.js';
import * as m0027 from './0027_department_short_names.js';
import * as m0032 from './0032_campaign_lifecycle.js';
import * as m0031 from './0031_pending_spends_index.js';
import * as m0036 from './0036_held_invitation_links.js';
import * as m0037 from './0037_invitation_messages.js';
import * as m0038 from './0038_drop_answers.js';
import * as m0040 from './0040_campaign_revision.js';
import * as m0045 from './0045_outbox_campaign.js';
import * as m0046 from './0046_liaison_departments.js';
import * as m0047 from './0047_liaison_same_departments.js';

/** Ordered, shared by SQLite and PostgreSQL. Add new files at the end; never edit a released one. */
const migrations: Record<string, Migration> = {
  '0001_campaigns': m0001,
  '0002_roster': m0002,
  '0003_invitations': m0003,
  '0004_responses': m0004,
  '0005_accounts': m0005,
  '0006_snapshots': m0006,
  '0007_invitation_per_evaluator': m0007,
  '0008_response_imports': m0008,
  '0009_unlinkable_idempotency': m0009,
  '0010_invitation_seal': m0010,
  '0011_notices': m0011,
  '0012_idempotency_request_hash': m0012,
  '0013_notice_items': m0013,
  '0014_calendar_overrides': m0014,
  '0015_scheduler_leases': m0015,
  '0016_health_probe': m0016,
  '0017_negative_decisions': m0017,
  '0023_unlinkable_spends': m0023,
  '0024_blind_credentials': m0024,
  '0025_campaign_purge': m0025,
  '0026_user_sign_ins': m0026,
  '0027_department_short_names': m0027,
  '0032_campaign_lifecycle': m0032,
  '0031_pending_spends_index': m0031,
  '0036_held_invitation_links': m0036,
  '0037_invitation_messages': m0037,
  '0038_drop_answers': m0038,
  '0040_campaign_revision': m0040,
  '0045_outbox_campaign': m0045,
  '0046_liaison_departments': m0046,
  '0047_liaison_same_departments': m0047,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: async () => migrations,
};
