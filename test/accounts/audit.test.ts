import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices, type Services } from '../../server/services.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../../surveys/campaign-config.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { dialects } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import { knownRecords, RESULTS_TIME, storeRecords } from '../results/helpers.js';

const exampleYaml = readFileSync(EXAMPLE_CONFIG_PATH, 'utf8');
const exampleConfig = (slug: string) => ({ ...(loadConfigFile(EXAMPLE_CONFIG_PATH).raw as object), slug });

/** Make the database itself refuse every audit row, as a full disk or a lost connection would. */
async function refuseAuditRows(db: Db): Promise<() => Promise<void>> {
  if (db.dialect === 'sqlite') {
    await sql`create trigger refuse_audit before insert on audit_log begin select raise(abort, 'audit refused'); end`.execute(
      db.kysely,
    );
    return async () => void (await sql`drop trigger refuse_audit`.execute(db.kysely));
  }
  await sql`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit refused'; end $$`.execute(
    db.kysely,
  );
  await sql`create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit()`.execute(
    db.kysely,
  );
  return async () => {
    await sql`drop trigger refuse_audit on audit_log`.execute(db.kysely);
    await sql`drop function refuse_audit()`.execute(db.kysely);
  };
}

describe.each(await dialects())('audit rows written by the services on $name', ({ open }) => {
  const dir = mkdtempSync(join(tmpdir(), 'minping-audit-'));
  const clock = fixedClock(RESULTS_TIME);
  let db: Db;
  let app: ReturnType<typeof createApp>;
  let services: Services;
  let admin: LoggedIn;

  const cli = async (...argv: string[]) => {
    const { code, out, err } = await runCommand(argv, { db, clock, config: defaultConfig() });
    expect(code, err).toBe(0);
    return out;
  };

  const rowsOf = async (action: string) => services.audit.list({ action });

  beforeAll(async () => {
    db = await open();
    const deps = { db, config: defaultConfig(), clock };
    app = createApp(deps);
    services = createServices(deps);
    const campaign = await createTestCampaign(db, services);
    const { records, verify } = knownRecords();
    await storeRecords(services, campaign, records, verify);
    admin = await loginAs(app, services, 'admin');
  });
  afterAll(() => db.close());

  it('writes one row naming the admin when results are published over HTTP', async () => {
    const res = await app.request('/api/campaigns/test-2026/snapshots', { method: 'POST', headers: admin.headers() });
    expect(res.status).toBe(201);
    const { id } = (await res.json()) as { id: string };
    const rows = (await rowsOf('results_publish')).filter((r) => r.detail.snapshot === id);
    expect(rows).toEqual([
      expect.objectContaining({
        actor: admin.username,
        detail: expect.objectContaining({ counts: expect.objectContaining({ responses: 45 }) }),
      }),
    ]);
  });

  it('writes one row naming the CLI when results are published from the command line', async () => {
    const id = (await cli('publish', '--campaign', 'test-2026')).trim();
    const rows = (await rowsOf('results_publish')).filter((r) => r.detail.snapshot === id);
    expect(rows).toEqual([expect.objectContaining({ actor: 'cli' })]);
  });

  it('writes one row per campaign created, over HTTP and from the command line', async () => {
    const res = await app.request('/api/campaigns', {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/yaml' }),
      body: exampleYaml.replace('slug: demo-2026', 'slug: http-2026'),
    });
    expect(res.status).toBe(201);
    const file = join(dir, 'campaign.yaml');
    writeFileSync(file, exampleYaml.replace('slug: demo-2026', 'slug: cli-2026'));
    await cli('campaign', 'create', '--config', file);
    const bySlug = (slug: string) =>
      rowsOf('campaign_create').then((rows) => rows.filter((r) => r.detail.slug === slug));
    expect(await bySlug('http-2026')).toEqual([expect.objectContaining({ actor: admin.username })]);
    expect(await bySlug('cli-2026')).toEqual([
      expect.objectContaining({ actor: 'cli', detail: expect.objectContaining({ file }) }),
    ]);
  });

  it('writes no row for a refused publication', async () => {
    const empty = await services.campaigns.create({ raw: exampleConfig('empty-2026') }, 'test');
    const res = await app.request('/api/campaigns/empty-2026/snapshots', { method: 'POST', headers: admin.headers() });
    expect(res.status).toBe(409);
    expect(await services.audit.list({ campaignId: empty.id })).toEqual([
      expect.objectContaining({ action: 'campaign_create' }),
    ]);
  });

  it('rolls an action back when its audit row cannot be written', async () => {
    const before = await services.results.snapshots('test-2026');
    const allow = await refuseAuditRows(db);
    try {
      await expect(services.results.publish('test-2026', 'test')).rejects.toThrow();
      await expect(services.campaigns.create({ raw: exampleConfig('unaudited-2026') }, 'test')).rejects.toThrow();
    } finally {
      await allow();
    }
    expect(await services.results.snapshots('test-2026')).toEqual(before);
    await expect(services.campaigns.getBySlug('unaudited-2026')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
