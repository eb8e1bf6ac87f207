import { stringify } from 'csv-stringify/sync';
import { zipSync } from 'fflate';
import { categoryLabel, type Campaign } from '../campaigns/service.js';
import { lettersHtml } from './letters.js';
import type { IssuedInvitation } from './service.js';
import { spreadsheetSafe } from '../../web/lib/csv-guard.js';
import { formatDateTime } from '../../web/lib/time.js';
import { fileNameSafe } from '../http/download.js';
import { tableWorkbookOffThread } from '../shared/table-workbook.js';

/** `bundle`: one .zip holding the letters, the .xlsx list and the .csv list of the same links. */
export const EXPORT_FORMATS = ['bundle', 'xlsx', 'csv', 'letters'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportFile {
  body: Uint8Array;
  contentType: string;
  /** what the office sees: `2026年度民主评议-邀请链接-20261123-1056.xlsx` */
  filename: string;
  /** the plain-ASCII name for clients that can't read the Chinese one: `demo-2026-invitations-20261123-1056.xlsx` */
  asciiName: string;
}

/** `20261123-1056`: a file's moment in the campaign's time zone. */
export const fileStamp = (now: Date, timeZone: string) =>
  formatDateTime(now, timeZone).replace(/[-:]/g, '').replace(' ', '-');

const HEADERS = ['姓名', '单位/项目', '类别', '电话', '邮箱', '链接'];

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

const WIDTHS = [12, 30, 22, 15, 24, 70];

export function linksXlsx(campaign: Campaign, issued: IssuedInvitation[]): Promise<Uint8Array> {
  return tableWorkbookOffThread({
    name: '邀请链接',
    columns: HEADERS.map((header, i) => ({ header, width: WIDTHS[i] })),
    rows: tableRows(campaign, issued).map((row) => {
      const link = row[row.length - 1];
      return [...row.slice(0, -1), { text: link, hyperlink: link }];
    }),
  });
}

/** The ASCII fallback's word for each file. */
const ASCII_NAMES = {
  邀请链接: 'invitation-links',
  邀请函: 'invitation-letters',
  邀请函和链接: 'invitations',
  催办名单: 'chase',
} as const;

/** `2026年度民主评议-邀请链接-20261123-1056.xlsx`, and its ASCII fallback. */
export function campaignFileNames(
  campaign: { name: string; slug: string },
  what: keyof typeof ASCII_NAMES,
  stamp: string,
  ext: string,
): Pick<ExportFile, 'filename' | 'asciiName'> {
  return {
    filename: `${fileNameSafe(campaign.name) || campaign.slug}-${what}-${stamp}.${ext}`,
    asciiName: `${campaign.slug}-${ASCII_NAMES[what]}-${stamp}.${ext}`,
  };
}

const chinese = new Intl.Collator('zh-CN');

/** By unit, then name, in pinyin order (those without a unit last): how letters are handed out. */
export function byUnitThenName<T extends { organisation: string | null; name: string }>(issued: T[]): T[] {
  return [...issued].sort(
    (a, b) =>
      Number(!a.organisation) - Number(!b.organisation) ||
      chinese.compare(a.organisation ?? '', b.organisation ?? '') ||
      chinese.compare(a.name, b.name),
  );
}

export async function exportInvitations(
  campaign: Campaign,
  unsorted: IssuedInvitation[],
  format: ExportFormat,
  now: Date,
): Promise<ExportFile> {
  const issued = byUnitThenName(unsorted);
  const stamp = fileStamp(now, campaign.config.timeZone);
  // named as the office knows the campaign, like the templates (部门导入模板-…); the slug for the ASCII name
  const named = (what: keyof typeof ASCII_NAMES, ext: string) => campaignFileNames(campaign, what, stamp, ext);
  const file = async (one: Exclude<ExportFormat, 'bundle'>): Promise<ExportFile> => {
    switch (one) {
      case 'csv':
        return {
          body: new TextEncoder().encode(linksCsv(campaign, issued)),
          contentType: 'text/csv; charset=utf-8',
          ...named('邀请链接', 'csv'),
        };
      case 'xlsx':
        return {
          body: await linksXlsx(campaign, issued),
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          ...named('邀请链接', 'xlsx'),
        };
      case 'letters':
        return {
          body: new TextEncoder().encode(await lettersHtml(campaign, issued, now)),
          contentType: 'text/html; charset=utf-8',
          ...named('邀请函', 'html'),
        };
    }
  };
  if (format !== 'bundle') return file(format);
  const parts = [await file('letters'), await file('xlsx'), await file('csv')];
  return {
    // the .xlsx is compressed already; the file times are the generation's, in the campaign's zone as the name says
    body: zipSync(
      Object.fromEntries(parts.map((p) => [p.filename, [p.body, { level: p.filename.endsWith('.xlsx') ? 0 : 6 }]])),
      {
        mtime: now,
      },
    ),
    contentType: 'application/zip',
    ...named('邀请函和链接', 'zip'),
  };
}

const FORMAT_OF_EXTENSION = new Map<string, ExportFormat>([
  ['zip', 'bundle'],
  ['xlsx', 'xlsx'],
  ['csv', 'csv'],
  ['html', 'letters'],
  ['htm', 'letters'],
]);

/** The export format of an output file name (--out LINKS.zip|.xlsx|.csv|.html). */
export function formatOfFile(path: string): ExportFormat | undefined {
  return FORMAT_OF_EXTENSION.get(path.toLowerCase().match(/\.([a-z]+)$/)?.[1] ?? '');
}

/** What the CLI says of an --out file name it can't write. */
export const OUT_EXTENSIONS =
  '--out 的文件应以 .zip（邀请函、Excel 和 CSV 清单一起）、.xlsx、.csv 或 .html（邀请函）结尾';

/** Whether the file holds letters, whose QR codes must reach the evaluators' phones. */
export const hasLetters = (format: string) => format === 'letters' || format === 'bundle';
