import { accessSync, constants, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { systemClock, type Clock } from '../clock.js';
import { ConfigError, configFromEnv, databaseOptions, type AppConfig } from '../config.js';
import type { AppDeps } from '../context.js';
import type { Db } from '../db/connect.js';
import { databaseFailure, describeFailure, openFailureLine } from '../db/health.js';
import { AppError, SettingMissing } from '../errors.js';
import type { Services } from '../services.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

export interface CliContext {
  io: CliIo;
  /** the configuration (environment), without opening the database */
  config(): AppConfig;
  /** opens the database (DATABASE_URL) once, on first use */
  deps(): Promise<AppDeps>;
  /** the domain services over `deps()`, built once */
  services(): Promise<Services>;
}

export interface Command {
  /** e.g. 'import departments' */
  name: string;
  usage: string;
  summary: string;
  options?: ParseArgsConfig['options'];
  /** Options that must be given, each with what it names: a missing or blank one is refused as `请用 --NAME 指定…`. */
  required?: Record<string, string>;
  run(
    args: { values: Record<string, string | boolean | string[] | boolean[] | undefined>; positionals: string[] },
    ctx: CliContext,
    // biome-ignore lint/suspicious/noConfusingVoidType: most commands return nothing; a number is an exit code
  ): Promise<number | void>;
}

/** CLI failures the user can fix: printed as-is, exit code 2, no stack trace. */
export class CliError extends Error {}

const fsReason = (error: unknown) => {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT'
    ? '所在目录不存在'
    : code === 'EISDIR'
      ? '这是一个目录，请给出文件名'
      : code === 'EACCES' || code === 'EPERM'
        ? '没有写入权限'
        : (error as Error).message;
};

/** Why an input file could not be read, for the user. */
export function readFailure(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? '文件不存在' : code === 'EISDIR' ? '这是一个目录' : (error as Error).message;
}

/**
 * Refuse an output file that can't be written (a directory, a missing or read-only folder) before
 * any work is done, so a typo in the path doesn't cost an import or a computation.
 */
export function assertWritable(path: string, option: string): void {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    // a new file: its folder must be writable
  }
  if (isDirectory) throw new CliError(`${option} ${path}：这是一个目录，请给出文件名`);
  try {
    accessSync(dirname(resolve(path)), constants.W_OK);
  } catch (error) {
    throw new CliError(`${option} ${path}：${fsReason(error)}`);
  }
}

/** Write an output file; a failure is the user's to fix (exit 2), not a stack trace. */
export async function writeOutput(
  path: string,
  data: string | Uint8Array,
  option: string,
  whenFailed = '',
): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (error) {
    throw new CliError(`无法写入 ${option} ${path}：${fsReason(error)}${whenFailed}`);
  }
}

/**
 * How long a command waits for the server's write lock on a SQLite file (the server's requests wait
 * 5 s): a command run while the server writes at length (the demo's seeding) waits instead of failing.
 */
export const CLI_BUSY_TIMEOUT_MS = 60_000;

/** What a command prints when the database failed under it (busy past the wait, disk full, …): one line. */
export function databaseFailureLine(error: unknown): string | undefined {
  const failure = databaseFailure(error);
  if (!failure) return undefined;
  return failure.cause === 'busy'
    ? '数据库正忙，请稍后再试（另一个程序正在写入数据库）'
    : `数据库出错，操作未完成：${describeFailure(failure)}`;
}

export interface CliEnv {
  config?: AppConfig;
  clock?: Clock;
  db?: Db;
}

export async function runCli(argv: string[], commands: Command[], io: CliIo, env: CliEnv = {}): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText(commands));
    return 0;
  }
  const command = [...commands]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((c) => c.name.split(' ').every((word, i) => argv[i] === word));
  if (!command) {
    io.err(`未知命令：${argv.join(' ')}\n\n${helpText(commands)}`);
    return 2;
  }
  const rest = argv.slice(command.name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: minping ${command.usage}\n\n${command.summary}`);
    return 0;
  }
  let db = env.db;
  const ownsDb = !db;
  let deps: AppDeps | undefined;
  let services: Services | undefined;
  let config = env.config;
  const ctx: CliContext = {
    io,
    config: () => (config ??= configFromEnv()),
    deps: async () => {
      if (!deps) {
        const config = ctx.config();
        // loaded on first use, so that `--help` and commands that open nothing start fast
        const { openDatabase } = await import('../db/connect.js');
        db ??= await openDatabase(config.databaseUrl, {
          ...databaseOptions(config),
          busyTimeoutMs: CLI_BUSY_TIMEOUT_MS,
        });
        deps = { db, config, clock: env.clock ?? systemClock };
      }
      return deps;
    },
    services: async () => {
      if (!services) {
        const [{ createServices }, deps] = await Promise.all([import('../services.js'), ctx.deps()]);
        services ??= createServices(deps);
      }
      return services;
    },
  };
  try {
    const parsed = parseArgs({ args: rest, options: command.options ?? {}, allowPositionals: true, strict: true });
    for (const [name, what] of Object.entries(command.required ?? {})) {
      const value = parsed.values[name];
      if (typeof value !== 'string' || !value.trim()) throw new CliError(`请用 --${name} 指定${what}`);
    }
    return (await command.run(parsed as Parameters<Command['run']>[0], ctx)) ?? 0;
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError) {
      io.err(error.message);
      return 2;
    }
    if (error instanceof AppError) {
      // the message says what went wrong in the office's words; the API's code would be English
      io.err(`错误：${error.message}`);
      for (const d of error.details ?? []) {
        // a field named in words keeps its key beside it, to find in the file: 第 3 个评议类别的权重（categories.2.weight）
        const name = d.field && d.path ? `${d.field}（${d.path}）` : (d.field ?? d.path ?? '');
        const where = [d.line !== undefined ? `第 ${d.line} 行` : '', name].filter(Boolean).join(' ');
        // a refusal's only reason is in its message already (不能结算：评议活动已经结算)
        if (!where && error.message.endsWith(d.message)) continue;
        io.err(`  ${where ? `${where}：` : ''}${d.message}`);
      }
      if (error instanceof SettingMissing)
        io.err(`  系统设置：${error.settings.join(' 或 ')}${error.cliHint ? `；${error.cliHint}` : ''}`);
      return 2;
    }
    const unopenable = db
      ? undefined
      : openFailureLine(
          error,
          (env.config ?? configFromEnv()).databaseUrl,
          (await import('../db/connect.js')).DEFAULT_SQLITE_PATH,
        );
    const failed = unopenable ?? databaseFailureLine(error);
    if (failed) {
      io.err(failed);
      return 1;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(error as Error).message}\nusage: minping ${command.usage}`);
      return 2;
    }
    throw error;
  } finally {
    if (ownsDb && db) await db.close();
  }
}

function helpText(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.usage.length));
  return [
    'minping — 民主评议机关 survey, scoring and follow-up notices',
    '',
    'usage: minping <command> [options]   (DATABASE_URL selects the database; default ./data/minping.db)',
    '',
    ...commands.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}
