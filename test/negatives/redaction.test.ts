import { describe, expect, it } from 'vitest';
import { findSensitive, isResidentId, redact } from '../../server/shared/redaction.js';

const kinds = (text: string) => findSensitive(text).map((f) => [f.kind, f.text]);

describe('redaction of free text before it reaches a department', () => {
  describe('resident ID numbers', () => {
    it('accepts an 18-character ID whose check character (including X) fits the MOD 11-2 checksum', () => {
      expect(isResidentId('11010519491231002X')).toBe(true);
      expect(isResidentId('11010519491231002x')).toBe(true);
      expect(isResidentId('440308199901010012')).toBe(true);
    });

    it('refuses a wrong check character, an impossible birth date, or the wrong length', () => {
      expect(isResidentId('110105194912310021')).toBe(false);
      expect(isResidentId('11010519490231002X')).toBe(false); // 31 February
      expect(isResidentId('11010518001301002X')).toBe(false); // month 13
      expect(isResidentId('11010519491231002')).toBe(false);
      expect(isResidentId('011010519491231002X')).toBe(false);
    });

    it('hides a valid ID in text but leaves an 18-digit order number with a bad checksum alone', () => {
      expect(redact('身份证11010519491231002X，订单110105194912310021').text).toBe(
        '身份证〔身份证号已隐去〕，订单110105194912310021',
      );
    });

    it('does not take part of a longer number for an ID', () => {
      expect(kinds('流水号911010519491231002X7')).toEqual([]);
    });
  });

  describe('phone numbers', () => {
    it('finds mobiles bare, grouped, with +86 and in full-width digits', () => {
      expect(kinds('电话13812345678')).toEqual([['mobile', '13812345678']]);
      expect(kinds('打138 1234 5678或139-8765-4321')).toEqual([
        ['mobile', '138 1234 5678'],
        ['mobile', '139-8765-4321'],
      ]);
      expect(kinds('+86 15912345678')).toEqual([['mobile', '+86 15912345678']]);
      expect(kinds('１３８１２３４５６７８')).toEqual([['mobile', '１３８１２３４５６７８']]);
    });

    it('refuses what only looks like a mobile: 12 or 10 digits, or a second digit below 3', () => {
      expect(kinds('金额138123456789元')).toEqual([]);
      expect(kinds('编号1381234567')).toEqual([]);
      expect(kinds('编号12012345678')).toEqual([]);
    });

    it('finds landlines with area code, in brackets, with an extension, and local numbers said to be one', () => {
      expect(kinds('0574-87654321')).toEqual([['landline', '0574-87654321']]);
      expect(kinds('（0574）8765 4321 转 12')).toEqual([['landline', '（0574）8765 4321 转 12']]);
      expect(kinds('010 65123456')).toEqual([['landline', '010 65123456']]);
      expect(kinds('座机：87654321')).toEqual([['landline', '87654321']]);
    });

    it('leaves dates, amounts and bare local-looking numbers alone', () => {
      expect(kinds('2026-06-12 交了 87654321 元')).toEqual([]);
      expect(kinds('文号 0574-12')).toEqual([]);
    });
  });

  describe('e-mail addresses', () => {
    it('hides the whole address, even one made of a phone number', () => {
      expect(redact('请发到 wang.ke+case@example.com.cn 或 13812345678@163.com').text).toBe(
        '请发到 〔邮箱已隐去〕 或 〔邮箱已隐去〕',
      );
    });

    it('leaves an @ without a domain alone', () => {
      expect(kinds('@窗口 的同事')).toEqual([]);
    });
  });

  describe('names', () => {
    it('replaces the surname before a title with 某, keeping the title', () => {
      expect(redact('王科长说找李女士，张副局长和欧阳主任都不管，司马先生作证').text).toBe(
        '某科长说找某女士，某副局长和某主任都不管，某先生作证',
      );
      expect(redact('刘总经理').text).toBe('某总经理');
    });

    it('does not take a preposition or a word ending in a surname character for a name', () => {
      for (const text of [
        '我向局长反映过',
        '关于局长办公会',
        '担任科长期间',
        '前任局长',
        '对方经理不理',
        '历史老师',
        '工程经理',
        '感谢科长',
        '任何科长都不管',
        '一位女士',
        '这位科长',
        '资金主管',
      ]) {
        expect(kinds(text), text).toEqual([]);
      }
    });
  });

  describe('contacts written to slip past', () => {
    const hidden: [string, string][] = [
      ['电话138 0013 8000', '电话〔手机号已隐去〕'],
      ['电话138-0013-8000', '电话〔手机号已隐去〕'],
      ['打1 3 8 0 0 1 3 8 0 0 0', '打〔手机号已隐去〕'],
      ['打138.0013.8000', '打〔手机号已隐去〕'],
      ['打1\u200b38\u200c0013\u200d8000', '打〔手机号已隐去〕'],
      ['打13\ufeff800\u2060138000吧', '打〔手机号已隐去〕吧'],
      ['打１３８００１３８０００', '打〔手机号已隐去〕'],
      ['打一三八零零一三八零零零', '打〔手机号已隐去〕'],
      ['打幺三八〇〇幺三八〇〇〇', '打〔手机号已隐去〕'],
      ['座机0574-87654321', '座机〔电话已隐去〕'],
      ['座机0574-8765\u200b4321', '座机〔电话已隐去〕'],
      ['座机零五七四-八七六五四三二一', '座机〔电话已隐去〕'],
      ['QQ：123456789', 'QQ：〔QQ号已隐去〕'],
      ['qq:12345', 'qq:〔QQ号已隐去〕'],
      ['加QQ 12345678901', '加QQ 〔QQ号已隐去〕'],
      ['扣扣1234567', '扣扣〔QQ号已隐去〕'],
      ['企鹅号是 888888', '企鹅号是 〔QQ号已隐去〕'],
      ['ＱＱ：１２３４５６', 'ＱＱ：〔QQ号已隐去〕'],
      ['发到 zhang at example dot com 就行', '发到 〔邮箱已隐去〕 就行'],
      ['发到zhang艾特example点com', '发到〔邮箱已隐去〕'],
      ['发到zhang(at)example.com', '发到〔邮箱已隐去〕'],
      ['发到 zhang.san [at] qq [dot] com', '发到 〔邮箱已隐去〕'],
      ['发到 li AT corp DOT com DOT cn。', '发到 〔邮箱已隐去〕。'],
      ['发到zhang＠example．com', '发到〔邮箱已隐去〕'],
      ['微信：zhang_san88', '微信：〔微信号已隐去〕'],
      ['微信号 wxid-123456', '微信号 〔微信号已隐去〕'],
      ['加vx abc123', '加vx 〔微信号已隐去〕'],
      ['wx: Li-Si_2025', 'wx: 〔微信号已隐去〕'],
      ['V信 wang888888', 'V信 〔微信号已隐去〕'],
      ['v信13812345678', 'v信〔手机号已隐去〕'],
    ];
    it.each(hidden)('%s → %s', (text, redacted) => {
      const { text: out, findings } = redact(text);
      expect(out).toBe(redacted);
      for (const f of findings) expect(text.slice(f.start, f.end)).toBe(f.text);
    });

    const kept = [
      '2025年办的',
      '交了3000元',
      '收费￥1,200',
      '2026-11-23 去的',
      '2026年11月23日14:30到16:45',
      '二〇二五年十一月二十三日',
      '依据甬政发〔2025〕12号',
      '前后办了3次，跑了十三趟',
      '满意度95%，比去年高12.5%',
      'I arrived at the office at 9 and waited',
      'look at the dot on the map',
      'a dot matrix printer at home',
      '微信公众号上预约',
      '微信支付了3000元',
      'wx 2026-11-23 说过',
      'QQ群里说的',
      '编号 13 14 15 16 17 18',
    ];
    it.each(kept)('leaves %s as it is', (text) => {
      expect(redact(text)).toEqual({ text, findings: [] });
    });

    it('returns on 100 KB made to make a backtracking pattern stall, finding what is there', () => {
      const adversarial = [
        'a'.repeat(100_000),
        `a@${'a.'.repeat(50_000)}1`,
        `x at ${'a dot '.repeat(20_000)}1`,
        `${'a.'.repeat(50_000)}@`,
        '@a'.repeat(50_000),
        'a(at)'.repeat(20_000),
        `a${' '.repeat(100_000)}at`,
        '1 '.repeat(50_000),
        '微信'.repeat(50_000),
        `qq${'1'.repeat(100_000)}`,
        '\u200b'.repeat(100_000),
      ];
      for (const text of adversarial) expect(redact(text).text).toBe(text);
      const phones = '13800138000，'.repeat(8_000);
      expect(redact(phones).text).toBe('〔手机号已隐去〕，'.repeat(8_000));
    });
  });

  it('reports every finding with its place in the original and redacts all of them in one pass', () => {
    const text = '王科长让我打0574-87654321，再发邮件到a@b.cn，身份证11010519491231002X';
    const { text: out, findings } = redact(text);
    expect(out).toBe('某科长让我打〔电话已隐去〕，再发邮件到〔邮箱已隐去〕，身份证〔身份证号已隐去〕');
    for (const f of findings) expect(text.slice(f.start, f.end)).toBe(f.text);
    expect(findings.map((f) => f.kind)).toEqual(['name', 'landline', 'email', 'id']);
  });

  it('leaves text without anything sensitive unchanged', () => {
    const text = '窗口要求重复提交材料三次，办理时间超过承诺时限。';
    expect(redact(text)).toEqual({ text, findings: [] });
  });
});
