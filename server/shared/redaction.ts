/**
 * Redaction of free text before it reaches a department: ID numbers, phone numbers, e-mail
 * addresses and the common "surname + title" way of naming a person (王科长, 李女士) are found
 * automatically; the office reviews the result and edits it by hand. Detection favours precision
 * for names (a preposition before a title is not a surname: 向局长反映, 关于局长办公会) and recall
 * for numbers (with or without separators, +86, full-width digits).
 */

export type FindingKind = 'id' | 'mobile' | 'landline' | 'email' | 'name';

export interface Finding {
  kind: FindingKind;
  /** UTF-16 offsets in the original text */
  start: number;
  end: number;
  text: string;
}

export const FINDING_LABELS: Record<FindingKind, string> = {
  id: '身份证号',
  mobile: '手机号',
  landline: '电话',
  email: '邮箱',
  name: '姓名',
};

/** What a number or address is replaced with; a name keeps its title: 王科长 → 某科长. */
const PLACEHOLDERS: Record<Exclude<FindingKind, 'name'>, string> = {
  id: '〔身份证号已隐去〕',
  mobile: '〔手机号已隐去〕',
  landline: '〔电话已隐去〕',
  email: '〔邮箱已隐去〕',
};

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** An 18-character resident ID (GB 11643): region, a real birth date, sequence and the ISO 7064 MOD 11-2 check character. */
export function isResidentId(value: string): boolean {
  if (!/^[1-9]\d{16}[\dX]$/i.test(value)) return false;
  const [y, m, d] = [Number(value.slice(6, 10)), Number(value.slice(10, 12)), Number(value.slice(12, 14))];
  const birth = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || birth.getUTCFullYear() !== y || birth.getUTCMonth() !== m - 1 || birth.getUTCDate() !== d)
    return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(value[i]) * ID_WEIGHTS[i];
  return ID_CHECK[sum % 11] === value[17].toUpperCase();
}

const ID_PATTERN = /(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])/g;
const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** 13812345678, 138 1234 5678, 138-1234-5678, +86 138…, 0086138… */
const MOBILE_PATTERN = /(?<![\d+])(?:(?:\+|00)?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)/g;
/** 0574-87654321, (0574)87654321, 010 6512 3456, with an extension -123 or 转123 */
const LANDLINE_PATTERN = /(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?[2-9]\d{2,3}[ -]?\d{4}(?: ?(?:-|转) ?\d{1,5})?(?!\d)/g;
/** a local number without area code only where it is said to be one: 电话 87654321 */
const LOCAL_NUMBER_PATTERN = /(?<=(?:电话|座机|手机|联系方式|号码|tel|Tel|TEL)[:： ]{0,2})[2-9]\d{6,7}(?!\d)/g;

const COMPOUND_SURNAMES = '欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|长孙|宇文|司徒|令狐|夏侯|独孤|南宫|西门';
/** The most common surnames; 向 is left out (向局长反映 is a preposition far more often than a name). */
const SURNAMES =
  '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤';
/** Words whose second character is a surname: 担任科长, 关于局长, 对方经理, 历史老师, 工程经理, 感谢科长 … */
const NOT_A_SURNAME_AFTER: Record<string, string> = {
  任: '担出兼继接调就主信委责前现时历新首上到离卸升',
  于: '关由对至属终基鉴等位处善敢勇忙急限乐便易难用',
  方: '对甲乙丙双各地官警院校厂资买卖军我他她贵药处',
  史: '历',
  程: '工课规流议进全章过日',
  周: '上下本每这那前',
  何: '任如为几',
  谢: '感致答多酬',
  贺: '祝庆恭',
  付: '支交应偿垫预',
  金: '资基奖租押税薪黄现美',
  余: '其多业剩',
  白: '明坦告空表',
  林: '园农森树竹',
  许: '允也或期特默少',
  范: '规示防模典',
  顾: '照回光不兼',
};
const TITLES =
  '先生|女士|小姐|师傅|老师|同志|大姐|大哥|阿姨|科长|局长|主任|经理|处长|所长|队长|站长|股长|书记|部长|厅长|院长|县长|区长|市长|镇长|乡长|村长|组长|主管|总监|专员|警官|会计|秘书';
const NAME_PATTERN = new RegExp(`(${COMPOUND_SURNAMES}|[${SURNAMES}])(?=(?:副|总)?(?:${TITLES}))`, 'g');

/** Full-width ASCII (１３８…, （0574）, ＠) read as ASCII: one UTF-16 unit each, so offsets stay. */
function asciiProbe(text: string): string {
  return text.replace(/[\uff01-\uff5e]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0));
}

function collect(probe: string, pattern: RegExp, kind: FindingKind, text: string, keep?: (m: string) => boolean) {
  const found: Finding[] = [];
  for (const m of probe.matchAll(pattern)) {
    if (keep && !keep(m[0])) continue;
    found.push({ kind, start: m.index, end: m.index + m[0].length, text: text.slice(m.index, m.index + m[0].length) });
  }
  return found;
}

function names(text: string): Finding[] {
  const found: Finding[] = [];
  for (const m of text.matchAll(NAME_PATTERN)) {
    const surname = m[1];
    const before = text[m.index - 1];
    if (surname.length === 1 && before && NOT_A_SURNAME_AFTER[surname]?.includes(before)) continue;
    found.push({ kind: 'name', start: m.index, end: m.index + surname.length, text: surname });
  }
  return found;
}

/**
 * Everything redaction would remove, in text order, without overlaps: where two detectors claim
 * the same characters (an e-mail made of a phone number, a phone inside an ID) the earlier-listed,
 * more specific one wins.
 */
export function findSensitive(text: string): Finding[] {
  const probe = asciiProbe(text);
  const candidates = [
    ...collect(probe, EMAIL_PATTERN, 'email', text),
    ...collect(probe, ID_PATTERN, 'id', text, isResidentId),
    ...collect(probe, MOBILE_PATTERN, 'mobile', text),
    ...collect(probe, LANDLINE_PATTERN, 'landline', text),
    ...collect(probe, LOCAL_NUMBER_PATTERN, 'landline', text),
    ...names(text),
  ];
  const kept: Finding[] = [];
  for (const f of candidates) {
    if (!kept.some((k) => f.start < k.end && k.start < f.end)) kept.push(f);
  }
  return kept.sort((a, b) => a.start - b.start);
}

export interface Redacted {
  text: string;
  findings: Finding[];
}

/** The text with every finding replaced: numbers and addresses by a placeholder, a surname by 某. */
export function redact(text: string): Redacted {
  const findings = findSensitive(text);
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.start) + (f.kind === 'name' ? '某' : PLACEHOLDERS[f.kind]);
    at = f.end;
  }
  return { text: out + text.slice(at), findings };
}
