import type { AuditService } from '../accounts/audit.js';
import type { Campaign, CampaignsService } from '../campaigns/service.js';
import type {
  PublicationPreview,
  Comparison,
  DepartmentFigures,
  DepartmentView,
  MyResults,
  FiguresChange,
  QuestionnaireVersionCount,
  ResultView,
  SnapshotChanges,
  SnapshotSummary,
  Trend,
  ViewCampaign,
} from '../contracts.js';
import type { AppDeps } from '../context.js';
import type { ResponsesService } from '../responses/service.js';
import type { NegativesService } from '../negatives/service.js';
import { AppError } from '../errors.js';
import { newId } from '../shared/ids.js';
import type { CampaignResult } from '../../scoring/index.js';
import type { InvitationsService } from '../invitations/service.js';
import { officeActor, type NoticesService, type PublishedResult } from '../notices/service.js';
import { methodChanges, methodFromConfig } from './method.js';
import type { ReadInputs, StoredInputs } from './scoring-tasks.js';
import { scoreOffThread } from './scoring-thread.js';
import {
  resultsRepository,
  type Snapshot,
  type SnapshotHead,
  type SnapshotRecord,
  type StoredResult,
} from './repository.js';
import { catalogsOf, toView } from './view.js';

export type { StoredResult };

export interface ComputeOptions {
  /** false: official scores only, without the bootstrap (fast) */
  uncertainty?: boolean;
}

function toSummary(snapshot: SnapshotHead, slug: string): SnapshotSummary {
  const { changes } = snapshot;
  return {
    id: snapshot.id,
    campaign: slug,
    createdAt: snapshot.createdAt,
    createdBy: snapshot.createdBy,
    inputsHash: snapshot.inputsHash,
    counts: snapshot.counts,
    changes: changes && {
      previous: changes.previous.id,
      decisions: changes.decisions.length,
      departments: changes.departments.length,
    },
  };
}

/**
 * A view of a stored snapshot, built from what was stored only (never the campaign's current
 * config), apart from the time zone its times are shown in: snapshots don't store it (those
 * published before campaigns had one couldn't), and it is display, not result.
 */
function snapshotView(snapshot: Snapshot, timeZone: string): ResultView {
  const { stored } = snapshot;
  return {
    ...toView({ ...stored.campaign, timeZone }, stored.catalogs, stored.result, {
      id: snapshot.id,
      createdAt: snapshot.createdAt,
      createdBy: snapshot.createdBy,
    }),
    ...(stored.questionnaireVersions ? { questionnaireVersions: stored.questionnaireVersions } : {}),
    changes: snapshot.changes,
  };
}

const figuresOf = (d: DepartmentView | undefined): DepartmentFigures | null =>
  d
    ? {
        finalScore: d.finalScore,
        deduction: d.deduction,
        verifiedNegatives: d.verifiedNegatives,
        rank: d.rank,
        grade: d.grade,
      }
    : null;

/** The departments whose official figures differ between two views, in the newer one's order. */
function figuresChanges(before: ResultView, after: ResultView): FiguresChange[] {
  const earlier = new Map(before.departments.map((d) => [d.code, d]));
  const changes: FiguresChange[] = [];
  for (const d of after.departments) {
    const [from, to] = [figuresOf(earlier.get(d.code)), figuresOf(d)];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ code: d.code, name: d.name, from, to });
    earlier.delete(d.code);
  }
  for (const d of earlier.values()) changes.push({ code: d.code, name: d.name, from: figuresOf(d), to: null });
  return changes;
}

const viewCampaign = (campaign: Campaign): ViewCampaign => ({
  slug: campaign.slug,
  name: campaign.name,
  timeZone: campaign.config.timeZone,
});

/** How stale the live (unpublished) figures may be; published snapshots are never recomputed. */
export const LIVE_MAX_AGE_MS = 60_000;

interface LiveEntry {
  at: number;
  /** the campaign's last decision on a negative report when computed */
  decisions: number;
  /** the campaign's revision when computed (a draft's config edited since: computed again) */
  revision: number;
  settled: boolean;
  pending: Promise<{ campaign: Campaign; result: CampaignResult; questionnaireVersions: QuestionnaireVersionCount[] }>;
}

/** What drafting notices reads of a snapshot: its figures as published. */
function publishedResult(snapshot: Snapshot): PublishedResult {
  return {
    campaignId: snapshot.campaignId,
    campaignName: snapshot.stored.campaign.name,
    snapshotId: snapshot.id,
    publishedAt: snapshot.createdAt,
    result: snapshot.stored.result,
    catalogs: snapshot.stored.catalogs,
  };
}

export function resultsService(
  { db, clock }: AppDeps,
  campaigns: CampaignsService,
  responses: ResponsesService,
  negatives: NegativesService,
  audit: AuditService,
  notices: Pick<NoticesService, 'draftFromSnapshot'>,
  invitations: Pick<InvitationsService, 'eraseAtPublication'>,
) {
  const repo = resultsRepository(db.kysely);
  /**
   * Live figures, reused for up to LIVE_MAX_AGE_MS per campaign: near the deadline every
   * submission changes the inputs, and reading and bootstrapping 10,000 responses holds the event
   * loop (better-sqlite3 is synchronous) for a second or more, which evaluators would feel.
   * Concurrent viewers share one computation. The point figures (`quick`) and the full ones (with
   * the bootstrap) are kept apart, so a page asking for the point figures never waits for a
   * bootstrap still running: it gets the full figures only once they are there.
   */
  const liveResults = new Map<string, { quick?: LiveEntry; full?: LiveEntry }>();
  /** the last full computation per campaign, reused while the inputs hash is unchanged */
  const cache = new Map<string, { hash: string; uncertainty: boolean; result: CampaignResult }>();

  /**
   * Reading (when the database gives the thread a read-only connection of its own: this thread
   * only hands over the stored rows of an in-memory database), screening, scores and (with
   * `uncertainty`) the bootstrap, in a worker thread (scoring-thread.ts).
   */
  async function computeOf(campaign: Campaign, options: ComputeOptions = {}) {
    const uncertainty = options.uncertainty !== false;
    const inputs: ReadInputs | StoredInputs = db.reads
      ? { source: db.reads, campaignId: campaign.id }
      : { rows: await repo.loadInputRows(campaign.id), negatives: await negatives.scoringEntries(campaign.id) };
    const hit = cache.get(campaign.id);
    const usable = hit && (hit.uncertainty || !uncertainty) ? hit : undefined;
    const scored = await scoreOffThread({
      method: methodFromConfig(campaign.config),
      ...inputs,
      uncertainty,
      knownHash: usable?.hash,
    });
    const { hash } = scored;
    const result = scored.result ?? usable!.result;
    // point figures finishing after a bootstrap of the same inputs must not replace it
    if (scored.result && !(hit?.hash === hash && hit.uncertainty && !uncertainty))
      cache.set(campaign.id, { hash, uncertainty, result });
    return { campaign, result, questionnaireVersions: scored.questionnaireVersions ?? [] };
  }
  const compute = async (slug: string, options: ComputeOptions = {}) =>
    computeOf(await campaigns.getBySlug(slug), options);

  const found = <T>(snapshot: T | undefined): T => {
    if (!snapshot) throw new AppError('NOT_FOUND', '没有这个结果快照');
    return snapshot;
  };
  const getSnapshot = async (id: string): Promise<Snapshot> => found(await repo.findSnapshot(id));

  /** Views of snapshots, each in its campaign's time zone (a campaign read once per call). */
  function snapshotViews() {
    const zones = new Map<string, Promise<string>>();
    return (snapshot: Snapshot) => {
      const { campaignId } = snapshot;
      let zone = zones.get(campaignId);
      if (!zone) zones.set(campaignId, (zone = campaigns.getById(campaignId).then((c) => c.config.timeZone)));
      return zone.then((timeZone) => snapshotView(snapshot, timeZone));
    };
  }

  return {
    /** The raw result (figures unsuppressed): for the snapshot and the tests; never sent as is. */
    compute,

    /**
     * Live computation, shaped and suppressed. A decision on a negative report (in this process or
     * another) shows at once: the cached figures are reused only while the campaign's last
     * decision is the same.
     */
    async live(slug: string, options: ComputeOptions = {}): Promise<ResultView> {
      const uncertainty = options.uncertainty !== false;
      const now = clock.now().getTime();
      // an unknown campaign is refused before it takes a place among the cached ones; by id, as
      // a draft's edit may change its code, and its revision, so an edit shows at once
      const current = await campaigns.getBySlug(slug);
      const { id, revision } = current;
      const decisions = await negatives.lastDecisionOf(slug);
      const slot = liveResults.get(id) ?? {};
      liveResults.set(id, slot);
      const fresh = (entry: LiveEntry | undefined): entry is LiveEntry =>
        entry !== undefined &&
        now - entry.at < LIVE_MAX_AGE_MS &&
        entry.decisions === decisions &&
        entry.revision === revision;
      const start = (kind: 'quick' | 'full'): LiveEntry => {
        const entry: LiveEntry = {
          at: now,
          decisions,
          revision,
          settled: false,
          pending: computeOf(current, { uncertainty }),
        };
        slot[kind] = entry;
        entry.pending.then(
          () => (entry.settled = true),
          // a failed computation is not cached: the next viewer tries again
          () => slot[kind] === entry && delete slot[kind],
        );
        return entry;
      };
      const entry = uncertainty
        ? fresh(slot.full)
          ? slot.full
          : start('full')
        : fresh(slot.full) && slot.full.settled
          ? slot.full
          : fresh(slot.quick)
            ? slot.quick
            : start('quick');
      const { campaign, result, questionnaireVersions } = await entry.pending;
      return {
        ...toView(viewCampaign(campaign), catalogsOf(campaign.config), result),
        questionnaireVersions,
        computedAt: new Date(entry.at).toISOString(),
      };
    },

    /**
     * Publish: compute the full result and store it as a new, immutable snapshot (method, input
     * counts, input hash, result). Earlier snapshots are never touched: after the first, the new
     * one records what changed since the previous one and why (a correction).
     */
    async publish(slug: string, actor: string): Promise<SnapshotSummary> {
      const sealed = await campaigns.getBySlug(slug);
      await campaigns.assertPublishable(sealed);
      await responses.sealRemaining(sealed);
      // read before computing: a decision arriving meanwhile is listed by the next snapshot, never lost
      const decisionsThrough = await negatives.lastDecision(sealed.id);
      const { campaign, result, questionnaireVersions } = await compute(slug, { uncertainty: true });
      if (result.inputs.responses === 0)
        throw new AppError('CONFLICT', `评议活动 ${campaign.name} 还没有答卷，无法发布结果`);
      const stored: StoredResult = {
        campaign: { slug: campaign.slug, name: campaign.name },
        catalogs: catalogsOf(campaign.config),
        result,
        questionnaireVersions,
      };
      const counts = {
        responses: result.inputs.responses,
        included: result.inputs.included,
        excluded: result.inputs.excluded,
        flagged: result.inputs.flagged,
      };
      const previous = await repo.latestSnapshot(campaign.id);
      const changes: SnapshotChanges | null = previous
        ? {
            previous: { id: previous.id, createdAt: previous.createdAt },
            decisions: await negatives.decisionsBetween(campaign.id, previous.decisionsThrough, decisionsThrough),
            departments: figuresChanges(
              snapshotView(previous, campaign.config.timeZone),
              toView(viewCampaign(campaign), stored.catalogs, result),
            ),
          }
        : null;
      // the snapshot, its audit row and the notices it calls for (重点整改, problem shares) commit together
      const row = await db.kysely.transaction().execute(async (trx) => {
        const tx = resultsRepository(trx);
        // created_at orders a campaign's snapshots: keep it strictly increasing even within one millisecond
        const latest = await tx.latestSnapshot(campaign.id);
        let at = clock.now();
        if (latest && Date.parse(latest.createdAt) >= at.getTime()) at = new Date(Date.parse(latest.createdAt) + 1);
        const snapshot = await tx.insertSnapshot({
          id: newId(),
          campaignId: campaign.id,
          createdAt: at.toISOString(),
          createdBy: actor,
          method: result.method,
          inputsHash: result.inputs.hash,
          counts,
          stored,
          decisionsThrough,
          changes,
        });
        await audit.record(trx, {
          actor,
          action: 'results_publish',
          campaignId: campaign.id,
          detail: {
            snapshot: snapshot.id,
            inputsHash: snapshot.inputsHash,
            counts,
            corrections: changes?.decisions.length ?? 0,
          },
        });
        await campaigns.markPublished(trx, sealed);
        await notices.draftFromSnapshot(trx, publishedResult(snapshot), officeActor(actor));
        // the links a named campaign held for downloading again go with the publication
        await invitations.eraseAtPublication(trx, campaign.id, actor);
        return snapshot;
      });
      return toSummary(row, campaign.slug);
    },

    /**
     * What publishing now would publish (the publish confirmation): the responses counted and
     * excluded, the departments ranked; and why it can't be published yet, if it can't.
     */
    async publication(slug: string): Promise<PublicationPreview> {
      const campaign = await campaigns.getBySlug(slug);
      const refused = await campaigns.assertPublishable(campaign).then(
        () => null,
        (error: unknown) => {
          if (error instanceof AppError) return error.message;
          throw error;
        },
      );
      const { result } = await computeOf(campaign, { uncertainty: false });
      const ranked = result.departments.filter((d) => d.ranked).length;
      return {
        campaign: slug,
        refused,
        republish: (await repo.latestSnapshot(campaign.id)) !== undefined,
        counts: {
          responses: result.inputs.responses,
          included: result.inputs.included,
          excluded: result.inputs.excluded,
          flagged: result.inputs.flagged,
        },
        departments: { total: result.departments.length, ranked, unranked: result.departments.length - ranked },
        unverifiedNegatives: await negatives.unverified(campaign.id),
      };
    },

    /** The latest published snapshot of a campaign as notices quote it, or null before publication. */
    async latestPublished(campaignId: string): Promise<PublishedResult | null> {
      const row = await repo.latestSnapshot(campaignId);
      return row ? publishedResult(row) : null;
    },

    /**
     * The office's decisions on negative reports since the campaign's latest snapshot: the live
     * figures already show them; a published snapshot will once a correction is published.
     */
    async unpublishedCorrections(slug: string) {
      const campaign = await campaigns.getBySlug(slug);
      const [latest] = await repo.listSnapshots(campaign.id);
      return {
        latestSnapshot: latest ? { id: latest.id, createdAt: latest.createdAt } : null,
        decisions: latest
          ? await negatives.decisionsBetween(
              campaign.id,
              latest.decisionsThrough,
              await negatives.lastDecision(campaign.id),
            )
          : [],
      };
    },

    async snapshots(slug: string): Promise<SnapshotSummary[]> {
      const campaign = await campaigns.getBySlug(slug);
      return (await repo.listSnapshots(campaign.id)).map((r) => toSummary(r, campaign.slug));
    },

    /** Every published snapshot, newest campaign first, each with its campaign's name. */
    async allSnapshots(): Promise<(SnapshotSummary & { campaignName: string })[]> {
      return (await repo.allSnapshots()).map((r) => ({ ...toSummary(r, r.slug), campaignName: r.campaignName }));
    },

    async snapshot(id: string): Promise<ResultView> {
      return snapshotViews()(await getSnapshot(id));
    },

    /** The stored record exactly as published (for audits and the immutability test). */
    async storedSnapshot(id: string): Promise<SnapshotRecord> {
      return found(await repo.findRecord(id));
    },

    /** Two snapshots department by department, matched by code, and how their methods differ. */
    async compare(fromId: string, toId: string): Promise<Comparison> {
      const view = snapshotViews();
      const [fromSnapshot, toSnapshot] = [await getSnapshot(fromId), await getSnapshot(toId)];
      const [a, b] = [await view(fromSnapshot), await view(toSnapshot)];
      // 简称 are the roster's today (the office may add them after the close): the compared campaign's first if both have one
      const shortNames = new Map<string, string>();
      for (const campaignId of [fromSnapshot.campaignId, toSnapshot.campaignId])
        for (const d of await campaigns.departments(campaignId))
          if (d.shortNames[0]) shortNames.set(d.code, d.shortNames[0]);
      const byCode = new Map<string, { from?: DepartmentView; to?: DepartmentView }>();
      for (const d of a.departments) byCode.set(d.code, { from: d });
      for (const d of b.departments) byCode.set(d.code, { ...byCode.get(d.code), to: d });
      const pick = (d?: DepartmentView) =>
        d ? { finalScore: d.finalScore, rank: d.rank, grade: d.grade, ranked: d.ranked } : null;
      const order = new Map(b.departments.map((d, i) => [d.code, i]));
      return {
        from: { snapshot: a.snapshot!.id, campaign: a.campaign, createdAt: a.snapshot!.createdAt },
        to: { snapshot: b.snapshot!.id, campaign: b.campaign, createdAt: b.snapshot!.createdAt },
        // each snapshot's method as published with it, not its campaign's config today
        methodChanges: methodChanges(a.method, b.method),
        departments: [...byCode.entries()]
          .sort(([x], [y]) => (order.get(x) ?? 1e9) - (order.get(y) ?? 1e9) || (x < y ? -1 : 1))
          .map(([code, { from, to }]) => {
            const d = (to ?? from)!;
            return {
              code,
              name: d.name,
              shortName: shortNames.get(code) ?? null,
              group: d.group,
              groupLabel: d.groupLabel,
              from: pick(from),
              to: pick(to),
              scoreChange:
                from?.finalScore != null && to?.finalScore != null
                  ? Math.round((to.finalScore - from.finalScore) * 100) / 100
                  : null,
              rankChange: from?.rank != null && to?.rank != null ? from.rank - to.rank : null,
            };
          }),
      };
    },

    /** A department across campaigns: its figures in the latest snapshot of every campaign that has one. */
    async trend(code: string): Promise<Trend> {
      const rows = await repo.latestSnapshots();
      const views = snapshotViews();
      const points: Trend['points'] = [];
      for (const row of rows) {
        const view = await views(row);
        const d = view.departments.find((x) => x.code === code);
        if (!d) continue;
        const groupSize = view.departments.filter((x) => x.group === d.group && x.ranked).length;
        points.push({
          campaign: view.campaign,
          snapshot: row.id,
          publishedAt: row.createdAt,
          finalScore: d.finalScore,
          scoreInterval: d.uncertainty.scoreInterval,
          rank: d.rank,
          groupSize,
          grade: d.grade,
          satisfactionRate: d.satisfactionRate,
          validRaters: d.validRaters,
        });
      }
      return { code, points };
    },

    /** A liaison's view: only their own department, only from published snapshots, newest campaign first. */
    /**
     * A liaison's published results: of the department rows they are the liaison of only (their
     * campaign and code), so a code another campaign gave to another department shows nothing of it.
     */
    async departmentResults(code: string, bound: readonly { campaignId: string; code: string }[]): Promise<MyResults> {
      const codeIn = new Map(bound.map((b) => [b.campaignId, b.code]));
      const rows = (await repo.latestSnapshots()).filter((row) => codeIn.has(row.campaignId));
      const views = snapshotViews();
      const results: MyResults['results'] = [];
      for (const row of rows.reverse()) {
        const view = await views(row);
        const d = view.departments.find((x) => x.code === codeIn.get(row.campaignId));
        if (!d) continue;
        results.push({
          campaign: view.campaign,
          snapshot: { id: row.id, publishedAt: row.createdAt },
          method: view.method,
          catalogs: view.catalogs,
          groupSize: view.departments.filter((x) => x.group === d.group && x.ranked).length,
          // the codes of departments statistically tied with this one are other departments' results
          department: { ...d, uncertainty: { ...d.uncertainty, statisticallyTiedWith: [] } },
        });
      }
      return { department: code, results };
    },
  };
}

export type ResultsService = ReturnType<typeof resultsService>;
