import type { Kysely } from 'kysely';
import type { AppDeps } from '../context.js';
import type { Database } from '../db/schema.js';
import { loopbackWarning } from '../config.js';
import { campaignState, categoryLabel, type Campaign } from '../campaigns/service.js';
import type { AuditService } from '../accounts/audit.js';
import type { Chase, Progress, ReminderSummary } from '../contracts.js';
import { AppError, SettingMissing } from '../errors.js';
import { campaignStatus, isBeforeClose, STATUS_LABELS } from '../campaigns/lifecycle.js';
import { sha256 } from '../shared/ids.js';
import { groupedToken, newLinkToken } from '../shared/link-token.js';
import type { Evaluator } from '../roster/repository.js';
import { openPendingSpend } from '../shared/sealing.js';
import { unitRows } from './chase.js';
import { byUnitThenName } from './export.js';
import { invitationsRepository } from './repository.js';
import { linkVault } from './vault.js';
import { outboxRepository } from '../outbox/repository.js';
import { channelsOf } from '../outbox/service.js';
import { assertChannels, type Channel, invitationMessage, recipients, reminderMessage } from './messages.js';

/**
 * An invitation as handed out: the plain token exists only here, in the answer of the generate
 * call (and, for a named campaign, sealed in its invitation until the close).
 */
export interface IssuedInvitation {
  evaluatorId: string;
  name: string;
  organisation: string | null;
  category: string;
  phone: string | null;
  email: string | null;
  token: string;
  link: string;
}

export function invitationLink(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/s/${groupedToken(token)}`;
}

/** Whether the office can download a campaign's links again: never for anonymous campaigns (docs/SECURITY.md). */
export type HeldLinks = 'held' | 'anonymous' | 'no-key';

export function invitationsService({ db, clock, config }: AppDeps, audit: AuditService) {
  const repo = invitationsRepository(db.kysely);
  const vault = linkVault(config);
  const heldLinks = (campaign: Campaign): HeldLinks =>
    campaign.mode !== 'named' ? 'anonymous' : vault.available ? 'held' : 'no-key';
  /** A named campaign's token sealed to be held until the close; null when it is not held. */
  const held = (campaign: Campaign, token: string) => (heldLinks(campaign) === 'held' ? vault.seal(token) : null);
  const statusOf = (campaign: Campaign) => campaignStatus(campaign, clock.now());
  /** Links are made only before the close: after it nobody can answer them, and the held ones are erased. */
  const assertBeforeClose = (campaign: Campaign) => {
    const status = statusOf(campaign);
    if (!isBeforeClose(status))
      throw new AppError(
        'CONFLICT',
        `评议活动${STATUS_LABELS[status]}，不能再生成或补发邀请链接：截止后评议代表已无法填写问卷`,
      );
  };

  /** Erase a campaign's held links in `trx`, audited when there were any; how many. */
  async function eraseHeld(trx: Kysely<Database>, campaignId: string, actor: string, reason: 'closed' | 'published') {
    const count = await invitationsRepository(trx).eraseHeldLinks(campaignId);
    if (count)
      await audit.record(trx, { actor, action: 'invitation_links_erase', campaignId, detail: { count, reason } });
    return count;
  }
  const issuedTo = (e: Evaluator, token: string): IssuedInvitation => ({
    evaluatorId: e.id,
    name: e.name,
    organisation: e.organisation,
    category: e.category,
    phone: e.phone,
    email: e.email,
    token,
    link: invitationLink(config.publicUrl, token),
  });

  /**
   * Invitations whose links are spent and wait for their batch to be flagged (at most SEAL_BATCH − 1),
   * opened with NETWORK_SALT. One this process can't open was sealed under another secret (a CLI
   * or a second server started with another NETWORK_SALT): refused, as counting it unspent would
   * count a submission as missing and let the office replace a link already used.
   */
  const pendingSpentIds = async (campaignId: string): Promise<string[]> => {
    const ids = (await repo.pendingSpent(campaignId)).map((p) => openPendingSpend(config.networkSalt, p.pending!));
    const unopened = ids.filter((id) => id === undefined).length;
    if (unopened)
      throw new SettingMissing(
        `本程序的密钥设置与服务器不一致：有 ${unopened} 份刚提交、尚未成批登记的答卷无法核对，为免把已提交的算作未提交，没有执行。请系统管理员用与服务器相同的设置运行后再试`,
        ['NETWORK_SALT'],
      );
    return ids as string[];
  };

  return {
    link: (token: string) => invitationLink(config.publicUrl, token),
    heldLinks,
    /** REMINDER_INTERVAL_DAYS: a person is reminded at most once in this many days unless asked otherwise */
    reminderIntervalDays: config.reminderIntervalDays,
    /** The channels this server can send on: the pages offer only these. */
    channels: channelsOf(config),
    /** Why the links would reach nobody (PUBLIC_URL unset or on this machine), or null. */
    loopbackWarning: () => loopbackWarning(config.publicUrl),

    /**
     * Letters for an address on this machine print QR codes nobody can open: refused before any
     * link is made (a made link can't be shown again) unless the office says it knows.
     */
    assertLettersReachable(options: { allowLoopback: boolean }) {
      const warning = loopbackWarning(config.publicUrl);
      if (warning && !options.allowLoopback)
        throw new SettingMissing(
          `${warning}确需生成（例如试用），请勾选“仍然生成”。`,
          ['PUBLIC_URL'],
          // no detail: the message names the box to tick, in the office's words
          undefined,
          '确需生成（例如试用）：加 --allow-loopback',
        );
    },

    /**
     * One invitation for every evaluator of the campaign without one, before the close. Only the sha256 of each
     * token is stored: the returned list is the one and only time the plain tokens exist.
     */
    async generate(campaign: Campaign, options: { actor: string; send?: Channel[] }): Promise<IssuedInvitation[]> {
      assertBeforeClose(campaign);
      const send = options.send ?? [];
      assertChannels(config, send);
      const now = clock.now().toISOString();
      const evaluators = await repo.evaluatorsWithoutInvitation(campaign.id);
      const issued = evaluators.map((e) => ({ evaluator: e, token: newLinkToken() }));
      const invited = await db.kysely.transaction().execute(async (trx) => {
        const done = await invitationsRepository(trx).insertInvitations(
          campaign.id,
          now,
          issued.map(({ evaluator, token }) => ({
            evaluatorId: evaluator.id,
            category: evaluator.category,
            tokenHash: sha256(token),
            tokenSealed: held(campaign, token),
          })),
        );
        // the messages with the links go in the same commit as their invitations (server/outbox)
        const outbox = outboxRepository(trx);
        const sent = recipients(
          issued.filter((i) => done.has(i.evaluator.id)).map((i) => issuedTo(i.evaluator, i.token)),
          send,
        );
        for (const { person, channel, to } of sent)
          await outbox.enqueue(invitationMessage(campaign, person, channel, to), now);
        if (done.size) {
          await audit.record(trx, {
            actor: options.actor,
            action: 'invitations_generate',
            campaignId: campaign.id,
            detail: {
              count: done.size,
              ...(send.length
                ? { queued: Object.fromEntries(send.map((c) => [c, sent.filter((r) => r.channel === c).length])) }
                : {}),
            },
          });
        }
        return done;
      });
      return issued.filter((i) => invited.has(i.evaluator.id)).map((i) => issuedTo(i.evaluator, i.token));
    },

    /**
     * A new link for one evaluator (a lost letter): the old token stops working. Refused once the
     * invitation has been used, and once the campaign has closed. An evaluator without an invitation gets their first one.
     */
    async regenerate(campaign: Campaign, evaluatorId: string, options: { actor: string }): Promise<IssuedInvitation> {
      assertBeforeClose(campaign);
      const evaluator = await repo.evaluator(campaign.id, evaluatorId);
      if (!evaluator) throw new AppError('NOT_FOUND', '本活动没有这位评议代表');
      // anonymous: the link may have bought a credential whose ballot never arrived, which nobody can tell
      const submitted = new AppError(
        'CONFLICT',
        campaign.mode === 'named'
          ? '这位评议代表已经提交了答卷，链接不能再更换'
          : '这个链接已经用过（匿名评议无法知道答卷是否送达），不能再更换。如果评议代表说提交时网络中断了，请他在当时填写问卷的那部手机或那台电脑上重新打开原链接，会自动完成提交。',
      );
      if (evaluator.invitation?.used) throw submitted;
      // a spent link of an anonymous campaign waits for its batch before its invitation says so
      if (evaluator.invitation && (await pendingSpentIds(campaign.id)).includes(evaluator.invitation.id))
        throw submitted;
      const token = newLinkToken();
      await db.kysely.transaction().execute(async (trx) => {
        const tx = invitationsRepository(trx);
        if (evaluator.invitation) {
          if (!(await tx.replaceToken(evaluator.invitation.id, sha256(token), held(campaign, token)))) {
            throw submitted;
          }
        } else {
          const invited = await tx.insertInvitations(campaign.id, clock.now().toISOString(), [
            {
              evaluatorId: evaluator.id,
              category: evaluator.category,
              tokenHash: sha256(token),
              tokenSealed: held(campaign, token),
            },
          ]);
          if (!invited.size) throw new AppError('CONFLICT', '这位评议代表的邀请刚刚已生成，请重试');
        }
        await audit.record(trx, {
          actor: options.actor,
          action: 'invitation_regenerate',
          campaignId: campaign.id,
          detail: { evaluatorId },
        });
      });
      return issuedTo(evaluator, token);
    },

    /**
     * A named campaign's links not yet used, again, while the campaign has not closed: opened from
     * their held copies (each checked against its invitation's hash). Audited with the count.
     */
    async download(campaign: Campaign, options: { actor: string; format: string }): Promise<IssuedInvitation[]> {
      const why: Record<HeldLinks, string> = {
        anonymous: '匿名评议不保存链接，无法再次下载：生成时请下载全部格式（.zip），遗失的链接请在评议代表名单中补发。',
        'no-key':
          '服务器未设置邀请链接的加密密钥，链接没有保存，无法再次下载（需要时请系统管理员设置）；遗失的链接请在评议代表名单中补发。',
        held: '',
      };
      const holds = heldLinks(campaign);
      if (holds === 'no-key') throw new SettingMissing(why[holds], ['INVITATION_KEY', 'INVITATION_KEY_FILE']);
      if (holds !== 'held') throw new AppError('CONFLICT', why[holds]);
      if (!isBeforeClose(statusOf(campaign)))
        throw new AppError('CONFLICT', '活动已截止，保存的链接已清除，不能再下载');
      const links = (await repo.heldLinks(campaign.id)).flatMap(({ token_hash, token_sealed, ...evaluator }) => {
        const token = vault.open(token_sealed!, token_hash);
        return token === undefined ? [] : [issuedTo(evaluator, token)];
      });
      if (!links.length) throw new AppError('CONFLICT', '没有可下载的链接：还没有生成邀请，或链接都已使用');
      await audit.record(db.kysely, {
        actor: options.actor,
        action: 'invitations_download',
        campaignId: campaign.id,
        detail: { count: links.length, format: options.format },
      });
      return links;
    },

    /**
     * Remind those who have not submitted, without the link, by `channels`, each at most once in
     * `intervalDays`. "Submitted" is what the invitation shows: a named campaign's link is used at
     * once; an anonymous one's only when its batch of SEAL_BATCH is flagged, so a link spent and
     * waiting is reminded like any other (its reminder time then says nothing the flags don't; see
     * docs/SECURITY.md). The waiting spends are still opened first: a process whose secret can't
     * open them is not the server's, and is refused before it writes anything.
     */
    async remind(
      campaign: Campaign,
      options: { actor: string; channels: Channel[]; intervalDays?: number },
    ): Promise<ReminderSummary> {
      if (statusOf(campaign) !== 'open') throw new AppError('CONFLICT', '活动不在进行中，不能发送提醒');
      if (!options.channels.length)
        throw new AppError('VALIDATION_FAILED', '请选择提醒方式（邮件或短信）', [
          { field: 'channels', message: '至少选择一种' },
        ]);
      assertChannels(config, options.channels);
      const intervalDays = options.intervalDays ?? config.reminderIntervalDays;
      const now = clock.now();
      const at = now.toISOString();
      const cutoff = new Date(now.getTime() - intervalDays * 86_400_000).toISOString();
      await pendingSpentIds(campaign.id);
      const due = await repo.toRemind(campaign.id, cutoff);
      const reachable = recipients(due, options.channels);
      return db.kysely.transaction().execute(async (trx) => {
        const noted = await invitationsRepository(trx).markReminded(
          [...new Set(reachable.map((r) => r.person.invitation_id))],
          at,
          cutoff,
        );
        const outbox = outboxRepository(trx);
        const queued = { email: 0, sms: 0 };
        for (const { person, channel, to } of reachable) {
          if (!noted.has(person.invitation_id)) continue;
          await outbox.enqueue(reminderMessage(campaign, person, person.invitation_id, channel, to, at), at);
          queued[channel]++;
        }
        const summary = { people: noted.size, queued, intervalDays };
        await audit.record(trx, {
          actor: options.actor,
          action: 'invitations_remind',
          campaignId: campaign.id,
          detail: summary,
        });
        return summary;
      });
    },

    /** Erase the held links of every campaign closed by now (the scheduler's job); how many. */
    async eraseAfterClose(): Promise<number> {
      let erased = 0;
      for (const campaignId of await repo.closedCampaignsHoldingLinks(clock.now().toISOString()))
        erased += await db.kysely.transaction().execute((trx) => eraseHeld(trx, campaignId, 'scheduler', 'closed'));
      return erased;
    },

    /** Erase a campaign's held links in the transaction of its close (an early close, a past-dated draft's). */
    eraseAtClose: (trx: Kysely<Database>, campaignId: string, actor: string) =>
      eraseHeld(trx, campaignId, actor, 'closed'),

    /** Erase a campaign's held links in the publication's transaction. */
    eraseAtPublication: (trx: Kysely<Database>, campaignId: string, actor: string) =>
      eraseHeld(trx, campaignId, actor, 'published'),

    /**
     * Invited, opened, draft saved, submitted per category, web submissions per day, and the
     * imported responses apart: they answer no invitation, so they are never part of the rate.
     */
    async progress(campaign: Campaign): Promise<Progress> {
      // spent links whose invitations wait for their batch (migration 0023) count as submitted
      const spentIds = await pendingSpentIds(campaign.id);
      const [evaluators, invitations, imported, days] = await Promise.all([
        repo.evaluatorsByCategory(campaign.id),
        repo.invitationsByCategory(campaign.id, spentIds),
        repo.importedByCategory(campaign.id),
        repo.responsesByDay(campaign.id),
      ]);
      const known = new Map(campaign.config.categories.map((c) => [c.code, c.label]));
      const codes = [...known.keys()];
      for (const r of [...evaluators, ...invitations, ...imported])
        if (!known.has(r.category)) codes.push(r.category), known.set(r.category, r.category);
      const categories = codes.map((code) => {
        const inv = invitations.find((r) => r.category === code);
        return {
          code,
          label: known.get(code)!,
          evaluators: evaluators.find((r) => r.category === code)?.n ?? 0,
          invited: inv?.invited ?? 0,
          opened: inv?.opened ?? 0,
          draftSaved: inv?.draftSaved ?? 0,
          submitted: inv?.submitted ?? 0,
          imported: imported.find((r) => r.category === code)?.n ?? 0,
        };
      });
      const totals = { evaluators: 0, invited: 0, opened: 0, draftSaved: 0, submitted: 0, imported: 0 };
      for (const c of categories) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += c[k];
      const perDay: Progress['perDay'] = [];
      for (const r of days) {
        let day = perDay[perDay.length - 1];
        if (!day || day.day !== r.day) perDay.push((day = { day: r.day, total: 0, byCategory: {} }));
        day.byCategory[r.category] = r.n;
        day.total += r.n;
      }
      return { campaign: campaignState(campaign, statusOf(campaign)), categories, totals, perDay };
    },

    /**
     * The chasing list per 单位: named mode names who has not submitted; anonymous mode only
     * counts per category, its small units pooled by the small-cell rule (server/invitations/chase.ts).
     */
    async chase(campaign: Campaign): Promise<Chase> {
      const anonymous = campaign.mode !== 'named';
      const { minCellSize } = campaign.config.scoring;
      const units = await repo.byOrganisation(campaign.id, anonymous ? await pendingSpentIds(campaign.id) : []);
      const people = anonymous
        ? null
        : byUnitThenName(await repo.notSubmitted(campaign.id)).map((p) => ({
            ...p,
            categoryLabel: categoryLabel(campaign, p.category),
          }));
      return {
        campaign: campaignState(campaign, statusOf(campaign)),
        minCellSize,
        organisations: unitRows(units, {
          anonymous,
          minCellSize,
          categories: campaign.config.categories.map((c) => ({ code: c.code, label: c.label })),
        }),
        people,
      };
    },
  };
}

export type InvitationsService = ReturnType<typeof invitationsService>;
