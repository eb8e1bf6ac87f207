import type { ErrorBody, Progress } from '../../server/contracts.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import type { Db } from '../../server/db/connect.js';
import { createServices } from '../../server/services.js';
import { sha256 } from '../../server/shared/ids.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { createTestCampaign } from '../helpers/fixtures.js';
import {
  bundleOf,
  csvOf,
  downloadNames,
  lettersLinks,
  tokenOfLink as tokenOf,
  uploadForm,
  xlsxRows,
} from '../helpers/sheets.js';
import { webAnswers } from '../evaluator/helpers.js';

let db: Db;
let app: ReturnType<typeof createApp>;
let services: ReturnType<typeof createServices>;
let admin: LoggedIn;
let campaign: Campaign;
let clock: ReturnType<typeof fixedClock>;
const PUBLIC_URL = 'https://pj.example.gov.cn';

const ROSTER = csvOf([
  ['姓名', '单位/项目', '类别', '电话'],
  ['王建国', '轨道交通3号线项目部', 'project', '13800138000'],
  ['刘芳', '市人大代表', 'deputies', ''],
  ['陈明', '', 'public', ''],
  ['赵六', '某建设集团', 'project', ''],
]);

beforeEach(async () => {
  db = await sqliteDb();
  clock = fixedClock('2026-11-23T08:00:00Z');
  const deps = { db, config: defaultConfig({ publicUrl: PUBLIC_URL }), clock };
  app = createApp(deps);
  services = createServices(deps);
  campaign = await createTestCampaign(db, services);
  admin = await loginAs(app, services, 'admin');
  const res = await app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
    method: 'POST',
    headers: admin.headers(),
    body: uploadForm(ROSTER, 'r.csv'),
  });
  expect(res.status).toBe(200);
});
afterEach(() => db.close());

const generate = (format: string, headers = admin.headers()) =>
  app.request(`/api/campaigns/${campaign.slug}/invitations?format=${format}`, { method: 'POST', headers });

const invitations = () => db.kysely.selectFrom('invitations').selectAll().execute();

describe('generating invitations', () => {
  it('creates one invitation per evaluator and returns the links as .xlsx, storing only token hashes', async () => {
    const res = await generate('xlsx');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(downloadNames(res).name).toMatch(/^2026年度民主评议机关（示例）-邀请链接-\d{8}-\d{4}\.xlsx$/);
    expect(res.headers.get('x-invitations-generated')).toBe('4');
    const rows = await xlsxRows(await res.arrayBuffer());
    expect(rows[0]).toEqual(['姓名', '单位/项目', '类别', '电话', '邮箱', '链接']);
    expect(
      rows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(['刘芳', '王建国', '赵六', '陈明'].sort());
    expect(rows.find((r) => r[0] === '刘芳')?.[2]).toBe('两代表一委员');
    const links = rows.slice(1).map((r) => r[5]);
    for (const link of links) expect(link.startsWith(`${PUBLIC_URL}/s/`)).toBe(true);

    const stored = await invitations();
    expect(stored).toHaveLength(4);
    expect(stored.map((i) => i.token_hash).sort()).toEqual(links.map((l) => sha256(tokenOf(l))).sort());
    const dump =
      JSON.stringify(await db.kysely.selectFrom('invitations').selectAll().execute()) +
      JSON.stringify(await db.kysely.selectFrom('audit_log').selectAll().execute());
    for (const link of links) expect(dump).not.toContain(tokenOf(link));
  });

  it('by default returns one .zip with the letters, the .xlsx and the .csv of the same links', async () => {
    const res = await app.request(`/api/campaigns/${campaign.slug}/invitations`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    // named in the office's words, as the templates are, with an ASCII name for clients that can't read them
    const { name, ascii } = downloadNames(res);
    expect(name).toMatch(/^2026年度民主评议机关（示例）-邀请函和链接-\d{8}-\d{4}\.zip$/);
    expect(ascii).toMatch(/^test-2026-invitations-\d{8}-\d{4}\.zip$/);
    const bundle = await bundleOf(await res.arrayBuffer());
    expect(bundle.names.map((n) => n.replace(/-\d{8}-\d{4}/, ''))).toEqual([
      '2026年度民主评议机关（示例）-邀请函.html',
      '2026年度民主评议机关（示例）-邀请链接.csv',
      '2026年度民主评议机关（示例）-邀请链接.xlsx',
    ]);
    expect(bundle.links.letters).toHaveLength(4);
    // letters, list and CSV sorted alike (by unit, then name): the same links in the same order
    expect(bundle.links.xlsx).toEqual(bundle.links.letters);
    expect(bundle.links.csv).toEqual(bundle.links.letters);
    expect(bundle.links.letters.map((l) => sha256(tokenOf(l))).sort()).toEqual(
      (await invitations()).map((i) => i.token_hash).sort(),
    );
  });

  it('makes tokens of at least 128 random bits, all different', async () => {
    const res = await generate('csv');
    const text = await res.text();
    const tokens = [...text.matchAll(/\/s\/([A-Za-z0-9_-]+)/g)].map((m) => m[1]);
    expect(tokens).toHaveLength(4);
    expect(new Set(tokens).size).toBe(4);
    for (const t of tokens) expect(Buffer.from(t, 'base64url').length * 8).toBeGreaterThanOrEqual(128);
  });

  it('exports CSV with a BOM for Excel and the link in every row', async () => {
    const res = await generate('csv');
    expect(res.headers.get('content-type')).toContain('text/csv');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder()
      .decode(bytes)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('姓名,单位/项目,类别,电话,邮箱,链接');
    expect(lines).toHaveLength(5);
    for (const line of lines.slice(1))
      expect(line).toMatch(new RegExp(`,${PUBLIC_URL}/s/([0-9A-HJKMNP-TV-Z]{4}-){9}[0-9A-HJKMNP-TV-Z]{4}$`));
  });

  it('prints letters: one A4 page and one QR code per evaluator, no script', async () => {
    const res = await generate('letters');
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('@page { size: A4');
    expect(html).toContain('page-break-after: always');
    expect(html.match(/<section class="letter">/g)).toHaveLength(4);
    expect(html.match(/<svg/g)).toHaveLength(4);
    expect(html).not.toContain('<script');
    expect(html).toContain('尊敬的 轨道交通3号线项目部 王建国');
    const tokens = lettersLinks(html).map(tokenOf);
    expect(tokens.map(sha256).sort()).toEqual((await invitations()).map((i) => i.token_hash).sort());
  });

  it('escapes names in letters', async () => {
    await app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(
        csvOf([
          ['name', 'organisation', 'category'],
          ['<b>x</b>', '', 'public'],
        ]),
        'x.csv',
      ),
    });
    const html = await (await generate('letters')).text();
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
  });

  it('keeps Excel from running a name as a formula in the CSV', async () => {
    await app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(
        csvOf([
          ['name', 'organisation', 'category', 'phone'],
          ['=1+1', '@SUM(A1)', 'public', '+8613800138000'],
        ]),
        'x.csv',
      ),
    });
    const text = await (await generate('csv')).text();
    const line = text.split('\r\n').find((l) => l.includes('1+1'))!;
    expect(line.startsWith("'=1+1,'@SUM(A1),")).toBe(true);
    expect(line).toContain(',+8613800138000,');
  });

  it('shows each token only once: a second call generates nothing (409) and the links still work', async () => {
    const first = await (await generate('csv')).text();
    const again = await generate('csv');
    expect(again.status).toBe(409);
    expect(await invitations()).toHaveLength(4);
    const link = /https:\S+\/s\/[A-Za-z0-9_-]+/.exec(first)![0];
    expect((await app.request(`/api/s/${tokenOf(link)}`)).status).toBe(200);
  });

  it('invites only evaluators added since the last generation', async () => {
    await generate('csv');
    await app.request(`/api/campaigns/${campaign.slug}/evaluators/import`, {
      method: 'POST',
      headers: admin.headers(),
      body: uploadForm(`${ROSTER}周八,某社区,grassroots,\n`, 'r.csv'),
    });
    const res = await generate('csv');
    expect(res.headers.get('x-invitations-generated')).toBe('1');
    expect(await res.text()).toContain('周八');
  });

  it('records the generation in the audit log, without tokens', async () => {
    await generate('csv');
    const audit = await services.audit.list({ action: 'invitations_generate' });
    expect(audit).toEqual([
      expect.objectContaining({ actor: admin.username, campaignId: campaign.id, detail: { count: 4 } }),
    ]);
  });

  it('refuses an unknown format (422), analysts (403) and a missing CSRF token (403) without creating anything', async () => {
    expect((await generate('pdf')).status).toBe(422);
    const analyst = await loginAs(app, services, 'analyst');
    expect((await generate('csv', analyst.headers())).status).toBe(403);
    expect((await generate('csv', { cookie: admin.cookie })).status).toBe(403);
    expect(await invitations()).toEqual([]);
  });
});

describe('generating invitations: the request body', () => {
  const postJson = (body: string) =>
    app.request(`/api/campaigns/${campaign.slug}/invitations`, {
      method: 'POST',
      headers: admin.headers({ 'content-type': 'application/json' }),
      body,
    });

  it('takes the format from a JSON body', async () => {
    const res = await postJson('{"format":"csv"}');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
  });

  it('refuses a JSON body that is not an object or not JSON (4xx) and generates nothing', async () => {
    for (const body of ['null', '[]', '"csv"', '{"format":5}', 'not json']) {
      const res = await postJson(body);
      expect([400, 422], body).toContain(res.status);
      expect(((await res.json()) as ErrorBody).error.code).toMatch(/^(BAD_REQUEST|VALIDATION_FAILED)$/);
    }
    expect(await invitations()).toEqual([]);
  });
});

describe("links on this machine's address (PUBLIC_URL unset)", () => {
  /** the same database served by a server whose PUBLIC_URL is the default http://localhost:3000 */
  async function loopbackServer() {
    const deps = { db, config: defaultConfig(), clock };
    const local = createApp(deps);
    const localServices = createServices(deps);
    return { app: local, admin: await loginAs(local, localServices, 'admin', { username: 'local-office' }) };
  }

  it('refuses letters before making any link, says why and how to go on anyway', async () => {
    const local = await loopbackServer();
    const res = await local.app.request(`/api/campaigns/${campaign.slug}/invitations?format=letters`, {
      method: 'POST',
      headers: local.admin.headers(),
    });
    expect(res.status).toBe(409);
    const { error } = (await res.json()) as ErrorBody;
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('对外访问地址未设置');
    expect(error.message).toContain('http://localhost:3000');
    expect(error.message).toContain('仍然生成');
    expect(await invitations()).toEqual([]);
  });

  it('makes letters when the office confirms, in the query or the JSON body', async () => {
    const local = await loopbackServer();
    const byQuery = await local.app.request(
      `/api/campaigns/${campaign.slug}/invitations?format=letters&allowLoopback=1`,
      { method: 'POST', headers: local.admin.headers() },
    );
    expect(byQuery.status).toBe(200);
    expect(await byQuery.text()).toContain('http://localhost:3000/s/');
    const [evaluator] = await db.kysely.selectFrom('evaluators').select('id').where('name', '=', '刘芳').execute();
    const reissue = (body: object) =>
      local.app.request(`/api/campaigns/${campaign.slug}/evaluators/${evaluator.id}/invitation`, {
        method: 'POST',
        headers: local.admin.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify(body),
      });
    expect((await reissue({ format: 'letters' })).status).toBe(409);
    expect((await reissue({ format: 'letters', allowLoopback: true })).status).toBe(200);
  });

  it('still gives link lists (.xlsx, .csv) for a trial on this machine', async () => {
    const local = await loopbackServer();
    const res = await local.app.request(`/api/campaigns/${campaign.slug}/invitations?format=csv`, {
      method: 'POST',
      headers: local.admin.headers(),
    });
    expect(res.status).toBe(200);
  });

  it('warns on the invitations form and offers the confirmation, only while the address is local', async () => {
    const local = await loopbackServer();
    const page = await (
      await local.app.request(`/admin/campaigns/${campaign.slug}`, { headers: local.admin.headers() })
    ).text();
    expect(page).toContain('id="loopback-warning"');
    expect(page).toContain('对外访问地址未设置或指向本机（http://localhost:3000）');
    expect(page).toContain('name="allowLoopback"');
    const onItsOwnAddress = await (
      await app.request(`/admin/campaigns/${campaign.slug}`, { headers: admin.headers() })
    ).text();
    expect(onItsOwnAddress).not.toContain('loopback-warning');
    expect(onItsOwnAddress).not.toContain('name="allowLoopback"');
  });
});

describe('replacing a lost link', () => {
  it('gives an evaluator a new link; the old one stops working', async () => {
    const csv = await (await generate('csv')).text();
    const line = csv.split('\r\n').find((l) => l.startsWith('王建国'))!;
    const oldToken = tokenOf(line.split(',').pop()!);
    const [evaluator] = await db.kysely.selectFrom('evaluators').select('id').where('name', '=', '王建国').execute();

    const res = await app.request(`/api/campaigns/${campaign.slug}/evaluators/${evaluator.id}/invitation`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(200);
    const { invitation } = (await res.json()) as { invitation: { link: string } };
    const newToken = tokenOf(invitation.link);
    expect(newToken).not.toBe(oldToken);
    expect((await app.request(`/api/s/${oldToken}`)).status).toBe(404);
    expect((await app.request(`/api/s/${newToken}`)).status).toBe(200);
    expect(await invitations()).toHaveLength(4);
  });

  it('refuses once the invitation has been used', async () => {
    await generate('csv');
    const [evaluator] = await db.kysely.selectFrom('evaluators').select('id').where('name', '=', '王建国').execute();
    await db.kysely.updateTable('invitations').set({ used: 1 }).where('evaluator_id', '=', evaluator.id).execute();
    const before = await invitations();
    const res = await app.request(`/api/campaigns/${campaign.slug}/evaluators/${evaluator.id}/invitation`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(409);
    expect(await invitations()).toEqual(before);
  });

  it('returns a printable letter for the new link on request', async () => {
    await generate('csv');
    const [evaluator] = await db.kysely.selectFrom('evaluators').select('id').where('name', '=', '刘芳').execute();
    const res = await app.request(
      `/api/campaigns/${campaign.slug}/evaluators/${evaluator.id}/invitation?format=letters`,
      { method: 'POST', headers: admin.headers() },
    );
    const html = await res.text();
    expect(html.match(/<svg/g)).toHaveLength(1);
    expect(html).toContain('刘芳');
  });

  it('answers 404 for an evaluator of another campaign', async () => {
    const res = await app.request(`/api/campaigns/${campaign.slug}/evaluators/nobody/invitation`, {
      method: 'POST',
      headers: admin.headers(),
    });
    expect(res.status).toBe(404);
  });
});

describe('progress', () => {
  const progress = async (headers = admin.headers()) => {
    const res = await app.request(`/api/campaigns/${campaign.slug}/progress`, { headers });
    expect(res.status).toBe(200);
    return (await res.json()) as Progress;
  };

  it('counts invited, opened, draft saved and submitted per category, web submissions per day, and imported responses apart', async () => {
    expect((await progress()).totals).toMatchObject({ evaluators: 4, invited: 0, submitted: 0 });
    const csv = await (await generate('csv')).text();
    const tokenFor = (name: string) =>
      tokenOf(
        csv
          .split('\r\n')
          .find((l) => l.startsWith(name))!
          .split(',')
          .pop()!,
      );
    const wang = tokenFor('王建国');
    const zhao = tokenFor('赵六');
    const liu = tokenFor('刘芳');

    // 王建国 opens, saves a draft and submits on the 23rd; 赵六 opens and saves a draft; 刘芳 only opens
    expect((await app.request(`/api/s/${wang}`)).status).toBe(200);
    const draft = await app.request(`/api/s/${zhao}/draft`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: { organisation: 'x' }, elapsedSeconds: 30 }),
    });
    expect(draft.status).toBe(200);
    await app.request(`/api/s/${liu}`);
    const submit = await app.request(`/api/s/${wang}/submit`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
    });
    expect(submit.status).toBe(201);
    // two responses typed in from paper forms on the next day
    clock.advance(24 * 3_600_000);
    await db.kysely
      .insertInto('responses')
      .values(
        ['public', 'public'].map((category, i) => ({
          id: `paper-${i}`,
          campaign_id: campaign.id,
          questionnaire_version: 1,
          invitation_id: null,
          category,
          organisation: null,
          duration_seconds: null,
          overall: 'satisfied',
          suggestion: null,
          record_json: '{}',
          source: 'import',
          network_key: null,
          submitted_day: '2026-11-24',
        })),
      )
      .execute();

    admin = await loginAs(app, services, 'admin'); // the session of the day before has expired
    const body = await progress();
    const project = body.categories.find((c) => c.code === 'project')!;
    expect(project).toMatchObject({ evaluators: 2, invited: 2, opened: 2, draftSaved: 2, submitted: 1, imported: 0 });
    expect(body.categories.find((c) => c.code === 'deputies')).toMatchObject({
      invited: 1,
      opened: 1,
      draftSaved: 0,
      submitted: 0,
    });
    expect(body.categories.find((c) => c.code === 'public')).toMatchObject({
      invited: 1,
      opened: 0,
      submitted: 0,
      imported: 2,
    });
    expect(body.categories.map((c) => c.code)).toEqual(['project', 'deputies', 'supervisors', 'grassroots', 'public']);
    expect(body.totals).toMatchObject({
      evaluators: 4,
      invited: 4,
      opened: 3,
      draftSaved: 2,
      submitted: 1,
      imported: 2,
    });
    // the paper forms are no submissions: the day of their import has none
    expect(body.perDay).toEqual([{ day: '2026-11-23', total: 1, byCategory: { project: 1 } }]);
  });

  it('is readable by analysts, not by liaisons or anonymous visitors', async () => {
    const analyst = await loginAs(app, services, 'analyst');
    await progress(analyst.headers());
    const liaison = await loginAs(app, services, 'liaison', { departmentCode: 'D001' });
    expect((await app.request(`/api/campaigns/${campaign.slug}/progress`, { headers: liaison.headers() })).status).toBe(
      403,
    );
    expect((await app.request(`/api/campaigns/${campaign.slug}/progress`)).status).toBe(401);
  });
});
