/**
 * The browser's side of the two-step anonymous submission (RFC 9474 blind RSA signatures, see
 * docs/SECURITY.md): a random credential is blinded against the campaign's key, the link buys its
 * blind signature, and the ballot goes with the unblinded signature and no link. Everything the
 * steps need is kept in localStorage before each request, so a reload or a lost answer resumes
 * with the same credential (the server answers both steps again the same way) until the receipt.
 */
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import type { CredentialIssued, Receipt } from '../../server/contracts.js';
import type { ApiClient } from './api.js';

const suite = () => RSABSSA.SHA384.PSS.Randomized();
const encode = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const decode = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

interface Pending {
  credential: string;
  blindedMessage: string;
  inverse: string;
  signature?: string;
}

export interface BallotTarget {
  /** the link's API base, `/api/s/<token>` */
  base: string;
  token: string;
  campaignSlug: string;
  /** the campaign and category's public key (SPKI, base64) */
  publicKey: string;
}

/** Buy the credential (once) and cast the ballot with it; resolves with the receipt. */
export async function castBallot(
  api: ApiClient,
  target: BallotTarget,
  body: { answers: Record<string, unknown>; elapsedSeconds: number; questionnaireVersion: number },
): Promise<Receipt> {
  const storage = `minping-ballot:${target.token}`;
  const key = await crypto.subtle.importKey(
    'spki',
    Uint8Array.from(atob(target.publicKey), (c) => c.charCodeAt(0)),
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );
  let pending = JSON.parse(localStorage.getItem(storage) ?? 'null') as Pending | null;
  if (!pending) {
    const credential = suite().prepare(crypto.getRandomValues(new Uint8Array(32)));
    const { blindedMsg, inv } = await suite().blind(key, credential);
    pending = { credential: encode(credential), blindedMessage: encode(blindedMsg), inverse: encode(inv) };
    localStorage.setItem(storage, JSON.stringify(pending));
  }
  if (!pending.signature) {
    const issued = await api.json<CredentialIssued>(`${target.base}/credential`, {
      body: { blindedMessage: pending.blindedMessage },
    });
    const signature = await suite().finalize(
      key,
      decode(pending.credential),
      decode(issued.blindSignature),
      decode(pending.inverse),
    );
    pending = { ...pending, signature: encode(signature) };
    localStorage.setItem(storage, JSON.stringify(pending));
    // a short random pause, so the ballot doesn't always follow its purchase at once
    await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1200));
  }
  const receipt = await api.json<Receipt>(`/api/s/ballots/${encodeURIComponent(target.campaignSlug)}`, {
    body: {
      ...body,
      credential: pending.credential,
      signature: pending.signature,
      category: String(body.answers.category ?? ''),
    },
  });
  localStorage.removeItem(storage);
  return receipt;
}
