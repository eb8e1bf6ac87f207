import { Hono, type Context } from 'hono';
import { requirePageRole, requireRole } from '../accounts/middleware.js';
import type { NoticeLedger } from '../contracts.js';
import { DOCX_TYPE, XLSX_TYPE, download } from '../http/download.js';
import { Layout } from '../http/components/layout.js';
import { Table } from '../http/components/table.js';
import type { AppEnv } from '../http/env.js';
import { viewerOf } from '../http/viewer.js';
import type { Services } from '../services.js';
import { formatLongDateTime, zoneLabel } from '../../web/lib/time.js';
import { quarterOf } from './ledger.js';
import { ledgerDocx, ledgerFileName, ledgerTables, ledgerXlsx, type LedgerTable } from './ledger-export.js';

/**
 * The ledger (台账) for the office: GET /api/campaigns/:slug/ledger[?from&to] (JSON, .xlsx at
 * …/ledger/xlsx, .docx at …/ledger/docx) and the page /admin/ledger?campaign=SLUG&from&to
 * (a plain GET form: no script needed, phone-sized tables that scroll sideways).
 */

/** The period asked in a query string; empty fields (a form sent as it was) count as not given. */
const periodAsked = (c: Context) => ({
  from: c.req.query('from') || undefined,
  to: c.req.query('to') || undefined,
});

const ledgerOf = (services: Services, c: Context<AppEnv>, slug: string) => services.ledger.ledger(slug, periodAsked(c));

export function ledgerRoutes(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('/campaigns/:slug/ledger', requireRole('admin'));
  r.use('/campaigns/:slug/ledger/*', requireRole('admin'));
  r.get('/campaigns/:slug/ledger', async (c) => c.json<NoticeLedger>(await ledgerOf(services, c, c.req.param('slug'))));
  r.get('/campaigns/:slug/ledger/xlsx', async (c) => {
    const view = await ledgerOf(services, c, c.req.param('slug'));
    return download(await ledgerXlsx(view), XLSX_TYPE, ledgerFileName(view, 'xlsx'));
  });
  r.get('/campaigns/:slug/ledger/docx', async (c) => {
    const view = await ledgerOf(services, c, c.req.param('slug'));
    const campaign = await services.campaigns.getBySlug(view.campaign.slug);
    return download(await ledgerDocx(view, campaign), DOCX_TYPE, ledgerFileName(view, 'docx'));
  });
  return r;
}

function LedgerSection<Row>({
  id,
  table,
  empty,
  link,
}: {
  id: string;
  table: LedgerTable<Row>;
  empty: string;
  /** where the first column's cell leads */
  link?: (row: Row) => string;
}) {
  return (
    <section id={id}>
      <h2>{table.title}</h2>
      <Table
        rows={table.rows}
        empty={empty}
        columns={table.columns.map((column, index) => ({
          head: column.head,
          cell: (row: Row) =>
            index === 0 && link ? <a href={link(row)}>{column.value(row)}</a> : String(column.value(row)),
          text: index === 0 || column.head === '事项',
        }))}
        foot={table.total ? table.columns.map((column) => String(column.value(table.total as Row))) : undefined}
      />
    </section>
  );
}

/** The four quarters and the whole of a year, as links. */
function periodLinks(slug: string, year: number) {
  const href = (from: string, to: string) => `/admin/ledger?campaign=${encodeURIComponent(slug)}&from=${from}&to=${to}`;
  return [
    ...['一', '二', '三', '四'].map((name, q) => {
      const { from, to } = quarterOf(`${year}-${String(q * 3 + 1).padStart(2, '0')}-01`);
      return { label: `第${name}季度`, href: href(from, to) };
    }),
    { label: `${year}年全年`, href: href(`${year}-01-01`, `${year}-12-31`) },
  ];
}

export function ledgerPages(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('/ledger', requirePageRole('admin'));

  r.get('/ledger', async (c) => {
    const [campaigns, viewer] = await Promise.all([services.campaigns.list(), viewerOf(c, services)]);
    const slug = c.req.query('campaign') || campaigns[0]?.slug;
    const view = slug ? await ledgerOf(services, c, slug) : null;
    const period = view?.statement.period;
    const query = period ? `?from=${period.from}&to=${period.to}` : '';
    const tables = view && ledgerTables(view);
    const itemHref = (row: { id: string }) => `/admin/closeout/items/${row.id}`;
    return c.html(
      <Layout title="工作提示单台账 · 民主评议机关系统" styles={['portal.css', 'review.css']} viewer={viewer}>
        <main class="portal review ledger" id="ledger">
          <h1>工作提示单台账{view && ` · ${view.campaign.name}`}</h1>
          <form method="get" action="/admin/ledger" class="stack filters">
            <label>
              评议活动
              <select name="campaign">
                {campaigns.map((x) => (
                  <option value={x.slug} selected={x.slug === slug}>
                    {x.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              对账起始日期 <input type="date" name="from" value={period?.from ?? ''} />
            </label>
            <label>
              对账截止日期 <input type="date" name="to" value={period?.to ?? ''} />
            </label>
            <button type="submit">查看对账单</button>
          </form>
          {!view || !tables || !period ? (
            <p>还没有评议活动。</p>
          ) : (
            <>
              <p class="muted">
                {period.label} ·{' '}
                {periodLinks(view.campaign.slug, Number(period.to.slice(0, 4))).map((l, i) => (
                  <>
                    {i > 0 && ' · '}
                    <a href={l.href}>{l.label}</a>
                  </>
                ))}
              </p>
              <p>
                <a href={`/api/campaigns/${view.campaign.slug}/ledger/xlsx${query}`}>下载 Excel（.xlsx）</a> ·{' '}
                <a href={`/api/campaigns/${view.campaign.slug}/ledger/docx${query}`}>下载对账单 Word 文档（.docx）</a> ·{' '}
                <a href={`/admin/campaigns/${view.campaign.slug}/notices`}>工作提示单</a>
              </p>
              <LedgerSection id="statement" table={tables.statement} empty="本期没有事项。" />
              <LedgerSection
                id="circulation"
                table={tables.forCirculation}
                empty="期末没有逾期未办结的事项。"
                link={itemHref}
              />
              <LedgerSection id="open-at-end" table={tables.openAtEnd} empty="期末没有未办结的事项。" link={itemHref} />
              <LedgerSection id="settlement" table={tables.settlement} empty="本年度没有事项。" />
              <LedgerSection id="by-department" table={tables.byDepartment} empty="还没有印发的事项。" />
              <LedgerSection id="by-kind" table={tables.byKind} empty="还没有印发的事项。" />
              <p class="muted">
                统计时间 {formatLongDateTime(view.asOf, view.campaign.timeZone)}，日期和时间均为
                {zoneLabel(view.campaign.timeZone)}。按期销号：被采纳的整改反馈在当时有效的反馈期限内报送。
              </p>
            </>
          )}
        </main>
      </Layout>,
    );
  });
  return r;
}
