/**
 * The browser's side of the two-step submission (RFC 9474, RSABSSA-SHA384-PSS-Randomized) with
 * native big integers: @cloudflare/blindrsa-ts's `blind` costs ~50 ms of JavaScript arithmetic,
 * too slow to prepare thousands of credentials for a load test or 100 for one test. The bytes
 * are the same kind the browser sends: the server signs them and checks the unblinded signature.
 */
import { createHash, createPublicKey, randomBytes } from 'node:crypto';

const HASH = 'sha384';
const H_LEN = 48;
const S_LEN = 48;

const toInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const toBytes = (x: bigint, length: number) => Buffer.from(x.toString(16).padStart(length * 2, '0'), 'hex');

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

function modInverse(a: bigint, modulus: bigint): bigint | null {
  let [r0, r1] = [a % modulus, modulus];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return r0 === 1n ? ((s0 % modulus) + modulus) % modulus : null;
}

function mgf1(seed: Buffer, length: number): Buffer {
  const out: Buffer[] = [];
  for (let counter = 0; out.length * H_LEN < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    out.push(createHash(HASH).update(seed).update(c).digest());
  }
  return Buffer.concat(out).subarray(0, length);
}

/** EMSA-PSS-ENCODE (RFC 8017 §9.1.1) with a random salt of the hash's length. */
function pssEncode(message: Buffer, emBits: number): Buffer {
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(S_LEN);
  const mHash = createHash(HASH).update(message).digest();
  const h = createHash(HASH).update(Buffer.alloc(8)).update(mHash).update(salt).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - S_LEN - H_LEN - 2), Buffer.from([1]), salt]);
  const mask = mgf1(h, emLen - H_LEN - 1);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

export interface BlindedCredential {
  /** the prepared message, base64url: the ballot's `credential` */
  credential: string;
  /** base64url: the credential request's `blindedMessage` */
  blindedMessage: string;
  /** the blinding's inverse, to unblind the server's answer */
  inverse: bigint;
}

/** Blinding and unblinding against a campaign's public key (SPKI, base64, as `EvaluatorLoad.credentialKey`). */
export function blindClient(spki: string) {
  const jwk = createPublicKey({ key: Buffer.from(spki, 'base64'), format: 'der', type: 'spki' }).export({
    format: 'jwk',
  });
  const n = toInt(Buffer.from(jwk.n!, 'base64url'));
  const e = toInt(Buffer.from(jwk.e!, 'base64url'));
  const bits = n.toString(2).length;
  const length = Math.ceil(bits / 8);
  return {
    blind(): BlindedCredential {
      // Randomized: 32 random bytes before the (here empty) input, as the browser prepares it
      const credential = randomBytes(32);
      const m = toInt(pssEncode(credential, bits - 1));
      for (;;) {
        const r = toInt(randomBytes(length)) % n;
        const inverse = r > 1n ? modInverse(r, n) : null;
        if (!inverse) continue;
        const z = (m * modPow(r, e, n)) % n;
        return {
          credential: credential.toString('base64url'),
          blindedMessage: toBytes(z, length).toString('base64url'),
          inverse,
        };
      }
    },
    /** The signature of the credential from the server's blind signature (base64url in and out). */
    finalize(blindSignature: string, inverse: bigint): string {
      return toBytes((toInt(Buffer.from(blindSignature, 'base64url')) * inverse) % n, length).toString('base64url');
    },
  };
}
