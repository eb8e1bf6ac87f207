/** web/lib's DOM helpers in a real Chromium: elements, tables, the error display and CSV downloads. */
import { resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorDetail } from '../../server/contracts.js';
import { browserAvailable, launchBrowser, listen } from '../helpers/browser.js';

type Lib = typeof import('../../web/lib/dom.js') &
  typeof import('../../web/lib/errors.js') &
  typeof import('../../web/lib/table.js') & { ApiError: typeof import('../../web/lib/api.js').ApiError };

declare global {
  interface Window {
    lib: Lib;
  }
}

describe.skipIf(!browserAvailable())('web/lib in a real browser', () => {
  let browser: Browser;
  let server: { url: string; close(): Promise<void> };
  let page: Page;

  beforeAll(async () => {
    const bundle = await build({
      stdin: {
        contents: `export * from './dom.ts'; export * from './errors.ts'; export * from './table.ts'; export { ApiError } from './api.ts';`,
        resolveDir: resolve('web/lib'),
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      write: false,
    });
    const script = bundle.outputFiles[0].text;
    server = await listen((req) =>
      new URL(req.url).pathname === '/lib.js'
        ? new Response(script, { headers: { 'content-type': 'text/javascript; charset=utf-8' } })
        : new Response('<!doctype html><meta charset="utf-8"><main id="target"></main>', {
            headers: { 'content-type': 'text/html; charset=utf-8' },
          }),
    );
    browser = await launchBrowser();
    page = await browser.newPage();
    await page.goto(server.url);
    await page.addScriptTag({ type: 'module', content: "import * as lib from '/lib.js'; window.lib = lib;" });
    await page.waitForFunction(() => Boolean(window.lib));
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('builds elements from attributes and children: text and numbers as text, null and undefined left out', async () => {
    const html = await page.evaluate(() => {
      const { el } = window.lib;
      return el('p', { class: 'note', 'data-x': '1' }, '共 ', 3, null, undefined, el('b', {}, '个')).outerHTML;
    });
    expect(html).toBe('<p class="note" data-x="1">共 3<b>个</b></p>');
  });

  /** What showError puts on the page for a 422 with these details. */
  const shown = (message: string, details: ErrorDetail[], options?: { lead?: string; lang?: 'zh' | 'en' }) =>
    page.evaluate(
      ([message, details, options]) => {
        const { ApiError, showError } = window.lib;
        const target = document.getElementById('target')!;
        showError(target, new ApiError(422, 'VALIDATION_FAILED', message, details), options);
        return {
          alert: target.querySelector('p[role="alert"]')?.textContent,
          headers: [...target.querySelectorAll('th')].map((th) => th.textContent),
          rows: [...target.querySelectorAll('tbody tr')].map((tr) => (tr as HTMLElement).innerText),
        };
      },
      [message, details, options] as const,
    );

  it('shows an import error with one table row per bad line: line, field, problem', async () => {
    const lines = [
      { line: 7, field: 'group', message: '不是本活动的部门分组' },
      { line: 8, field: 'code', message: '与第 2 行重复' },
    ];
    expect(await shown('文件中有 2 行需要修改', lines)).toEqual({
      alert: '文件中有 2 行需要修改',
      headers: ['行', '字段', '问题'],
      rows: ['7\tgroup\t不是本活动的部门分组', '8\tcode\t与第 2 行重复'],
    });
  });

  it('shows answers to correct by their place, headed in the page language, after a lead', async () => {
    const places = [{ path: 'departments.0.efficiency', message: '必填' }];
    expect(await shown('答案有误', places, { lead: 'Some answers need correcting: ', lang: 'en' })).toEqual({
      alert: 'Some answers need correcting: 答案有误',
      headers: ['Where', 'Problem'],
      rows: ['departments.0.efficiency\t必填'],
    });
  });

  it('shows anything else thrown by its message alone, replacing what was shown before', async () => {
    const html = await page.evaluate(() => {
      const target = document.getElementById('target')!;
      window.lib.showError(target, new Error('网络连接中断'));
      return target.innerHTML;
    });
    expect(html).toBe('<p class="error" role="alert">网络连接中断</p>');
  });

  it('offers a CSV file whose text cells cannot run as formulas, element cells by their text', async () => {
    const download = await page.evaluate(async () => {
      const { csvLink, el } = window.lib;
      const link = csvLink('结果', ['部门', '得分'], [[el('a', { href: '#' }, '=cmd|x'), 85.5]]);
      // the BOM kept: Excel needs it to read UTF-8
      const bytes = await (await fetch(link.href)).arrayBuffer();
      return {
        name: link.download,
        label: link.textContent,
        text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes),
      };
    });
    expect(download).toEqual({ name: '结果.csv', label: '下载 CSV', text: "\ufeff部门,得分\r\n'=cmd|x,85.5\r\n" });
  });
});
