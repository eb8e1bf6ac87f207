import type { Campaign } from '../campaigns/service.js';
import { formatLongDate } from '../../web/lib/time.js';
import { PERIODS } from './machine.js';
import type { Item } from './repository.js';
import type { SheetDetail } from './service.js';

/**
 * The words of a notice, in order, as blocks the .docx and the web and print pages lay out each
 * in their own way: one text, three renderings.
 */
export type NoticeBlock =
  | { kind: 'issuer' | 'serial' | 'title' | 'addressee' | 'heading' | 'item' | 'body'; text: string }
  | { kind: 'field'; label: string; text: string }
  | { kind: 'signatureOffice' | 'signatureDate'; text: string };

const CHINESE_NUMERALS = ['一', '二', '三', '四', '五', '六', '七', '八', '九', '十'];
const numeral = (n: number): string =>
  n <= 10
    ? CHINESE_NUMERALS[n - 1]
    : n < 20
      ? `十${CHINESE_NUMERALS[n - 11] ?? ''}`
      : `${CHINESE_NUMERALS[Math.floor(n / 10) - 1]}十${CHINESE_NUMERALS[(n % 10) - 1] ?? ''}`;

const SOURCE_NAMES: Record<Item['source'], string> = {
  negative: '办事负面情形',
  problem: '作风问题',
  rectification: '评议结果',
  list: '责任清单',
};

/** What the department reads as the item's deadline: the date once issued, the period before. */
function deadlineText(item: Item, timeZone: string): string {
  const days = item.extensionGrantedDays ?? item.respondDays;
  if (!item.responseDueAt) return `印发之日起 ${days} 个工作日内`;
  return `${formatLongDate(item.responseDueAt, timeZone)}前${item.extensionGrantedDays ? `（已批准延期至印发后 ${days} 个工作日）` : ''}`;
}

function basisText(sheet: SheetDetail, campaign: Campaign): string {
  const quoted = sheet.basis.snapshot;
  if (!quoted) return `在${campaign.name}中，评议代表反映了你单位的有关问题，经核实，现将需要整改的事项提示如下。`;
  const figures = [
    quoted.finalScore !== null ? `最终得分 ${quoted.finalScore.toFixed(2)} 分` : '',
    quoted.rank !== null
      ? `在${quoted.groupLabel} ${quoted.groupSize} 个参评部门中排名第 ${quoted.rank} 位${quoted.tied ? '（并列）' : ''}`
      : '',
    quoted.grade ? `等级为“${quoted.grade}”` : '',
  ].filter(Boolean);
  const published = formatLongDate(quoted.publishedAt, campaign.config.timeZone);
  return `根据${quoted.campaignName}结果（${published}发布），你单位${figures.join('，')}${quoted.rectification ? '，被列为重点整改单位' : ''}。现将评议中反映的问题提示如下。`;
}

/** The whole notice. Items withdrawn before issue never reached the department and are left out. */
export function noticeText(sheet: SheetDetail, campaign: Campaign): NoticeBlock[] {
  const zone = campaign.config.timeZone;
  const items = sheet.items.filter((i) => i.issuedAt !== null || i.state === 'draft');
  const blocks: NoticeBlock[] = [
    { kind: 'issuer', text: sheet.issuer },
    { kind: 'serial', text: sheet.serialText },
    { kind: 'title', text: sheet.title },
    { kind: 'addressee', text: `${sheet.addressee || sheet.departmentName}：` },
    { kind: 'body', text: basisText(sheet, campaign) },
    { kind: 'heading', text: '一、提示事项' },
  ];
  items.forEach((item, index) => {
    blocks.push({
      kind: 'item',
      text: `（${numeral(index + 1)}）${item.number || '（待编号）'}　${item.title}（${SOURCE_NAMES[item.source]}）`,
    });
    const lines = item.evidence.split('\n');
    // a reported situation comes as labelled lines (办理事项：…, 发生时间：…, 反映情况：…)
    if (lines.length === 1) blocks.push({ kind: 'field', label: '问题情况：', text: lines[0] });
    else
      for (const line of lines) {
        const colon = line.indexOf('：');
        blocks.push(
          colon > 0
            ? { kind: 'field', label: line.slice(0, colon + 1), text: line.slice(colon + 1) }
            : { kind: 'body', text: line },
        );
      }
    blocks.push({ kind: 'field', label: '整改要求：', text: item.requirement });
    blocks.push({ kind: 'field', label: '反馈期限：', text: deadlineText(item, zone) });
    if (item.state === 'withdrawn') blocks.push({ kind: 'field', label: '说明：', text: '该事项已撤销。' });
  });
  blocks.push(
    { kind: 'heading', text: '二、工作要求' },
    { kind: 'body', text: sheet.requirement },
    {
      kind: 'body',
      text: `请于印发之日起 ${PERIODS.acknowledge} 个工作日内签收，${PERIODS.plan} 个工作日内报送整改方案（整改措施、责任人、完成时限），在各事项反馈期限内报送整改情况及佐证材料。确需延期的，须在期限届满前提出申请；对所列事项有异议的，可在印发之日起 ${PERIODS.appealWindow} 个工作日内提出申诉。`,
    },
    { kind: 'signatureOffice', text: sheet.issuer },
    { kind: 'signatureDate', text: sheet.issuedAt ? formatLongDate(sheet.issuedAt, zone) : '（未印发）' },
  );
  return blocks;
}
