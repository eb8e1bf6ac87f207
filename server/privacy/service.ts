import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuditService } from '../accounts/audit.js';
import { campaignsRepository } from '../campaigns/repository.js';
import type { Campaign, CampaignsService } from '../campaigns/service.js';
import type { PurgeCounts, PurgeReport } from '../contracts.js';
import type { AppDeps } from '../context.js';
import type { Database } from '../db/schema.js';
import { AppError, parseOrThrow } from '../errors.js';
import { type FreeTextExtras, freeTextExtras } from '../../surveys/extras.js';
import { evaluatorRepository } from '../evaluator/repository.js';
import { campaignTime } from '../campaigns/lifecycle.js';
import { invitationsRepository } from '../invitations/repository.js';
import { negativesRepository } from '../negatives/repository.js';
import { outboxRepository } from '../outbox/repository.js';
import { responsesRepository } from '../responses/repository.js';
import { rosterRepository } from '../roster/repository.js';
import type { ThrottleService } from '../throttle/service.js';

/** Each count as people read it: what it is, and its unit. In PurgeCounts' order. */
export const PURGE_LABELS: Record<keyof PurgeCounts, { what: string; unit: string }> = {
  evaluators: { what: '评议代表的姓名、单位、电话、邮箱', unit: '人' },
  invitations: { what: '邀请链接的摘要（链接随之失效）', unit: '个' },
  drafts: { what: '未提交的草稿', unit: '份' },
  negativeContacts: { what: '负面情形中留下的联系方式', unit: '条' },
  responses: { what: '答卷中的单位/项目、联系方式和自填文字', unit: '份' },
  networkKeys: { what: '网络地址标识（限流记录）', unit: '条' },
  messages: { what: '发出或待发的邀请、提醒邮件和短信（收件地址和内容）', unit: '条' },
};

/** What a purge keeps, as the page and the CLI say it. */
export const PURGE_KEEPS = '答卷的计分内容、结果快照、工作提示单及台账、审计日志保留不变，得分不受影响。';

/** One line per count: `评议代表的姓名、单位、电话、邮箱：120 人`. */
export const purgeLines = (counts: PurgeCounts): string[] =>
  (Object.keys(PURGE_LABELS) as (keyof PurgeCounts)[]).map(
    (k) => `${PURGE_LABELS[k].what}：${counts[k]} ${PURGE_LABELS[k].unit}`,
  );

const confirmation = z.strictObject({ confirm: z.string({ message: '请输入活动代码以确认' }).max(200) });

/**
 * The end of a campaign's personal data (PIPL): once it has closed, the office purges the roster,
 * the contacts evaluators volunteered, the network keys, the links' secrets and the invitation and
 * reminder messages, in one
 * transaction. What scoring reads stays byte for byte (docs/PRIVACY.md), so do the snapshots,
 * the notices and their ledger. A second purge finds nothing and says so.
 */
export function privacyService(
  { db, clock }: AppDeps,
  campaigns: CampaignsService,
  audit: AuditService,
  throttle: ThrottleService,
) {
  /** The campaign, once it has closed (409 before it opens and while it is open). */
  async function closed(slug: string): Promise<Campaign> {
    const campaign = await campaigns.getBySlug(slug);
    const status = campaigns.status(campaign);
    if (status === 'draft' || status === 'scheduled')
      throw new AppError(
        'CONFLICT',
        `评议活动 ${campaign.name} 尚未开始，截止（${campaignTime(campaign, campaign.closesAt)}）后才能清除个人信息`,
      );
    if (status === 'open' || status === 'paused')
      throw new AppError(
        'CONFLICT',
        `评议活动 ${campaign.name} 正在进行，截止（${campaignTime(campaign, campaign.closesAt)}）后才能清除个人信息`,
      );
    return campaign;
  }

  /**
   * Every part of the purge on `executor`; `dryRun` counts what it would change. `freeText` is read
   * before: on SQLite a read outside the transaction would wait for it.
   */
  async function sweep(
    executor: Kysely<Database>,
    campaign: Campaign,
    freeText: FreeTextExtras,
    dryRun: boolean,
  ): Promise<PurgeCounts> {
    const drafts = evaluatorRepository(executor);
    return {
      evaluators: await rosterRepository(executor).purgeEvaluators(campaign.id, dryRun),
      invitations: await invitationsRepository(executor).retireTokens(campaign.id, dryRun),
      drafts: dryRun ? await drafts.countCampaignDrafts(campaign.id) : await drafts.deleteCampaignDrafts(campaign.id),
      negativeContacts: await negativesRepository(executor).purgeContacts(campaign.id, dryRun),
      responses: await responsesRepository(executor).purgePersonalData(campaign.id, dryRun, freeText),
      networkKeys: await throttle.forgetNetworks(executor, dryRun),
      messages: await outboxRepository(executor).purgeCampaign(campaign.id, dryRun),
    };
  }

  const freeTextOf = async (campaign: Campaign) => freeTextExtras((await campaigns.departmentIndex(campaign)).extras);

  const total = (counts: PurgeCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

  return {
    /** What a purge would clear now, changing nothing (409 unless the campaign has closed). */
    async preview(slug: string): Promise<{ campaign: Campaign; counts: PurgeCounts; total: number }> {
      const campaign = await closed(slug);
      const counts = await sweep(db.kysely, campaign, await freeTextOf(campaign), true);
      return { campaign, counts, total: total(counts) };
    },

    /**
     * Purge a closed campaign's personal data; `body.confirm` must be the campaign's slug (400
     * otherwise). One audit row with the counts, in the same transaction.
     */
    async purge(slug: string, body: unknown, actor: string): Promise<PurgeReport> {
      const { confirm } = parseOrThrow(confirmation, body, '确认');
      const campaign = await closed(slug);
      if (confirm.trim() !== campaign.slug)
        throw new AppError('BAD_REQUEST', `确认文字与活动代码不符：请输入 ${campaign.slug}`, [
          { field: 'confirm', message: `应为 ${campaign.slug}` },
        ]);
      const now = clock.now().toISOString();
      const freeText = await freeTextOf(campaign);
      return db.kysely.transaction().execute(async (trx) => {
        const counts = await sweep(trx, campaign, freeText, false);
        const sum = total(counts);
        // re-read inside: a purge committed meanwhile is the earlier one
        const previouslyPurgedAt = (await campaignsRepository(trx).findById(campaign.id))?.purgedAt ?? null;
        const purgedAt = previouslyPurgedAt && sum === 0 ? previouslyPurgedAt : now;
        if (purgedAt === now) await campaignsRepository(trx).markPurged(campaign.id, now);
        await audit.record(trx, {
          actor,
          action: 'personal_data_purge',
          campaignId: campaign.id,
          detail: { counts, total: sum },
        });
        return { campaign: campaign.slug, counts, total: sum, purgedAt, previouslyPurgedAt };
      });
    },
  };
}

export type PrivacyService = ReturnType<typeof privacyService>;
