import type { AppDeps } from '../context.js';
import { isUniqueViolation } from '../db/connect.js';
import type { Campaign } from '../campaigns/service.js';
import { campaignsRepository } from '../campaigns/repository.js';
import { campaignStatus, isBeforeClose, isSettled, refusal, STATUS_LABELS } from '../campaigns/lifecycle.js';
import type { DepartmentsImported, ErrorDetail, ImportSummary } from '../contracts.js';
import { AppError, MAX_ERROR_DETAILS } from '../errors.js';
import type { AuditEntry, AuditService } from '../accounts/audit.js';
import { accountsRepository } from '../accounts/repository.js';
import type { AccountsService } from '../accounts/service.js';
import { sha256 } from '../shared/ids.js';
import { runImportTask } from '../imports/worker.js';
import { rosterRepository, type DepartmentFields } from './repository.js';
import { evaluatorRowKey } from './rows.js';
import { departmentCodeKey } from '../../surveys/record.js';

export interface ImportFile {
  bytes: Uint8Array;
  filename?: string;
}

export interface ImportOptions {
  actor: string;
  /** validate and count, write nothing */
  dryRun?: boolean;
}

const MAX_ROWS_IN_MESSAGE = 3;

async function concurrently<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError('CONFLICT', '同一活动的另一次导入正在进行，请稍后重试（本次没有导入任何数据）');
    throw error;
  }
}

/** One row's errors as the office reads them: 第3行「名称」：不能为空；「联络员邮箱」：不是有效的邮箱地址 */
function rowText(line: number | undefined, errors: ErrorDetail[]): string {
  const each = errors.map((e) => `${e.field ? `「${e.field}」：` : ''}${e.message}`).join('；');
  return line === undefined ? each : `第${line}行${errors[0].field ? '' : '：'}${each}`;
}

/** Refuse the file: nothing is imported; the message gives every error of its first rows, the details all of them. */
function rejectFile(errors: ErrorDetail[]): never {
  const sorted = [...errors].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const byLine = new Map<number | undefined, ErrorDetail[]>();
  for (const e of sorted) {
    const row = byLine.get(e.line);
    if (row) row.push(e);
    else byLine.set(e.line, [e]);
  }
  const shown = [...byLine].slice(0, MAX_ROWS_IN_MESSAGE).map(([line, row]) => rowText(line, row));
  const count = `${sorted.length >= MAX_ERROR_DETAILS ? '至少 ' : ''}${sorted.length} 处错误`;
  throw new AppError(
    'VALIDATION_FAILED',
    `文件有 ${count}${byLine.size > 1 ? `（${byLine.size} 行）` : ''}，没有导入任何数据。${shown.join('。')}${byLine.size > MAX_ROWS_IN_MESSAGE ? '……' : ''}`,
    sorted,
  );
}

/** A settled campaign is read-only for good: no import, not even of a new liaison. */
function refuseSettled(campaign: Campaign) {
  if (isSettled(campaign)) throw refusal('不能导入部门', ['已结算的评议只能查看（本次没有导入任何数据）']);
}

/**
 * Once a campaign has opened, evaluators have rated its departments by name within their groups:
 * a new department, a new name or another group would change what given answers and rankings
 * mean. Liaisons and short names can still change (notices go to the liaison of the day).
 */
function refuseMeaningChanges(
  campaign: Campaign,
  inserts: { code: string }[],
  updates: { code: string; set: DepartmentFields }[],
  existing: Map<string, DepartmentFields & { code: string }>,
) {
  if (campaign.state === 'draft') return;
  const renamed = updates.filter((u) => {
    const old = existing.get(departmentCodeKey(u.code));
    return old && (old.name !== u.set.name || old.group !== u.set.group);
  });
  if (!inserts.length && !renamed.length) return;
  const listed = (codes: string[]) =>
    `${codes.slice(0, 5).join('、')}${codes.length > 5 ? ` 等 ${codes.length} 个` : ''}`;
  const what = [
    inserts.length ? `新增部门 ${listed(inserts.map((d) => d.code))}` : '',
    renamed.length ? `修改名称或分组 ${listed(renamed.map((d) => d.code))}` : '',
  ].filter(Boolean);
  throw new AppError(
    'CONFLICT',
    `评议活动开启后不能${what.join('，也不能')}：已有的评价和排名会因此改变含义。开启后只能修改联络员和简称（本次没有导入任何数据）`,
    [...inserts, ...renamed].map((d) => ({ field: '部门代码', message: d.code })),
  );
}

/** A roster search as typed, or none when blank. */
const searched = (q: string | undefined) => q?.trim() || undefined;

/**
 * Department and evaluator imports. A file with any error imports nothing; every error names
 * its row and field. Re-importing a file changes nothing:
 * - departments are identified by code: a new code is inserted; a known code with the same
 *   name, group, short names and liaison is unchanged; with different values it is updated (listed in
 *   `updatedCodes`). Departments missing from the file are kept (never deleted by an import).
 * - evaluators are identified by the whole row (name, organisation, category, phone, email,
 *   normalised): a known row is unchanged, anything else is a new evaluator. An evaluator is
 *   never updated in place: a corrected row is a new person (the old one keeps its invitation).
 */
export function rosterService({ db, clock, config }: AppDeps, audit: AuditService, accounts: AccountsService) {
  /** The audit entry of a written import: the file, its hash and what it changed. */
  function importEntry(
    action: string,
    campaign: Campaign,
    file: ImportFile,
    actor: string,
    summary: ImportSummary,
  ): AuditEntry {
    return {
      actor,
      action,
      campaignId: campaign.id,
      detail: { file: file.filename ?? null, sha256: sha256(Buffer.from(file.bytes).toString('latin1')), ...summary },
    };
  }

  return {
    /**
     * The departments of the file, and the liaison accounts of the campaign's departments (made,
     * renamed, bound: `provisionLiaisons`) in the same transaction: both or neither. A dry run
     * provisions nothing.
     */
    async importDepartments(
      campaign: Campaign,
      file: ImportFile,
      options: ImportOptions,
    ): Promise<DepartmentsImported> {
      refuseSettled(campaign);
      const { rows, errors, headerLine, ignored } = await runImportTask(
        { kind: 'departments', file, config: campaign.config },
        config,
      );
      if (errors.length) rejectFile(errors);
      if (!rows.length) rejectFile([{ line: headerLine + 1, message: '文件中没有部门数据' }]);
      const passwords = options.dryRun
        ? new Map()
        : await accounts.firstLiaisonPasswords(
            rows.map(({ data }) => ({ code: data.code, liaisonName: data.liaison_name ?? null })),
          );

      const now = clock.now().toISOString();
      return concurrently(() =>
        db.kysely.transaction().execute(async (trx) => {
          // settling locks the row too: it waits for this import, or this import reads it settled
          await campaignsRepository(trx).lock(campaign.id);
          const current = (await campaignsRepository(trx).findById(campaign.id))!;
          refuseSettled(current);
          const repo = rosterRepository(trx);
          const existing = new Map((await repo.departments(campaign.id)).map((d) => [departmentCodeKey(d.code), d]));
          const inserts: (DepartmentFields & { code: string })[] = [];
          const updates: { id: string; code: string; set: DepartmentFields }[] = [];
          let unchanged = 0;
          for (const { data } of rows) {
            const set: DepartmentFields = {
              name: data.name,
              group: data.group,
              shortNames: data.short_name ?? [],
              liaisonName: data.liaison_name ?? null,
              liaisonEmail: data.liaison_email ?? null,
            };
            const old = existing.get(departmentCodeKey(data.code));
            if (!old) inserts.push({ code: data.code, ...set });
            else if (
              old.name === set.name &&
              old.group === set.group &&
              old.shortNames.join('、') === set.shortNames.join('、') &&
              old.liaisonName === set.liaisonName &&
              old.liaisonEmail === set.liaisonEmail
            )
              unchanged++;
            else updates.push({ id: old.id, code: old.code, set });
          }
          refuseMeaningChanges(current, inserts, updates, existing);
          // a renamed row is another body: the accounts bound to it (a clone copies last year's) lose it
          const unboundLiaisons: { code: string; username: string }[] = [];
          for (const u of updates)
            if (existing.get(departmentCodeKey(u.code))?.name !== u.set.name)
              for (const username of await accountsRepository(trx).liaisonsOfDepartment(u.id, {
                unbind: !options.dryRun,
              }))
                unboundLiaisons.push({ code: u.code, username });
          const summary: ImportSummary = {
            rows: rows.length,
            inserted: inserts.length,
            updated: updates.length,
            unchanged,
            updatedCodes: updates.map((u) => u.code),
            ...(unboundLiaisons.length ? { unboundLiaisons } : {}),
            ignoredColumns: ignored,
            dryRun: !!options.dryRun,
          };
          if (options.dryRun) return { summary };
          await repo.insertDepartments(campaign.id, inserts, now);
          for (const u of updates) await repo.updateDepartment(u.id, u.set);
          await audit.record(trx, importEntry('import_departments', campaign, file, options.actor, summary));
          const liaisons = await accounts.provisionLiaisons(
            trx,
            await repo.departments(campaign.id),
            passwords,
            options.actor,
          );
          return { summary, liaisons };
        }),
      );
    },

    async importEvaluators(campaign: Campaign, file: ImportFile, options: ImportOptions): Promise<ImportSummary> {
      const status = campaignStatus(campaign, clock.now());
      if (!isBeforeClose(status))
        throw new AppError(
          'CONFLICT',
          `不能导入评议代表：评议活动${STATUS_LABELS[status]}，新的评议代表已无法填写（本次没有导入任何数据）`,
        );
      const { rows, errors, headerLine, ignored } = await runImportTask(
        { kind: 'evaluators', file, config: campaign.config },
        config,
      );
      if (errors.length) rejectFile(errors);
      const keyed = rows.map((r) => ({ ...r, key: evaluatorRowKey(r.data) }));
      if (!rows.length) rejectFile([{ line: headerLine + 1, message: '文件中没有评议代表数据' }]);

      const now = clock.now().toISOString();
      return db.kysely.transaction().execute(async (trx) => {
        const repo = rosterRepository(trx);
        const known = await repo.evaluatorKeys(campaign.id);
        const fresh = keyed.filter((r) => !known.has(r.key));
        const inserted = options.dryRun
          ? fresh.length
          : await repo.insertEvaluators(
              campaign.id,
              fresh.map(({ data, key }) => ({
                rowKey: key,
                name: data.name,
                organisation: data.organisation ?? null,
                category: data.category,
                phone: data.phone ?? null,
                email: data.email ?? null,
              })),
              now,
            );
        const summary: ImportSummary = {
          rows: rows.length,
          inserted,
          updated: 0,
          unchanged: rows.length - inserted,
          ignoredColumns: ignored,
          dryRun: !!options.dryRun,
        };
        if (!options.dryRun)
          await audit.record(trx, importEntry('import_evaluators', campaign, file, options.actor, summary));
        return summary;
      });
    },

    async evaluators(campaignId: string, options: { q?: string; limit?: number; offset?: number } = {}) {
      return rosterRepository(db.kysely).listEvaluators(campaignId, {
        q: searched(options.q),
        limit: Math.min(Math.max(options.limit ?? 50, 1), 500),
        offset: Math.max(options.offset ?? 0, 0),
      });
    },

    /** The roster's size, or how many `q` finds (all of them, past the list's limit). */
    countEvaluators: (campaignId: string, q?: string) =>
      rosterRepository(db.kysely).countEvaluators(campaignId, searched(q)),
  };
}

export type RosterService = ReturnType<typeof rosterService>;
