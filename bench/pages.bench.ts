/**
 * Pages over a throttled network in Chromium (playwright-core, Debian's /usr/bin/chromium), the
 * server on 127.0.0.1:
 * - the evaluator page on a cheap phone: slow 4G (562.5 ms RTT, 1.44 Mbit/s down, 675 kbit/s up)
 *   and 4× CPU throttling; time until the first question can be answered (a field of the first
 *   page, which the server draws itself) and until SurveyJS has drawn the questionnaire, bytes over
 *   the wire on the first visit and on a repeat visit (cached assets);
 * - the analyst's rankings of 100 departments (N simulated responses): bytes and time until the
 *   ranking table shows every department, on the same network without CPU throttling; the live
 *   result (with the bootstrap) is computed by that request.
 * Run: npx tsx bench/pages.bench.ts [evaluators=3000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createApp } from '../server/app.js';
import { systemClock } from '../server/clock.js';
import { defaultConfig } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';
import { runSimulation } from '../server/demo/simulate.js';
import { createServices } from '../server/services.js';
import { launchBrowser, listen, signIn } from '../test/helpers/browser.js';
import { createInvitation } from '../test/evaluator/helpers.js';
import { insertNumberedDepartments } from '../test/helpers/fixtures.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../surveys/campaign-config.js';

const [evaluators = 3000] = process.argv.slice(2).map(Number);
const dir = mkdtempSync(join(tmpdir(), 'minping-pages-bench-'));
const db = await openDatabase(join(dir, 'bench.db'));
const deps = { db, config: defaultConfig(), clock: systemClock };
const services = createServices(deps);
const { raw, dir: configDir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
const campaign = await services.campaigns.create({ raw: { ...(raw as object), slug: 'bench' }, configDir }, 'bench');
await insertNumberedDepartments(db, campaign, 100, '部门');
await runSimulation(deps, services, 'bench', { evaluators, seed: 7 });
const { token } = await createInvitation(db, campaign);
// a campaign is made as a draft: open it, as the office would, before evaluators answer
await services.campaigns.open('bench', 'bench');
await services.accounts.addUser(
  { username: 'analyst', role: 'analyst', password: 'correct horse battery staple' },
  'bench',
);

// the scoring threads start once per server (a fraction of a second): start them before measuring
await services.results.compute('bench', { uncertainty: false });
const server = await listen(createApp(deps, services).fetch);
const browser = await launchBrowser();

const SLOW_4G = {
  offline: false,
  latency: 562.5,
  downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8,
  uploadThroughput: (750 * 1024 * 0.9) / 8,
};

/** Bytes received over the network (headers included) and requests made, from now on. */
async function metered(page: Page, cpuRate: number) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', SLOW_4G);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuRate });
  const seen = { bytes: 0, requests: 0, fromCache: 0 };
  cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
    seen.bytes += e.encodedDataLength;
    seen.requests++;
  });
  cdp.on('Network.responseReceived', (e: { response: { fromDiskCache?: boolean; fromMemoryCache?: boolean } }) => {
    if (e.response.fromDiskCache || e.response.fromMemoryCache) seen.fromCache++;
  });
  return seen;
}

async function timed(page: Page, url: string, ready: () => Promise<unknown>) {
  const started = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready();
  return Math.round(performance.now() - started);
}

const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
phone.setDefaultTimeout(120_000);
const evaluatorPage = await phone.newPage();
/** Answerable: a field of the first page can be typed in (the server's drawing of it, or SurveyJS's). */
const answerable = (page: Page) =>
  page.locator('#survey input:not([disabled]):visible, #survey textarea:visible').first().waitFor();
const surveyDrawn = (page: Page) => page.locator('.sd-question').first().waitFor({ state: 'visible' });
let seen = await metered(evaluatorPage, 4);
let started = performance.now();
const firstVisitMs = await timed(evaluatorPage, `${server.url}/s/${token}`, () => answerable(evaluatorPage));
await surveyDrawn(evaluatorPage);
const firstVisit = {
  usableMs: firstVisitMs,
  surveyJsDrawnMs: Math.round(performance.now() - started),
  kb: Math.round(seen.bytes / 1024),
  requests: seen.requests,
};
await evaluatorPage.close();
const again = await phone.newPage();
seen = await metered(again, 4);
started = performance.now();
const repeatMs = await timed(again, `${server.url}/s/${token}`, () => answerable(again));
await surveyDrawn(again);
const repeatVisit = {
  usableMs: repeatMs,
  surveyJsDrawnMs: Math.round(performance.now() - started),
  kb: Math.round(seen.bytes / 1024),
  requestsOverNetwork: seen.requests - seen.fromCache,
  fromCache: seen.fromCache,
};

const desk = await browser.newContext();
desk.setDefaultTimeout(120_000);
const dashboard = await desk.newPage();
await signIn(dashboard, server.url, 'analyst', 'correct horse battery staple');
seen = await metered(dashboard, 1);
const rankingsMs = await timed(dashboard, `${server.url}/dashboard`, () =>
  dashboard.waitForFunction(() => document.querySelectorAll('table tbody tr').length >= 100, null, {
    timeout: 120_000,
  }),
);
const rankings = { shownMs: rankingsMs, kb: Math.round(seen.bytes / 1024), requests: seen.requests };

await browser.close();
await server.close();
await db.close();
rmSync(dir, { recursive: true, force: true });
console.log(
  JSON.stringify({
    evaluator: { network: 'slow 4G', cpuThrottling: 4, firstVisit, repeatVisit },
    rankings: { departments: 100, responses: evaluators, network: 'slow 4G', ...rankings },
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
  }),
);
process.exit(0);
