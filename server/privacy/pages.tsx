import { CSRF_FIELD } from '../accounts/middleware.js';
import type { Campaign } from '../campaigns/service.js';
import { isBeforeClose } from '../campaigns/lifecycle.js';
import type { CampaignStatus, PurgeCounts } from '../contracts.js';
import { Time } from '../http/components/time.js';
import { PURGE_KEEPS, purgeLines } from './service.js';

/** What the office's campaign page knows of a purge: the counts it would clear, a refusal, the one just done. */
export interface PurgeState {
  /** what a purge would clear now (null while the campaign has not closed) */
  preview: PurgeCounts | null;
  /** the service's refusal of the form just sent */
  error?: string;
  /** what was typed into the confirmation before a refusal */
  typed?: string;
  /** the number of items the purge just done cleared (after its redirect) */
  done?: number;
}

/**
 * The office's "清除个人信息" on a campaign's page: a plain form (works without a script) that
 * posts the slug typed as confirmation, refused by the service before the campaign closes.
 */
export function PurgeSection({
  campaign,
  status,
  csrf,
  purge,
}: {
  campaign: Campaign;
  status: CampaignStatus;
  csrf: string;
  purge: PurgeState;
}) {
  const zone = campaign.config.timeZone;
  const { preview } = purge;
  const pending = preview ? Object.values(preview).reduce((a, b) => a + b, 0) : 0;
  return (
    <section class="card" id="purge">
      <h2>清除个人信息</h2>
      {campaign.purgedAt && (
        <p id="purged-at" class="ok">
          个人信息已于 <Time at={campaign.purgedAt} zone={zone} /> 清除。
        </p>
      )}
      {purge.done !== undefined && (
        <p class="ok" role="status" id="purge-done">
          {purge.done > 0 ? `本次清除 ${purge.done} 项。` : '没有需要清除的个人信息，本次未清除任何内容。'}
        </p>
      )}
      {purge.error && (
        <p class="error" role="alert" id="purge-error">
          {purge.error}
        </p>
      )}
      <p class="muted">
        评议截止后，评议代表名单中的姓名、单位、电话、邮箱，负面情形和答卷中留下的联系方式、单位，网络地址标识，未提交的草稿和邀请链接的摘要将被删除或不可恢复地抹去。
        {PURGE_KEEPS}
      </p>
      {isBeforeClose(status) || !preview ? (
        <p>
          评议截止（
          <Time at={campaign.closesAt} zone={zone} />
          ）后才能清除。
        </p>
      ) : (
        <>
          {pending > 0 ? (
            <ul id="purge-preview">
              {purgeLines(preview).map((line) => (
                <li>{line}</li>
              ))}
            </ul>
          ) : (
            <p id="purge-preview">目前没有需要清除的个人信息。</p>
          )}
          <form method="post" action={`/admin/campaigns/${campaign.slug}/purge`} class="inline" id="purge-form">
            <input type="hidden" name={CSRF_FIELD} value={csrf} />
            <label>
              清除后无法恢复。请输入活动代码 <code>{campaign.slug}</code> 以确认
              <input name="confirm" required autocomplete="off" maxlength={200} value={purge.typed ?? ''} />
            </label>
            <button type="submit">清除个人信息</button>
          </form>
        </>
      )}
    </section>
  );
}
