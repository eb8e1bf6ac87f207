import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { assetUrl } from './assets.js';

export interface PageOptions {
  title: string;
  /** built entries to load, e.g. ['evaluator.js', 'evaluator.css'] */
  scripts?: string[];
  styles?: string[];
  lang?: string;
  body: HtmlEscapedString | Promise<HtmlEscapedString> | string;
}

/**
 * The HTML shell of every page: large type, phone-first viewport, no inline script (the CSP
 * forbids it). Data a script needs goes in data- attributes or is fetched from the API.
 */
export function page({ title, scripts = [], styles = [], lang = 'zh-CN', body }: PageOptions) {
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="${assetUrl('base.css')}">
${styles.map((s) => html`<link rel="stylesheet" href="${assetUrl(s)}">`)}
</head>
<body>
${typeof body === 'string' ? raw(body) : body}
${scripts.map((s) => html`<script type="module" src="${assetUrl(s)}"></script>`)}
</body>
</html>`;
}

/** A plain message page for an evaluator: used link, closed campaign, unknown link. */
export function messagePage(title: string, message: string, lang = 'zh-CN') {
  return page({
    title,
    lang,
    body: html`<main class="message"><h1>${title}</h1><p>${message}</p></main>`,
  });
}
