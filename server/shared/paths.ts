import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's folder (the nearest one up with package.json) from a module's URL: the same folder
 * whether the module runs from its TypeScript source or compiled into dist/ (`npm run build`).
 */
export function projectRoot(moduleUrl: string): string {
  const start = dirname(fileURLToPath(moduleUrl));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(resolve(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return start;
  }
}

/** `name` beside a module, as the module itself runs: `main.ts` under tsx/vitest, `main.js` compiled. */
export function siblingModule(moduleUrl: string, name: string): URL {
  const compiled = moduleUrl.endsWith('.js');
  return new URL(compiled ? name.replace(/\.tsx?$/, '.js') : name, moduleUrl);
}
