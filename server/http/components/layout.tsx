import type { Child } from 'hono/jsx';
import { raw } from 'hono/html';
import { assetUrl, chunkUrls } from '../assets.js';
import { Header, type Viewer } from './header.js';

export interface LayoutProps {
  title: string;
  /** built entries to load, e.g. ['admin.js'] and ['admin.css'] */
  scripts?: string[];
  styles?: string[];
  /** API answers the page's script reads first, fetched while the scripts download (same URL as its fetch) */
  preload?: string[];
  lang?: string;
  /** the signed-in person: the page gets the one header with their navigation and sign-out */
  viewer?: Viewer;
  children?: Child;
}

/**
 * The HTML shell of every page: phone-first viewport, base.css, module scripts only (the CSP is
 * script-src 'self', so no inline script). Data a script needs goes in data- attributes.
 */
export function Layout({
  title,
  scripts = [],
  styles = [],
  preload = [],
  lang = 'zh-CN',
  viewer,
  children,
}: LayoutProps) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{title}</title>
          <link rel="stylesheet" href={assetUrl('base.css')} />
          {styles.map((s) => (
            <link rel="stylesheet" href={assetUrl(s)} />
          ))}
          {/* the shared chunks the scripts import load alongside them, not after */}
          {[...new Set(scripts.flatMap(chunkUrls))].map((url) => (
            <link rel="modulepreload" href={url} />
          ))}
          {/* crossorigin="anonymous": the credentials mode of the script's same-origin fetch, so the answer is reused */}
          {preload.map((url) => (
            <link rel="preload" as="fetch" href={url} crossorigin="anonymous" />
          ))}
        </head>
        <body>
          {viewer && <Header viewer={viewer} />}
          {children}
          {scripts.map((s) => (
            <script type="module" src={assetUrl(s)}></script>
          ))}
        </body>
      </html>
    </>
  );
}
