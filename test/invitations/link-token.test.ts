import { describe, expect, it } from 'vitest';
import { canonicalToken, groupedToken, newLinkToken } from '../../server/shared/link-token.js';

describe('link tokens a person can type', () => {
  it('are 40 symbols of Crockford base32 (200 random bits), all different', () => {
    const tokens = Array.from({ length: 2000 }, newLinkToken);
    for (const t of tokens) expect(t).toMatch(/^[0-9A-HJKMNP-TV-Z]{40}$/);
    expect(new Set(tokens).size).toBe(tokens.length);
    // every symbol turns up in every position: no bit is wasted
    const symbols = new Set(tokens.flatMap((t) => [...t]));
    expect(symbols.size).toBe(32);
    expect(new Set(tokens.map((t) => t[39])).size).toBe(32);
  });

  it('are printed in groups of four and read back from what people type', () => {
    const token = '0123456789ABCDEFGHJKMNPQRSTVWXYZ01234567';
    const printed = groupedToken(token);
    expect(printed).toBe('0123-4567-89AB-CDEF-GHJK-MNPQ-RSTV-WXYZ-0123-4567');
    for (const typed of [
      printed,
      token,
      printed.toLowerCase(),
      printed.replaceAll('-', ' '),
      ` ${printed.replaceAll('-', '  ')} `,
      printed.replaceAll('0', 'O').replaceAll('1', 'l'),
      printed.replaceAll('1', 'I').replaceAll('-', '—'),
      // full-width, as a Chinese input method types it
      [...printed].map((ch) => String.fromCharCode(ch.charCodeAt(0) + 0xfee0)).join(''),
    ])
      expect(canonicalToken(typed), typed).toBe(token);
  });

  it('keep an older base64url token exactly as issued, and leave what is no token as typed', () => {
    const older = 'aB3_-xYz0123456789abcdefghijklmn';
    expect(older).toHaveLength(32);
    expect(canonicalToken(older)).toBe(older);
    expect(groupedToken(older)).toBe(older);
    for (const typed of ['', 'abc', `${'A'.repeat(39)}U`, 'A'.repeat(41), '../../etc/passwd'])
      expect(canonicalToken(typed)).toBe(typed);
  });
});
