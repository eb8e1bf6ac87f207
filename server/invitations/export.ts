import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { html, raw } from 'hono/html';
import QRCode from 'qrcode';
import type { Campaign } from '../campaigns/service.js';
import type { IssuedInvitation } from './service.js';
import { spreadsheetSafe } from '../shared/csv.js';

export const EXPORT_FORMATS = ['xlsx', 'csv', 'letters'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFile {
  body: Uint8Array;
  contentType: string;
  filename: string;
}

const HEADERS = ['姓名', '单位/项目', '类别', '电话', '邮箱', '链接'];

function categoryLabel(campaign: Campaign, code: string): string {
  return campaign.config.categories.find((c) => c.code === code)?.label ?? code;
}

/** A cell that Excel would run as a formula gets a leading apostrophe (CSV injection). */
const csvSafe = (value: string | null): string => spreadsheetSafe(value ?? '');

function tableRows(campaign: Campaign, issued: IssuedInvitation[]) {
  return issued.map((i) => [
    i.name,
    i.organisation ?? '',
    categoryLabel(campaign, i.category),
    i.phone ?? '',
    i.email ?? '',
    i.link,
  ]);
}

export function linksCsv(campaign: Campaign, issued: IssuedInvitation[]): string {
  // a BOM so Excel opens the Chinese text as UTF-8
  return (
    '\uFEFF' +
    stringify([HEADERS, ...tableRows(campaign, issued).map((r) => r.map(csvSafe))], { record_delimiter: '\r\n' })
  );
}

export async function linksXlsx(campaign: Campaign, issued: IssuedInvitation[]): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'minping';
  const sheet = workbook.addWorksheet('邀请链接');
  sheet.columns = [
    { header: HEADERS[0], key: 'name', width: 12 },
    { header: HEADERS[1], key: 'organisation', width: 30 },
    { header: HEADERS[2], key: 'category', width: 22 },
    { header: HEADERS[3], key: 'phone', width: 15 },
    { header: HEADERS[4], key: 'email', width: 24 },
    { header: HEADERS[5], key: 'link', width: 70 },
  ];
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const [name, organisation, category, phone, email, link] of tableRows(campaign, issued)) {
    sheet.addRow({ name, organisation, category, phone, email, link: { text: link, hyperlink: link } });
  }
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}

const dateFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  year: 'numeric',
  month: 'long',
  day: 'numeric',
});
const timeFormat = new Intl.DateTimeFormat('zh-CN', {
  timeZone: 'Asia/Shanghai',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});

const LETTER_CSS = `
@page { size: A4; margin: 20mm 18mm; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "FangSong", "STFangsong", "仿宋", "Songti SC", "SimSun", "Noto Serif CJK SC", serif; color: #000; background: #eee; font-size: 16pt; line-height: 1.7; }
.letter { background: #fff; width: 210mm; min-height: 297mm; margin: 10mm auto; padding: 20mm 18mm; page-break-after: always; break-after: page; }
.letter:last-child { page-break-after: auto; break-after: auto; }
.letter h1 { font-family: "SimHei", "黑体", "Heiti SC", sans-serif; font-size: 22pt; text-align: center; margin: 0 0 4mm; font-weight: normal; }
.letter h2 { font-size: 18pt; text-align: center; margin: 0 0 10mm; font-weight: normal; letter-spacing: 0.5em; }
.letter p { margin: 0 0 4mm; text-indent: 2em; }
.letter p.to { text-indent: 0; }
.qr { text-align: center; margin: 8mm 0 4mm; }
.qr svg { width: 50mm; height: 50mm; }
.link { text-align: center; text-indent: 0 !important; font-family: "Courier New", monospace; font-size: 11pt; word-break: break-all; }
.sign { text-align: right; text-indent: 0 !important; margin-top: 12mm !important; }
.toolbar { text-align: center; padding: 4mm; font-family: sans-serif; font-size: 12pt; }
@media print { body { background: #fff; } .letter { margin: 0; width: auto; min-height: 0; padding: 0; } .toolbar { display: none; } }
`;

/**
 * Printable invitation letters: a self-contained HTML document (styles inline, QR codes as
 * inline SVG, no script), one letter per A4 page. It opens from a downloaded file as well.
 */
async function letterHtml(campaign: Campaign, i: IssuedInvitation, closes: Date, now: Date) {
  const svg = await QRCode.toString(i.link, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
  return html`<section class="letter">
<h1>${campaign.name}</h1>
<h2>邀请函</h2>
<p class="to">尊敬的${i.organisation ? ` ${i.organisation} ` : ''}${i.name}：</p>
<p>您好！诚挚邀请您作为“${categoryLabel(campaign, i.category)}”代表参加${campaign.name}，对今年与您打过交道的机关部门的工作效率和工作质量进行评价，并反映您遇到的作风问题和办事中的负面情形。</p>
<p>请于 ${dateFormat.format(closes)} ${timeFormat.format(closes)} 前，用手机扫描下方二维码，或在电脑浏览器中输入下面的网址参加评议。填写过程中答案会自动保存，换一台手机或电脑打开同一链接可以继续填写；全部填完后提交一次即可。</p>
${campaign.mode === 'anonymous' ? html`<p>本次评议为匿名评议：提交后的答卷不与您的姓名、单位或本链接关联。</p>` : html`<p>本次评议为实名评议。</p>`}
<p>此链接仅供您本人使用，请勿转发他人。</p>
<div class="qr">${raw(svg)}</div>
<p class="link">${i.link}</p>
<p class="sign">评议办<br>${dateFormat.format(now)}</p>
</section>`;
}

export async function lettersHtml(campaign: Campaign, issued: IssuedInvitation[], now: Date): Promise<string> {
  const closes = new Date(campaign.closesAt);
  const letters = [];
  for (const [index, invitation] of issued.entries()) {
    // QR codes are CPU work: let other requests in every 100 letters (3,000 letters ≈ 2 s)
    if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    letters.push(await letterHtml(campaign, invitation, closes, now));
  }
  const doc = html`<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${campaign.name} · 邀请函（${issued.length} 份）</title>
<style>${raw(LETTER_CSS)}</style>
</head>
<body>
<div class="toolbar">共 ${issued.length} 份邀请函，每份一页 A4。请用浏览器的“打印”功能打印。</div>
${letters}
</body>
</html>`;
  return String(await doc);
}

export async function exportInvitations(
  campaign: Campaign,
  issued: IssuedInvitation[],
  format: ExportFormat,
  now: Date,
): Promise<ExportFile> {
  const stamp = now.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
  const base = `${campaign.slug}-invitations-${stamp}`;
  switch (format) {
    case 'csv':
      return {
        body: new TextEncoder().encode(linksCsv(campaign, issued)),
        contentType: 'text/csv; charset=utf-8',
        filename: `${base}.csv`,
      };
    case 'xlsx':
      return {
        body: await linksXlsx(campaign, issued),
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        filename: `${base}.xlsx`,
      };
    case 'letters':
      return {
        body: new TextEncoder().encode(await lettersHtml(campaign, issued, now)),
        contentType: 'text/html; charset=utf-8',
        filename: `${base}-letters.html`,
      };
  }
}

/** The export format of an output file name (--out LINKS.xlsx|.csv|.html). */
export function formatOfFile(path: string): ExportFormat | undefined {
  const ext = path.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  return ext === 'xlsx' ? 'xlsx' : ext === 'csv' ? 'csv' : ext === 'html' || ext === 'htm' ? 'letters' : undefined;
}
