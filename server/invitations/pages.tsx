import type { CampaignStatus } from '../contracts.js';
import type { Campaign } from '../campaigns/service.js';
import { isBeforeClose } from '../campaigns/lifecycle.js';
import { SEAL_BATCH } from '../responses/service.js';
import { reminderRule } from '../../web/lib/reminders.js';
import type { Channel } from './messages.js';
import type { HeldLinks } from './service.js';

/** The file an invitations form asks for: every format in one .zip first. */
function FormatSelect() {
  return (
    <label>
      格式
      <select name="format">
        <option value="bundle">全部格式（.zip：邀请函、Excel 和 CSV 清单，同一批链接）</option>
        <option value="xlsx">Excel 链接清单（.xlsx）</option>
        <option value="csv">CSV 链接清单（.csv）</option>
        <option value="letters">可打印的邀请函（二维码，每人一页 A4）</option>
      </select>
    </label>
  );
}

/** Whether the links can be downloaded again, and why not (docs/SECURITY.md). */
function HeldLinksNote({ held }: { held: HeldLinks }) {
  if (held === 'held')
    return (
      <p id="held-links">
        实名评议：未使用的链接加密保存在服务器上，<strong>活动截止前可随时再次下载</strong>
        （任意格式，只含还没有使用的链接）；活动截止或发布结果时清除。
      </p>
    );
  return (
    <p id="held-links">
      <strong>
        {held === 'anonymous'
          ? '匿名评议：系统只保存链接的摘要，不保存链接本身，链接只在这次下载的文件中出现，无法再次导出'
          : '服务器未设置邀请链接的加密密钥（需要时请系统管理员设置），链接没有保存，只在这次下载的文件中出现，无法再次导出'}
      </strong>
      ；请选“全部格式”并妥善保存文件。遗失的链接可在下方名单中补发。
    </p>
  );
}

type Channels = Record<Channel, boolean>;
const CHANNELS = ['email', 'sms'] as const;
/** what a channel needs on the server, and what it sends, as the office says them */
const CHANNEL_WORDS: Record<Channel, { service: string; message: string }> = {
  email: { service: '邮件服务器', message: '邮件' },
  sms: { service: '短信网关', message: '短信' },
};

/** The channels a form offers, none ticked (a mass message is a choice), and why the others are missing. */
function ChannelChoices({
  channels,
  names,
  labels,
}: {
  channels: Channels;
  names: Record<Channel, string>;
  labels: Record<Channel, string>;
}) {
  const missing = CHANNELS.filter((c) => !channels[c]);
  return (
    <>
      {CHANNELS.filter((c) => channels[c]).map((channel) => (
        <label class="check">
          <input type="checkbox" name={names[channel]} value="1" /> {labels[channel]}
        </label>
      ))}
      {missing.length > 0 && (
        <p class="muted channels-missing">
          未配置{missing.map((c) => CHANNEL_WORDS[c].service).join('和')}，不能发送
          {missing.map((c) => CHANNEL_WORDS[c].message).join('或')}（需要时请系统管理员设置）。
        </p>
      )}
    </>
  );
}

/** The campaign page's invitations card: generate (every format at once by default), download again (named). */
export function InvitationsSection({
  campaign,
  status,
  held,
  toInvite,
  loopback,
  reminderDays,
  channels,
}: {
  campaign: Campaign;
  status: CampaignStatus;
  held: HeldLinks;
  toInvite: number;
  loopback: string | null;
  reminderDays: number;
  channels: Channels;
}) {
  const base = `/api/campaigns/${campaign.slug}`;
  return (
    <section class="card">
      <h2>生成邀请链接</h2>
      {isBeforeClose(status) ? (
        <>
          <p>
            为还没有邀请的评议代表各生成一个专属链接（当前{' '}
            <span id="to-invite" data-live>
              {toInvite}
            </span>{' '}
            人待生成）。“全部格式”一次给出同一批链接的邀请函、Excel 和 CSV 清单。
          </p>
          <HeldLinksNote held={held} />
          {loopback && (
            <>
              <p class="error" role="alert" id="loopback-warning">
                {loopback}
              </p>
              {/* for the generation and the download again; a reissue asks in its own confirmation */}
              <label class="check">
                <input type="checkbox" id="allow-loopback" name="allowLoopback" value="1" />{' '}
                仍然生成（链接指向本机，仅供试用）
              </label>
            </>
          )}
          <form id="invitations" class="inline links" data-endpoint={`${base}/invitations`}>
            <FormatSelect />
            <ChannelChoices
              channels={channels}
              names={{ email: 'sendEmail', sms: 'sendSms' }}
              labels={{ email: '同时发邮件（有邮箱的代表，邮件含链接）', sms: '同时发短信（有电话的代表）' }}
            />
            <button type="submit">生成并下载</button>
            <div class="result" aria-live="polite"></div>
          </form>
        </>
      ) : (
        <p id="invitations-closed">评议已截止，不能再生成或补发邀请链接：截止后评议代表已无法填写问卷。</p>
      )}
      {held === 'held' && isBeforeClose(status) && (
        <form id="invitations-download" class="inline links" data-endpoint={`${base}/invitations/download`}>
          <FormatSelect />
          <button type="submit" class="secondary">
            再次下载未使用的链接
          </button>
          <div class="result" aria-live="polite"></div>
        </form>
      )}
      {status === 'open' && (
        <form
          id="invitations-remind"
          class="inline"
          data-endpoint={`${base}/invitations/remind`}
          data-mode={campaign.mode}
        >
          <h3>提醒未提交的代表</h3>
          <p class="muted" id="remind-rule">
            {reminderRule(campaign.mode, reminderDays, SEAL_BATCH)}
          </p>
          <ChannelChoices
            channels={channels}
            names={{ email: 'email', sms: 'sms' }}
            labels={{ email: '邮件', sms: '短信' }}
          />
          {(channels.email || channels.sms) && (
            <button type="submit" class="secondary">
              发送提醒
            </button>
          )}
          <div class="result" aria-live="polite"></div>
        </form>
      )}
    </section>
  );
}
