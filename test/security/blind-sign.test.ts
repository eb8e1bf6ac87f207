/**
 * The server signs blinded credentials with OpenSSL's RSA instead of the library's JavaScript big
 * integers: the signature must be the one RFC 9474's BlindSign gives (it is deterministic), so the
 * browser's @cloudflare/blindrsa-ts finalizes and verifies it unchanged.
 */
import { webcrypto } from 'node:crypto';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { describe, expect, it } from 'vitest';
import { blindSign, newCredentialKeyPair, verifyCredential } from '../../server/shared/blind.js';

const suite = RSABSSA.SHA384.PSS.Randomized();
const ALGORITHM = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

describe('blind signing of a credential', () => {
  it('gives the RFC 9474 signature the library computes, which the browser finalizes and the server verifies', async () => {
    const pair = await newCredentialKeyPair();
    const publicKey = await webcrypto.subtle.importKey('spki', Buffer.from(pair.publicKey, 'base64'), ALGORITHM, true, [
      'verify',
    ]);
    const privateKey = await webcrypto.subtle.importKey(
      'pkcs8',
      Buffer.from(pair.privateKey, 'base64'),
      ALGORITHM,
      true,
      ['sign'],
    );
    for (let i = 0; i < 3; i++) {
      const credential = suite.prepare(webcrypto.getRandomValues(new Uint8Array(32)));
      const { blindedMsg, inv } = await suite.blind(publicKey as CryptoKey, credential);
      const native = await blindSign(pair.privateKey, blindedMsg);
      expect(Buffer.from(native)).toEqual(Buffer.from(await suite.blindSign(privateKey as CryptoKey, blindedMsg)));
      const signature = await suite.finalize(publicKey as CryptoKey, credential, native, inv);
      expect(await verifyCredential(pair.publicKey, credential, signature)).toBe(true);
      expect(
        await verifyCredential(
          pair.publicKey,
          credential.map((b, k) => (k === 0 ? b ^ 1 : b)),
          signature,
        ),
      ).toBe(false);
    }
  }, 60_000);
});
