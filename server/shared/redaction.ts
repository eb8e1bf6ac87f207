/**
 * Redaction of free text before it reaches a department: ID numbers, phone numbers, e-mail
 * addresses (also spelled out: zhang at example dot com), QQ and WeChat ids and the common
 * "surname + title" way of naming a person (王科长, 李女士) are found automatically; the office
 * reviews the result and edits it by hand. Detection favours precision for names (a preposition
 * before a title is not a surname: 向局长反映, 关于局长办公会) and recall for numbers (with or
 * without separators, +86, full-width digits or Chinese numerals, zero-width characters inside).
 * Time is linear in the text's length, whatever the text.
 */

export type FindingKind = 'id' | 'mobile' | 'landline' | 'email' | 'qq' | 'wechat' | 'name';

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
  qq: 'QQ号',
  wechat: '微信号',
  name: '姓名',
};

/** What a number or address is replaced with; a name keeps its title: 王科长 → 某科长. */
const PLACEHOLDERS: Record<Exclude<FindingKind, 'name'>, string> = {
  id: '〔身份证号已隐去〕',
  mobile: '〔手机号已隐去〕',
  landline: '〔电话已隐去〕',
  email: '〔邮箱已隐去〕',
  qq: '〔QQ号已隐去〕',
  wechat: '〔微信号已隐去〕',
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
/**
 * Every pattern reads the probe (see `probeOf`) and is linear: a match may start only where a
 * token starts (the lookbehinds), and no two repetitions can take the same characters.
 */
const EMAIL_PATTERN = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
/** an address written to slip past: zhang at example dot com, zhang(at)example.com, zhang艾特example点com */
const SPELLED_AT = String.raw`(?:\s*(?:[(\[{【<]\s*(?:at|@)\s*[)\]}】>]|艾特|圈a)\s*|\s+at\s+|@)`;
const SPELLED_DOT = String.raw`(?:\s*(?:[(\[{【<]\s*(?:dot|点|\.)\s*[)\]}】>]|点)\s*|\s+dot\s+|\.)`;
/** only these endings once the address is spelled out, so "look at the dot" stays */
const MAIL_ENDINGS = 'com|cn|net|org|edu|gov|info|biz|io|me|cc|co|top|xyz|vip|hk|tw|mo|uk|us|jp';
const SPELLED_EMAIL_PATTERN = new RegExp(
  `(?<![a-z0-9._%+-])[a-z0-9._%+-]+${SPELLED_AT}[a-z0-9-]+(?:${SPELLED_DOT}[a-z0-9-]+)*${SPELLED_DOT}(?:${MAIL_ENDINGS})(?![a-z0-9-])`,
  'gi',
);
/** between two digits of a phone: one space, dot or dash (138 0013 8000, 138-0013-8000, 1 3 8…) */
const SEP = String.raw`[ .\-\u2010-\u2015\u00b7]?`;
/** 13812345678, 138 1234 5678, 138-1234-5678, +86 138…, 0086138… */
const MOBILE_PATTERN = new RegExp(String.raw`(?<![\d+])(?:(?:\+|00)?86${SEP})?1${SEP}[3-9](?:${SEP}\d){9}(?!\d)`, 'g');
/** 0574-87654321, (0574)87654321, 010 6512 3456, with an extension -123 or 转123 */
const LANDLINE_PATTERN = /(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3})[ -]?[2-9]\d{2,3}[ -]?\d{4}(?: ?(?:-|转) ?\d{1,5})?(?!\d)/g;
/** a local number without area code only where it is said to be one: 电话 87654321 */
const LOCAL_NUMBER_PATTERN = /(?<=(?:电话|座机|手机|联系方式|号码|tel|Tel|TEL)[:： ]{0,2})[2-9]\d{6,7}(?!\d)/g;
/** QQ：12345678, qq 1234567, 扣扣12345, 企鹅号是123456789 */
const QQ_PATTERN = /(?<=(?:qq|扣扣|企鹅)(?:号码?)?(?:是|为)?[: ]{0,2})\d(?:[ -]?\d){4,10}(?![ -]?\d)/gi;
/** 微信：zhang_san88, 微信号 wxid-123456, vx abc123, V信13812345678 */
const WECHAT_PATTERN =
  /(?<=(?:微信号?|(?<![a-z])[vw]x|v信)(?:号码?|id)?(?:是|为)?[: ]{0,2})[a-z0-9_-]{6,20}(?![a-z0-9_-])/gi;
/** a WeChat id starts with a letter; a phone or QQ number may stand for one */
const isWechatId = (m: string) => /^[A-Za-z]/.test(m) || /^\d+$/.test(m);

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

/** Characters that show nothing and only serve to break a number apart: zero-width, soft hyphen, direction marks. */
const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
/** Chinese numerals as a phone number is written out: 一三八零零一三八零零零, 〇, 幺 */
const CHINESE_DIGITS = new Map([...'零〇幺一二三四五六七八九'].map((ch, i) => [ch, '001123456789'[i]]));
const HAN = /\p{Script=Han}/u;
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;

interface Probe {
  /** the text as the patterns read it */
  text: string;
  /** for each unit of the probe, where its character starts and ends in the original */
  from: number[];
  to: number[];
}

/**
 * The text as the patterns read it: invisible characters dropped, Chinese numerals as digits, and
 * whatever NFKC makes plain ASCII (１３８, （0574）, ＠, ｑｑ, ①, ℡) as that ASCII; each unit keeps
 * the place of the character it came from, so findings point into the original.
 */
function probeOf(text: string): Probe {
  let probe = '';
  const from: number[] = [];
  const to: number[] = [];
  let at = 0;
  for (const ch of text) {
    const next = at + ch.length;
    let read = ch;
    if (INVISIBLE.test(ch)) read = '';
    else if (ch === '\u3000') read = ' ';
    else if (CHINESE_DIGITS.has(ch)) read = CHINESE_DIGITS.get(ch) as string;
    else if (ch > '\x7f' && !HAN.test(ch)) {
      const plain = ch.normalize('NFKC');
      if (PRINTABLE_ASCII.test(plain)) read = plain;
    }
    probe += read;
    for (let i = 0; i < read.length; i++) {
      from.push(at);
      to.push(next);
    }
    at = next;
  }
  return { text: probe, from, to };
}

function collect(probe: Probe, pattern: RegExp, kind: FindingKind, text: string, keep?: (m: string) => boolean) {
  const found: Finding[] = [];
  for (const m of probe.text.matchAll(pattern)) {
    if (keep && !keep(m[0])) continue;
    const start = probe.from[m.index];
    const end = probe.to[m.index + m[0].length - 1];
    found.push({ kind, start, end, text: text.slice(start, end) });
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
  const probe = probeOf(text);
  const candidates = [
    ...collect(probe, EMAIL_PATTERN, 'email', text),
    ...collect(probe, SPELLED_EMAIL_PATTERN, 'email', text),
    ...collect(probe, ID_PATTERN, 'id', text, isResidentId),
    ...collect(probe, MOBILE_PATTERN, 'mobile', text),
    ...collect(probe, LANDLINE_PATTERN, 'landline', text),
    ...collect(probe, LOCAL_NUMBER_PATTERN, 'landline', text),
    ...collect(probe, QQ_PATTERN, 'qq', text),
    ...collect(probe, WECHAT_PATTERN, 'wechat', text, isWechatId),
    ...names(text),
  ];
  const taken = new Uint8Array(text.length);
  const kept: Finding[] = [];
  for (const f of candidates) {
    if (taken.subarray(f.start, f.end).includes(1)) continue;
    taken.fill(1, f.start, f.end);
    kept.push(f);
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
