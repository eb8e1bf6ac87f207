import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetUrl } from '../../server/http/assets.js';
import { loginAs, type LoggedIn } from '../helpers/auth.js';
import { sqliteDb } from '../helpers/db.js';
import { resultsSetup } from '../results/helpers.js';

const db = await sqliteDb();
let ctx: Awaited<ReturnType<typeof resultsSetup>>;
let analyst: LoggedIn;
beforeAll(async () => {
  ctx = await resultsSetup(db);
  analyst = await loginAs(ctx.app, ctx.services, 'analyst');
});
afterAll(() => db.close());

const results = (encoding?: string) =>
  ctx.app.request(`/api/campaigns/${ctx.campaign.slug}/results`, {
    headers: analyst.headers(encoding ? { 'accept-encoding': encoding } : {}),
  });
const bytes = async (res: Response) => Buffer.from(await res.arrayBuffer());

describe('compressed answers', () => {
  it('sends the results JSON brotli- or gzip-compressed as the client accepts, decoding to the same JSON', async () => {
    const plain = await results();
    expect(plain.headers.get('content-encoding')).toBeNull();
    const expected = await plain.json();
    expect(JSON.stringify(expected).length).toBeGreaterThan(1024);

    const br = await results('gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toMatch(/accept-encoding/i);
    const brBody = await bytes(br);
    expect(JSON.parse(brotliDecompressSync(brBody).toString('utf8'))).toEqual(expected);
    expect(brBody.length).toBeLessThan(JSON.stringify(expected).length / 3);

    const gz = await results('gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(await bytes(gz)).toString('utf8'))).toEqual(expected);
  });

  it('compresses pages too, and leaves answers under 1 KB as they are', async () => {
    const page = await ctx.app.request('/login', { headers: { 'accept-encoding': 'br' } });
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await bytes(page);
    if (page.headers.get('content-encoding') === 'br') expect(brotliDecompressSync(html).toString()).toContain('<html');
    else expect(html.length).toBeLessThan(1024);

    const health = await ctx.app.request('/healthz', { headers: { 'accept-encoding': 'br, gzip' } });
    expect(health.headers.get('content-encoding')).toBeNull();
    expect(((await health.json()) as { ok: boolean }).ok).toBe(true);
  });

  it('serves the hashed assets pre-compressed, cached for a year as immutable, never compressed twice', async () => {
    const res = await ctx.app.request(assetUrl('evaluator.js'), { headers: { 'accept-encoding': 'br, gzip' } });
    expect(res.headers.get('content-encoding')).toBe('br');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const body = brotliDecompressSync(await bytes(res)).toString('utf8');
    const plain = await (await ctx.app.request(assetUrl('evaluator.js'))).text();
    expect(body).toBe(plain);
  });
});
