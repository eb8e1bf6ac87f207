import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Command, runCli } from './framework.js';
import { COMMAND_INDEX, type CommandEntry, lazyCommands } from './lazy.js';

// compiled (dist/): the index written at build time, each command loading its module when run
const index = fileURLToPath(new URL(COMMAND_INDEX, import.meta.url));
const commands: Command[] =
  import.meta.url.endsWith('.js') && existsSync(index)
    ? lazyCommands(JSON.parse(readFileSync(index, 'utf8')) as CommandEntry[], import.meta.url)
    : (await import('./commands.js')).commands;

process.exitCode = await runCli(process.argv.slice(2), commands, {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
});
