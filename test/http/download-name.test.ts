import { describe, expect, it } from 'vitest';
import { attachment, fileNameSafe } from '../../server/http/download.js';

const savedAs = (header: string) => decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(header)![1]);

describe('a download’s file name', () => {
  it('leaves out bidi and control characters, so a stored name cannot show another extension', () => {
    expect(savedAs(attachment('2026年评议\u202Exslx.exe-结果.xlsx'))).toBe('2026年评议xslx.exe-结果.xlsx');
    expect(savedAs(attachment('评议\u2066名单\u2069\r\n.csv'))).toBe('评议名单.csv');
    expect(savedAs(attachment('民主评议（2026）结果.xlsx'))).toBe('民主评议（2026）结果.xlsx');
  });

  it('leaves bidi controls out of a file name inside a zip, and turns what file systems refuse into _', () => {
    expect(fileNameSafe('名单\u202Exslx.exe')).toBe('名单xslx.exe');
    expect(fileNameSafe('a/b:c\u0001')).toBe('a_b_c_');
  });
});
