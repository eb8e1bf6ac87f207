import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { commands, runCli } from '../../server/cli/commands.js';
import type { CliEnv } from '../../server/cli/framework.js';

/** Run `minping …argv` in-process on `env` (a test database, clock and config), capturing what it prints. */
export async function runCommand(argv: string[], env: CliEnv): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, commands, { out: (l) => out.push(l), err: (l) => err.push(l) }, env);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const run = promisify(execFile);

/**
 * Run `minping …argv` as the real CLI in a process of its own (the TypeScript entry through tsx,
 * the system clock), with `env` added to this process's environment: its exit code and what it printed.
 */
export async function runCliProcess(
  argv: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'server/cli/main.ts', ...argv], {
      env: { ...process.env, MINPING_DEMO: '0', NETWORK_SALT: 'test', ...env },
    });
    return { code: 0, out: stdout.trimEnd(), err: stderr.trimEnd() };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout.trimEnd(), err: e.stderr.trimEnd() };
  }
}
