/**
 * The ceilings the submission is measured against, in a process of its own like the real server:
 * a Hono route that parses the JSON body and answers (`noop`), and the same inserting the body as
 * one row into a SQLite file in WAL mode (`insert`, one prepared statement).
 * Run: node --import tsx bench/ceiling-server.ts noop|insert [database file]; prints "listening on …".
 */
import { serve } from '@hono/node-server';
import SQLite from 'better-sqlite3';
import { Hono } from 'hono';

const [mode, file] = process.argv.slice(2);
const insert = (() => {
  if (mode !== 'insert') return undefined;
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('create table if not exists rows (id integer primary key, body text not null)');
  const statement = db.prepare('insert into rows (body) values (?)');
  return (body: unknown) => statement.run(JSON.stringify(body));
})();

const app = new Hono();
app.on(['POST', 'PUT'], '*', async (c) => {
  const body = await c.req.json();
  insert?.(body);
  return c.json({ ok: true }, 201);
});
serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`);
});
process.on('SIGTERM', () => process.exit(0));
