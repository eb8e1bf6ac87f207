/**
 * No page or export shows a time outside its campaign's time zone (issue 6). Two campaigns, one in
 * Asia/Shanghai and one in America/New_York, each with its own instants (opening, closing, links
 * issued, a submission, publication, a notice issued and its deadline), chosen so that UTC, the two
 * zones and the browser's own zone (Europe/Berlin: a script reading local time would show it)
 * render each of them differently. Every page, as Chromium shows it (scripts and chart labels
 * included), and every export is searched for those instants rendered in a zone not their campaign's.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { Campaign } from '../../server/campaigns/service.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { createServices, type Services } from '../../server/services.js';
import { sha256 } from '../../server/shared/ids.js';
import { canonicalToken } from '../../server/shared/link-token.js';
import { dayInZone, formatDateTime, formatLongDate, formatLongDateTime } from '../../web/lib/time.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { browserAvailable, browserStage, type BrowserStage } from '../helpers/browser.js';
import { createTestCampaign, insertEvaluators, replayOpen, setState } from '../helpers/fixtures.js';
import { xlsxSheets } from '../helpers/sheets.js';
import { docxParagraphs } from '../helpers/zip.js';
import { knownRecords } from '../results/helpers.js';
import { webAnswers } from '../evaluator/helpers.js';

const BROWSER_ZONE = 'Europe/Berlin';
const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', BROWSER_ZONE];

interface Plan {
  slug: string;
  timeZone: string;
  opensAt: string;
  closesAt: string;
  issued: string;
  /** an evaluator's draft saved (the page says when, as a time of day) */
  draftSaved: string;
  submitted: string;
  published: string;
  /** when its pages and exports are looked at (live figures are computed then) */
  viewed: string;
}

const PLANS: Plan[] = [
  {
    slug: 'sh-2026',
    timeZone: 'Asia/Shanghai',
    opensAt: '2026-10-31T16:00:00.000Z',
    closesAt: '2026-12-31T15:59:59.000Z',
    issued: '2026-11-20T18:10:00.000Z',
    draftSaved: '2026-11-23T16:47:00.000Z',
    // 01:30 on the 24th in Shanghai, the 23rd everywhere else
    submitted: '2026-11-23T17:30:00.000Z',
    published: '2027-01-05T03:00:00.000Z',
    viewed: '2027-01-06T01:07:00.000Z',
  },
  {
    slug: 'ny-2026',
    timeZone: 'America/New_York',
    opensAt: '2026-11-02T09:15:00.000Z',
    closesAt: '2026-12-30T23:45:00.000Z',
    issued: '2026-11-20T19:40:00.000Z',
    draftSaved: '2026-11-25T13:29:00.000Z',
    // 21:30 on the 25th in New York, the 26th everywhere else
    submitted: '2026-11-26T02:30:00.000Z',
    published: '2027-01-05T05:20:00.000Z',
    viewed: '2027-01-06T01:52:00.000Z',
  },
];

/** The ways a time reaches people: pages, letters, spreadsheets, documents, in Chinese and English. */
function renderings(instant: string, zone: string): string[] {
  const intl = (locale: string) =>
    new Intl.DateTimeFormat(locale, { timeZone: zone, dateStyle: 'short', timeStyle: 'short' }).format(
      new Date(instant),
    );
  return [
    formatDateTime(instant, zone),
    formatLongDateTime(instant, zone),
    formatLongDateTime(instant, zone, 'en'),
    formatLongDate(instant, zone),
    formatLongDate(instant, zone, 'en'),
    dayInZone(instant, zone),
    intl('zh-CN'),
    intl('en-GB'),
  ];
}

describe.skipIf(!browserAvailable())('times on every page and export', () => {
  let stage: BrowserStage;
  let services: Services;
  let clock: ReturnType<typeof fixedClock>;
  let app: ReturnType<typeof createApp>;
  const campaigns = new Map<string, Campaign>();
  const snapshots = new Map<string, string>();
  const tokens = new Map<string, string>();
  /**
   * The reissued link of an evaluator whose link is neither spent nor the one the pages open, as a
   * list and as a letter: made when the links are (a link is reissued only before the close)
   */
  const reissued = new Map<string, [string, Response][]>();
  /** the notice issued for each campaign: its sheet, its department and its first item */
  const notices = new Map<string, { sheet: string; department: string; item: string }>();
  /** instants of each campaign: the plan's and those the run made (a notice's deadline) */
  const instants = new Map<string, string[]>();
  let forbidden: string[] = [];

  beforeAll(async () => {
    stage = await browserStage(async (db) => {
      clock = fixedClock('2026-10-20T00:00:00Z');
      const deps = { db, config: defaultConfig(), clock };
      services = createServices(deps);
      app = createApp(deps, services);
      for (const plan of PLANS) {
        const campaign = await createTestCampaign(db, services, {
          slug: plan.slug,
          overrides: { timeZone: plan.timeZone, opensAt: plan.opensAt, closesAt: plan.closesAt },
        });
        campaigns.set(plan.slug, campaign);
        instants.set(plan.slug, [
          plan.opensAt,
          plan.closesAt,
          plan.issued,
          plan.submitted,
          plan.published,
          plan.viewed,
        ]);
        await insertEvaluators(db, campaign, 3);
      }
      for (const plan of PLANS) {
        clock.set(plan.issued);
        const admin = await loginAs(app, services, 'admin');
        const res = await app.request(`/api/campaigns/${plan.slug}/invitations?format=csv`, {
          method: 'POST',
          headers: admin.headers(),
        });
        expect(res.status).toBe(200);
        const links = [...(await res.text()).matchAll(/\/s\/([A-Za-z0-9_-]+)/g)].map((m) => canonicalToken(m[1]));
        tokens.set(plan.slug, links[1]);

        const spare = await db.kysely
          .selectFrom('invitations')
          .select('evaluator_id')
          .where('campaign_id', '=', campaigns.get(plan.slug)!.id)
          .where('token_hash', 'not in', [sha256(links[0]), sha256(links[1])])
          .executeTakeFirstOrThrow();
        const reissue = (query: string) =>
          app.request(`/api/campaigns/${plan.slug}/evaluators/${spare.evaluator_id}/invitation?${query}`, {
            method: 'POST',
            headers: admin.headers(),
          });
        reissued.set(plan.slug, [
          ['links xlsx', await reissue('format=xlsx')],
          ['letters', await reissue('format=letters&allowLoopback=1')],
        ]);

        clock.set(plan.draftSaved);
        const draft = await app.request(`/api/s/${links[1]}/draft`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ answers: { organisation: '某公司' }, elapsedSeconds: 30 }),
        });
        expect(draft.status).toBe(200);
        clock.set(plan.submitted);
        const submit = await app.request(`/api/s/${links[0]}/submit`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ answers: webAnswers(), elapsedSeconds: 400 }),
        });
        expect(submit.status).toBe(201);
        await services.responses.storeMany(campaigns.get(plan.slug)!, knownRecords().records, { source: 'import' });
      }
      for (const plan of PLANS) {
        clock.set(plan.published);
        snapshots.set(plan.slug, (await services.results.publish(plan.slug, 'admin')).id);
      }
      // a notice drafted on publication, issued when the campaign is viewed: its dates and deadlines too
      for (const plan of PLANS) {
        const { admin } = await view(plan);
        const list = await app.request(`/api/campaigns/${plan.slug}/notices`, { headers: admin.headers() });
        const [sheet] = ((await list.json()) as { sheets: { id: string; departmentCode: string }[] }).sheets;
        const issued = await app.request(`/api/campaigns/${plan.slug}/notices/${sheet.id}/issue`, {
          method: 'POST',
          headers: admin.headers(),
        });
        expect(issued.status).toBe(200);
        const detail = (await issued.clone().json()) as { items: { id: string }[] };
        notices.set(plan.slug, { sheet: sheet.id, department: sheet.departmentCode, item: detail.items[0].id });
        // one liaison account of the code, the liaison of its row in every campaign (as each import would bind it)
        await loginAs(app, services, 'liaison', { departmentCode: sheet.departmentCode });
        const liaison = (await services.accounts.listUsers()).find(
          (u) => u.role === 'liaison' && u.departmentCode === sheet.departmentCode,
        )!;
        const row = await db.kysely
          .selectFrom('departments')
          .select('id')
          .where('campaign_id', '=', campaigns.get(plan.slug)!.id)
          .where('code', '=', sheet.departmentCode)
          .executeTakeFirstOrThrow();
        await db.kysely
          .insertInto('liaison_departments')
          .values({ user_id: liaison.id, department_id: row.id })
          .onConflict((oc) => oc.doNothing())
          .execute();
        for (const at of JSON.stringify(await issued.json()).match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g) ?? [])
          instants.get(plan.slug)!.push(at);
      }
      forbidden = forbiddenTexts();
      return app;
    });
  });

  afterAll(() => stage?.close());

  /** Renderings of every campaign's instants in a zone not its own, except those also right for one. */
  function forbiddenTexts(): string[] {
    const right = new Set<string>();
    const wrong = new Set<string>();
    for (const plan of PLANS)
      for (const instant of instants.get(plan.slug)!) {
        for (const zone of ZONES)
          for (const text of renderings(instant, zone)) (zone === plan.timeZone ? right : wrong).add(text);
        // an instant shown raw, as stored
        wrong.add(instant.slice(0, 16));
      }
    // a time of day alone is too common to look for, except the draft's, whose minutes are its own
    for (const plan of PLANS)
      for (const zone of ZONES) if (zone !== plan.timeZone) wrong.add(formatDateTime(plan.draftSaved, zone).slice(11));
    return [...wrong].filter((t) => !right.has(t)).concat(['UTC', 'GMT']);
  }

  function expectNoForeignTime(text: string, where: string) {
    const found = forbidden.filter((t) => text.includes(t));
    expect(found, `${where} shows a time outside its campaign's zone`).toEqual([]);
  }

  async function view(plan: Plan) {
    clock.set(plan.viewed);
    const department = notices.get(plan.slug)?.department ?? 'D001';
    return {
      admin: await loginAs(app, services, 'admin'),
      liaison: await loginAs(app, services, 'liaison', { departmentCode: department }),
    };
  }

  async function browserAs(who: LoggedIn): Promise<BrowserContext> {
    const context = await stage.signedIn(who, { locale: 'zh-CN', timezoneId: BROWSER_ZONE });
    return context;
  }

  /**
   * What a person can see on a page: its text (closed <details> tables too), its charts' labels and
   * titles, and the files its scripts make for download.
   */
  async function shown(context: BrowserContext, path: string, status = 200): Promise<string> {
    const page = await context.newPage();
    // the page's CSV downloads are blobs its scripts make: keep them to read
    await page.addInitScript(() => {
      const keep: Blob[] = [];
      (window as unknown as { downloads: Blob[] }).downloads = keep;
      const create = URL.createObjectURL.bind(URL);
      URL.createObjectURL = (blob: Blob | MediaSource) => {
        if (blob instanceof Blob) keep.push(blob);
        return create(blob);
      };
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const res = await page.goto(`${stage.url}${path}`);
    expect(res?.status(), path).toBe(status);
    if (path.startsWith('/dashboard?')) await page.waitForSelector('#dashboard[data-ready="1"]', { timeout: 20_000 });
    await page.waitForLoadState('networkidle');
    const text = await page.evaluate(async () => {
      const blobs = (window as unknown as { downloads: Blob[] }).downloads;
      const downloads = await Promise.all(blobs.map((b) => b.text()));
      const charts = [...document.querySelectorAll('canvas')].flatMap((canvas) => {
        const chart = (window as unknown as { Chart?: { getChart(c: HTMLCanvasElement): unknown } }).Chart?.getChart(
          canvas,
        ) as { data: { labels?: unknown[] }; options: unknown } | undefined;
        return chart ? [JSON.stringify(chart.data.labels ?? []), JSON.stringify(chart.options)] : [];
      });
      return [document.title, document.body.innerText, document.body.textContent, ...charts, ...downloads].join('\n');
    });
    expect(errors, path).toEqual([]);
    await page.close();
    return text;
  }

  it('shows every campaign page in its zone, in the browser', { timeout: 180_000 }, async () => {
    for (const plan of PLANS) {
      const { admin, liaison } = await view(plan);
      const office = await browserAs(admin);
      const { sheet, item } = notices.get(plan.slug)!;
      const pages = [
        '/admin',
        `/admin/campaigns/${plan.slug}`,
        `/admin/campaigns/${plan.slug}/notices`,
        `/admin/campaigns/${plan.slug}/notices/print`,
        `/admin/campaigns/${plan.slug}/notices/${sheet}`,
        `/admin/campaigns/${plan.slug}/notices/${sheet}/print`,
        '/admin/closeout',
        `/admin/closeout/items/${item}`,
        `/dashboard?campaign=${plan.slug}`,
        `/dashboard?campaign=${plan.slug}&snapshot=${snapshots.get(plan.slug)}`,
        '/dashboard/departments/D001',
      ];
      const texts = new Map<string, string>();
      for (const path of pages) texts.set(path, await shown(office, path));
      await office.close();
      const department = await browserAs(liaison);
      for (const path of [
        '/my',
        '/my/results',
        `/my/sheets/${sheet}`,
        `/my/items/${item}`,
        `/my/notices/${sheet}/print`,
      ])
        texts.set(path, await shown(department, path));
      await department.close();
      // the evaluator's page while the campaign is open, and once it has closed
      const visitor = await stage.browser.newContext({ locale: 'zh-CN', timezoneId: BROWSER_ZONE });
      const link = `/s/${tokens.get(plan.slug)}`;
      texts.set(`${link} (closed)`, await shown(visitor, link, 403));
      // (replayed: the moment of the submission, the campaign open again; published once more after)
      const campaign = campaigns.get(plan.slug)!;
      await replayOpen(stage.db, clock, campaign, plan.submitted);
      for (const lang of ['', '?lang=en']) texts.set(`${link}${lang}`, await shown(visitor, `${link}${lang}`));
      await setState(stage.db, campaign, 'published');
      await visitor.close();

      for (const [path, text] of texts) expectNoForeignTime(text, path);
      // and each page does show times, in the zone (the empty close-out queue and the trend have none)
      const right = instants.get(plan.slug)!.flatMap((at) => renderings(at, plan.timeZone));
      right.push(formatDateTime(plan.draftSaved, plan.timeZone).slice(11));
      for (const [path, text] of texts)
        if (path !== '/admin/closeout' && !path.startsWith('/dashboard/departments/'))
          expect(
            right.some((r) => text.includes(r)),
            `${path} shows its campaign's times`,
          ).toBe(true);
      // and the times are there, in the zone: the campaign page shows its window and its days
      const campaignPage = texts.get(`/admin/campaigns/${plan.slug}`)!;
      expect(campaignPage).toContain(formatDateTime(plan.opensAt, plan.timeZone));
      expect(campaignPage).toContain(dayInZone(plan.submitted, plan.timeZone));
      // the dashboard's per-day chart and its CSV download count the submission on its day there
      expect(texts.get(`/dashboard?campaign=${plan.slug}`)).toContain(dayInZone(plan.submitted, plan.timeZone));
      expect(texts.get(`${link} (closed)`)).toContain(formatLongDateTime(plan.closesAt, plan.timeZone));
    }
  });

  it('dates every export in its zone: results, invitation lists, letters, suggestions and notices', {
    timeout: 60_000,
  }, async () => {
    for (const plan of PLANS) {
      const { admin } = await view(plan);
      const get = (path: string, method = 'GET') => app.request(path, { method, headers: admin.headers() });
      const id = snapshots.get(plan.slug)!;
      const files: [string, Response][] = [
        ['live csv', await get(`/api/campaigns/${plan.slug}/results/export.csv`)],
        ['live xlsx', await get(`/api/campaigns/${plan.slug}/results/export.xlsx`)],
        ['snapshot csv', await get(`/api/snapshots/${id}/export.csv`)],
        ['snapshot xlsx', await get(`/api/snapshots/${id}/export.xlsx`)],
        ...reissued.get(plan.slug)!,
        ['suggestions csv', await get(`/api/campaigns/${plan.slug}/suggestions/export.csv`)],
        ['suggestions xlsx', await get(`/api/campaigns/${plan.slug}/suggestions/export.xlsx`)],
      ];
      const sheets = (await (await get(`/api/campaigns/${plan.slug}/notices`)).json()) as { sheets: { id: string }[] };
      for (const sheet of sheets.sheets)
        files.push([`notice ${sheet.id}`, await get(`/api/campaigns/${plan.slug}/notices/${sheet.id}/docx`)]);

      for (const [what, res] of files) {
        expect(res.status, what).toBe(200);
        const type = res.headers.get('content-type') ?? '';
        const bytes = new Uint8Array(await res.arrayBuffer());
        const text = type.includes('spreadsheetml')
          ? (await xlsxSheets(bytes)).flatMap((s) => [s.name, ...s.rows.map((r) => r.join('\t'))]).join('\n')
          : type.includes('wordprocessingml')
            ? docxParagraphs(bytes).join('\n')
            : new TextDecoder().decode(bytes).replace(/<[^>]+>/g, ' ');
        expectNoForeignTime(`${decodeURIComponent(res.headers.get('content-disposition') ?? '')}\n${text}`, what);
      }
    }
  });
});
