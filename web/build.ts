/**
 * Builds web/pages/*.ts and web/styles/*.css into content-hashed files in web/dist: code shared by
 * pages (web/lib) goes into shared chunks. manifest.json maps each entry (`evaluator.js`) to its
 * hashed file and the chunks it imports (for modulepreload). Run by `npm run build`.
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
  // Chinese text as UTF-8 (3 bytes a character) rather than \uXXXX escapes (6); served as charset=utf-8
  charset: 'utf8',
  target: ['es2020', 'safari14.1'], // 14.1: the first Safari esbuild can emit destructuring for (survey-js-ui uses it)
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  loader: { '.woff2': 'file', '.svg': 'file', '.png': 'file' },
  metafile: true,
  logLevel: 'warning',
});

const outputs = result.metafile.outputs;
/** The chunks a file imports, and theirs: all a page needs before its script runs. */
function chunksOf(file: string, seen = new Set<string>()): Set<string> {
  for (const imported of outputs[file].imports) {
    if (imported.kind !== 'import-statement' || seen.has(imported.path)) continue;
    seen.add(imported.path);
    chunksOf(imported.path, seen);
  }
  return seen;
}
const manifest: Record<string, { file: string; imports: string[] }> = {};
for (const [file, meta] of Object.entries(outputs)) {
  if (!meta.entryPoint || file.endsWith('.map')) continue;
  const entry = basename(meta.entryPoint);
  const name = entry.slice(0, -extname(entry).length) + extname(file);
  manifest[name] = { file: basename(file), imports: [...chunksOf(file)].map((f) => basename(f)) };
}
const manifestTmp = resolve(outdir, `manifest.${process.pid}.tmp`);
writeFileSync(manifestTmp, JSON.stringify(manifest, null, 2));
renameSync(manifestTmp, resolve(outdir, 'manifest.json'));

const written = new Set(Object.keys(outputs).map((f) => basename(f)));
// Evaluators are on phones: ship every script and style pre-compressed (brotli and gzip), once per content hash.
for (const file of [...written].filter((f) => /\.(js|css)$/.test(f))) {
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
  if (file === 'manifest.json' || written.has(source)) continue;
  if (statSync(resolve(outdir, file)).mtimeMs < hourAgo) rmSync(resolve(outdir, file), { force: true });
}
console.log(`built ${Object.keys(manifest).length} web entries into web/dist`);
