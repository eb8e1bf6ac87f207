import { webcrypto } from 'node:crypto';
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

export async function blindSign(privateKey: string, blindedMessage: Uint8Array): Promise<Uint8Array> {
  const key = await webcrypto.subtle.importKey('pkcs8', Buffer.from(privateKey, 'base64'), ALGORITHM, true, ['sign']);
  return suite().blindSign(key as CryptoKey, blindedMessage);
}

/** Whether `signature` is the key's signature of the (prepared) credential; false for anything malformed. */
export async function verifyCredential(publicKey: string, credential: Uint8Array, signature: Uint8Array) {
  try {
    const key = await webcrypto.subtle.importKey('spki', Buffer.from(publicKey, 'base64'), ALGORITHM, true, ['verify']);
    return await suite().verify(key as CryptoKey, signature, credential);
  } catch {
    return false;
  }
}
