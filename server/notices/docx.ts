import {
  AlignmentType,
  BorderStyle,
  Document,
  DocumentGridType,
  Footer,
  LineRuleType,
  Packer,
  PageNumber,
  Paragraph,
  type Table,
  TextRun,
  type IParagraphOptions,
} from 'docx';
import type { Campaign } from '../campaigns/service.js';
import { noticesSettings, type SheetDetail } from './service.js';
import { noticeText, type NoticeBlock } from './text.js';

/**
 * GB/T 9704-2012 in Word's units (twips, 1/1440 inch; 1 mm ≈ 56.69): A4, top margin 37 mm, left
 * 28 mm, a 156 × 225 mm text block, so right 26 mm and bottom 35 mm; 22 lines of 28 characters.
 */
const MM = 1440 / 25.4;
const twips = (mm: number) => Math.round(mm * MM);
export const PAGE = {
  width: twips(210),
  height: twips(297),
  top: twips(37),
  left: twips(28),
  right: twips(210 - 28 - 156),
  bottom: twips(297 - 37 - 225),
  /** 225 mm / 22 lines */
  linePitch: Math.floor(twips(225) / 22),
  /** 156 mm / 28 characters */
  charPitch: twips(156) / 28,
} as const;

/** Font sizes in half-points: 2号 22 pt, 3号 16 pt, 4号 14 pt. */
export const SIZE = { er: 44, san: 32, si: 28 } as const;
export const fonts = (name: string) => ({ ascii: name, hAnsi: name, eastAsia: name, cs: name });
const FANGSONG = fonts('仿宋');
const HEITI = fonts('黑体');
const KAITI = fonts('楷体');
const SONGTI = fonts('宋体');
const RED = 'FF0000';

/** Word's grid counts how far each character's pitch differs from the Normal font's, × 4096. */
const CHAR_SPACE = Math.round(((PAGE.charPitch - SIZE.san * 10) / 20) * 4096);

/** How many character cells a text takes (Arabic numerals and Latin letters are half-width in 仿宋). */
const cells = (text: string) => [...text].reduce((n, ch) => n + (/[\x20-\x7e]/.test(ch) ? 0.5 : 1), 0);

function runs(block: NoticeBlock, titleFont: string): TextRun[] {
  const bold = !titleFont.includes('小标宋');
  switch (block.kind) {
    case 'issuer':
      return [new TextRun({ text: block.text, font: fonts(titleFont), size: SIZE.er, color: RED, bold })];
    case 'title':
      return [new TextRun({ text: block.text, font: fonts(titleFont), size: SIZE.er, bold })];
    case 'heading':
      return [new TextRun({ text: block.text, font: HEITI, size: SIZE.san })];
    case 'item':
      return [new TextRun({ text: block.text, font: KAITI, size: SIZE.san, bold: true })];
    case 'field':
      return [
        new TextRun({ text: block.label, font: FANGSONG, size: SIZE.san, bold: true }),
        new TextRun({ text: block.text, font: FANGSONG, size: SIZE.san }),
      ];
    default:
      return [new TextRun({ text: block.text, font: FANGSONG, size: SIZE.san })];
  }
}

/** One block of an official document (title, heading, body, signature …) as GB/T 9704 lays it out. */
export function paragraph(
  block: NoticeBlock,
  titleFont: string,
  signature: { issuer: number; date: number } = { issuer: 2, date: 2 },
): Paragraph {
  const options: IParagraphOptions = { children: runs(block, titleFont) };
  const indent2 = Math.round(PAGE.charPitch * 2);
  switch (block.kind) {
    case 'issuer':
      return new Paragraph({ ...options, alignment: AlignmentType.CENTER, spacing: { after: PAGE.linePitch } });
    case 'serial':
      // the red separator 4 mm under the serial number
      return new Paragraph({
        ...options,
        alignment: AlignmentType.CENTER,
        border: { bottom: { style: BorderStyle.SINGLE, size: 12, color: RED, space: 11 } },
        spacing: { after: PAGE.linePitch * 2 },
      });
    case 'title':
      return new Paragraph({
        ...options,
        alignment: AlignmentType.CENTER,
        spacing: { after: PAGE.linePitch, line: Math.round(PAGE.linePitch * 1.2), lineRule: LineRuleType.EXACT },
      });
    case 'addressee':
      return new Paragraph({ ...options, alignment: AlignmentType.LEFT });
    case 'signatureOffice':
      return new Paragraph({
        ...options,
        alignment: AlignmentType.RIGHT,
        spacing: { before: PAGE.linePitch },
        indent: { right: Math.round(PAGE.charPitch * signature.issuer) },
      });
    case 'signatureDate':
      return new Paragraph({
        ...options,
        alignment: AlignmentType.RIGHT,
        indent: { right: Math.round(PAGE.charPitch * signature.date) },
      });
    default:
      return new Paragraph({ ...options, alignment: AlignmentType.BOTH, indent: { firstLine: indent2 } });
  }
}

/** "— 1 —" in 4号 宋体: odd pages on the right, even pages on the left, one character in from the edge. */
function pageNumberFooter(alignment: 'right' | 'left'): Footer {
  const part = (text: string) => new TextRun({ text, font: SONGTI, size: SIZE.si });
  return new Footer({
    children: [
      new Paragraph({
        alignment: alignment === 'right' ? AlignmentType.RIGHT : AlignmentType.LEFT,
        indent: alignment === 'right' ? { right: Math.round(PAGE.charPitch) } : { left: Math.round(PAGE.charPitch) },
        children: [
          part('— '),
          new TextRun({ children: [PageNumber.CURRENT], font: SONGTI, size: SIZE.si }),
          part(' —'),
        ],
      }),
    ],
  });
}

/**
 * Where the signature block sits (GB/T 9704 7.3.5.2): the office's name two characters in from
 * the right; the date under it, its first character two to the right of the name's first, or,
 * when the date is the longer, the date two characters in and the name moved left to match.
 */
export function signatureIndents(issuer: string, date: string): { issuer: number; date: number } {
  const [name, day] = [cells(issuer), cells(date)];
  const dateIndent = 2 + name - day - 2;
  if (dateIndent >= 2) return { issuer: 2, date: dateIndent };
  return { issuer: 2 + (2 - dateIndent), date: 2 };
}

/**
 * A Word document with the GB/T 9704 page (A4, margins, 22 × 28 grid, 3号 仿宋, "— n —" page
 * numbers odd right and even left): the frame of a notice, a ledger statement or any other paper.
 */
export function officialDocument(meta: { creator: string; title: string }, children: (Paragraph | Table)[]) {
  const document = new Document({
    creator: meta.creator,
    title: meta.title,
    evenAndOddHeaderAndFooters: true,
    styles: {
      default: {
        document: {
          run: { font: FANGSONG, size: SIZE.san },
          paragraph: { spacing: { line: PAGE.linePitch, lineRule: LineRuleType.EXACT } },
        },
      },
    },
    sections: [
      {
        properties: {
          page: {
            size: { width: PAGE.width, height: PAGE.height },
            margin: {
              top: PAGE.top,
              left: PAGE.left,
              right: PAGE.right,
              bottom: PAGE.bottom,
              // the page number's line sits 7 mm under the text block
              footer: twips(297 - 37 - 225 - 7 - 5),
              header: twips(15),
            },
          },
          grid: { type: DocumentGridType.LINES_AND_CHARS, linePitch: PAGE.linePitch, charSpace: CHAR_SPACE },
        },
        footers: { default: pageNumberFooter('right'), even: pageNumberFooter('left') },
        children,
      },
    ],
  });
  return Packer.toBuffer(document);
}

/** The sheet as a Word document laid out like an official notice. */
export async function sheetDocx(sheet: SheetDetail, campaign: Campaign): Promise<Buffer> {
  const blocks = noticeText(sheet, campaign);
  const { titleFont } = noticesSettings(campaign);
  const office = blocks.find((b) => b.kind === 'signatureOffice')?.text ?? '';
  const date = blocks.find((b) => b.kind === 'signatureDate')?.text ?? '';
  const signature = signatureIndents(office, date);
  return officialDocument(
    { creator: sheet.issuer, title: `${sheet.title} ${sheet.serialText}` },
    blocks.map((b) => paragraph(b, titleFont, signature)),
  );
}

/** `评议提示〔2026〕第015号 某某局.docx`, without characters file systems refuse. */
export function sheetFileName(sheet: Pick<SheetDetail, 'serialText' | 'addressee' | 'departmentName'>): string {
  return `${sheet.serialText} ${sheet.addressee || sheet.departmentName}.docx`.replace(/[\\/:*?"<>|\r\n]/g, '_');
}
