import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** JSON answers, pages and text downloads; files (xlsx, docx, images) are compressed already */
const COMPRESSIBLE = /^(application\/json|text\/html|text\/csv|text\/plain|application\/jsonl?)/i;
/** below this a compressed body saves less than the header costs */
export const COMPRESS_MIN_BYTES = 1024;

/** br when the client takes it (better for JSON and HTML), else gzip, else none */
function encodingFor(accepted: string | undefined): 'br' | 'gzip' | undefined {
  const offered = new Map<string, number>();
  for (const part of (accepted ?? '').split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    offered.set(name, q ? Number(q.slice(2)) : 1);
  }
  const q = (name: string) => offered.get(name) ?? offered.get('*') ?? 0;
  if (q('br') > 0 && q('br') >= q('gzip')) return 'br';
  return q('gzip') > 0 ? 'gzip' : undefined;
}

/**
 * Compresses JSON answers and pages of at least 1 KB with brotli (quality 5: a 300 KB result in a
 * few ms, on libuv's threads rather than the event loop) or gzip, as the client accepts. Responses
 * that carry their own encoding (the pre-compressed assets) or say no-transform are left alone.
 */
export function compressResponses(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const res = c.res;
    const type = res.headers.get('content-type') ?? '';
    if (
      c.req.method === 'HEAD' ||
      !res.body ||
      res.status === 204 ||
      res.status === 206 ||
      res.headers.has('content-encoding') ||
      !COMPRESSIBLE.test(type) ||
      /no-transform/i.test(res.headers.get('cache-control') ?? '')
    )
      return;
    const vary = res.headers.get('vary');
    const headers = new Headers(res.headers);
    if (!vary || !/accept-encoding/i.test(vary))
      headers.set('vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
    const encoding = encodingFor(c.req.header('accept-encoding'));
    const body = new Uint8Array(await res.arrayBuffer());
    if (!encoding || body.byteLength < COMPRESS_MIN_BYTES) {
      c.res = new Response(body, { status: res.status, statusText: res.statusText, headers });
      return;
    }
    const compressed =
      encoding === 'br'
        ? await brotli(body, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength },
          })
        : await gzipAsync(body, { level: 6 });
    headers.set('content-encoding', encoding);
    headers.delete('content-length');
    c.res = new Response(new Uint8Array(compressed), { status: res.status, statusText: res.statusText, headers });
  };
}
