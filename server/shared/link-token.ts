import { randomBytes } from 'node:crypto';

/**
 * An evaluator's link token, printed on a letter for someone who may type it by hand: Crockford's
 * base32 (digits and capitals without I, L, O and U), 40 symbols of 5 random bits each (200 bits,
 * more than the 192 of the base64url tokens before it), shown in groups of four. A typed token is
 * read back whatever its case, spacing, hyphens or full-width characters, with O for 0 and I or L
 * for 1. Tokens of the older format (32 base64url characters) still work exactly as issued.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const BYTES = 25;
const LENGTH = (BYTES * 8) / 5;
const GROUP = 4;

const CANONICAL = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);
const OLDER = /^[A-Za-z0-9_-]{32}$/;
/** what may separate the groups as typed (after NFKC: full-width spaces and hyphens are plain) */
const SEPARATORS = /[\s\-‐‑‒–—―−·.]/g;
const LOOK_ALIKES: Record<string, string> = { O: '0', I: '1', L: '1' };

export function newLinkToken(): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of randomBytes(BYTES)) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A token as it is printed and linked: `ABCD-EFGH-…` (an older token as it was issued). */
export function groupedToken(token: string): string {
  if (!CANONICAL.test(token)) return token;
  return token.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-');
}

/** The token a typed or linked one stands for; what can't be one is returned as typed (an unknown link). */
export function canonicalToken(typed: string): string {
  if (OLDER.test(typed)) return typed;
  const read = typed
    .normalize('NFKC')
    .replace(SEPARATORS, '')
    .toUpperCase()
    .replace(/[OIL]/g, (c) => LOOK_ALIKES[c]);
  return CANONICAL.test(read) ? read : typed;
}
