import { z } from 'zod';
import { serveDefinition, toCanonicalInput, type QuestionnaireDefinition } from '../../surveys/questionnaire.js';
import { answerPlace } from '../../surveys/record.js';
import { campaignState, type Campaign, type CampaignsService } from '../campaigns/service.js';
import type {
  CampaignStatus,
  CredentialIssued,
  DepartmentDirectory,
  DraftSaved,
  EvaluatorLoad,
  Receipt,
} from '../contracts.js';
import { blindSign, signable, verifyCredential } from '../shared/blind.js';
import type { AppDeps } from '../context.js';
import { AppError, parseOrThrow, zodDetails } from '../errors.js';
import { requestFingerprint, type ResponsesService, type StoredSubmission } from '../responses/service.js';
import { sha256 } from '../shared/ids.js';
import { canonicalJson } from '../shared/json.js';
import type { AuditService } from '../accounts/audit.js';
import { NETWORK_KEY_PREFIX, UNKNOWN_LINK_THROTTLE, type ThrottleService } from '../throttle/service.js';
import { invitationsRepository, type Invitation } from '../invitations/repository.js';
import { departmentDirectory } from './directory.js';
import { evaluatorRepository, legacyDraftKey, type Draft } from './repository.js';
import { linkKey, openText, sealText } from '../shared/sealing.js';
import { campaignTime } from '../campaigns/lifecycle.js';

/** Tokens are newLinkToken()'s base32 (older ones base64url), read back by the routes; anything else is unknown without a database lookup. */
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;
/** A draft is the evaluator's own partial answers: bounded, otherwise stored as given. */
export const MAX_DRAFT_CHARS = 256 * 1024;
const MAX_ELAPSED = 60 * 60 * 24 * 60;

const elapsed = z.number().int('应为整数秒').min(0).max(MAX_ELAPSED);
const answers = z.record(z.string().max(100), z.unknown());

export const draftBodySchema = z.strictObject({ answers, elapsedSeconds: elapsed.default(0) });
export const submitBodySchema = z.strictObject({
  answers,
  elapsedSeconds: elapsed.nullish(),
  questionnaireVersion: z.number().int().positive().optional(),
});

const base64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, '应为 base64url 文本');
export const credentialBodySchema = z.strictObject({ blindedMessage: base64url(1024) });
/** A ballot's credential, its unblinded signature and the category whose key signed it. */
export const credentialProofSchema = z.strictObject({
  credential: base64url(1024),
  signature: base64url(1024),
  category: z.string().max(100),
});
export const ballotBodySchema = submitBodySchema.extend(credentialProofSchema.shape);

const ALREADY_SUBMITTED = () => new AppError('ALREADY_SUBMITTED', '这份问卷已经提交过了，每个链接只能提交一次');
/**
 * A link that bought a credential: whether its ballot arrived is unknown to the server (nothing
 * joins a ballot to its link), so this says only what is known, and what the evaluator can do.
 */
const CREDENTIAL_TAKEN = () =>
  new AppError(
    'ALREADY_SUBMITTED',
    '这个链接已经用来提交过答卷了。如果提交时网络中断了，请在当时填写问卷的那部手机或那台电脑上重新打开这个链接，会自动完成提交；做不到的，请联系评议办。',
  );

/**
 * What an evaluator reads when the campaign takes no answers now (its link page, and the API's
 * refusal as `title：text`): not opened yet, not started, paused, or closed; null while open.
 */
export function notOpenNotice(
  campaign: Campaign,
  status: CampaignStatus,
  lang: 'zh' | 'en' = 'zh',
): { code: 'CAMPAIGN_NOT_OPEN' | 'CAMPAIGN_CLOSED'; title: string; text: string } | null {
  const en = lang === 'en';
  const name = campaign.name;
  switch (status) {
    case 'open':
      return null;
    case 'draft':
      return en
        ? {
            code: 'CAMPAIGN_NOT_OPEN',
            title: 'Not open yet',
            text: `${name} has not been opened by the appraisal office yet. Please open this link again later.`,
          }
        : {
            code: 'CAMPAIGN_NOT_OPEN',
            title: '评议尚未开始',
            text: `${name}尚未开启，评议办开启后即可填写，届时请再次打开此链接。`,
          };
    case 'scheduled': {
      const opens = campaignTime(campaign, campaign.opensAt, lang);
      return en
        ? {
            code: 'CAMPAIGN_NOT_OPEN',
            title: 'Not open yet',
            text: `${name} opens on ${opens}. Please open this link again then.`,
          }
        : {
            code: 'CAMPAIGN_NOT_OPEN',
            title: '评议尚未开始',
            text: `${name}将于 ${opens} 开始，届时请再次打开此链接。`,
          };
    }
    case 'paused':
      return en
        ? {
            code: 'CAMPAIGN_NOT_OPEN',
            title: 'Paused',
            text: `${name} is paused by the appraisal office. What you have saved is kept: please open this link again later.`,
          }
        : {
            code: 'CAMPAIGN_NOT_OPEN',
            title: '评议暂停中',
            text: `${name}已被评议办暂时暂停填写。您已保存的内容不会丢失，恢复后请再次打开此链接继续填写。`,
          };
    default: {
      const closes = campaignTime(campaign, campaign.closesAt, lang);
      return en
        ? {
            code: 'CAMPAIGN_CLOSED',
            title: 'Closed',
            text: `${name} closed on ${closes}. Thank you for your interest.`,
          }
        : { code: 'CAMPAIGN_CLOSED', title: '评议已经结束', text: `${name}已于 ${closes} 截止，感谢您的关注。` };
    }
  }
}

/**
 * How a link was spent: by a submission (named mode, the one-step path: its response is stored)
 * or by buying a credential (two-step: its ballot may or may not have arrived).
 */
export type Spent = 'submission' | 'credential';

export type PageState =
  | { state: 'unknown' }
  /** receipt: a named campaign's, shown again on the spent link's page */
  | { state: 'used'; campaign: Campaign; spent: Spent; receipt: Receipt | null }
  | { state: Exclude<CampaignStatus, 'open'>; campaign: Campaign }
  | { state: 'open'; campaign: Campaign; category: string };

/** The coarse network of an address: IPv4 /24, IPv6 /48. Null when it isn't an address. */
export function networkPrefix(ip: string | null | undefined): string | null {
  if (!ip) return null;
  let a = ip.trim().toLowerCase();
  if (a.startsWith('::ffff:') && a.includes('.')) a = a.slice(7);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  a = a.replace(/%.*$/, '');
  if (!/^[0-9a-f:]+$/.test(a) || !a.includes(':')) return null;
  const [head, tail] = a.split('::');
  const left = head ? head.split(':') : [];
  const right = tail !== undefined && tail ? tail.split(':') : [];
  const groups = a.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left;
  if (groups.length !== 8) return null;
  return `${groups
    .slice(0, 3)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/48`;
}

/** A response's network key: salted, per campaign, of the coarse network prefix. */
export function networkKey(salt: string, campaignId: string, prefix: string): string {
  return sha256(`${salt}|${campaignId}|${prefix}`);
}

/** The category a preview shows (the config's first unless one is asked for); an unknown one is refused. */
export function previewCategory(campaign: Campaign, asked: string | undefined): string {
  const category = asked ?? campaign.config.categories[0]!.code;
  if (!campaign.config.categories.some((c) => c.code === category))
    throw new AppError('VALIDATION_FAILED', `本活动没有“${category}”这个评议代表类别`, [
      { field: 'category', message: '应为本活动配置中的类别代码' },
    ]);
  return category;
}

export interface ClientConnection {
  remoteAddress: string | null;
  forwardedFor: string | null;
}

/** The client's address: the socket's, or the last X-Forwarded-For hop (added by our proxy) when trusted. */
export function clientAddress(connection: ClientConnection, trustProxy: boolean): string | null {
  if (trustProxy && connection.forwardedFor) {
    const hops = connection.forwardedFor
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (hops.length) return hops[hops.length - 1];
  }
  return connection.remoteAddress;
}

export function evaluatorService(
  deps: AppDeps,
  campaigns: CampaignsService,
  responses: ResponsesService,
  throttle: ThrottleService,
  audit: AuditService,
) {
  const { db, clock, config } = deps;
  const repo = evaluatorRepository(db.kysely);
  const invitations = invitationsRepository(db.kysely);
  /** served definitions per department list, version and preset category */
  const definitions = new Map<string, QuestionnaireDefinition>();
  /** the department directory per department list (`campaign id:revision:hash of the list`) */
  const directories = new Map<string, DepartmentDirectory>();

  /**
   * The invitation of a link. An unknown link counts against its network (429 past the allowance);
   * a valid one is never counted or refused, so evaluators behind one office address are never
   * locked out by a guesser among them, and a valid request costs no extra query.
   */
  async function findInvitation(
    token: string,
    connection: ClientConnection,
  ): Promise<
    { invitation: Invitation; tokenHash: string; spent: Spent | null; blindedHash: string | null } | undefined
  > {
    const tokenHash = TOKEN_PATTERN.test(token) ? sha256(token) : null;
    const found = tokenHash ? await invitations.findByToken(tokenHash, linkKey('spent', token)) : undefined;
    if (found && tokenHash) {
      // an anonymous campaign's spent link is flagged on its invitation only with its batch; its
      // spent_links row stays, saying whether a submission or a credential purchase spent it
      const { invitation, spentLink: link } = found;
      const blindedHash = link?.blindedHash ?? null;
      const spent = blindedHash ? 'credential' : link || invitation.used ? 'submission' : null;
      return { invitation, tokenHash, spent, blindedHash };
    }
    await throttle.reserve([{ key: unknownLinkKey(connection), rule: UNKNOWN_LINK_THROTTLE }]);
    return undefined;
  }

  /** The network an unknown link came from: salted, the same coarse prefix as responses' network keys. */
  function unknownLinkKey(connection: ClientConnection): string {
    const prefix = networkPrefix(clientAddress(connection, config.trustProxy)) ?? 'unknown';
    return `${NETWORK_KEY_PREFIX.link}${sha256(`${config.networkSalt}|link|${prefix}`).slice(0, 32)}`;
  }

  function assertOpen(campaign: Campaign) {
    const notice = notOpenNotice(campaign, campaigns.status(campaign));
    if (notice) throw new AppError(notice.code, `${notice.title}：${notice.text}`);
  }

  /** The invitation of a usable link in an open campaign, or the AppError saying why not. */
  async function resolve(token: string, connection: ClientConnection) {
    return usable(await findInvitation(token, connection));
  }

  async function usable(found: Awaited<ReturnType<typeof findInvitation>>) {
    if (!found) throw new AppError('NOT_FOUND', '链接无效：没有找到这份问卷，请检查链接是否完整');
    const campaign = await campaigns.getById(found.invitation.campaignId);
    if (found.spent) throw found.spent === 'credential' ? CREDENTIAL_TAKEN() : ALREADY_SUBMITTED();
    assertOpen(campaign);
    return { ...found, campaign };
  }

  /** An anonymous campaign by its slug: a named one takes its answers with the link. */
  async function anonymousCampaign(slug: string): Promise<Campaign> {
    const campaign = await campaigns.getBySlug(slug);
    if (campaign.mode === 'named') throw new AppError('BAD_REQUEST', '实名评议不用这种提交方式，请直接提交答卷');
    return campaign;
  }

  /** A credential signed by the campaign's key for its category: the key, or the AppError saying it is not. */
  async function assertCredential(campaign: Campaign, proof: z.infer<typeof credentialProofSchema>) {
    const key = await responses.findCredentialKey(campaign, proof.category);
    const valid =
      key &&
      (await verifyCredential(
        key.publicKey,
        Buffer.from(proof.credential, 'base64url'),
        Buffer.from(proof.signature, 'base64url'),
      ));
    if (!key || !valid) {
      throw new AppError('VALIDATION_FAILED', '这次提交无法核对：请重新打开评议链接，再提交一次', [
        { path: 'signature', message: '与本次评议的这一类评议代表不符' },
      ]);
    }
    return key;
  }

  /** The link's draft: sealed with its token, or one saved before migration 0023 (`plain:elapsed:savedAt:answers`). */
  async function findDraft(token: string, invitationId: string): Promise<Draft | null> {
    const found = await repo.findSealedDraft([linkKey('draft', token), legacyDraftKey(invitationId)]);
    if (!found) return null;
    if (found.sealed.startsWith('plain:')) {
      const [, elapsed, ...rest] = found.sealed.split(':');
      const text = rest.join(':');
      const savedAt = text.slice(0, 24);
      return { elapsedSeconds: Number(elapsed), savedAt, answers: JSON.parse(text.slice(25)) };
    }
    const text = openText(token, 'draft', found.sealed);
    return text === undefined ? null : (JSON.parse(text) as Draft);
  }

  /** A submission's answers checked by the campaign's compiled validator, for a link of `category`. */
  async function checkAnswers(campaign: Campaign, submission: z.infer<typeof submitBodySchema>, category: string) {
    const { validate, extras, idByCode, rules } = await campaigns.departmentIndex(campaign);
    const converted = toCanonicalInput(submission.answers, submission.elapsedSeconds, extras);
    if (!converted.ok) {
      throw new AppError(
        'VALIDATION_FAILED',
        `答案有误：${converted.issues[0].path}：${converted.issues[0].message}`,
        converted.issues,
      );
    }
    const result = validate(converted.input);
    if (!result.ok) {
      // each place in the evaluator's words (the department by its name), never a JSON path
      const names = new Map((await campaigns.departments(campaign.id)).map((d) => [d.code, d.name]));
      const details = zodDetails(result.error).map((d) =>
        d.path ? { ...d, field: answerPlace(d.path, rules, converted.input, (code) => names.get(code)) } : d,
      );
      throw new AppError(
        'VALIDATION_FAILED',
        `答案有误：${details[0].field ? `${details[0].field}：` : ''}${details[0].message}`,
        details,
      );
    }
    if (result.record.category !== category) {
      throw new AppError('VALIDATION_FAILED', '评议代表类别与邀请登记的不一致', [
        { path: 'category', message: '与邀请登记的类别不一致' },
      ]);
    }
    const version = await campaigns.questionnaire(campaign.id, submission.questionnaireVersion).then(
      (q) => q.version,
      (error: unknown) => {
        // only a missing version is the client's fault; a lost database connection is not
        if (!(error instanceof AppError && error.code === 'NOT_FOUND')) throw error;
        throw new AppError('VALIDATION_FAILED', '问卷版本不存在', [
          { path: 'questionnaireVersion', message: '问卷版本不存在' },
        ]);
      },
    );
    return { record: result.record, version, departmentIds: idByCode };
  }

  /** The served questionnaire, and the department directory computed once per department list. */
  async function served(campaign: Campaign, category: string) {
    const questionnaire = await campaigns.questionnaire(campaign.id);
    const departments = await campaigns.departments(campaign.id);
    // the revision: a draft's config or questionnaire edited (its groups, scale, items) is served anew
    const listKey = [
      campaign.id,
      campaign.revision,
      sha256(
        [
          ...campaign.config.groups.map((g) => `${g.code}\t${g.label}`),
          ...departments.map((d) => [d.code, d.name, d.group, ...d.shortNames].join('\t')),
        ].join('\n'),
      ),
    ].join(':');
    const { negativeDates } = (await campaigns.departmentIndex(campaign)).rules;
    // the latest date allowed is today's: served anew each day
    const key = [listKey, questionnaire.version, category, negativeDates?.latest].join(':');
    let definition = definitions.get(key);
    if (!definition) {
      definition = serveDefinition(questionnaire.definition as QuestionnaireDefinition, campaign, departments, {
        category,
        negativeDates,
      });
      if (definitions.size > 200) definitions.clear();
      definitions.set(key, definition);
    }
    let directory = directories.get(listKey);
    if (!directory) {
      directory = await departmentDirectory(campaign.config, departments);
      if (directories.size > 50) directories.clear();
      directories.set(listKey, directory);
    }
    return { questionnaire: { version: questionnaire.version, definition }, directory };
  }

  return {
    /** For the HTML page: which of the clear messages (or the questionnaire) a link gets. */
    async pageState(token: string, connection: ClientConnection): Promise<PageState> {
      const found = await findInvitation(token, connection);
      if (!found) return { state: 'unknown' };
      const campaign = await campaigns.getById(found.invitation.campaignId);
      if (found.spent) {
        const receipt =
          campaign.mode === 'named' && found.spent === 'submission' ? await responses.receiptOfLink(token) : null;
        return { state: 'used', campaign, spent: found.spent, receipt };
      }
      const state = campaigns.status(campaign);
      return state === 'open' ? { state, campaign, category: found.invitation.category } : { state, campaign };
    },

    /** The questionnaire a category's evaluators are served (what the page draws of it before its scripts run). */
    servedQuestionnaire: async (campaign: Campaign, category: string) =>
      (await served(campaign, category)).questionnaire.definition,

    /** Campaign, served questionnaire and the saved draft; the first call marks the link opened. */
    async load(token: string, connection: ClientConnection): Promise<EvaluatorLoad> {
      const { invitation, campaign } = await resolve(token, connection);
      if (!invitation.opened) await invitations.markOpened(invitation.id, clock.now().toISOString());
      const { questionnaire, directory } = await served(campaign, invitation.category);
      const draft = await findDraft(token, invitation.id);
      return {
        campaign: campaignState(campaign, campaigns.status(campaign)),
        questionnaire,
        draft: draft ?? null,
        directory,
        ...(campaign.mode === 'named'
          ? {}
          : { credentialKey: (await responses.credentialKey(campaign, invitation.category)).publicKey }),
      };
    },

    /**
     * The questionnaire a category's evaluators are served, for the office to look at before (and
     * while) the campaign runs. No invitation, no draft, no key: nothing it answers can be stored.
     */
    async preview(campaign: Campaign, asked: string | undefined): Promise<EvaluatorLoad> {
      const { questionnaire, directory } = await served(campaign, previewCategory(campaign, asked));
      return {
        campaign: campaignState(campaign, campaigns.status(campaign)),
        questionnaire,
        draft: null,
        directory,
        preview: true,
      };
    },

    async saveDraft(token: string, body: unknown, connection: ClientConnection): Promise<DraftSaved> {
      const { invitation } = await resolve(token, connection);
      const draft = parseOrThrow(draftBodySchema, body, '草稿');
      if (JSON.stringify(draft.answers).length > MAX_DRAFT_CHARS) {
        throw new AppError('PAYLOAD_TOO_LARGE', '草稿内容太长，无法保存');
      }
      const savedAt = clock.now().toISOString();
      const sealed = sealText(token, 'draft', JSON.stringify({ ...draft, savedAt } satisfies Draft));
      await db.kysely.transaction().execute(async (trx) => {
        const tx = invitationsRepository(trx);
        if (!invitation.draftSaved) await tx.markDraftSaved(invitation.id, savedAt);
        const drafts = evaluatorRepository(trx);
        await drafts.saveSealedDraft(linkKey('draft', token), invitation.campaignId, sealed);
        await drafts.deleteDrafts([legacyDraftKey(invitation.id)]);
      });
      return { savedAt };
    },

    /**
     * Delete the drafts left by invitations never submitted, once their campaign has closed: they
     * are evaluators' unsent answers, kept only so they could finish. Run by the scheduler; returns
     * how many went. Each campaign's deletion and its audit row commit together.
     */
    async purgeDraftsAfterClose(): Promise<number> {
      let deleted = 0;
      for (const campaignId of await repo.closedCampaignsWithDrafts(clock.now().toISOString())) {
        deleted += await db.kysely.transaction().execute(async (trx) => {
          const count = await evaluatorRepository(trx).deleteCampaignDrafts(campaignId);
          await audit.record(trx, {
            actor: 'scheduler',
            action: 'drafts_purge',
            campaignId,
            detail: { deleted: count },
          });
          return count;
        });
      }
      return deleted;
    },

    /**
     * Step (a) of the two-step anonymous submission (RFC 9474): the link buys one credential. The
     * browser sends a blinded message; the link is spent and the blind signature returned, with
     * the public key to unblind and check it. A retry with the same blinded message gets the same
     * signature (signing is deterministic); another blinded message for a spent link is refused.
     */
    async issueCredential(token: string, body: unknown, connection: ClientConnection): Promise<CredentialIssued> {
      const found = await findInvitation(token, connection);
      if (!found) throw new AppError('NOT_FOUND', '链接无效：没有找到这份问卷，请检查链接是否完整');
      const campaign = await campaigns.getById(found.invitation.campaignId);
      if (campaign.mode === 'named') throw new AppError('BAD_REQUEST', '实名评议不用这种提交方式，请直接提交答卷');
      const { blindedMessage } = parseOrThrow(credentialBodySchema, body, '提交请求');
      const key = await responses.credentialKey(campaign, found.invitation.category);
      const blinded = Buffer.from(blindedMessage, 'base64url');
      if (!signable(key.privateKey, blinded)) {
        throw new AppError('VALIDATION_FAILED', '提交没有完成：请重新打开评议链接，再提交一次', [
          { path: 'blindedMessage', message: '与本次评议不符' },
        ]);
      }
      const blindedHash = sha256(`blinded|${blindedMessage}`);
      if (found.spent) {
        if (found.blindedHash !== blindedHash)
          throw found.spent === 'credential' ? CREDENTIAL_TAKEN() : ALREADY_SUBMITTED();
      } else {
        assertOpen(campaign);
        const link = { id: found.invitation.id, token, category: found.invitation.category };
        if (!(await responses.spendForCredential(campaign, link, blindedHash))) {
          // a concurrent purchase won: only the same blinded message gets its signature
          const winner = await invitations.findSpentLink(linkKey('spent', token));
          if (winner?.blindedHash !== blindedHash) throw winner?.blindedHash ? CREDENTIAL_TAKEN() : ALREADY_SUBMITTED();
        }
      }
      const signature = await blindSign(key.privateKey, blinded);
      return { blindSignature: Buffer.from(signature).toString('base64url'), publicKey: key.publicKey };
    },

    /**
     * Step (b): a ballot with its credential and unblinded signature, no link: checked like a
     * submission and stored once per credential. A retry with the same credential and answers gets
     * the first receipt, so a lost answer loses nothing; other answers are refused.
     */
    async castBallot(slug: string, body: unknown, connection: ClientConnection): Promise<StoredSubmission> {
      const campaign = await anonymousCampaign(slug);
      const { credential, signature, category, ...rest } = parseOrThrow(ballotBodySchema, body, '提交内容');
      const scope = sha256(`ballot|${credential}`);
      const fingerprint = sha256(
        `ballot-request|${credential}|${canonicalJson([rest.answers, rest.questionnaireVersion])}`,
      );
      const prior = await responses.replayScope(scope, fingerprint);
      if (prior) return prior;
      assertOpen(campaign);
      await assertCredential(campaign, { credential, signature, category });
      const { record, version, departmentIds } = await checkAnswers(campaign, rest, category);
      return responses.storeBallot({
        campaign,
        record,
        questionnaireVersion: version,
        departmentIds,
        networkKey: networkKeyOf(campaign.id, clientAddress(connection, config.trustProxy)),
        scope,
        fingerprint,
      });
    },

    /**
     * The questionnaire a refused ballot is corrected on (its link's page, once the link is spent):
     * asked with the ballot's credential, never the link, so like the ballot nothing joins it to an
     * invitation (docs/SECURITY.md). No draft: the ballot waits on the evaluator's device.
     */
    async ballotQuestionnaire(slug: string, body: unknown): Promise<EvaluatorLoad> {
      const campaign = await anonymousCampaign(slug);
      const credential = parseOrThrow(credentialProofSchema, body, '请求内容');
      assertOpen(campaign);
      const key = await assertCredential(campaign, credential);
      const { questionnaire, directory } = await served(campaign, credential.category);
      return {
        campaign: campaignState(campaign, campaigns.status(campaign)),
        questionnaire,
        draft: null,
        directory,
        credentialKey: key.publicKey,
      };
    },

    /**
     * Check a submission against the campaign's compiled validator and store it once. A retry
     * with the same Idempotency-Key gets the first receipt back, even after the link is spent.
     */
    async submit(
      token: string,
      body: unknown,
      idempotencyKey: string | null,
      connection: ClientConnection,
    ): Promise<StoredSubmission> {
      if (idempotencyKey !== null && !IDEMPOTENCY_KEY_PATTERN.test(idempotencyKey)) {
        throw new AppError('BAD_REQUEST', 'Idempotency-Key 格式不对：8–128 个字母、数字或 _ . : -');
      }
      const found = await findInvitation(token, connection);
      if (!found) throw new AppError('NOT_FOUND', '链接无效：没有找到这份问卷，请检查链接是否完整');
      const fingerprint = idempotencyKey ? requestFingerprint(token, idempotencyKey, body) : null;
      const prior = await responses.replay(token, idempotencyKey, fingerprint);
      if (prior) return prior;
      const { invitation, campaign } = await usable(found);

      const submission = parseOrThrow(submitBodySchema, body, '提交内容');
      const { record, version, departmentIds } = await checkAnswers(campaign, submission, invitation.category);

      return responses.store({
        campaign,
        invitation: { id: invitation.id, token, category: invitation.category },
        record,
        questionnaireVersion: version,
        departmentIds,
        networkKey: networkKeyOf(campaign.id, clientAddress(connection, config.trustProxy)),
        idempotencyKey,
        fingerprint,
      });
    },
  };

  /**
   * The secret salt and the campaign go into the hash: the key can't be reversed to an address
   * range, and the same network gives different keys in different campaigns (no joining of
   * responses across campaigns, e.g. an anonymous one to a named one).
   */
  function networkKeyOf(campaignId: string, ip: string | null): string | null {
    const prefix = networkPrefix(ip);
    return prefix ? networkKey(config.networkSalt, campaignId, prefix) : null;
  }
}

export type EvaluatorService = ReturnType<typeof evaluatorService>;
