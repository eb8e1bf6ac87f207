/**
 * The two-step anonymous submission (RFC 9474 blind RSA signatures): the link buys one
 * blind-signed credential, and the ballot comes with the credential and no link, so not even the
 * server that signed can tell which link a ballot belongs to. A retry of either step loses nothing.
 */
import { webcrypto } from 'node:crypto';
import { RSABSSA } from '@cloudflare/blindrsa-ts';
import { afterEach, describe, expect, it } from 'vitest';
import type { CredentialIssued, ErrorBody, EvaluatorLoad, Receipt } from '../../server/contracts.js';
import type { Db } from '../../server/db/connect.js';
import { dialects } from '../helpers/db.js';
import {
  createInvitation,
  isSpent,
  jsonRequest,
  reversedKeys,
  surveySetup,
  webAnswers,
  type SurveySetup,
} from '../evaluator/helpers.js';

const suite = RSABSSA.SHA384.PSS.Randomized();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

/** What the browser does: a random credential, prepared and blinded against the campaign's key. */
async function blinded(publicKey: string | undefined) {
  const key = await webcrypto.subtle.importKey(
    'spki',
    Buffer.from(publicKey ?? '', 'base64'),
    { name: 'RSA-PSS', hash: 'SHA-384' },
    true,
    ['verify'],
  );
  const credential = suite.prepare(webcrypto.getRandomValues(new Uint8Array(32)));
  const { blindedMsg, inv } = await suite.blind(key as CryptoKey, credential);
  return {
    blindedMessage: b64(blindedMsg),
    finalize: async (blindSignature: string) =>
      b64(await suite.finalize(key as CryptoKey, credential, Buffer.from(blindSignature, 'base64url'), inv)),
    credential: b64(credential),
  };
}

describe.each(await dialects())('a ballot cast with a blind-signed credential on $name', ({ open }) => {
  let db: Db;
  let s: SurveySetup;
  afterEach(() => db.close());

  const buy = (token: string, blindedMessage: string) =>
    s.app.request(`/api/s/${token}/credential`, jsonRequest('POST', { blindedMessage }));
  const cast = (body: Record<string, unknown>) =>
    s.app.request(`/api/s/ballots/${s.campaign.slug}`, jsonRequest('POST', body));

  it('stores the ballot against the credential only, once, and answers retries of both steps', async () => {
    db = await open();
    s = await surveySetup(db);
    const { token } = await createInvitation(db, s.campaign);
    // opening the link gives the key the browser blinds its credential against
    const { credentialKey: publicKey } = (await (await s.app.request(`/api/s/${token}`)).json()) as EvaluatorLoad;
    const other = { token };
    const browser = await blinded(publicKey);

    const step1 = await buy(other.token, browser.blindedMessage);
    expect(step1.status).toBe(200);
    const issued = (await step1.json()) as CredentialIssued;
    expect(await isSpent(db, other.token)).toBe(true);
    // the answer got lost: the same blinded message gets the same signature; another is refused
    expect(await (await buy(other.token, browser.blindedMessage)).json()).toEqual(issued);
    const second = await blinded(publicKey);
    const refused = await buy(other.token, second.blindedMessage);
    expect(refused.status).toBe(409);
    const refusedMessage = ((await refused.json()) as ErrorBody).error.message;
    expect(refusedMessage).toContain('这个链接已经用来提交过答卷了');
    expect(refusedMessage).not.toContain('凭证'); // the evaluator's words, not the protocol's
    // the draft and the one-step submission are closed to the spent link, without claiming the answers arrived
    const load = await s.app.request(`/api/s/${other.token}`);
    expect(load.status).toBe(409);
    expect(((await load.json()) as ErrorBody).error.message).not.toContain('已经提交');
    // the link's page claims nothing either; its script resends a ballot the browser still holds
    const pageBefore = await s.app.request(`/s/${other.token}`);
    expect(pageBefore.status).toBe(409);
    const htmlBefore = await pageBefore.text();
    expect(htmlBefore).toContain('这个链接已经用来提交过答卷了');
    expect(htmlBefore).not.toContain('凭证');
    expect(htmlBefore).toContain('/assets/spent-link-');
    expect(htmlBefore).not.toContain('问卷已提交');

    const signature = await browser.finalize(issued.blindSignature);
    const ballot = {
      credential: browser.credential,
      signature,
      category: 'project',
      answers: webAnswers(),
      elapsedSeconds: 300,
    };
    const stored = await cast(ballot);
    expect(stored.status, await stored.clone().text()).toBe(201);
    const receipt = (await stored.json()) as Receipt;
    // its answer got lost too: the retry gets the same receipt, and one response is stored
    const again = await cast(ballot);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(receipt);
    // so does one whose answers list their keys in another order (the same answers)
    const reordered = await cast(reversedKeys(ballot) as Record<string, unknown>);
    expect(reordered.status).toBe(201);
    expect(await reordered.json()).toEqual(receipt);
    const reused = await cast({ ...ballot, answers: webAnswers({ overall: 'dissatisfied' }) });
    expect(reused.status).toBe(409);
    // the server can't tell whether the link's ballot arrived: its page is the same as before
    expect(await (await s.app.request(`/s/${other.token}`)).text()).toBe(htmlBefore);
    const responses = await db.kysely.selectFrom('responses').selectAll().execute();
    expect(responses).toHaveLength(1);
    expect(responses[0].invitation_id).toBeNull();
    // nothing stored holds the credential or its signature
    const cells = JSON.stringify(await db.kysely.selectFrom('idempotency_keys').selectAll().execute());
    expect(cells).not.toContain(browser.credential);
    expect(cells).not.toContain(signature);
  }, 60_000);

  it('serves the questionnaire to correct a refused ballot on for its credential alone, never for a forged one', async () => {
    db = await open();
    s = await surveySetup(db);
    const { token } = await createInvitation(db, s.campaign);
    const { credentialKey: publicKey } = (await (await s.app.request(`/api/s/${token}`)).json()) as EvaluatorLoad;
    const browser = await blinded(publicKey);
    const issued = (await (await buy(token, browser.blindedMessage)).json()) as CredentialIssued;
    const proof = { credential: browser.credential, signature: await browser.finalize(issued.blindSignature) };
    const ask = (body: Record<string, unknown>) =>
      s.app.request(`/api/s/ballots/${s.campaign.slug}/questionnaire`, jsonRequest('POST', body));

    // the spent link can't load it; the credential can, naming no link
    expect((await s.app.request(`/api/s/${token}`)).status).toBe(409);
    const served = await ask({ ...proof, category: 'project' });
    expect(served.status, await served.clone().text()).toBe(200);
    const load = (await served.json()) as EvaluatorLoad;
    expect(load).toMatchObject({ draft: null, credentialKey: publicKey });
    expect(load.questionnaire.definition).toBeTruthy();
    expect(load.directory.departments.length).toBeGreaterThan(0);

    const forged = await ask({ ...proof, signature: b64(new Uint8Array(256).fill(1)), category: 'project' });
    expect(forged.status).toBe(422);
    expect(((await forged.json()) as ErrorBody).error.details?.[0].path).toBe('signature');
    // another category's key did not sign it
    expect((await ask({ ...proof, category: 'deputies' })).status).toBe(422);
    expect((await ask({ ...proof })).status).toBe(422);
  }, 60_000);

  it('refuses a blinded message the key cannot sign (wrong length, not below the modulus) with 422, leaving the link unspent', async () => {
    db = await open();
    s = await surveySetup(db);
    const { token } = await createInvitation(db, s.campaign);
    await s.app.request(`/api/s/${token}`);
    for (const bytes of [new Uint8Array(255).fill(7), new Uint8Array(256).fill(0xff)]) {
      const refused = await buy(token, b64(bytes));
      expect(refused.status).toBe(422);
      expect(((await refused.json()) as ErrorBody).error.details?.[0].path).toBe('blindedMessage');
    }
    expect(await isSpent(db, token)).toBe(false);
  }, 60_000);

  it('refuses a forged or foreign credential with 422 naming the signature, and stores nothing', async () => {
    db = await open();
    s = await surveySetup(db);
    const { token } = await createInvitation(db, s.campaign);
    const { credentialKey: publicKey } = (await (await s.app.request(`/api/s/${token}`)).json()) as EvaluatorLoad;
    const browser = await blinded(publicKey);
    const forged = await cast({
      credential: browser.credential,
      signature: b64(new Uint8Array(256).fill(1)),
      category: 'project',
      answers: webAnswers(),
      elapsedSeconds: 300,
    });
    expect(forged.status).toBe(422);
    const { error } = (await forged.json()) as ErrorBody;
    expect(error.details?.[0].path).toBe('signature');
    expect(JSON.stringify(error)).not.toContain('凭证'); // the page shows it to the evaluator
    const unknownCategory = await cast({
      credential: browser.credential,
      signature: b64(new Uint8Array(256).fill(1)),
      category: 'deputies',
      answers: webAnswers({ category: 'deputies' }),
      elapsedSeconds: 300,
    });
    expect(unknownCategory.status).toBe(422);
    expect(await db.kysely.selectFrom('responses').selectAll().execute()).toEqual([]);
  }, 60_000);
});
