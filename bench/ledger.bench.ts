/**
 * The ledger (台账) of 1,000 tracked items over 100 departments, as the office reads it over
 * HTTP: the ledger with the current quarter's statement, the first quarter's statement (every
 * item's history replayed across the period's edges), the year, and the .xlsx and .docx. The
 * items come the way they do in use: reported, verified (registered on their sheets), issued,
 * signed for, and then planned, responded (on time or late), closed and reopened with the clock
 * moving, about 4,000 history rows. On SQLite (or DATABASE_URL=postgres://…).
 * Run: npx tsx bench/ledger.bench.ts [items=1000]
 * Prints one JSON object: the median and slowest of 20 requests of each kind, in ms.
 */
import { benchDatabase, officeCookie, timer } from './http.js';
import { createApp } from '../server/app.js';
import { fixedClock } from '../server/clock.js';
import { defaultConfig } from '../server/config.js';
import { officeActor, type NoticeActor } from '../server/notices/service.js';
import { createServices } from '../server/services.js';
import { EXAMPLE_CONFIG_PATH, loadConfigFile } from '../surveys/campaign-config.js';
import { insertNumberedDepartments } from '../test/helpers/fixtures.js';
import { recordOf } from '../test/negatives/helpers.js';

const [itemCount = 1000] = process.argv.slice(2).map(Number);
const RUNS = 20;
const DAY = 86_400_000;
const bench = await benchDatabase('ledger');
const { db } = bench;
const T0 = Date.parse('2027-01-05T02:00:00Z');
const clock = fixedClock(new Date(T0));
const at = (days: number) => clock.set(new Date(T0 + days * DAY));
const deps = { db, config: defaultConfig(), clock };
const services = createServices(deps);
const { raw, dir: configDir } = loadConfigFile(EXAMPLE_CONFIG_PATH);
const campaign = await services.campaigns.create({ raw: { ...(raw as object), slug: 'bench' }, configDir }, 'bench');
await insertNumberedDepartments(db, campaign, 100, '部门');
const office = officeActor('office-a');
const checker = officeActor('office-b');
const liaison = async (code: string): Promise<NoticeActor> => ({
  userId: `liaison-${code}`,
  username: `liaison-${code}`,
  name: `${code} 联络员`,
  role: 'liaison',
  departmentIds: (await db.kysely.selectFrom('departments').select('id').where('code', '=', code).execute()).map(
    (d) => d.id,
  ),
});

// reported and verified in batches of 100 (each registers its item on the department's sheet)
const t0 = performance.now();
for (let start = 0; start < itemCount; start += 100) {
  const records = [];
  const descriptions: string[] = [];
  for (let i = start; i < Math.min(itemCount, start + 100); i++) {
    const description = `第${i}件：施工许可审批超过承诺时限`;
    descriptions.push(description);
    records.push(recordOf({ code: `D${String((i % 100) + 1).padStart(3, '0')}`, kind: 1 + (i % 8), description }));
  }
  await services.responses.storeMany(campaign, records, { source: 'import', day: '2027-01-04' });
  await services.negatives.verifyByDescription(campaign, descriptions, '基准测试', office);
}
const registerMs = Math.round(performance.now() - t0);

const t1 = performance.now();
const sheets = await services.notices.sheets('bench');
for (const sheet of sheets) await services.notices.issueSheet('bench', sheet.id, office);
at(1);
for (const sheet of sheets) await services.notices.acknowledgeSheet(sheet.id, await liaison(sheet.departmentCode));
const items = (await services.notices.items({ campaignId: campaign.id })).map((item, i) => ({ item, i }));
const plan = { measures: '建立限时办结台账', responsible: '科长', date: '2027-02-28' };
at(2);
for (const { item, i } of items)
  if (i % 10 < 7) await services.notices.act(item.id, { type: 'plan', plan }, await liaison(item.departmentCode));
at(5);
for (const { item, i } of items)
  if (i % 10 < 4) await services.notices.respond(item.id, '已整改', [], await liaison(item.departmentCode));
at(40);
for (const { item, i } of items)
  if (i % 10 === 4) await services.notices.respond(item.id, '已整改（逾期）', [], await liaison(item.departmentCode));
for (const { item, i } of items) if (i % 10 < 5) await services.notices.act(item.id, { type: 'close' }, checker);
at(60);
for (const { item, i } of items)
  if (i % 20 === 0) await services.notices.act(item.id, { type: 'reopen', reason: '回头看' }, office);
at(100);
const transitionsMs = Math.round(performance.now() - t1);
const historyRows = Number(
  (
    await db.kysely
      .selectFrom('item_history')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow()
  ).n,
);

const app = createApp(deps);
const cookie = await officeCookie(app, services);
const time = timer(app, cookie);
async function timed(path: string, runs = RUNS): Promise<{ medianMs: number; maxMs: number; bytes: number }> {
  const { body, ...times } = await time(path, runs);
  return { ...times, bytes: body.length };
}

const base = '/api/campaigns/bench/ledger';
const q1 = 'from=2027-01-01&to=2027-03-31';
const check = (await (await app.request(`${base}?${q1}`, { headers: { cookie } })).json()) as {
  statement: { total: Record<string, number | boolean>; forCirculation: unknown[] };
};
const result = {
  database: bench.dialect,
  items: items.length,
  departments: 100,
  historyRows,
  registerMs,
  transitionsMs,
  firstQuarter: check.statement.total,
  forCirculation: check.statement.forCirculation.length,
  requests: RUNS,
  currentQuarter: await timed(base),
  firstQuarterStatement: await timed(`${base}?${q1}`),
  wholeYear: await timed(`${base}?from=2027-01-01&to=2027-12-31`),
  page: await timed(`/admin/ledger?campaign=bench&${q1}`),
  xlsx: await timed(`${base}/xlsx?${q1}`, 10),
  docx: await timed(`${base}/docx?${q1}`, 10),
};
const slowest = Math.max(
  ...Object.values(result).flatMap((v) => (v && typeof v === 'object' && 'maxMs' in v ? [v.maxMs as number] : [])),
);
console.log(JSON.stringify({ ...result, slowestMs: slowest }, null, 2));

await bench.close();
