/**
 * The default catalogs of the BRIEF. Campaigns carry their own copy in their config (other cities
 * use other lists), so code reads catalogs from the campaign, never from these constants directly.
 */

export type ObstructionKind = '思维' | '责任' | '禁令' | '执行';

export interface CatalogEntry {
  id: number;
  label: string;
  english: string;
  /** 中梗阻 kind, for work-style problems */
  kind?: ObstructionKind;
}

export const DEFAULT_PROBLEMS: CatalogEntry[] = [
  { id: 1, label: '推诿扯皮、踢皮球', english: 'shirking, passing the buck', kind: '责任' },
  { id: 2, label: '不作为、慢作为、办事拖拉', english: 'inaction, slowness', kind: '执行' },
  { id: 3, label: '门好进、脸好看、事难办', english: 'polite but nothing gets done', kind: '执行' },
  { id: 4, label: '态度生硬、冷硬横推', english: 'curt, high-handed attitude', kind: '思维' },
  { id: 5, label: '吃拿卡要、违规收费摊派', english: 'petty extortion, illicit fees', kind: '禁令' },
  { id: 6, label: '政策落实打折扣、承诺不兑现', english: 'policies and promises not delivered', kind: '执行' },
  { id: 7, label: '乱作为、随意执法、重复检查', english: 'arbitrary enforcement, repeated inspections', kind: '禁令' },
  { id: 8, label: '形式主义：文山会海、过度留痕', english: 'formalism, paperwork over results', kind: '思维' },
  { id: 9, label: '官僚主义：脱离企业群众、调研走过场', english: 'detached from firms and the public', kind: '思维' },
  { id: 10, label: '不担当、层层请示、业务不精', english: 'avoids responsibility, low competence', kind: '责任' },
];

export const DEFAULT_NEGATIVES: CatalogEntry[] = [
  { id: 1, label: '应受理不受理、推诿转办', english: 'refused or deflected a matter within its remit' },
  {
    id: 2,
    label: '一次性告知不落实，多头跑、重复提交材料',
    english: 'no one-time full notice; repeated trips or documents',
  },
  { id: 3, label: '超法定或承诺时限、久拖不办', english: 'exceeded the statutory or promised time limit' },
  { id: 4, label: '擅自增设条件、环节、材料', english: 'added preconditions, steps or documents' },
  { id: 5, label: '态度冷硬、故意刁难', english: 'hostile attitude, deliberate obstruction' },
  { id: 6, label: '吃拿卡要、违规收费、指定中介', english: 'kickbacks, illicit fees, designated intermediaries' },
  { id: 7, label: '多头检查、重复检查、选择性执法', english: 'excessive or selective inspection and enforcement' },
  { id: 8, label: '惠企政策或承诺不兑现、新官不理旧账', english: 'benefits or commitments withheld' },
];

export interface ScaleLevel {
  code: string;
  label: string;
  english: string;
  /** null: 不了解, not a valid answer (no points, out of the denominator) */
  points: number | null;
  /** counts towards 满意率 */
  satisfied: boolean;
  /** counts towards 差评率 (the 好差评 scale's bottom two); absent on scales without one */
  unfavourable?: boolean;
}

const UNKNOWN: ScaleLevel = { code: 'unknown', label: '不了解', english: "Don't know", points: null, satisfied: false };

export const SCALE_PRESETS: Record<'four-level' | 'three-level' | 'five-level-haochaping', ScaleLevel[]> = {
  'four-level': [
    { code: 'satisfied', label: '满意', english: 'Satisfied', points: 100, satisfied: true },
    { code: 'fairly_satisfied', label: '比较满意', english: 'Fairly satisfied', points: 80, satisfied: true },
    { code: 'basically_satisfied', label: '基本满意', english: 'Basically satisfied', points: 60, satisfied: true },
    { code: 'dissatisfied', label: '不满意', english: 'Dissatisfied', points: 0, satisfied: false },
    UNKNOWN,
  ],
  'three-level': [
    { code: 'satisfied', label: '满意', english: 'Satisfied', points: 100, satisfied: true },
    { code: 'basically_satisfied', label: '基本满意', english: 'Basically satisfied', points: 60, satisfied: true },
    { code: 'dissatisfied', label: '不满意', english: 'Dissatisfied', points: 0, satisfied: false },
    UNKNOWN,
  ],
  // the national 好差评 five levels; 差评 = the bottom two. The points are this system's choice
  // (evenly spaced); an office with other points gives explicit levels.
  'five-level-haochaping': [
    { code: 'very_satisfied', label: '非常满意', english: 'Very satisfied', points: 100, satisfied: true },
    { code: 'satisfied', label: '满意', english: 'Satisfied', points: 75, satisfied: true },
    { code: 'basically_satisfied', label: '基本满意', english: 'Basically satisfied', points: 50, satisfied: true },
    {
      code: 'dissatisfied',
      label: '不满意',
      english: 'Dissatisfied',
      points: 25,
      satisfied: false,
      unfavourable: true,
    },
    {
      code: 'very_dissatisfied',
      label: '非常不满意',
      english: 'Very dissatisfied',
      points: 0,
      satisfied: false,
      unfavourable: true,
    },
    UNKNOWN,
  ],
};

export interface RatedItem {
  code: string;
  label: string;
  english: string;
  weight: number;
}

export const DEFAULT_ITEMS: RatedItem[] = [
  { code: 'efficiency', label: '工作效率', english: 'Work efficiency', weight: 1 },
  { code: 'quality', label: '工作质量', english: 'Work quality', weight: 1 },
];
