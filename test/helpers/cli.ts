import { commands, runCli } from '../../server/cli/commands.js';
import type { CliEnv } from '../../server/cli/framework.js';

/** Run `minping …argv` in-process on `env` (a test database, clock and config), capturing what it prints. */
export async function runCommand(argv: string[], env: CliEnv): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, commands, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}
