/** A bare server process for load benchmarks: DATABASE_URL and PORT from the environment, no demo. */
import { serve } from '@hono/node-server';
import { createApp } from '../server/app.js';
import { systemClock } from '../server/clock.js';
import { configFromEnv } from '../server/config.js';
import { openDatabase } from '../server/db/connect.js';

const config = configFromEnv();
const db = await openDatabase(config.databaseUrl);
const app = createApp({ db, config, clock: systemClock });
serve({ fetch: app.fetch, port: config.port, hostname: '127.0.0.1' }, () => process.stdout.write('ready\n'));
