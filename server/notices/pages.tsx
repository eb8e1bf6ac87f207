import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { requirePageRole } from '../accounts/middleware.js';
import { isSettled } from '../campaigns/lifecycle.js';
import type { Campaign } from '../campaigns/service.js';
import { Layout } from '../http/components/layout.js';
import { Table } from '../http/components/table.js';
import { Time } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { viewerOf } from '../http/viewer.js';
import type { Services } from '../services.js';
import { formatLongDate, zoneLabel } from '../../web/lib/time.js';
import { STATE_LABELS } from './machine.js';
import { actorOf } from './http.js';
import type { SheetDetail } from './service.js';
import { noticeText, type NoticeBlock } from './text.js';
import { Banner, SettledNote } from './components.js';
import { DRAFT_DONE, DraftEditor, draftEditRoutes, type DraftBanner, type DraftEdit } from './draft-pages.js';

function Block({ block }: { block: NoticeBlock }) {
  switch (block.kind) {
    case 'issuer':
      return <p class="issuer">{block.text}</p>;
    case 'serial':
      return <p class="serial">{block.text}</p>;
    case 'title':
      return <h1 class="title">{block.text}</h1>;
    case 'addressee':
      return <p class="addressee">{block.text}</p>;
    case 'heading':
      return <h2 class="heading">{block.text}</h2>;
    case 'item':
      return <h3 class="item">{block.text}</h3>;
    case 'field':
      return (
        <p>
          <strong>{block.label}</strong>
          {block.text}
        </p>
      );
    case 'signatureOffice':
      return <p class="signature office">{block.text}</p>;
    case 'signatureDate':
      return <p class="signature date">{block.text}</p>;
    default:
      return <p>{block.text}</p>;
  }
}

/** A sheet laid out like the .docx (the same words, from noticeText): on screen and, with notice.css, on A4. */
export function NoticeDocument({ sheet, campaign }: { sheet: SheetDetail; campaign: Campaign }) {
  return (
    <article class="notice" data-sheet={sheet.id}>
      {noticeText(sheet, campaign).map((block) => (
        <Block block={block} />
      ))}
    </article>
  );
}

/**
 * The print page: the sheets one after another, each starting on a new A4 page, no header (the
 * browser's print dialogue prints it as it is).
 */
function PrintPage({ sheets, campaign }: { sheets: SheetDetail[]; campaign: Campaign }) {
  return (
    <Layout title={`工作提示单 · ${campaign.name}`} styles={['notice.css']}>
      <p class="no-print print-hint">
        共 {sheets.length} 份工作提示单，每份从新的一页开始：请用浏览器的“打印”（Ctrl+P），纸张 A4。
      </p>
      {sheets.map((sheet) => (
        <NoticeDocument sheet={sheet} campaign={campaign} />
      ))}
    </Layout>
  );
}

function ItemStates({ sheet, zone }: { sheet: SheetDetail; zone: string }) {
  return (
    <Table
      id="items"
      rows={sheet.items}
      columns={[
        { head: '编号', cell: (i) => i.number || '—' },
        { head: '事项', cell: (i) => i.title, text: true },
        { head: '状态', cell: (i) => STATE_LABELS[i.state] },
        { head: '当前期限', cell: (i) => (i.dueAt ? formatLongDate(i.dueAt, zone) : '—') },
        {
          head: '反馈期限',
          cell: (i) => (i.responseDueAt ? formatLongDate(i.responseDueAt, zone) : `${i.respondDays} 个工作日`),
        },
      ]}
    />
  );
}

const DocumentLinks = ({ print, docx }: { print: string; docx: string }) => (
  <p class="no-print links">
    <a href={print}>打印版（A4）</a> · <a href={docx}>下载 Word 文档（.docx）</a>
  </p>
);

/** The office's notice pages, mounted at /admin: the campaign's sheets, one sheet, and the print page. */
export function noticesPages(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('/campaigns/:slug/notices', requirePageRole('admin'));
  r.use('/campaigns/:slug/notices/*', requirePageRole('admin'));

  const campaignOf = (c: Context<AppEnv>) => services.campaigns.getBySlug(c.req.param('slug') as string);

  r.get('/campaigns/:slug/notices', async (c) => {
    const campaign = await campaignOf(c);
    const sheets = await services.notices.sheets(campaign.slug);
    const zone = campaign.config.timeZone;
    return c.html(
      <Layout title={`工作提示单 · ${campaign.name}`} styles={['notice.css']} viewer={await viewerOf(c, services)}>
        <main id="notices">
          <h1>工作提示单 · {campaign.name}</h1>
          {isSettled(campaign) && <SettledNote />}
          <p>
            {sheets.length} 份，已印发 {sheets.filter((s) => s.state === 'issued').length} 份（时间为{zoneLabel(zone)}
            ）。
            {sheets.some((s) => s.state === 'issued') && (
              <>
                {' '}
                <a href={`/admin/campaigns/${campaign.slug}/notices/print`}>打印全部已印发的工作提示单</a>
              </>
            )}{' '}
            <a href={`/admin/ledger?campaign=${campaign.slug}`}>台账与对账单</a>
          </p>
          <Table
            id="sheets"
            rows={sheets}
            empty="还没有工作提示单：发布评议结果或核实负面情形后会自动起草。"
            columns={[
              {
                head: '编号',
                cell: (s) => <a href={`/admin/campaigns/${campaign.slug}/notices/${s.id}`}>{s.serialText}</a>,
              },
              { head: '部门', cell: (s) => s.departmentName, text: true },
              { head: '状态', cell: (s) => (s.state === 'issued' ? '已印发' : '草拟') },
              { head: '印发时间', cell: (s) => (s.issuedAt ? <Time at={s.issuedAt} zone={zone} /> : '—') },
              {
                head: '事项',
                cell: (s) => String(s.items.filter((i) => i.issuedAt !== null || i.state === 'draft').length),
              },
            ]}
          />
        </main>
      </Layout>,
    );
  });

  r.get('/campaigns/:slug/notices/print', async (c) => {
    const campaign = await campaignOf(c);
    const only = c.req.query('sheet');
    const sheets = (await services.notices.sheets(campaign.slug)).filter(
      (s) => s.state === 'issued' && (!only || s.id === only),
    );
    return c.html(<PrintPage sheets={sheets} campaign={campaign} />);
  });

  r.get('/campaigns/:slug/notices/:sheetId/print', async (c) => {
    const campaign = await campaignOf(c);
    const sheet = await services.notices.sheet(campaign.slug, c.req.param('sheetId'));
    return c.html(<PrintPage sheets={[sheet]} campaign={campaign} />);
  });

  /** One sheet: the notice as it reads, its items' states and, while a draft, the office's edits and issue. */
  async function renderSheet(c: Context<AppEnv>, banner: DraftBanner = {}, status: ContentfulStatusCode = 200) {
    const campaign = await campaignOf(c);
    const sheet = await services.notices.sheet(campaign.slug, c.req.param('sheetId') as string);
    const path = `/campaigns/${campaign.slug}/notices/${sheet.id}`;
    const viewer = await viewerOf(c, services);
    return c.html(
      <Layout title={`${sheet.serialText} · ${sheet.departmentName}`} styles={['notice.css']} viewer={viewer}>
        <main id="notice-sheet" data-state={sheet.state}>
          <p class="no-print">
            <a href={`/admin/campaigns/${campaign.slug}/notices`}>← 全部工作提示单</a>
            {sheet.state === 'draft' && <strong class="flag"> 草拟中，尚未印发</strong>}
          </p>
          <Banner done={banner.done} error={banner.error} />
          <DocumentLinks print={`/admin${path}/print`} docx={`/api${path}/docx`} />
          <NoticeDocument sheet={sheet} campaign={campaign} />
          {isSettled(campaign) ? (
            <div class="no-print">
              <SettledNote />
            </div>
          ) : (
            sheet.state === 'draft' && (
              <DraftEditor sheet={sheet} action={`/admin${path}`} csrf={viewer.csrfToken} banner={banner} />
            )
          )}
          <section class="no-print">
            <h2>办理情况</h2>
            <ItemStates sheet={sheet} zone={campaign.config.timeZone} />
          </section>
        </main>
      </Layout>,
      status,
    );
  }

  r.get('/campaigns/:slug/notices/:sheetId', (c) =>
    renderSheet(c, { done: DRAFT_DONE[c.req.query('done') as DraftEdit] ?? null }),
  );
  draftEditRoutes(r, services, renderSheet);

  return r;
}

/** A liaison's printable copy of one of their department's issued sheets, mounted at /my. */
export function myNoticePages(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('/notices/*', requirePageRole('liaison'));
  r.get('/notices/:sheetId/print', async (c) => {
    const sheet = await services.notices.sheetById(c.req.param('sheetId'), actorOf(c));
    const campaign = await services.notices.campaignOf(sheet.campaignId);
    return c.html(<PrintPage sheets={[sheet]} campaign={campaign} />);
  });
  return r;
}
