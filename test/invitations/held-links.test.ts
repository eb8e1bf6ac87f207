import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ErrorBody } from '../../server/contracts.js';
import { configFromEnv, ConfigError } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { linkVault } from '../../server/invitations/vault.js';
import { createScheduler } from '../../server/scheduler/scheduler.js';
import { scheduledJobs } from '../../server/scheduler/jobs.js';
import { sha256 } from '../../server/shared/ids.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { dialects } from '../helpers/db.js';
import { bundleOf, csvOf, tokenOfLink as tokenOf } from '../helpers/sheets.js';
import { type SurveySetup, surveySetup, webAnswers } from '../evaluator/helpers.js';

const PUBLIC_URL = 'https://pj.example.gov.cn';
const KEY = Buffer.alloc(32, 7).toString('base64');
const ROSTER = csvOf([
  ['姓名', '单位/项目', '类别', '电话', '邮箱'],
  ['王建国', '轨道交通3号线项目部', 'project', '13800138000', 'wang@example.cn'],
  ['刘芳', '市人大代表', 'deputies', '', 'liu@example.cn'],
  ['陈明', '', 'public', '', ''],
]);

describe.each(await dialects())('held links of a named campaign on $name', ({ open }) => {
  let db: Db;
  let s: SurveySetup;
  let admin: LoggedIn;

  const setup = async (mode: 'named' | 'anonymous', config: Record<string, unknown> = { invitationKey: KEY }) => {
    s = await surveySetup(db, { overrides: { mode }, config: { publicUrl: PUBLIC_URL, ...config } });
    admin = await loginAs(s.app, s.services, 'admin');
    await s.services.roster.importEvaluators(
      s.campaign,
      { bytes: new TextEncoder().encode(ROSTER), filename: 'r.csv' },
      { actor: 'test' },
    );
  };
  const generate = async () => {
    const res = await s.app.request(`/api/campaigns/${s.campaign.slug}/invitations`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(200);
    return (await bundleOf(await res.arrayBuffer())).links.xlsx;
  };
  const downloadAgain = (query = '') =>
    s.app.request(`/api/campaigns/${s.campaign.slug}/invitations/download${query}`, { headers: admin.headers() });
  const submit = (token: string) =>
    s.app.request(`/api/s/${token}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
    });
  const audit = (action: string) => s.services.audit.list({ action });
  /** After the close (sessions last 12 hours: sign in again). */
  const afterClose = async () => {
    s.clock.set(new Date(Date.parse(s.campaign.closesAt) + 1000).toISOString());
    admin = await loginAs(s.app, s.services, 'admin');
  };

  beforeEach(async () => {
    db = await open();
  });
  afterEach(() => db.close());

  it('downloads the same unused links again in every format, without the plain tokens in the database', async () => {
    await setup('named');
    const links = await generate();
    const again = await downloadAgain();
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toBe('application/zip');
    expect(again.headers.get('x-invitations-count')).toBe('3');
    expect((await bundleOf(await again.arrayBuffer())).links.xlsx).toEqual(links);
    const csv = await downloadAgain('?format=csv');
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const csvText = await csv.text();
    for (const link of links) expect(csvText).toContain(link);

    const rows = await db.kysely.selectFrom('invitations').selectAll().execute();
    expect(rows.every((r) => r.token_sealed)).toBe(true);
    const dump = JSON.stringify(rows) + JSON.stringify(await db.kysely.selectFrom('audit_log').selectAll().execute());
    for (const link of links) expect(dump).not.toContain(tokenOf(link));
    expect(dump).not.toContain(KEY);
    expect((await audit('invitations_download')).map((a) => a.detail)).toEqual(
      expect.arrayContaining([
        { count: 3, format: 'csv' },
        { count: 3, format: 'bundle' },
      ]),
    );
    expect(await audit('invitations_download')).toHaveLength(2);
  });

  it('leaves out a used link and gives a reissued one instead of the old', async () => {
    await setup('named');
    const links = await generate();
    const [first, second] = links;
    expect((await submit(tokenOf(first))).status).toBe(201);
    const evaluatorOf = async (link: string) =>
      (
        await db.kysely
          .selectFrom('invitations')
          .select('evaluator_id')
          .where('token_hash', '=', sha256(tokenOf(link)))
          .executeTakeFirstOrThrow()
      ).evaluator_id;
    const reissued = await s.app.request(
      `/api/campaigns/${s.campaign.slug}/evaluators/${await evaluatorOf(second)}/invitation`,
      { method: 'POST', headers: admin.headers() },
    );
    const { invitation } = (await reissued.json()) as { invitation: { link: string } };
    const again = (await bundleOf(await (await downloadAgain()).arrayBuffer())).links.xlsx;
    expect(again).toHaveLength(2);
    expect(again).not.toContain(first);
    expect(again).not.toContain(second);
    expect(again).toContain(invitation.link);
    expect(again).toContain(links[2]);
  });

  it('refuses a downloaded link whose held copy was swapped with another row’s', async () => {
    await setup('named');
    await generate();
    const rows = await db.kysely.selectFrom('invitations').select(['id', 'token_sealed']).execute();
    await db.kysely
      .updateTable('invitations')
      .set({ token_sealed: rows[1].token_sealed })
      .where('id', '=', rows[0].id)
      .execute();
    const again = await downloadAgain('?format=csv');
    expect(again.headers.get('x-invitations-count')).toBe('2');
  });

  it('erases the held links once the campaign has closed (scheduler) and refuses the download, audited', async () => {
    await setup('named');
    await generate();
    await afterClose();
    const refused = await downloadAgain();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorBody).error.message).toContain('活动已截止');
    const scheduler = createScheduler({ db, clock: s.clock }, { jobs: scheduledJobs(s.services) });
    expect((await scheduler.tick()).ran).toContain('invitation-links-erase');
    expect(
      (await db.kysely.selectFrom('invitations').select('token_sealed').execute()).map((r) => r.token_sealed),
    ).toEqual([null, null, null]);
    expect((await audit('invitation_links_erase')).map((a) => [a.actor, a.detail])).toEqual([
      ['scheduler', { count: 3, reason: 'closed' }],
    ]);
  });

  it('erases the held links at an early close, in its transaction, audited', async () => {
    await setup('named');
    const [first] = await generate();
    expect((await submit(tokenOf(first))).status).toBe(201);
    await s.services.campaigns.close(s.campaign.slug, 'office');
    expect(
      (await db.kysely.selectFrom('invitations').select('token_sealed').execute()).map((r) => r.token_sealed),
    ).toEqual([null, null, null]);
    expect((await audit('invitation_links_erase')).map((a) => [a.actor, a.detail])).toEqual([
      ['office', { count: 2, reason: 'closed' }],
    ]);
    expect((await downloadAgain()).status).toBe(409);
  });

  it('keeps the held links when the close is refused (its transaction rolled back)', async () => {
    await setup('named');
    await generate();
    await s.services.campaigns.close(s.campaign.slug, 'office');
    await expect(s.services.campaigns.close(s.campaign.slug, 'office')).rejects.toThrow('不能截止');
    expect(await audit('invitation_links_erase')).toHaveLength(1);
  });

  it('refuses to generate or reissue a link once the campaign has closed or been published, in Chinese', async () => {
    await setup('named');
    const [first, second] = await generate();
    expect((await submit(tokenOf(first))).status).toBe(201);
    const [spare] = await db.kysely
      .selectFrom('invitations')
      .select('evaluator_id')
      .where('token_hash', '=', sha256(tokenOf(second)))
      .execute();
    await s.services.roster.importEvaluators(
      s.campaign,
      {
        bytes: new TextEncoder().encode(
          csvOf([
            ['姓名', '单位/项目', '类别'],
            ['赵新', '市政协委员', 'deputies'],
          ]),
        ),
        filename: 'r.csv',
      },
      { actor: 'test' },
    );
    const attempts = () => [
      s.app.request(`/api/campaigns/${s.campaign.slug}/invitations?format=csv`, {
        method: 'POST',
        headers: admin.headers(),
      }),
      s.app.request(`/api/campaigns/${s.campaign.slug}/evaluators/${spare.evaluator_id}/invitation`, {
        method: 'POST',
        headers: admin.headers(),
      }),
    ];
    await s.services.campaigns.close(s.campaign.slug, 'office');
    for (const res of await Promise.all(attempts())) {
      expect(res.status).toBe(409);
      expect(((await res.json()) as ErrorBody).error.message).toBe(
        '评议活动已截止，不能再生成或补发邀请链接：截止后评议代表已无法填写问卷',
      );
    }
    await s.services.results.publish(s.campaign.slug, 'office');
    for (const res of await Promise.all(attempts())) {
      expect(res.status).toBe(409);
      expect(((await res.json()) as ErrorBody).error.message).toContain('评议活动已发布，不能再生成或补发邀请链接');
    }
    expect(await db.kysely.selectFrom('invitations').select('id').execute()).toHaveLength(3);
    expect(await audit('invitation_regenerate')).toEqual([]);
    const page = await (
      await s.app.request(`/admin/campaigns/${s.campaign.slug}`, { headers: admin.headers() })
    ).text();
    expect(page).toContain('评议已截止，不能再生成或补发邀请链接');
    expect(page).not.toContain('id="invitations"');
  });

  it('erases the held links at publication, in its transaction, audited', async () => {
    await setup('named');
    const [first] = await generate();
    expect((await submit(tokenOf(first))).status).toBe(201);
    // closed by its deadline, published before the scheduler's erasure ran
    await afterClose();
    await s.services.results.publish(s.campaign.slug, 'office');
    expect(
      (await db.kysely.selectFrom('invitations').select('token_sealed').execute()).map((r) => r.token_sealed),
    ).toEqual([null, null, null]);
    expect((await audit('invitation_links_erase')).map((a) => [a.actor, a.detail])).toEqual([
      ['office', { count: 2, reason: 'published' }],
    ]);
    expect((await downloadAgain()).status).toBe(409);
  });

  it('holds nothing for an anonymous campaign: no copies, the download refused, the page says why', async () => {
    await setup('anonymous');
    await generate();
    expect(
      (await db.kysely.selectFrom('invitations').select('token_sealed').execute()).map((r) => r.token_sealed),
    ).toEqual([null, null, null]);
    const refused = await downloadAgain();
    expect(refused.status).toBe(409);
    expect(((await refused.json()) as ErrorBody).error.message).toContain('匿名评议不保存链接');
    const page = await (
      await s.app.request(`/admin/campaigns/${s.campaign.slug}`, { headers: admin.headers() })
    ).text();
    expect(page).toContain('匿名评议：系统只保存链接的摘要');
    expect(page).not.toContain('id="invitations-download"');
  });

  it('holds nothing without a key (PostgreSQL without INVITATION_KEY), and says so', async () => {
    await setup('named', {});
    await generate();
    expect(
      (await db.kysely.selectFrom('invitations').select('token_sealed').execute()).every((r) => !r.token_sealed),
    ).toBe(true);
    expect(((await (await downloadAgain()).json()) as ErrorBody).error.message).toContain('未设置邀请链接的加密密钥');
  });

  it('offers the download on the named campaign’s page until the close', async () => {
    await setup('named');
    const page = async () =>
      (await s.app.request(`/admin/campaigns/${s.campaign.slug}`, { headers: admin.headers() })).text();
    expect(await page()).toContain('活动截止前可随时再次下载');
    expect(await page()).toContain(`data-endpoint="/api/campaigns/${s.campaign.slug}/invitations/download"`);
    await afterClose();
    const closed = await page();
    expect(closed).toContain('生成邀请链接');
    expect(closed).not.toContain('id="invitations-download"');
  });
});

describe('the invitation key', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'minping-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is a file made beside the SQLite database, mode 0600, read again by every process', () => {
    const config = configFromEnv({ DATABASE_URL: join(dir, 'db', 'minping.db') });
    expect(config.invitationKeyFile).toBe(join(dir, 'db', 'invitation.key'));
    const sealed = linkVault(config).seal('the-token');
    expect(statSync(join(dir, 'db', 'invitation.key')).mode & 0o777).toBe(0o600);
    expect(
      linkVault(configFromEnv({ DATABASE_URL: join(dir, 'db', 'minping.db') })).open(sealed, sha256('the-token')),
    ).toBe('the-token');
  });

  it('comes from INVITATION_KEY (base64 or hex) before any file, and PostgreSQL has none unless configured', () => {
    const hex = Buffer.alloc(32, 9).toString('hex');
    const sealed = linkVault(configFromEnv({ INVITATION_KEY: hex })).seal('t');
    expect(
      linkVault(configFromEnv({ INVITATION_KEY: Buffer.alloc(32, 9).toString('base64') })).open(sealed, sha256('t')),
    ).toBe('t');
    expect(linkVault(configFromEnv({ INVITATION_KEY: KEY })).open(sealed, sha256('t'))).toBeUndefined();
    expect(linkVault(configFromEnv({ DATABASE_URL: 'postgres://db/minping' })).available).toBe(false);
    expect(
      configFromEnv({ DATABASE_URL: 'postgres://db/minping', INVITATION_KEY_FILE: join(dir, 'k') }).invitationKeyFile,
    ).toBe(join(dir, 'k'));
  });

  it('refuses a key that is not 32 bytes, in Chinese, naming the variable', () => {
    expect(() => configFromEnv({ INVITATION_KEY: 'short' })).toThrow(ConfigError);
    expect(() => configFromEnv({ INVITATION_KEY: 'short' })).toThrow(/INVITATION_KEY: INVITATION_KEY 应为 32 字节/);
  });
});
