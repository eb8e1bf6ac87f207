/**
 * Builds web/pages/*.ts and web/styles/*.css into content-hashed files in web/dist, with
 * manifest.json mapping each entry (`evaluator.js`) to its hashed file. Run by `npm run build`.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { basename, dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const webDir = dirname(fileURLToPath(import.meta.url));
const outdir = resolve(webDir, 'dist');

const entries = [
  ...readdirSync(resolve(webDir, 'pages'))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => resolve(webDir, 'pages', f)),
  ...readdirSync(resolve(webDir, 'styles'))
    .filter((f) => f.endsWith('.css'))
    .map((f) => resolve(webDir, 'styles', f)),
];

// Built in place, never wiped first: names carry content hashes, so a server or test run using
// the previous build keeps its files while this one writes new ones.
mkdirSync(outdir, { recursive: true });

const result = await build({
  entryPoints: entries,
  outdir,
  bundle: true,
  format: 'esm',
  splitting: true,
  minify: true,
  // no source maps: served next to the scripts they would publish the pages' whole source
  sourcemap: false,
  target: ['es2020', 'safari14.1'], // 14.1: the first Safari esbuild can emit destructuring for (survey-js-ui uses it)
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.woff2': 'file', '.svg': 'file', '.png': 'file' },
  metafile: true,
  logLevel: 'warning',
});

const manifest: Record<string, string> = {};
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (!meta.entryPoint || file.endsWith('.map')) continue;
  const entry = basename(meta.entryPoint);
  const name = entry.slice(0, -extname(entry).length) + extname(file);
  manifest[name] = basename(file);
}
const manifestTmp = resolve(outdir, `manifest.${process.pid}.tmp`);
writeFileSync(manifestTmp, JSON.stringify(manifest, null, 2));
renameSync(manifestTmp, resolve(outdir, 'manifest.json'));

const outputs = new Set(Object.keys(result.metafile.outputs).map((f) => basename(f)));
// Evaluators are on phones: ship every script and style pre-compressed (brotli and gzip), once per content hash.
for (const file of [...outputs].filter((f) => /\.(js|css)$/.test(f))) {
  const body = readFileSync(resolve(outdir, file));
  if (!existsSync(resolve(outdir, `${file}.br`))) {
    writeFileSync(
      resolve(outdir, `${file}.br`),
      brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
    );
  }
  if (!existsSync(resolve(outdir, `${file}.gz`)))
    writeFileSync(resolve(outdir, `${file}.gz`), gzipSync(body, { level: 9 }));
}

// Files of earlier builds go once they are an hour old (a running server may still be serving them).
const hourAgo = Date.now() - 3600_000;
for (const file of readdirSync(outdir)) {
  const source = file.replace(/\.(br|gz)$/, '');
  if (file === 'manifest.json' || outputs.has(source)) continue;
  if (statSync(resolve(outdir, file)).mtimeMs < hourAgo) rmSync(resolve(outdir, file), { force: true });
}
console.log(`built ${Object.keys(manifest).length} web entries into web/dist`);
