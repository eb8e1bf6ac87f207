import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { CampaignChanged, CanonicalRecord, ErrorBody } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { createServices, type Services } from '../../server/services.js';
import { loginAs } from '../helpers/auth.js';
import { runCommand } from '../helpers/cli.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign, insertEvaluators } from '../helpers/fixtures.js';
import { knownRecords } from '../results/helpers.js';

/** A canonical record as a line of a response file, in the questionnaire's flat per-item shape. */
const line = (r: CanonicalRecord) =>
  JSON.stringify({ ...r, departments: r.departments.map(({ ratings, ...d }) => ({ ...d, ...ratings })) });

let db: Db;
let services: Services;
const clock = fixedClock('2026-11-10T02:00:00Z');
const deps = () => ({ db, config: defaultConfig(), clock });

beforeEach(async () => {
  db = await sqliteDb();
  clock.set('2026-11-10T02:00:00Z');
  services = createServices(deps());
});
afterEach(() => db.close());

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { code: string; message: string }) => ({ code: e.code, message: e.message }),
  );

describe('a campaign’s lifecycle', () => {
  it('is a draft when created and refuses to open, in Chinese, without departments and evaluators', async () => {
    const draft = await createTestCampaign(db, services, { departments: 0, state: 'draft' });
    expect(services.campaigns.status(draft)).toBe('draft');
    const refused = await refusal(services.campaigns.open(draft.slug, 'office'));
    expect(refused?.code).toBe('CONFLICT');
    expect(refused?.message).toContain('不能开启评议');
    expect(refused?.message).toContain('还没有部门');
    expect(refused?.message).toContain('还没有评议代表');
  });

  it('opens with departments and evaluators, extends, pauses, resumes and closes early, each audited', async () => {
    const draft = await createTestCampaign(db, services, { state: 'draft' });
    await insertEvaluators(db, draft, 3);
    expect(services.campaigns.status(await services.campaigns.open(draft.slug, 'office'))).toBe('open');
    const later = await services.campaigns.setDates(draft.slug, { closesAt: '2027-01-10T00:00:00Z' }, 'office');
    expect(later.closesAt).toBe('2027-01-10T00:00:00.000Z');
    expect(
      await refusal(services.campaigns.setDates(draft.slug, { closesAt: '2026-11-01T00:00:00Z' }, 'office')),
    ).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('早于现在') });
    expect(services.campaigns.status(await services.campaigns.pause(draft.slug, 'office'))).toBe('paused');
    expect(services.campaigns.status(await services.campaigns.resume(draft.slug, 'office'))).toBe('open');
    expect(await refusal(services.results.publish(draft.slug, 'office'))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('评议尚未截止'),
    });
    const closed = await services.campaigns.close(draft.slug, 'office');
    expect(services.campaigns.status(closed)).toBe('closed');
    expect(closed.closesAt).toBe(clock.now().toISOString());
    const actions = (await services.audit.list({})).map((r) => r.action);
    for (const a of ['campaign_open', 'campaign_dates', 'campaign_pause', 'campaign_resume', 'campaign_close'])
      expect(actions).toContain(a);
  });

  it('is closed once its deadline passes by the clock', async () => {
    const campaign = await createTestCampaign(db, services);
    clock.set('2027-01-01T00:00:00Z');
    expect(services.campaigns.status(campaign)).toBe('closed');
  });
});

describe('the lifecycle over HTTP and the CLI', () => {
  it('POST /api/campaigns/:slug/open refuses with 409 and its reasons, then opens', async () => {
    const app = createApp(deps());
    const admin = await loginAs(app, services, 'admin');
    const draft = await createTestCampaign(db, services, { state: 'draft' });
    const post = (path: string) =>
      app.request(`/api/campaigns/${draft.slug}/${path}`, { method: 'POST', headers: admin.headers() });
    const refused = await post('open');
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorBody).error.message).toContain('还没有评议代表');
    await insertEvaluators(db, draft, 2);
    const opened = await post('open');
    expect(opened.status).toBe(200);
    expect(((await opened.json()) as CampaignChanged).campaign).toMatchObject({
      status: 'open',
      statusLabel: '进行中',
    });
    expect((await post('close')).status).toBe(200);
  });

  it('minping campaign list shows the status; campaign open, pause, resume, extend, close and publish change it', async () => {
    const draft = await createTestCampaign(db, services, { state: 'draft' });
    const cli = (...argv: string[]) => runCommand(argv, { db, clock, config: defaultConfig() });
    expect((await cli('campaign', 'list')).out).toContain('草稿');
    const refused = await cli('campaign', 'open', '--campaign', draft.slug);
    expect(refused).toMatchObject({ code: 2, err: expect.stringContaining('还没有评议代表') });
    await insertEvaluators(db, draft, 2);
    expect((await cli('campaign', 'open', '--campaign', draft.slug)).out).toContain('进行中');
    expect((await cli('campaign', 'pause', '--campaign', draft.slug)).out).toContain('已暂停');
    expect((await cli('campaign', 'resume', '--campaign', draft.slug)).out).toContain('进行中');
    expect(await cli('campaign', 'extend', '--campaign', draft.slug)).toMatchObject({
      code: 2,
      err: expect.stringContaining('请用 --closes-at 指定新的截止时间'),
    });
    const extended = await cli(
      'campaign',
      'extend',
      '--campaign',
      draft.slug,
      '--closes-at',
      '2027-01-10T18:00:00+08:00',
    );
    expect(extended.out).toContain('2027-01-10 18:00');
    const early = await cli('campaign', 'extend', '--campaign', draft.slug, '--closes-at', '2026-11-01T00:00:00+08:00');
    expect(early).toMatchObject({ code: 2, err: expect.stringContaining('早于现在') });
    expect(await cli('publish', '--campaign', draft.slug)).toMatchObject({
      code: 2,
      err: expect.stringContaining('不能发布结果：评议尚未截止'),
    });
    expect((await cli('campaign', 'close', '--campaign', draft.slug)).out).toContain('已截止');
    expect((await cli('campaign', 'open', '--campaign', draft.slug)).code).toBe(2);
    // responses collected elsewhere are imported after the close, until the publication
    const paper = join(mkdtempSync(join(tmpdir(), 'minping-lifecycle-')), 'paper.jsonl');
    writeFileSync(paper, `${knownRecords().records.map(line).join('\n')}\n`);
    expect((await cli('import', 'responses', '--campaign', draft.slug, paper)).out).toContain('已导入');
    const published = await cli('publish', '--campaign', draft.slug);
    expect(published.code, published.err).toBe(0);
    expect((await cli('campaign', 'list')).out).toContain('已发布');
    expect(await cli('import', 'responses', '--campaign', draft.slug, paper)).toMatchObject({
      code: 2,
      err: expect.stringContaining('不能导入答卷：结果已经发布'),
    });
    const settled = await cli('campaign', 'settle', '--campaign', draft.slug);
    expect(settled.out, settled.err).toContain('已结算');
  });
});
