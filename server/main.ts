import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { systemClock } from './clock.js';
import { ConfigError, configFromEnv, databaseOptions, startupWarnings, type AppConfig } from './config.js';
import { DEFAULT_SQLITE_PATH, openDatabase, type Db } from './db/connect.js';
import { openFailureLine } from './db/health.js';
import { type HeldLock, holdServerLock, LockBusyError } from './db/server-lock.js';
import { ensureDemo } from './demo/campaign.js';
import { createScheduler } from './scheduler/scheduler.js';
import { scheduledJobs } from './scheduler/jobs.js';
import { createServices } from './services.js';
import { gracefulStop } from './http/shutdown.js';

let config: AppConfig;
try {
  config = configFromEnv();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(2);
}
// under `minping serve` the supervisor has told them once already
if (!cluster.isWorker) for (const line of startupWarnings(config)) console.warn(line);
let db: Db;
let lock: HeldLock;
try {
  // shared by every server on this database; `minping restore` waits for none of them to hold it
  lock = await holdServerLock({ databaseUrl: config.databaseUrl, schema: config.databaseSchema });
  db = await openDatabase(config.databaseUrl, databaseOptions(config));
} catch (error) {
  // an unreachable PostgreSQL, an unopenable file, a restore under way: one line, no stack trace
  const line =
    error instanceof LockBusyError ? error.message : openFailureLine(error, config.databaseUrl, DEFAULT_SQLITE_PATH);
  if (!line) throw error;
  console.error(line);
  process.exit(1);
}
const deps = { db, config, clock: systemClock };
if (config.demo) await ensureDemo(deps);

const services = createServices(deps);
const app = createApp(deps, services);
const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
  console.log(`minping listening on http://localhost:${info.port} (${db.dialect})`);
});
const coverage = services.calendar.coverageWarning();
if (coverage) console.warn(coverage);
const scheduler = createScheduler(deps, { jobs: scheduledJobs(services) });
scheduler.start();

const stopServer = gracefulStop(server as Server);
let stopping = false;
/** SIGTERM (a service manager, `minping serve`'s supervisor) or SIGINT: drain, stop the jobs, close the database, exit. */
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  // requests in flight get 10 s to finish
  void stopServer(10_000)
    .then(() => scheduler.stop())
    .then(() => Promise.all([db.close(), lock.release()]))
    .then(() => process.exit(0));
  // a database that does not answer its close (a lost PostgreSQL) does not hold the exit either
  setTimeout(() => process.exit(1), 30_000).unref();
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
