import { rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ErrorBody } from '../../server/contracts.js';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { fixedClock } from '../../server/clock.js';
import { defaultConfig } from '../../server/config.js';
import { assetUrl, chunkUrls, WEB_DIST } from '../../server/http/assets.js';
import { sqliteDb } from '../helpers/db.js';

const db = await sqliteDb();
const app = createApp({ db, config: defaultConfig(), clock: fixedClock('2026-11-23T08:00:00Z') });
afterAll(() => db.close());

describe('health and errors', () => {
  it('reports healthy with the dialect and the injected time', async () => {
    const res = await app.request('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, dialect: 'sqlite', time: '2026-11-23T08:00:00.000Z' });
  });

  it('answers an unknown API path with the JSON error envelope', async () => {
    const res = await app.request('/api/nowhere');
    expect(res.status).toBe(404);
    const body = (await res.json()) as ErrorBody;
    expect(body.error.code).toBe('NOT_FOUND');
  });

  it('shows a person in a browser a readable page, not JSON, for a missing page', async () => {
    const res = await app.request('/no-such-page', { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain('页面不存在');
  });

  it('keeps the JSON envelope for the API even when a browser asks', async () => {
    const res = await app.request('/api/nowhere', { headers: { accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as ErrorBody).error.code).toBe('NOT_FOUND');
  });

  it('serves built assets pre-compressed to browsers that accept brotli, with a year of caching', async () => {
    const url = assetUrl('base.css');
    const br = await app.request(url, { headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(br.status).toBe(200);
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('cache-control')).toContain('immutable');
    const plain = await app.request(url);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(await plain.text()).toContain('--accent');
  });

  it('answers /favicon.ico with nothing (204) cached for a year, not a 404 on every page', async () => {
    const res = await app.request('/favicon.ico');
    expect(res.status).toBe(204);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await res.text()).toBe('');
  });

  it('publishes no source maps: none is linked from a script, and a .map name is not served', async () => {
    const url = assetUrl('evaluator.js');
    const script = await (await app.request(url)).text();
    expect(script.length).toBeGreaterThan(1000);
    expect(script).not.toContain('sourceMappingURL');
    writeFileSync(resolve(WEB_DIST, 'left-by-an-older-build.js.map'), '{"sources":["web/pages/evaluator.ts"]}');
    try {
      expect((await app.request('/assets/left-by-an-older-build.js.map')).status).toBe(404);
      expect((await app.request(`${url}.map`)).status).toBe(404);
    } finally {
      rmSync(resolve(WEB_DIST, 'left-by-an-older-build.js.map'));
    }
  });

  it('lists the shared chunks each page script imports, and serves them pre-compressed', async () => {
    const chunks = chunkUrls('evaluator.js');
    expect(chunks.length).toBeGreaterThan(0);
    const evaluator = await (await app.request(assetUrl('evaluator.js'))).text();
    for (const chunk of chunks) {
      const res = await app.request(chunk, { headers: { 'accept-encoding': 'br' } });
      expect(res.status, chunk).toBe(200);
      expect(res.headers.get('content-encoding')).toBe('br');
    }
    // the script's own imports are among them (the rest are theirs)
    const imported = [...evaluator.matchAll(/from"\.\/(chunk-[A-Z0-9]+\.js)"/g)].map((m) => `/assets/${m[1]}`);
    expect(imported.length).toBeGreaterThan(0);
    expect(chunks).toEqual(expect.arrayContaining(imported));
  });

  it('refuses asset names outside the built folder', async () => {
    const res = await app.request('/assets/..%2Fpackage.json');
    expect(res.status).toBe(404);
  });
});
