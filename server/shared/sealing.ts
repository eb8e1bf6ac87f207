import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { sha256 } from './ids.js';

/**
 * Keys of what an evaluator's link does, derived from the plain token, which the database never
 * holds (it keeps sha256(token)): the spent mark and the draft of a link name no invitation to
 * whoever reads the database files.
 */
export const linkKey = (purpose: 'spent' | 'draft' | 'receipt', token: string): string => sha256(`${purpose}|${token}`);

const key = (secret: string, purpose: string) =>
  Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), 'minping-sealing', purpose, 32));

/** AES-256-GCM under a key derived from `secret` for `purpose`: `v1.iv.ciphertext.tag`, base64url. */
export function sealText(secret: string, purpose: string, text: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key(secret, purpose), iv);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return ['v1', iv, body, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/** The text `sealText` sealed, or undefined when it was sealed with another secret or altered. */
export function openText(secret: string, purpose: string, sealed: string): string | undefined {
  const [version, iv, body, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || body === undefined || !tag) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key(secret, purpose), Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * The invitation id of a pending spent link (migration 0023), sealed with the server's secret
 * (NETWORK_SALT), which no database file holds: a copy of the files can't tell which invitation
 * a link spent in the same commit as a response was until its batch is flagged.
 */
export const sealPendingSpend = (secret: string, invitationId: string) =>
  sealText(secret, 'pending-spend', invitationId);
export const openPendingSpend = (secret: string, sealed: string) => openText(secret, 'pending-spend', sealed);
