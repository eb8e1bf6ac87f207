/**
 * The compiled CLI (dist/, `npm run build`) starts without loading its commands: `commands.json`
 * beside it lists each command's name, usage, summary and options and the module that defines it,
 * so `minping --help` loads nothing and a command loads only its own module (exceljs, docx, the
 * scoring, … only for the commands that use them). Written at build time from `commands` itself.
 */
import type { Command } from './framework.js';

export interface CommandEntry extends Pick<Command, 'name' | 'usage' | 'summary' | 'options'> {
  /** the defining module, relative to server/cli/ */
  module: string;
  /** its export: a Command, or an array of them (then `at`) */
  exportName: string;
  at?: number;
}

export const COMMAND_INDEX = 'commands.json';

/** Commands that load their module when run. */
export function lazyCommands(entries: CommandEntry[], cliUrl: string): Command[] {
  return entries.map(({ module, exportName, at, ...info }) => ({
    ...info,
    async run(args, ctx) {
      const exported = (await import(new URL(module, cliUrl).href))[exportName] as Command | Command[];
      return (Array.isArray(exported) ? exported[at ?? 0] : exported).run(args, ctx);
    },
  }));
}

/** Where each of `commands` is exported from, among `modules` (path relative to server/cli/ → its exports). */
export function commandIndex(commands: Command[], modules: Record<string, Record<string, unknown>>): CommandEntry[] {
  return commands.map(({ name, usage, summary, options }) => {
    for (const [module, exports] of Object.entries(modules)) {
      for (const [exportName, value] of Object.entries(exports)) {
        if (value === undefined || value === null) continue;
        const list = Array.isArray(value) ? value : [value];
        const at = list.findIndex((c) => (c as Command | undefined)?.name === name && (c as Command).run);
        if (at >= 0)
          return { name, usage, summary, options, module, exportName, ...(Array.isArray(value) ? { at } : {}) };
      }
    }
    throw new Error(`no module exports the command "${name}"`);
  });
}
