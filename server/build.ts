/**
 * Compiles the server, the CLI and what they import (server/, scoring/, surveys/, web/lib/) into
 * dist/ with esbuild, one JavaScript file per TypeScript file, so that `npm start` and `minping`
 * start without compiling TypeScript (tsx) each time; then writes the CLI's command index
 * (server/cli/lazy.ts) and dist/BUILT, which bin/minping.js compares with the sources' times.
 * Run by `npm run build`; `buildDist(outdir)` for the tests.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SOURCE_DIRS = ['server', 'scoring', 'surveys', 'web/lib'];
const SELF = fileURLToPath(import.meta.url);

const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );

export async function buildDist(outdir = resolve(root, 'dist')): Promise<void> {
  const files = SOURCE_DIRS.flatMap((dir) => walk(resolve(root, dir))).filter((f) => f !== SELF);
  await build({
    entryPoints: files.filter((f) => /\.tsx?$/.test(f) && !f.endsWith('.d.ts')),
    outdir,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    jsx: 'automatic',
    jsxImportSource: 'hono/jsx',
    // keep `with { type: 'json' }`: Node needs it to import JSON
    supported: { 'import-attributes': true },
    charset: 'utf8',
    logLevel: 'warning',
  });
  // plain JavaScript modules (the worker entry) as they are
  for (const file of files.filter((f) => f.endsWith('.mjs'))) {
    const to = resolve(outdir, relative(root, file));
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(file, to);
  }
  execFileSync(process.execPath, [resolve(outdir, 'server/cli/write-index.js')], { stdio: 'inherit' });
  writeFileSync(resolve(outdir, 'BUILT'), `${new Date().toISOString()}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === SELF) {
  await buildDist();
  console.log('built the server and the CLI into dist');
}
