import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';

/** An app on a fresh database with the test campaign, and the office signed in: where the account tests start. */
export async function officeSignedIn() {
  const db = await sqliteDb();
  const deps = { db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') };
  const app = createApp(deps);
  const services = createServices(deps);
  await createTestCampaign(db, services);
  const admin = await loginAs(app, services, 'admin');
  return { db, app, services, admin };
}
