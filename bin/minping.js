#!/usr/bin/env node
// Runs the compiled CLI (dist/, `npm run build`) when it is at least as new as the sources, and
// otherwise the TypeScript through tsx (slower to start), so `npx minping` works either way.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const built = join(root, 'dist/BUILT');

/** the newest modification time under the folders compiled into dist/ (the list is server/build.ts's) */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['server', 'scoring', 'surveys', 'web/lib']) walk(join(root, dir));
  return newest;
}

if (existsSync(built) && statSync(built).mtimeMs >= newestSource()) {
  await import('../dist/server/cli/main.js');
} else {
  if (existsSync(built))
    process.stderr.write('minping: dist/ is older than the sources; `npm run build` to start faster\n');
  const { register } = await import('tsx/esm/api');
  register();
  await import('../server/cli/main.ts');
}
