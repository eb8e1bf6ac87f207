/**
 * Build step (run compiled, by server/build.ts): writes commands.json beside the compiled CLI. The
 * modules searched are those that import the CLI framework (they define the commands).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { commands } from './commands.js';
import { COMMAND_INDEX, commandIndex } from './lazy.js';

const cliDir = dirname(fileURLToPath(import.meta.url));
const serverDir = dirname(cliDir);
const walk = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
const definers = walk(serverDir).filter(
  (file) => !file.startsWith(cliDir) && /from "\.\.?\/(cli\/)?framework\.js"/.test(readFileSync(file, 'utf8')),
);
const modules: Record<string, Record<string, unknown>> = {};
for (const file of [...walk(cliDir).filter((f) => f.endsWith('serve.js')), ...definers]) {
  const path = relative(cliDir, file);
  modules[path.startsWith('.') ? path : `./${path}`] = await import(pathToFileURL(file).href);
}
writeFileSync(join(cliDir, COMMAND_INDEX), JSON.stringify(commandIndex(commands, modules), null, 1));
