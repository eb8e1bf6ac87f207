import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Db } from '../../server/db/connect.js';
import type { LoggedIn } from './auth.js';
import { sqliteDb } from './db.js';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is installed. With CI=true a missing browser fails the run instead. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI === 'true')
    throw new Error(`Chromium is required when CI=true and is missing at ${CHROMIUM_PATH}`);
  console.warn(`Chromium not found at ${CHROMIUM_PATH}; browser tests are skipped (set CI=true to require it)`);
  return false;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Serve an app's fetch on a random loopback port. */
export async function listen(
  fetch: (req: Request) => Response | Promise<Response>,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A fresh database, an app served on it and a Chromium to look at it. */
export interface BrowserStage {
  db: Db;
  /** where the app is served */
  url: string;
  browser: Browser;
  /** A new browser context carrying `who`'s session (signed in through the API, not the login page). */
  signedIn(who: LoggedIn, options?: BrowserContextOptions): Promise<BrowserContext>;
  /** Close the browser, the server and the database. */
  close(): Promise<void>;
}

/**
 * Set the stage of a browser test: `arrange` fills a fresh in-memory SQLite database and returns the
 * app to serve. If any step fails, what was already opened is closed before the error is thrown.
 */
export async function browserStage(
  arrange: (db: Db) => Promise<{ fetch: (req: Request) => Response | Promise<Response> }>,
): Promise<BrowserStage> {
  const opened: { close(): Promise<void> }[] = [];
  const close = async () => {
    for (let last = opened.pop(); last; last = opened.pop()) await last.close();
  };
  try {
    const db = await sqliteDb();
    opened.push(db);
    const app = await arrange(db);
    const server = await listen(app.fetch);
    opened.push(server);
    const browser = await launchBrowser();
    opened.push(browser);
    return {
      db,
      url: server.url,
      browser,
      async signedIn(who, options) {
        const context = await browser.newContext(options);
        const [name, value] = who.cookie.split('=');
        await context.addCookies([{ name, value, url: server.url }]);
        return context;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Sign in through the login page, as a person does, and wait for the signed-in header. */
export async function signIn(page: Page, baseUrl: string, username: string, password: string) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('用户名').fill(username);
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.locator('#site-header').waitFor();
  // the header is in the DOM before the page's stylesheets have loaded: a computed style read then is the bare one
  await page.waitForLoadState('load');
}

/** Every script error and failed request of a page from now on (the browser's favicon request aside). */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  page.on('response', (r) => {
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.push(`${r.status()} ${r.url()}`);
  });
  return problems;
}

/** Pages of a PDF Chromium printed (each page object is `/Type /Page`, the tree `/Type /Pages`). */
export const pdfPages = (pdf: Buffer) => pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g)?.length ?? 0;
