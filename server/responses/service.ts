import { randomBytes } from 'node:crypto';
import type { CanonicalRecord, Receipt } from '../contracts.js';
import type { Campaign, CampaignsService } from '../campaigns/service.js';
import type { AppDeps } from '../context.js';
import { AppError } from '../errors.js';
import { newId, sha256 } from '../shared/ids.js';
import { canonicalJson } from '../shared/json.js';
import { dayInZone } from '../../web/lib/time.js';
import type { AuditService } from '../accounts/audit.js';
import type { NegativesService, ReportedNegative } from '../negatives/service.js';
import { runImportTask } from '../imports/worker.js';
import { jsonlRefusal } from './jsonl.js';
import { evaluatorRepository, legacyDraftKey } from '../evaluator/repository.js';
import { linkKey, openPendingSpend, sealPendingSpend } from '../shared/sealing.js';
import { newCredentialKeyPair } from '../shared/blind.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { invitationsRepository } from '../invitations/repository.js';
import type { RawData } from './export.js';
import { responsesRepository, type ResponseRows } from './repository.js';

/** A stored submission's receipt (the route answers 201 Created, a replay included). */
export interface StoredSubmission {
  receipt: Receipt;
  /** true when this answers a retried request from the stored idempotency record */
  replayed: boolean;
}

export interface WebSubmission {
  campaign: Campaign;
  /** the plain token is needed only to derive the idempotency scope; it is never stored */
  invitation: { id: string; token: string; category: string };
  record: CanonicalRecord;
  questionnaireVersion: number;
  /** the department ids by code of the index whose validator checked the record (no second read of the list) */
  departmentIds: ReadonlyMap<string, string>;
  /** hashed coarse network address, for burst flags */
  networkKey: string | null;
  /** the client's Idempotency-Key header, if any */
  idempotencyKey: string | null;
  /** with a key: what the request asked to store, as `requestFingerprint` computes it */
  fingerprint: string | null;
}

/** Spent invitations flagged (or, before migration 0023, rewritten) together: the smallest group a response hides in. */
export const SEAL_BATCH = 10;

export interface StoreManyOptions {
  source: 'import' | 'web' | 'simulate' | (string & {});
  /** defaults to the campaign's latest questionnaire version */
  questionnaireVersion?: number;
  /**
   * an imported file, recorded (with its audit row) in the same transaction so the same file
   * can't be loaded twice
   */
  importFile?: { contentHash: string; fileName: string | null; actor: string };
  /** the submission day (YYYY-MM-DD) to store, for simulated history; defaults to today in the campaign time zone */
  day?: string;
}

export interface JsonlImportOptions {
  fileName?: string | null;
  /** validate only: report what would be stored, store nothing */
  dryRun?: boolean;
  /** who imported it, for the audit log */
  actor?: string;
}

export interface JsonlImportResult {
  stored: number;
  /** records that passed validation (= stored unless dryRun) */
  valid: number;
  dryRun: boolean;
}

/** A receipt number for the evaluator's records, e.g. 7K2M-9QXD-4HPA; random, stored nowhere near the response. */
function receiptCode(): string {
  const alphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  const bytes = randomBytes(12);
  let code = '';
  for (let i = 0; i < 12; i++) code += alphabet[bytes[i] % alphabet.length] + (i % 4 === 3 && i < 11 ? '-' : '');
  return code;
}

/**
 * The text of a JSONL file, which must be UTF-8: anything else (GB18030 from Excel, UTF-16,
 * binary) would turn Chinese answers into replacement characters. The error names the first bad line.
 */
export function decodeJsonl(bytes: Uint8Array): string {
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  try {
    return utf8.decode(bytes);
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      try {
        utf8.decode(bytes.subarray(start, i));
      } catch {
        break;
      }
      line++;
      start = i + 1;
    }
    throw new AppError(
      'VALIDATION_FAILED',
      `答卷文件应为 UTF-8 编码的 JSONL 文本（每行一个 JSON）：第 ${line} 行不是 UTF-8`,
      [{ line, field: 'file', message: '不是 UTF-8 文本（请以 UTF-8 编码另存）' }],
    );
  }
}

/**
 * Where a retried submission finds its receipt: a hash of the plain token and the client's
 * Idempotency-Key. Never the token's stored hash: the database holds no plain token and no
 * client key, so an idempotency row can't be joined to an invitation (and through the rows'
 * order of insertion, to the response stored in the same transaction).
 */
export const idempotencyScope = (token: string, key: string) => sha256(`idempotency|${token}|${key}`);

/**
 * What a submission asks to store, so a reused Idempotency-Key with other answers is told apart
 * from a retry (keys in any order: canonical JSON). The elapsed time is left out: the page's timer runs on between retries of one
 * submission. Keyed with the plain token, so it can't be tested against stored responses.
 */
export const requestFingerprint = (token: string, key: string, body: unknown) => {
  const { answers, questionnaireVersion } = (body ?? {}) as { answers?: unknown; questionnaireVersion?: unknown };
  return sha256(`idempotency-request|${token}|${key}|${canonicalJson([answers, questionnaireVersion])}`);
};

export function responsesService(
  { db, clock, config }: AppDeps,
  campaigns: CampaignsService,
  negatives: NegativesService,
  audit: AuditService,
) {
  const repo = responsesRepository(db.kysely);

  async function departmentIds(campaign: Campaign, records: readonly CanonicalRecord[]) {
    const ids = (await campaigns.departmentIndex(campaign)).idByCode;
    for (const record of records) {
      for (const d of record.departments) {
        if (!ids.has(d.code)) throw new AppError('VALIDATION_FAILED', `不是本次评议的部门代码：${d.code}`);
      }
    }
    return ids;
  }

  function buildRows(
    campaign: Campaign,
    records: readonly CanonicalRecord[],
    ids: ReadonlyMap<string, string>,
    meta: { source: string; version: number; day: string; invitationId: string | null; networkKey: string | null },
  ): ResponseRows & { negatives: ReportedNegative[] } {
    const rows: ResponseRows & { negatives: ReportedNegative[] } = {
      responses: [],
      problems: [],
      negatives: [],
    };
    for (const record of records) {
      const responseId = newId();
      rows.responses.push({
        id: responseId,
        campaign_id: campaign.id,
        questionnaire_version: meta.version,
        invitation_id: meta.invitationId,
        category: record.category,
        organisation: record.organisation,
        duration_seconds: record.durationSeconds,
        overall: record.overall,
        suggestion: record.suggestion,
        record_json: JSON.stringify(record),
        source: meta.source,
        network_key: meta.networkKey,
        submitted_day: meta.day,
      });
      for (const d of record.departments) {
        const departmentId = ids.get(d.code)!;
        for (const problem of d.problems)
          rows.problems.push({ response_id: responseId, department_id: departmentId, problem });
        for (const n of d.negatives) {
          rows.negatives.push({
            id: newId(),
            campaignId: campaign.id,
            responseId,
            departmentId,
            kind: n.kind,
            matter: n.matter,
            eventDate: n.date,
            description: n.description,
            contactAllowed: n.contactAllowed,
            contact: n.contact,
            day: meta.day,
          });
        }
      }
    }
    return rows;
  }

  /** The stored answer to an earlier request with this key; the same key with other answers is refused (409). */
  async function replay(
    token: string,
    key: string | null,
    fingerprint: string | null,
  ): Promise<StoredSubmission | undefined> {
    if (!key) return undefined;
    return replayScope(idempotencyScope(token, key), fingerprint);
  }

  /** The receipt stored under an idempotency scope; other answers under the same scope are refused (409). */
  async function replayScope(scope: string, fingerprint: string | null): Promise<StoredSubmission | undefined> {
    const stored = await repo.findReceipt(scope);
    if (!stored) return undefined;
    if (stored.requestHash !== null && fingerprint !== null && stored.requestHash !== fingerprint) {
      throw new AppError(
        'IDEMPOTENCY_KEY_REUSED',
        '这个提交请求（Idempotency-Key）已经用于另一份内容不同的答卷：首次提交的答卷已保存，本次内容没有保存',
      );
    }
    return { receipt: stored.receipt, replayed: true };
  }

  async function refuseRepeatedImport(campaign: Campaign, contentHash: string) {
    const earlier = await repo.findImport(campaign.id, contentHash);
    if (earlier) {
      throw new AppError(
        'CONFLICT',
        `同样内容的答卷文件${earlier.fileName ? `（${earlier.fileName}）` : ''}已于 ${earlier.importedAt.slice(0, 10)} 导入过 ${earlier.records} 份，没有重复导入`,
      );
    }
  }

  async function storeMany(
    campaign: Campaign,
    records: readonly CanonicalRecord[],
    options: StoreManyOptions,
  ): Promise<{ stored: number }> {
    if (records.length === 0) return { stored: 0 };
    const ids = await departmentIds(campaign, records);
    const version = options.questionnaireVersion ?? (await campaigns.questionnaire(campaign.id)).version;
    const rows = buildRows(campaign, records, ids, {
      source: options.source,
      version,
      day: options.day ?? dayInZone(clock.now(), campaign.config.timeZone),
      invitationId: null,
      networkKey: null,
    });
    const { importFile } = options;
    if (importFile) await refuseRepeatedImport(campaign, importFile.contentHash);
    try {
      await repo.transaction(async (trx) => {
        if (importFile) {
          await campaigns.importableIn(trx, campaign);
          await repo.insertImport(trx, {
            id: newId(),
            campaign_id: campaign.id,
            content_hash: importFile.contentHash,
            file_name: importFile.fileName,
            records: records.length,
            imported_at: clock.now().toISOString(),
          });
          await audit.record(trx, {
            actor: importFile.actor,
            action: 'import_responses',
            campaignId: campaign.id,
            detail: { file: importFile.fileName, sha256: importFile.contentHash, stored: records.length },
          });
        }
        await repo.insertAll(trx, rows);
        await negatives.recordReported(trx, rows.negatives);
      });
    } catch (error) {
      // a concurrent import of the same file lost the race on the unique (campaign, hash) key
      if (importFile) await refuseRepeatedImport(campaign, importFile.contentHash);
      throw error;
    }
    return { stored: records.length };
  }

  /**
   * See migration 0010: rewrite spent invitations in batches so none carries its response's
   * transaction id. The vote is already stored; a failure here only delays sealing to the next batch.
   */
  async function sealSpentInvitations(campaign: Campaign, minimum: number, padding: number): Promise<number> {
    try {
      return await invitationsRepository(db.kysely).seal(campaign.id, { minimum, padding, dialect: db.dialect });
    } catch (error) {
      console.error('sealing spent invitations failed; retried with the next batch', error);
      return 0;
    }
  }

  /**
   * See migration 0023: once SEAL_BATCH links of a campaign are spent, flag their invitations as
   * used together. The vote is already stored; a failure here only delays flagging to the next one.
   */
  async function flagSpentInvitations(campaign: Campaign): Promise<number> {
    try {
      return await invitationsRepository(db.kysely).flagSpent(campaign.id, {
        minimum: SEAL_BATCH,
        dialect: db.dialect,
        reveal: (sealed) => openPendingSpend(config.networkSalt, sealed),
      });
    } catch (error) {
      console.error('flagging spent invitations failed; retried with the next submission', error);
      return 0;
    }
  }

  const draftKeys = (invitation: { id: string; token: string }) => [
    linkKey('draft', invitation.token),
    legacyDraftKey(invitation.id),
  ];

  /** Spend an anonymous campaign's link (see migration 0023) and delete its draft, in the caller's transaction. */
  async function spendLink(
    trx: Kysely<Database>,
    campaign: Campaign,
    invitation: { id: string; token: string; category: string },
    blindedHash: string | null,
  ): Promise<boolean> {
    const spent = await invitationsRepository(trx).spendLink({
      spendKey: linkKey('spent', invitation.token),
      campaignId: campaign.id,
      category: invitation.category,
      pending: sealPendingSpend(config.networkSalt, invitation.id),
      blindedHash,
    });
    if (spent) await evaluatorRepository(trx).deleteDrafts(draftKeys(invitation));
    return spent;
  }

  return {
    replay,
    replayScope,
    storeMany,

    /** A named campaign's link's receipt, shown again when the spent link is reopened (none in anonymous mode). */
    receiptOfLink: async (token: string): Promise<Receipt | null> =>
      (await repo.findReceipt(linkKey('receipt', token)))?.receipt ?? null,

    /**
     * Step (a) of the two-step anonymous submission: spend the link for the credential whose blinded
     * message hashes to `blindedHash`, in one transaction (its draft deleted with it), then flag a
     * full batch. Returns whether this call spent it.
     */
    async spendForCredential(
      campaign: Campaign,
      invitation: { id: string; token: string; category: string },
      blindedHash: string,
    ): Promise<boolean> {
      const spent = await repo.transaction((trx) => spendLink(trx, campaign, invitation, blindedHash));
      if (spent) await flagSpentInvitations(campaign);
      return spent;
    },

    /**
     * Step (b): store a ballot under its credential's scope, once. The scope's idempotency record is
     * inserted first, so a credential used twice stores one response (a retry with the same answers
     * gets the first receipt; other answers are refused). No link, no invitation: nothing joins it.
     */
    async storeBallot(input: {
      campaign: Campaign;
      record: CanonicalRecord;
      questionnaireVersion: number;
      departmentIds: ReadonlyMap<string, string>;
      networkKey: string | null;
      scope: string;
      fingerprint: string;
    }): Promise<StoredSubmission> {
      const { campaign, record } = input;
      const day = dayInZone(clock.now(), campaign.config.timeZone);
      const rows = buildRows(campaign, [record], input.departmentIds, {
        source: 'web',
        version: input.questionnaireVersion,
        day,
        invitationId: null,
        networkKey: input.networkKey,
      });
      const receipt: Receipt = { receipt: receiptCode(), campaign: campaign.name, submittedDay: day };
      try {
        await repo.transaction(async (trx) => {
          await repo.insertReceipt(trx, { key: input.scope, receipt, createdAt: day, requestHash: input.fingerprint });
          await repo.insertAll(trx, rows);
          await negatives.recordReported(trx, rows.negatives);
        });
      } catch (error) {
        // the credential was used by a concurrent twin: answer as a retry would be answered
        const prior = await replayScope(input.scope, input.fingerprint);
        if (prior) return prior;
        throw error;
      }
      return { receipt, replayed: false };
    },

    /** A campaign and category's blind-signature key pair, made on first use. */
    async credentialKey(campaign: Campaign, category: string): Promise<{ publicKey: string; privateKey: string }> {
      const found = await repo.findCredentialKey(campaign.id, category);
      if (found) return found;
      await repo.insertCredentialKey(campaign.id, category, await newCredentialKeyPair());
      return (await repo.findCredentialKey(campaign.id, category))!;
    },

    findCredentialKey: (campaign: Campaign, category: string) => repo.findCredentialKey(campaign.id, category),

    /** Seal whatever is still unsealed, hidden among SEAL_BATCH already-sealed ones: at publication. */
    sealRemaining: (campaign: Campaign) => sealSpentInvitations(campaign, 1, SEAL_BATCH),

    /**
     * Store one web submission in one transaction: spend the invitation (only the first of
     * concurrent callers succeeds), delete its draft, insert the response with its
     * problem mentions and pending negative reports, and remember the receipt under the
     * Idempotency-Key so a retried request gets it again. Anonymous mode keeps no link (no
     * invitation id, no time beyond the day); named mode keeps invitation_id and used_at.
     */
    async store(input: WebSubmission): Promise<StoredSubmission> {
      const { campaign, invitation, record, idempotencyKey } = input;
      const now = clock.now();
      const day = dayInZone(now, campaign.config.timeZone);
      const anonymous = campaign.mode !== 'named';
      const rows = buildRows(campaign, [record], input.departmentIds, {
        source: 'web',
        version: input.questionnaireVersion,
        day,
        invitationId: anonymous ? null : invitation.id,
        networkKey: input.networkKey,
      });
      const receipt: Receipt = { receipt: receiptCode(), campaign: campaign.name, submittedDay: day };
      try {
        await repo.transaction(async (trx) => {
          // anonymous: the commit that stores the response names no invitation (migration 0023)
          const spent = anonymous
            ? await spendLink(trx, campaign, invitation, null)
            : await invitationsRepository(trx).markUsed(invitation.id, now.toISOString());
          if (!spent) throw new AppError('ALREADY_SUBMITTED', '这份问卷已经提交过了，每个链接只能提交一次');
          if (!anonymous) await evaluatorRepository(trx).deleteDrafts(draftKeys(invitation));
          await repo.insertAll(trx, rows);
          await negatives.recordReported(trx, rows.negatives);
          if (idempotencyKey) {
            await repo.insertReceipt(trx, {
              key: idempotencyScope(invitation.token, idempotencyKey),
              receipt,
              createdAt: anonymous ? day : now.toISOString(),
              requestHash: input.fingerprint,
            });
          }
          // named: the response names its invitation anyway, so the link finds its receipt again on reload
          if (!anonymous) {
            await repo.insertReceipt(trx, {
              key: linkKey('receipt', invitation.token),
              receipt,
              createdAt: now.toISOString(),
              requestHash: null,
            });
          }
        });
      } catch (error) {
        // a concurrent twin with the same key won the race: answer with its receipt
        if (error instanceof AppError && error.code === 'ALREADY_SUBMITTED') {
          const prior = await replay(invitation.token, idempotencyKey, input.fingerprint);
          if (prior) return prior;
        }
        throw error;
      }
      if (anonymous) await flagSpentInvitations(campaign);
      return { receipt, replayed: false };
    },

    /**
     * Load canonical records, one JSON object per line, each checked by the same compiled
     * validator as a web submission. All or nothing: any bad line → nothing stored, and every
     * error names its line and field.
     */
    async importJsonl(campaign: Campaign, text: string, options: JsonlImportOptions = {}): Promise<JsonlImportResult> {
      campaigns.assertImportable(campaign);
      const fileName = options.fileName ?? null;
      // read and checked in a worker thread, with the import budget: a file's size costs the server nothing
      const { rules } = await campaigns.departmentIndex(campaign);
      const departmentNames = (await campaigns.departments(campaign.id)).map((d): [string, string] => [d.code, d.name]);
      const checked = await runImportTask({ kind: 'jsonl', text, rules, departmentNames }, config);
      if (checked.details.length) throw jsonlRefusal(checked, rules);
      const { records, contentHash } = checked;
      if (records.length === 0) throw new AppError('VALIDATION_FAILED', '文件里没有答卷');
      if (options.dryRun) {
        await refuseRepeatedImport(campaign, contentHash);
        return { stored: 0, valid: records.length, dryRun: true };
      }
      const { stored } = await storeMany(campaign, records, {
        source: 'import',
        importFile: { contentHash, fileName, actor: options.actor ?? 'cli' },
      });
      return { stored, valid: records.length, dryRun: false };
    },

    count: (campaignId: string) => repo.countByCampaign(campaignId),

    /** Every free-text suggestion of a campaign: overall (department null) and per department code. */
    suggestions: (campaignId: string) => repo.suggestions(campaignId),

    /** What the raw-data export shows: every stored record, the department names and the office's own questions. */
    async rawData(campaign: Campaign): Promise<RawData> {
      const [{ extras }, departments, records] = await Promise.all([
        campaigns.departmentIndex(campaign),
        campaigns.departments(campaign.id),
        repo.records(campaign.id),
      ]);
      return { campaign, departmentNames: new Map(departments.map((d) => [d.code, d.name])), extras, records };
    },
  };
}

export type ResponsesService = ReturnType<typeof responsesService>;
