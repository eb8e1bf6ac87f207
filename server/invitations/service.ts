import type { AppDeps } from '../context.js';
import type { Campaign } from '../campaigns/service.js';
import type { AuditService } from '../accounts/audit.js';
import type { CampaignStatus, Progress } from '../contracts.js';
import { AppError } from '../errors.js';
import { newId, newToken, sha256 } from '../shared/ids.js';
import { invitationsRepository } from './repository.js';

/** An invitation as handed out: the plain token exists only here, in the answer of the generate call. */
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
  return `${publicUrl.replace(/\/+$/, '')}/s/${token}`;
}

export function invitationsService({ db, clock, config }: AppDeps, audit: AuditService) {
  const repo = invitationsRepository(db.kysely);

  return {
    link: (token: string) => invitationLink(config.publicUrl, token),

    /**
     * One invitation for every evaluator of the campaign without one. Only the sha256 of each
     * token is stored: the returned list is the one and only time the plain tokens exist.
     */
    async generate(campaign: Campaign, options: { actor: string }): Promise<IssuedInvitation[]> {
      const now = clock.now().toISOString();
      const evaluators = await repo.evaluatorsWithoutInvitation(campaign.id);
      const issued = evaluators.map((e) => {
        const token = newToken();
        return {
          evaluator: e,
          token,
          row: {
            id: newId(),
            campaign_id: campaign.id,
            evaluator_id: e.id,
            category: e.category,
            token_hash: sha256(token),
            created_at: now,
            opened_at: null,
            draft_saved_at: null,
            used: 0,
            used_at: null,
          },
        };
      });
      const invited = await db.kysely.transaction().execute(async (trx) => {
        const done = await invitationsRepository(trx).insertInvitations(issued.map((i) => i.row));
        if (done.size) {
          await audit.record(trx, {
            actor: options.actor,
            action: 'invitations_generate',
            campaignId: campaign.id,
            detail: { count: done.size },
          });
        }
        return done;
      });
      return issued
        .filter((i) => invited.has(i.evaluator.id))
        .map(({ evaluator: e, token }) => ({
          evaluatorId: e.id,
          name: e.name,
          organisation: e.organisation,
          category: e.category,
          phone: e.phone,
          email: e.email,
          token,
          link: invitationLink(config.publicUrl, token),
        }));
    },

    /**
     * A new link for one evaluator (a lost letter): the old token stops working. Refused once the
     * invitation has been used. An evaluator without an invitation gets their first one.
     */
    async regenerate(campaign: Campaign, evaluatorId: string, options: { actor: string }): Promise<IssuedInvitation> {
      const evaluator = await repo.evaluator(campaign.id, evaluatorId);
      if (!evaluator) throw new AppError('NOT_FOUND', '本活动没有这位评议代表');
      if (Number(evaluator.used) === 1) throw new AppError('CONFLICT', '这位评议代表已经提交了答卷，链接不能再更换');
      const token = newToken();
      await db.kysely.transaction().execute(async (trx) => {
        const tx = invitationsRepository(trx);
        if (evaluator.invitation_id) {
          if (!(await tx.replaceToken(evaluator.invitation_id, sha256(token)))) {
            throw new AppError('CONFLICT', '这位评议代表已经提交了答卷，链接不能再更换');
          }
        } else {
          const invited = await tx.insertInvitations([
            {
              id: newId(),
              campaign_id: campaign.id,
              evaluator_id: evaluator.id,
              category: evaluator.category,
              token_hash: sha256(token),
              created_at: clock.now().toISOString(),
              opened_at: null,
              draft_saved_at: null,
              used: 0,
              used_at: null,
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
      return {
        evaluatorId: evaluator.id,
        name: evaluator.name,
        organisation: evaluator.organisation,
        category: evaluator.category,
        phone: evaluator.phone,
        email: evaluator.email,
        token,
        link: invitationLink(config.publicUrl, token),
      };
    },

    /** Invited, opened, draft saved, submitted per category, and submissions per day. */
    async progress(campaign: Campaign, status: CampaignStatus): Promise<Progress> {
      const [evaluators, invitations, responses, days] = await Promise.all([
        repo.evaluatorsByCategory(campaign.id),
        repo.invitationsByCategory(campaign.id),
        repo.responsesByCategory(campaign.id),
        repo.responsesByDay(campaign.id),
      ]);
      const known = new Map(campaign.config.categories.map((c) => [c.code, c.label]));
      const codes = [...known.keys()];
      for (const r of [...evaluators, ...invitations, ...responses])
        if (!known.has(r.category)) codes.push(r.category), known.set(r.category, r.category);
      const categories = codes.map((code) => {
        const inv = invitations.find((r) => r.category === code);
        return {
          code,
          label: known.get(code)!,
          evaluators: Number(evaluators.find((r) => r.category === code)?.n ?? 0),
          invited: Number(inv?.invited ?? 0),
          opened: Number(inv?.opened ?? 0),
          draftSaved: Number(inv?.draft_saved ?? 0),
          submitted: Number(inv?.submitted ?? 0),
          responses: Number(responses.find((r) => r.category === code)?.n ?? 0),
        };
      });
      const totals = { evaluators: 0, invited: 0, opened: 0, draftSaved: 0, submitted: 0, responses: 0 };
      for (const c of categories) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += c[k];
      const perDay: Progress['perDay'] = [];
      for (const r of days) {
        let day = perDay[perDay.length - 1];
        if (!day || day.day !== r.submitted_day)
          perDay.push((day = { day: r.submitted_day, total: 0, byCategory: {} }));
        day.byCategory[r.category] = Number(r.n);
        day.total += Number(r.n);
      }
      return {
        campaign: {
          slug: campaign.slug,
          name: campaign.name,
          status,
          opensAt: campaign.opensAt,
          closesAt: campaign.closesAt,
          mode: campaign.mode,
          timeZone: campaign.config.timeZone,
        },
        categories,
        totals,
        perDay,
      };
    },
  };
}

export type InvitationsService = ReturnType<typeof invitationsService>;
