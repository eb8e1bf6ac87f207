import type { AppConfig } from './config.js';
import type { Clock } from './clock.js';
import type { Db } from './db/connect.js';

/** What every service gets: never a global database or Date.now(). */
export interface AppDeps {
  db: Db;
  config: AppConfig;
  clock: Clock;
}
