/**
 * The browser's side of the two-step anonymous submission (RFC 9474 blind RSA signatures, see
 * docs/SECURITY.md): a random credential is blinded against the campaign's key, the link buys its
 * blind signature, and the ballot goes with the unblinded signature and no link. Everything the
 * steps need, the ballot included, is kept in localStorage before each request, so a reload or a
 * lost answer resumes with the same credential (the server answers both steps again the same way)
 * until the receipt; the link's page resends it (`resumeBallot`) once the server calls it spent,
 * offers it for correcting when refused (`ballotQuestionnaire`), and shows the receipt again
 * (`sentReceipt`) once it arrived.
 */
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import type { CredentialIssued, EvaluatorLoad, Receipt } from '../../server/contracts.js';
import { ApiError, type ApiClient } from './api.js';

const suite = () => RSABSSA.SHA384.PSS.Randomized();
const encode = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
const decode = (text: string) =>
  Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));

const publicKey = (spki: string) =>
  crypto.subtle.importKey(
    'spki',
    Uint8Array.from(atob(spki), (c) => c.charCodeAt(0)),
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );

export interface BallotBody {
  answers: Record<string, unknown>;
  elapsedSeconds: number;
  questionnaireVersion: number;
}

/** A ballot on its way: its credential, blinding, signature once bought, and the answers last sent. */
interface Pending {
  campaignSlug: string;
  /** the campaign and category's public key (SPKI, base64) */
  publicKey: string;
  credential: string;
  blindedMessage: string;
  inverse: string;
  signature?: string;
  ballot: BallotBody;
}
/**
 * After the receipt only this stays: that the ballot arrived, and the receipt the evaluator was
 * shown, for the link's page to show again on this device only. Never the credential; the server
 * keeps nothing that joins the link to the receipt (docs/SECURITY.md).
 */
interface Sent {
  sent: true;
  receipt?: Receipt;
}

export interface BallotTarget {
  token: string;
  campaignSlug: string;
  publicKey: string;
}

const storageKey = (token: string) => `minping-ballot:${token}`;
const stored = (token: string) =>
  JSON.parse(localStorage.getItem(storageKey(token)) ?? 'null') as Pending | Sent | null;
const keep = (token: string, value: Pending | Sent) => localStorage.setItem(storageKey(token), JSON.stringify(value));

/** The receipt of the link's ballot when this browser saw it arrive. */
export function sentReceipt(token: string): Receipt | null {
  const found = stored(token);
  return found && 'sent' in found ? (found.receipt ?? null) : null;
}

/** What this browser knows of the link's ballot. */
export function ballotState(token: string): 'none' | 'pending' | 'sent' {
  const found = stored(token);
  return !found ? 'none' : 'sent' in found ? 'sent' : 'pending';
}

/**
 * The answers of the link's ballot on its way replaced by `ballot` (an evaluator correcting a
 * refused ballot); false when none is on its way.
 */
export function keepPendingAnswers(token: string, ballot: BallotBody): boolean {
  const found = stored(token);
  if (!found || 'sent' in found) return false;
  keep(token, { ...found, ballot });
  return true;
}

/** The answers of the link's ballot on its way, for the page to correct a refused one; null when none. */
export function pendingBallot(token: string): BallotBody | null {
  const found = stored(token);
  return found && !('sent' in found) ? found.ballot : null;
}

/**
 * The questionnaire to correct the link's refused ballot on, asked with its credential and never
 * the link (the ballot goes the same way); null when no ballot with a bought credential is on its way.
 */
export async function ballotQuestionnaire(api: ApiClient, token: string): Promise<EvaluatorLoad | null> {
  const found = stored(token);
  if (!found || 'sent' in found || !found.signature) return null;
  return api.json<EvaluatorLoad>(`/api/s/ballots/${encodeURIComponent(found.campaignSlug)}/questionnaire`, {
    body: {
      credential: found.credential,
      signature: found.signature,
      category: String(found.ballot.answers.category ?? ''),
    },
  });
}

/**
 * `task` while no other window of this browser runs one for the link: two tabs never buy two
 * credentials (the second would be refused). Without Web Locks (Safari before 15.4) it just runs.
 */
async function alone<T>(token: string, task: () => Promise<T>): Promise<T> {
  return 'locks' in navigator ? await navigator.locks.request(storageKey(token), task) : await task();
}

/** A short random pause, so the ballot doesn't always follow a request naming the link at once. */
const pause = () => new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 1200));

/** Buy the credential if not bought yet, then cast the ballot with it; the receipt once it arrives. */
async function send(api: ApiClient, token: string, pending: Pending, resumed: boolean): Promise<Receipt> {
  if (!pending.signature) {
    const issued = await api.json<CredentialIssued>(`/api/s/${encodeURIComponent(token)}/credential`, {
      body: { blindedMessage: pending.blindedMessage },
    });
    const signature = await suite().finalize(
      await publicKey(pending.publicKey),
      decode(pending.credential),
      decode(issued.blindSignature),
      decode(pending.inverse),
    );
    pending = { ...pending, signature: encode(signature) };
    keep(token, pending);
    await pause();
  } else if (resumed) {
    await pause(); // after the page that named the link
  }
  try {
    const receipt = await api.json<Receipt>(`/api/s/ballots/${encodeURIComponent(pending.campaignSlug)}`, {
      body: {
        ...pending.ballot,
        credential: pending.credential,
        signature: pending.signature,
        category: String(pending.ballot.answers.category ?? ''),
      },
    });
    keep(token, { sent: true, receipt });
    return receipt;
  } catch (error) {
    // other answers than the first ballot's: that ballot is stored, and this credential is done
    if (error instanceof ApiError && error.code === 'IDEMPOTENCY_KEY_REUSED') keep(token, { sent: true });
    throw error;
  }
}

/** A random credential, blinded against the campaign's key. */
async function blindCredential(spki: string) {
  const credential = suite().prepare(crypto.getRandomValues(new Uint8Array(32)));
  const { blindedMsg, inv } = await suite().blind(await publicKey(spki), credential);
  return { credential: encode(credential), blindedMessage: encode(blindedMsg), inverse: encode(inv) };
}

/**
 * Buy the credential (once) and cast the ballot with it: the receipt, or null when another
 * window of this browser has cast it.
 */
export function castBallot(api: ApiClient, target: BallotTarget, ballot: BallotBody): Promise<Receipt | null> {
  return alone(target.token, async () => {
    const found = stored(target.token);
    if (found && 'sent' in found) return null;
    const pending: Pending = {
      ...(found ?? (await blindCredential(target.publicKey))),
      campaignSlug: target.campaignSlug,
      publicKey: target.publicKey,
      ballot,
    };
    keep(target.token, pending);
    return send(api, target.token, pending, false);
  });
}

/**
 * Send the ballot this browser still holds for a spent link (its answer was lost, or the page
 * closed between the steps): the receipt, the first one if it had arrived; null when there is
 * nothing to send (none kept, or another window has just sent it).
 */
export function resumeBallot(api: ApiClient, token: string): Promise<Receipt | null> {
  return alone(token, async () => {
    const found = stored(token);
    return found && !('sent' in found) ? send(api, token, found, true) : null;
  });
}
