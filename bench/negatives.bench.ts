/**
 * The verification queue with 3,000 reported negative situations over 100 departments, as the
 * office reads it over HTTP: the first page, filtered pages (department, kind, overdue, text),
 * a late page, and one report opened. On SQLite (or DATABASE_URL=postgres://…).
 * Run: npx tsx bench/negatives.bench.ts [reports=3000]
 * Prints one JSON object: the median and slowest of 20 requests of each kind, in ms.
 */
import { benchDatabase, officeCookie, timer } from './http.js';
import { createApp } from '../server/app.js';
import { fixedClock } from '../server/clock.js';
import { defaultConfig } from '../server/config.js';
import { officeActor } from '../server/notices/service.js';
import { createServices } from '../server/services.js';
import { Rng } from '../scoring/index.js';
import type { CanonicalRecord } from '../surveys/record.js';
import { insertNumberedDepartments } from '../test/helpers/fixtures.js';
import { recordOf } from '../test/negatives/helpers.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../surveys/campaign-config.js';

const [reportCount = 3000] = process.argv.slice(2).map(Number);
const RUNS = 20;
const bench = await benchDatabase('negatives');
const { db } = bench;
const clock = fixedClock('2026-12-18T04:00:00Z');
const deps = { db, config: defaultConfig(), clock };
const services = createServices(deps);
const { raw, dir: configDir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
const campaign = await services.campaigns.create({ raw: { ...(raw as object), slug: 'bench' }, configDir }, 'bench');
await insertNumberedDepartments(db, campaign, 100, '部门');

// reports spread over six weeks, concentrated in a few departments, with names and numbers in the text
const rng = new Rng(11);
const t0 = performance.now();
for (let start = 0; start < reportCount; start += 500) {
  const byDay = new Map<string, CanonicalRecord[]>();
  for (let i = start; i < Math.min(reportCount, start + 500); i++) {
    const department = rng.next() < 0.5 ? Math.floor(rng.next() * 10) : Math.floor(rng.next() * 100);
    const day = new Date(Date.UTC(2026, 10, 2) + Math.floor(rng.next() * 46) * 86_400_000).toISOString().slice(0, 10);
    const record = recordOf({
      code: `D${String(department + 1).padStart(3, '0')}`,
      kind: 1 + Math.floor(rng.next() * 8),
      matter: `第${i}号事项：施工许可审批`,
      description: `王科长让我补材料${i % 7}次，窗口电话0574-8765${String(i % 10_000).padStart(4, '0')}，一直没有办结，情况第${i}次反映。`,
      ...(i % 3 === 0 ? { contact: `1381234${String(i % 10_000).padStart(4, '0')}` } : {}),
    });
    const list = byDay.get(day) ?? [];
    list.push(record);
    byDay.set(day, list);
  }
  for (const [day, records] of byDay) await services.responses.storeMany(campaign, records, { source: 'import', day });
}
const loadMs = Math.round(performance.now() - t0);

// a third decided, so every state has rows
const someIds = (await services.negatives.queue('bench', { pageSize: '200' })).items.map((n) => n.id);
for (const [i, id] of someIds.entries())
  await services.negatives[i % 2 ? 'verify' : 'dismiss']('bench', id, { reason: '基准测试' }, officeActor('bench'));

const app = createApp(deps);
const time = timer(app, await officeCookie(app, services));
async function timed(path: string): Promise<{ medianMs: number; maxMs: number; rows: number }> {
  const { body, ...times } = await time(path, RUNS);
  return { ...times, rows: (JSON.parse(new TextDecoder().decode(body)) as { total?: number }).total ?? 1 };
}

const base = '/api/campaigns/bench/negatives';
const result = {
  database: bench.dialect,
  reports: reportCount,
  departments: 100,
  storeMs: loadMs,
  requests: RUNS,
  firstPage: await timed(base),
  department: await timed(`${base}?department=D003`),
  kindAndState: await timed(`${base}?kind=3&state=pending`),
  overdue: await timed(`${base}?overdue=1`),
  olderThan30Days: await timed(`${base}?minAgeDays=30`),
  textSearch: await timed(`${base}?q=${encodeURIComponent('第2999次')}`),
  lastPage: await timed(`${base}?page=15&pageSize=200`),
  oneReport: await timed(`${base}/${someIds[5]}`),
};
const slowest = Math.max(...Object.values(result).flatMap((v) => (typeof v === 'object' ? [v.maxMs] : [])));
console.log(JSON.stringify({ ...result, slowestMs: slowest }, null, 2));

await bench.close();
