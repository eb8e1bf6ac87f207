import { Hono } from 'hono';
import { currentUser, requirePageRole } from '../accounts/middleware.js';
import { Layout } from '../http/components/layout.js';
import { EmptyState } from '../http/components/message.js';
import { Table } from '../http/components/table.js';
import { Time } from '../http/components/time.js';
import type { AppEnv } from '../http/env.js';
import { errorPage } from '../http/errors.js';
import { viewerOf } from '../http/viewer.js';
import { STATUS_LABELS } from '../campaigns/lifecycle.js';
import { portalPages } from './portal.js';
import type { DepartmentPublished } from '../contracts.js';
import type { Services } from '../services.js';
import {
  RATERS_LABEL,
  ratersNote,
  VALID_RATERS_LABEL,
  WITHHELD_MARK,
  withheldNote,
  withheldText,
} from '../../web/lib/format.js';
import { DEFAULT_TIME_ZONE, zoneLabel } from '../../web/lib/time.js';

const f2 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(2));
const pct = (x: number | null | undefined) => (x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`);

/** A chart web/pages/liaison.ts draws from /api/my/results (the table beside it says the same without a script). */
function ChartBox({
  snapshot,
  chart,
  label,
}: {
  snapshot: string;
  chart: 'category' | 'problem' | 'negative';
  label: string;
}) {
  return (
    <div class="chart-box">
      <canvas id={`${chart}-chart-${snapshot}`} data-snapshot={snapshot} data-chart={chart} aria-label={label}></canvas>
    </div>
  );
}

function Figure({ label, value }: { label: string; value: string | number }) {
  return (
    <div class="figure">
      <span class="value">{value}</span>
      <span class="label">{label}</span>
    </div>
  );
}

/** One campaign's published results of the liaison's department. */
function CampaignResult({ result, zone, status }: { result: DepartmentPublished; zone: string; status: string }) {
  const { campaign, snapshot, method, catalogs, groupSize, department: d } = result;
  const hidden = withheldText(method.minCellSize);
  const mark = WITHHELD_MARK;
  const note = (anyWithheld: boolean) => anyWithheld && <p class="note">{withheldNote(method.minCellSize)}</p>;
  const problemRows = catalogs.problems.map((p) => ({ p, cell: d.problems.find((x) => x.problem === p.id) }));
  const negativeRows = catalogs.negatives.map((n) => ({ n, cell: d.negatives.find((x) => x.kind === n.id) }));
  const negativesWithheld = d.negatives.some((cell) => cell.suppressed);
  const iv = d.uncertainty.scoreInterval;
  const breakdown = catalogs.items.flatMap((item) =>
    (d.items[item.code]?.categoryBreakdown ?? []).map((b) => ({ item, b })),
  );
  const categoryLabel = (code: string) => catalogs.categories.find((x) => x.code === code)?.label ?? code;
  return (
    <section>
      <h2>{campaign.name}</h2>
      <p class="source">
        {status && `${status}：`}结果发布于 <Time at={snapshot.publishedAt} zone={zone} />（{zoneLabel(zone)}）
      </p>
      <div class="figures">
        <Figure label="最终得分" value={d.suppressed ? hidden : f2(d.finalScore)} />
        <Figure label="95% 区间" value={iv ? `${f2(iv[0])}–${f2(iv[1])}` : '—'} />
        <Figure
          label={`${d.groupLabel}排名`}
          value={d.rank === null ? (d.rankNote ?? '—') : `${d.rank}${d.tied ? '（并列）' : ''} / ${groupSize}`}
        />
        <Figure label="等级" value={d.grade ?? '—'} />
        <Figure label={VALID_RATERS_LABEL} value={d.validRaters} />
        <Figure label={RATERS_LABEL} value={d.raters} />
        <Figure label="满意率" value={d.suppressed ? hidden : `${f2(d.satisfactionRate)}%`} />
        {d.unfavourableRate !== undefined && (
          <Figure label="差评率" value={d.suppressed ? hidden : `${f2(d.unfavourableRate)}%`} />
        )}
        <Figure label="扣分" value={`${f2(d.deduction)}（核实负面情形 ${d.verifiedNegatives} 条）`} />
      </div>
      <p class="note">{ratersNote(method.minRankedRaters)}</p>
      {d.rectification && (
        <p>
          <strong class="flag">重点整改</strong> 得分低于 {method.rectification.maxScore} 分，且有较大可能位于本组末{' '}
          {method.rectification.bottomCount} 位。
        </p>
      )}
      <h3>各类评议代表的评价</h3>
      <ChartBox snapshot={snapshot.id} chart="category" label="分类别平均分" />
      <Table
        class="compact"
        stacked
        rows={breakdown}
        columns={[
          { head: '评议项目', cell: ({ item }) => item.label },
          { head: '代表类别', cell: ({ b }) => categoryLabel(b.category), text: true },
          { head: '有效答复', cell: ({ b }) => b.validAnswers },
          { head: '平均分', cell: ({ b }) => (b.suppressed ? mark : f2(b.mean)) },
          { head: '满意及以上比例', cell: ({ b }) => (b.suppressed ? mark : pct(b.satisfiedShare)) },
        ]}
      />
      {note(breakdown.some(({ b }) => b.suppressed))}
      <h3>评议代表指出的作风问题</h3>
      <ChartBox snapshot={snapshot.id} chart="problem" label="作风问题" />
      <Table
        class="compact"
        stacked
        rows={problemRows}
        columns={[
          { head: '作风问题', cell: ({ p }) => p.label },
          { head: '指出人数', cell: ({ cell }) => (cell?.suppressed ? mark : (cell?.mentions ?? 0)) },
          { head: '占评议人比例', cell: ({ cell }) => (cell?.suppressed ? mark : pct(cell?.share ?? 0)) },
        ]}
      />
      {note(problemRows.some(({ cell }) => cell?.suppressed))}
      <h3>办事负面情形</h3>
      <ChartBox snapshot={snapshot.id} chart="negative" label="负面情形" />
      {/* each cell says why it is empty, and the total of verified reports — the deduction's, on the
          扣分 card — stands under a withheld breakdown, so the card's count never contradicts it */}
      <Table
        class="compact"
        stacked
        rows={negativeRows}
        columns={[
          { head: '负面情形', cell: ({ n }) => n.label },
          { head: '反映', cell: ({ cell }) => (cell?.suppressed ? hidden : (cell?.reported ?? 0)) },
          { head: '核实', cell: ({ cell }) => (cell?.suppressed ? hidden : (cell?.verified ?? 0)) },
        ]}
        foot={[
          '合计',
          negativesWithheld ? hidden : d.negatives.reduce((sum, cell) => sum + (cell.reported ?? 0), 0),
          d.verifiedNegatives,
        ]}
      />
      {negativesWithheld && (
        <p class="note" id={`negatives-note-${snapshot.id}`}>
          {`评议人少于 ${method.minCellSize} 人，各类负面情形的条数不予显示，以免认出反映情况的评议代表；`}
          {`核实的 ${d.verifiedNegatives} 条是扣分的依据，合计照实显示。`}
        </p>
      )}
      <p class="note">
        评议人少于 {method.minCellSize} 人的分项不予显示（“{hidden}”，表中为“{mark}
        ”），以免认出评议代表；评议人够数的分项照实显示，指出或反映的人再少也显示。
      </p>
    </section>
  );
}

/** Mounted at /my: a department liaison's own pages (the notices portal and the published results). */
export function liaisonPages(services: Services) {
  const r = new Hono<AppEnv>();
  r.use('*', requirePageRole('liaison'));

  /** A liaison's page: their own department's published results, nothing else; the script adds the charts. */
  r.get('/results', async (c) => {
    const user = currentUser(c)!;
    if (!user.departmentCode) return errorPage(c, 'FORBIDDEN', '您的账号没有关联部门，请联系评议办。', '没有关联部门');
    const viewer = await viewerOf(c, services);
    const bound = await services.accounts.liaisonDepartments(user.id);
    const [{ results }, campaigns] = await Promise.all([
      services.results.departmentResults(user.departmentCode, bound),
      services.campaigns.list(),
    ]);
    const campaignOf = (slug: string) => campaigns.find((x) => x.slug === slug);
    const zoneOf = (slug: string) => campaignOf(slug)?.config.timeZone ?? DEFAULT_TIME_ZONE;
    const statusOf = (slug: string) => {
      const campaign = campaignOf(slug);
      return campaign ? STATUS_LABELS[services.campaigns.status(campaign)] : '';
    };
    // the liaison's campaigns whose results are still to come, newest first, named with their status
    const shown = new Set(results.map((r) => r.campaign.slug));
    const awaited = bound
      .map((b) => campaigns.find((x) => x.id === b.campaignId))
      .filter((x) => x !== undefined && !shown.has(x.slug))
      .map((x) => `${x!.name}（${statusOf(x!.slug)}）`);
    const awaitedNote = awaited.length > 0 && `${awaited.join('、')}的结果发布后在这里显示。`;
    return c.html(
      <Layout title="本部门评议结果" scripts={['liaison.js']} styles={['dashboard.css']} viewer={viewer}>
        <main class="dashboard liaison" id="liaison-results">
          <h1>
            本部门评议结果{viewer.departmentName && `：${viewer.departmentName}`}
            <small>（{user.departmentCode}）</small>
          </h1>
          {results.length ? (
            <>
              {awaitedNote && <p class="note awaited">{awaitedNote}</p>}
              {results.map((result) => (
                <CampaignResult
                  result={result}
                  zone={zoneOf(result.campaign.slug)}
                  status={statusOf(result.campaign.slug)}
                />
              ))}
            </>
          ) : (
            <EmptyState>还没有已发布的评议结果{awaitedNote ? `：${awaitedNote}` : '。'}</EmptyState>
          )}
        </main>
      </Layout>,
    );
  });

  r.route('/', portalPages(services));
  return r;
}
