import {
  constants,
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  privateDecrypt,
  publicEncrypt,
  webcrypto,
} from 'node:crypto';
import { RSABSSA } from '@cloudflare/blindrsa-ts';

/**
 * RFC 9474 blind RSA signatures (RSABSSA-SHA384-PSS-Randomized), the server's side: the signer
 * never sees the message it signs, so a credential can't be tied back to the link that bought it.
 * Signing is deterministic: the same blinded message gets the same signature again.
 */
const suite = () => RSABSSA.SHA384.PSS.Randomized();
const ALGORITHM = { name: 'RSA-PSS', hash: 'SHA-384' } as const;

export async function newCredentialKeyPair(): Promise<{ publicKey: string; privateKey: string }> {
  const { publicKey, privateKey } = await suite().generateKey({
    publicExponent: Uint8Array.from([1, 0, 1]),
    modulusLength: 2048,
  });
  const spki = await webcrypto.subtle.exportKey('spki', publicKey as webcrypto.CryptoKey);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', privateKey as webcrypto.CryptoKey);
  return { publicKey: Buffer.from(spki).toString('base64'), privateKey: Buffer.from(pkcs8).toString('base64') };
}

/** Parsed keys by their stored text: a campaign has a key per category, parsed once. */
const parsed = new Map<string, { private: KeyObject; public: KeyObject; modulus: Buffer }>();

function keysOf(privateKey: string) {
  let keys = parsed.get(privateKey);
  if (!keys) {
    const key = createPrivateKey({ key: Buffer.from(privateKey, 'base64'), format: 'der', type: 'pkcs8' });
    const modulus = Buffer.from(key.export({ format: 'jwk' }).n ?? '', 'base64url');
    keys = { private: key, public: createPublicKey(key), modulus };
    if (parsed.size > 1000) parsed.clear();
    parsed.set(privateKey, keys);
  }
  return keys;
}

/**
 * Whether the key can sign `blindedMessage`: an integer below the modulus, written in the
 * modulus's length (what the browser's blind() sends).
 */
export function signable(privateKey: string, blindedMessage: Uint8Array): boolean {
  const { modulus } = keysOf(privateKey);
  return blindedMessage.length === modulus.length && Buffer.compare(blindedMessage, modulus) < 0;
}

/**
 * RFC 9474 §4.3 BlindSign with OpenSSL's RSA (the library's pure-JavaScript big integers cost
 * ~0.4 s of CPU a signature): s = RSASP1(sk, m) is the raw private-key operation, checked by
 * RSAVP1(pk, s) = m before it leaves, and returned as modulus-length bytes. OpenSSL refuses an
 * m ≥ n, as the RFC requires. Browsers finalize it with @cloudflare/blindrsa-ts unchanged.
 */
export async function blindSign(privateKey: string, blindedMessage: Uint8Array): Promise<Uint8Array> {
  const keys = keysOf(privateKey);
  if (!signable(privateKey, blindedMessage)) throw new Error('not a blinded message for this key');
  const message = Buffer.from(blindedMessage);
  const signature = privateDecrypt({ key: keys.private, padding: constants.RSA_NO_PADDING }, message);
  const check = publicEncrypt({ key: keys.public, padding: constants.RSA_NO_PADDING }, signature);
  if (!check.equals(message)) throw new Error('blind signature failed its check');
  return signature;
}

/** Imported verification keys by their stored text. */
const verifiers = new Map<string, Promise<webcrypto.CryptoKey>>();

/** Whether `signature` is the key's signature of the (prepared) credential; false for anything malformed. */
export async function verifyCredential(publicKey: string, credential: Uint8Array, signature: Uint8Array) {
  try {
    let key = verifiers.get(publicKey);
    if (!key) {
      key = webcrypto.subtle.importKey('spki', Buffer.from(publicKey, 'base64'), ALGORITHM, true, ['verify']);
      if (verifiers.size > 1000) verifiers.clear();
      verifiers.set(publicKey, key);
    }
    return await suite().verify((await key) as CryptoKey, signature, credential);
  } catch {
    return false;
  }
}
