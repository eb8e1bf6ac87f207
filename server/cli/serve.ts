import cluster, { type Worker } from 'node:cluster';
import { fileURLToPath } from 'node:url';
import { startupWarnings } from '../config.js';
import { isPostgresUrl } from '../db/connect.js';
import { siblingModule } from '../shared/paths.js';
import { CliError, type Command } from './framework.js';

/** the server entry as this module runs: the TypeScript source through tsx, or the compiled one */
const SERVER_ENTRY = fileURLToPath(siblingModule(import.meta.url, '../main.ts'));
/** a worker that dies sooner than this after starting counts as a crash loop: wait longer each time */
const STEADY_MS = 10_000;
const MAX_BACKOFF_MS = 30_000;

export const serveCommand: Command = {
  name: 'serve',
  usage: 'serve [--workers N]',
  summary: '启动服务器：N 个工作进程（默认 1）共用一个端口，任何一个退出都会自动重启；SQLite 只能 1 个',
  options: { workers: { type: 'string' } },
  async run({ values }, ctx) {
    const workers = Number(values.workers ?? 1);
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) throw new CliError('--workers 应为 1 到 64 的整数');
    const config = ctx.config();
    const { databaseUrl } = config;
    if (workers > 1 && !(databaseUrl && isPostgresUrl(databaseUrl))) {
      throw new CliError(
        `SQLite 只能由一个工作进程写入：请用 --workers 1，或把数据库换成 PostgreSQL（DATABASE_URL=postgres://…）再用 --workers ${workers}`,
      );
    }
    for (const line of startupWarnings(config)) ctx.io.err(line);
    return superviseWorkers(workers, ctx.io.err);
  },
};

/**
 * The primary forks `count` workers running the server entry and replaces any that exits, after a
 * pause that doubles while they keep dying young (a database down at start, a bad config).
 * The first worker starts alone: it runs the migrations and builds the demo before the others
 * start. SIGTERM/SIGINT stop the workers and then the primary.
 */
function superviseWorkers(count: number, log: (line: string) => void): Promise<number> {
  cluster.setupPrimary({ exec: SERVER_ENTRY, execArgv: SERVER_ENTRY.endsWith('.ts') ? ['--import', 'tsx'] : [] });
  const startedAt = new Map<Worker, number>();
  let backoff = 500;
  let stopping = false;

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    log(`minping serve: worker ${worker.process.pid} started`);
    return worker;
  };

  return new Promise((resolve) => {
    cluster.on('exit', (worker, code, signal) => {
      const lived = Date.now() - (startedAt.get(worker) ?? 0);
      startedAt.delete(worker);
      if (stopping) {
        if (startedAt.size === 0) resolve(0);
        return;
      }
      backoff = lived > STEADY_MS ? 500 : Math.min(backoff * 2, MAX_BACKOFF_MS);
      log(
        `minping serve: worker ${worker.process.pid} exited (${signal ?? `code ${code}`}) after ${Math.round(lived / 1000)} s; a new one starts in ${backoff} ms`,
      );
      setTimeout(() => !stopping && fork(), backoff);
    });
    const stop = () => {
      stopping = true;
      if (startedAt.size === 0) resolve(0);
      for (const worker of startedAt.keys()) worker.process.kill('SIGTERM');
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);

    const first = fork();
    first.once('listening', () => {
      for (let i = 1; i < count; i++) fork();
    });
  });
}
