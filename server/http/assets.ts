import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, resolve } from 'node:path';
import { Hono } from 'hono';
import { errorBody } from '../errors.js';
import { projectRoot } from '../shared/paths.js';

export const WEB_DIST = resolve(projectRoot(import.meta.url), 'web/dist');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

const PRECOMPRESSED = new Set(['.js', '.css']);
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
];

/** web/dist/manifest.json, written by web/build.ts: each entry's hashed file and the shared chunks it imports. */
type Manifest = Record<string, { file: string; imports: string[] }>;
let manifest: Manifest | undefined;

function built(entry: string) {
  if (!manifest) {
    try {
      manifest = JSON.parse(readFileSync(resolve(WEB_DIST, 'manifest.json'), 'utf8')) as Manifest;
    } catch {
      throw new Error('web assets are not built: run `npm run build`');
    }
  }
  const asset = manifest[entry];
  if (!asset) throw new Error(`no built asset named ${entry}`);
  return asset;
}

/** URL of a built entry's hashed file (`evaluator.js` → `/assets/evaluator-AB12CD.js`). */
export function assetUrl(entry: string): string {
  return `/assets/${built(entry).file}`;
}

/** URLs of the shared chunks a script entry imports, for `<link rel="modulepreload">`. */
export function chunkUrls(entry: string): string[] {
  return built(entry).imports.map((file) => `/assets/${file}`);
}

/**
 * Serves web/dist. File names carry content hashes, so they may be cached for a year. Only the
 * types below are served: never a source map (an older build may have left one in web/dist).
 */
export function staticAssets() {
  const assets = new Hono();
  assets.get('/:file{[A-Za-z0-9._-]+}', async (c) => {
    const file = c.req.param('file');
    const type = CONTENT_TYPES[extname(file)];
    if (!type) return c.json(errorBody('NOT_FOUND', '没有这个文件'), 404);
    const headers: Record<string, string> = {
      'content-type': type,
      'cache-control': 'public, max-age=31536000, immutable',
      vary: 'accept-encoding',
    };
    const accepted = c.req.header('accept-encoding') ?? '';
    const encodings = PRECOMPRESSED.has(extname(file)) ? ENCODINGS.filter((e) => accepted.includes(e.name)) : [];
    for (const encoding of encodings) {
      try {
        const body = await readFile(resolve(WEB_DIST, file + encoding.suffix));
        return c.body(body, 200, { ...headers, 'content-encoding': encoding.name });
      } catch {
        // no pre-compressed copy: try the next encoding, then the plain file
      }
    }
    try {
      const body = await readFile(resolve(WEB_DIST, file));
      return c.body(body, 200, headers);
    } catch {
      return c.json(errorBody('NOT_FOUND', '没有这个文件'), 404);
    }
  });
  return assets;
}

/**
 * GET /favicon.ico: browsers ask for it on every page whatever the page says; the system has no
 * icon, so "nothing here", cached for a year, instead of a 404 in every console.
 */
export function favicon() {
  return new Hono().get('/', (c) => c.body(null, 204, { 'cache-control': 'public, max-age=31536000, immutable' }));
}
