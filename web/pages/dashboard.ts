/**
 * The analyst dashboard (/dashboard, /dashboard/departments/:code). Reads the results API and
 * draws chart.js charts, each with its table one click away (a <details>) and a CSV/PNG download.
 * Figures the API withholds (cells of fewer than minCellSize evaluators) arrive as null with
 * `suppressed: true`: a table cell says "人数不足（少于5人）", a chart draws a labelled gap, never an
 * empty bar that would read as zero.
 */
import type { Plugin, Scale } from 'chart.js';
import { toFont } from 'chart.js/helpers';
import type { Comparison, DepartmentView, Progress, ResultView, Trend } from '../../server/contracts.js';
import { categoryChart, fitRankLabel, makeChart, negativeChart, problemChart } from '../lib/charts.js';
import { type Child as Cell, el, table } from '../lib/dom.js';
import { messageOf } from '../lib/errors.js';
import {
  bottomProbabilityOf,
  formatChange,
  formatInterval,
  formatNumber,
  formatRankChange,
  formatRate,
  formatShare,
  LIVE,
  MISSING,
  RATERS_LABEL,
  ratersNote,
  tooFewForBottom,
  tooFewForBottomNote,
  VALID_RATERS_LABEL,
  WITHHELD,
  withheldText,
} from '../lib/format.js';
import { groupsOf, reportsUnfavourable } from '../lib/result-groups.js';
import { resultsApiPath } from '../lib/results-path.js';
import { sessionApi } from '../lib/session.js';
import { csvLink } from '../lib/table.js';
import { zoneLabel } from '../lib/time.js';

const root = document.getElementById('dashboard') as HTMLElement;
const status = document.getElementById('status');
const slug = root.dataset.campaign ?? '';
const snapshotId = root.dataset.snapshot ?? '';

// ───────────────────────────── helpers ─────────────────────────────

let minCell = 5;
let hidden = withheldText(minCell);
const api = sessionApi();

/** Fill a <details> with the table behind a chart, plus CSV and PNG downloads. */
function fillTable(detailsId: string, name: string, headers: string[], rows: Cell[][], canvas?: HTMLCanvasElement) {
  const details = document.getElementById(detailsId);
  if (!details) return;
  for (const n of details.querySelectorAll(':scope > :not(summary)')) n.remove();
  const links = el('p', { class: 'downloads' }, csvLink(name, headers, rows));
  if (canvas) {
    const png = el('a', { href: '#', download: `${name}.png` }, '下载图片');
    png.addEventListener('click', () => png.setAttribute('href', canvas.toDataURL('image/png')));
    links.append(' · ', png);
  }
  const figures = rows.map((r) => r.map((c) => c ?? MISSING));
  details.append(el('div', { class: 'table-wrap' }, table(headers, figures)), links);
}

const GRADE_COLORS: Record<string, string> = { 好: '#2e7d32', 较好: '#1565c0', 一般: '#ef8f00', 差: '#c62828' };
const gradeColor = (g: string | null) => (g ? (GRADE_COLORS[g] ?? '#607d8b') : '#9e9e9e');

/**
 * Error bars from a dataset's `intervals` ([low, high] per data point), horizontal or vertical
 * depending on the chart's indexAxis. A small plugin instead of another dependency.
 */
const intervalBars: Plugin = {
  id: 'intervalBars',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const horizontal = chart.options.indexAxis === 'y';
    chart.data.datasets.forEach((ds, i) => {
      const intervals = (ds as unknown as { intervals?: ([number, number] | null)[] }).intervals;
      if (!intervals || !chart.isDatasetVisible(i)) return;
      const meta = chart.getDatasetMeta(i);
      const valueScale = horizontal ? chart.scales.x : chart.scales.y;
      ctx.save();
      ctx.strokeStyle = '#222';
      ctx.lineWidth = 1.5;
      meta.data.forEach((element, k) => {
        const iv = intervals[k];
        if (!iv) return;
        const { x, y } = element.getProps(['x', 'y'], true) as { x: number; y: number };
        const a = valueScale.getPixelForValue(iv[0]);
        const b = valueScale.getPixelForValue(iv[1]);
        const cap = 5;
        ctx.beginPath();
        if (horizontal) {
          ctx.moveTo(a, y), ctx.lineTo(b, y);
          ctx.moveTo(a, y - cap), ctx.lineTo(a, y + cap);
          ctx.moveTo(b, y - cap), ctx.lineTo(b, y + cap);
        } else {
          ctx.moveTo(x, a), ctx.lineTo(x, b);
          ctx.moveTo(x - cap, a), ctx.lineTo(x + cap, a);
          ctx.moveTo(x - cap, b), ctx.lineTo(x + cap, b);
        }
        ctx.stroke();
      });
      ctx.restore();
    });
  },
};

/** Shaded bands behind runs of bars that are statistically tied (options.plugins.tiedBands.runs: [first, last] indices). */
const tiedBands: Plugin = {
  id: 'tiedBands',
  beforeDatasetsDraw(chart, _args, options: { runs?: [number, number][] }) {
    const runs = options.runs ?? [];
    const meta = chart.getDatasetMeta(0);
    if (!runs.length || !meta.data.length) return;
    const { ctx, chartArea } = chart;
    const step =
      meta.data.length > 1 ? Math.abs((meta.data[1].y as number) - (meta.data[0].y as number)) : chartArea.height;
    ctx.save();
    runs.forEach(([first, last], k) => {
      const top = (meta.data[first].y as number) - step / 2 + 1;
      const bottom = (meta.data[last].y as number) + step / 2 - 1;
      ctx.fillStyle = k % 2 ? 'rgba(120, 144, 156, 0.14)' : 'rgba(255, 193, 7, 0.16)';
      ctx.fillRect(chartArea.left, top, chartArea.right - chartArea.left, bottom - top);
      ctx.strokeStyle = 'rgba(0,0,0,0.25)';
      ctx.setLineDash([4, 3]);
      ctx.strokeRect(chartArea.left, top, chartArea.right - chartArea.left, bottom - top);
    });
    ctx.restore();
  },
};

/** A ranked department's place before its name on the ranking chart: `1.`, `2.（并列）`. */
const rankPrefix = (d: DepartmentView) => `${d.rank}.${d.tied ? '（并列）' : ''}`;

/** Runs of consecutive ranked departments that are statistically tied with their neighbour. */
function tiedRuns(ranked: DepartmentView[]): [number, number][] {
  const runs: [number, number][] = [];
  let start = 0;
  for (let i = 1; i <= ranked.length; i++) {
    const tied = i < ranked.length && ranked[i - 1].uncertainty.statisticallyTiedWith.includes(ranked[i].code);
    if (!tied) {
      if (i - 1 > start) runs.push([start, i - 1]);
      start = i;
    }
  }
  return runs;
}

const resultsPath = (options: { quick?: boolean } = {}) => resultsApiPath(slug, snapshotId, options);
const departmentHref = (code: string) =>
  `/dashboard/departments/${encodeURIComponent(code)}?campaign=${encodeURIComponent(slug)}&snapshot=${snapshotId || LIVE}`;

function setMinCell(view: ResultView) {
  minCell = view.method.minCellSize;
  hidden = withheldText(minCell);
  for (const n of document.querySelectorAll('[data-min-cell]')) n.textContent = String(view.method.minCellSize);
}

// ───────────────────────────── overview ─────────────────────────────

function renderScreening(view: ResultView) {
  const box = document.getElementById('screening')!;
  const s = view.screening;
  const figure = (label: string, value: Cell, title = '') =>
    el('div', { class: 'figure', title }, el('span', { class: 'value' }, value), el('span', { class: 'label' }, label));
  box.replaceChildren(
    figure('答卷', view.inputs.responses),
    figure('纳入计分', view.inputs.included),
    figure('剔除', view.inputs.excluded, '用时不到中位用时的三分之一，且对所有部门给出同一等级'),
    figure('标记提示', view.inputs.flagged, '同一网络地址集中提交、答案几乎相同等，仅提示，不剔除'),
    figure('中位用时', s.medianDurationSeconds === null ? MISSING : `${Math.round(s.medianDurationSeconds / 60)} 分钟`),
  );
  if (s.flags.length) {
    const list = el('ul', { class: 'flags' });
    for (const f of s.flags.slice(0, 20)) list.append(el('li', {}, f.detail));
    if (s.flags.length > 20) list.append(el('li', {}, `……另有 ${s.flags.length - 20} 条`));
    box.after(el('details', { class: 'flag-list' }, el('summary', {}, `甄别提示 ${s.flags.length} 条`), list));
  }
}

async function renderProgress() {
  const canvas = document.getElementById('progress-chart') as HTMLCanvasElement;
  let progress: Progress;
  try {
    progress = await api.json<Progress>(`/api/campaigns/${encodeURIComponent(slug)}/progress`);
  } catch {
    canvas.closest('.chart-box')?.remove();
    return;
  }
  let cumulative = 0;
  const cum = progress.perDay.map((d) => (cumulative += d.total));
  const t = progress.totals;
  // with no web submission the chart would be an empty 0–1 frame: the sentence says what there is
  if (cumulative === 0)
    canvas
      .closest('.chart-box')
      ?.replaceWith(
        el(
          'p',
          { class: 'empty-state', id: 'progress-empty' },
          t.imported
            ? `还没有网上提交的答卷：网上已提交 0，另有导入答卷 ${t.imported}（导入答卷不按日期画在图上）。`
            : '还没有网上提交的答卷。',
        ),
      );
  else
    makeChart(canvas, {
      type: 'bar',
      data: {
        labels: progress.perDay.map((d) => d.day.slice(5)),
        datasets: [
          {
            type: 'bar',
            label: '当日网上提交',
            data: progress.perDay.map((d) => d.total),
            backgroundColor: '#90a4ae',
            yAxisID: 'y',
          },
          // its legend swatch is filled with backgroundColor: without one it is an empty box
          {
            type: 'line',
            label: '累计',
            data: cum,
            borderColor: '#b3261e',
            backgroundColor: '#b3261e',
            pointRadius: 0,
            yAxisID: 'y2',
          },
        ],
      },
      options: {
        maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: `答卷日期（${zoneLabel(progress.campaign.timeZone)}）` } },
          // counts of people: whole steps (chart.js would step 0.2 for a few submissions)
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: '当日（人）' } },
          y2: {
            position: 'right',
            beginAtZero: true,
            ticks: { precision: 0 },
            grid: { display: false },
            title: { display: true, text: '累计（人）' },
          },
        },
      },
    });
  fillTable(
    'progress-table',
    `${slug}-答卷进度`,
    [`日期（${zoneLabel(progress.campaign.timeZone)}）`, '当日网上提交', '累计'],
    progress.perDay.map((d, i) => [d.day, d.total, cum[i]]),
    cumulative ? canvas : undefined,
  );
  const cats = table(
    ['代表类别', '已邀请', '网上已提交', '提交率', '导入答卷（不计入提交率）'],
    progress.categories.map((c) => [
      c.label,
      c.invited,
      c.submitted,
      formatShare(c.invited ? c.submitted / c.invited : null),
      c.imported,
    ]),
    { class: 'compact' },
  );
  document
    .getElementById('progress-table')!
    .append(el('h3', {}, `分类别（邀请 ${t.invited}，网上已提交 ${t.submitted}，另有导入答卷 ${t.imported}）`), cats);
}

function renderRanking(view: ResultView) {
  const host = document.getElementById('groups')!;
  host.replaceChildren();
  const unfavourable = reportsUnfavourable(view);
  for (const group of groupsOf(view)) {
    const ranked = group.departments
      .filter((d) => d.ranked && d.finalScore !== null)
      .sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
    const unranked = group.departments.filter((d) => !ranked.includes(d));
    const canvas = el('canvas', {
      id: `ranking-${group.code}`,
      'data-group': group.code,
      'aria-label': `${group.label}排名`,
    });
    const box = el('div', { class: 'chart-box ranking' }, canvas);
    box.style.height = `${Math.max(120, 34 * ranked.length + 70)}px`;
    const details = el(
      'details',
      { class: 'table', id: `ranking-table-${group.code}` },
      el('summary', {}, '查看数据表'),
    );
    const section = el(
      'section',
      { class: 'group' },
      el('h3', {}, `${group.label}（${ranked.length} 个部门参与排名）`),
      box,
    );
    const { bottomCount } = view.method.rectification;
    if (ranked.length && tooFewForBottom(ranked.length, bottomCount))
      section.append(el('p', { class: 'note' }, tooFewForBottomNote(ranked.length, bottomCount)));
    if (unranked.length) {
      section.append(
        el(
          'p',
          { class: 'note' },
          `样本不足，不予排名：${unranked.map((d) => `${d.name}（有效评议 ${d.validRaters} 人）`).join('、')}`,
        ),
      );
    }
    section.append(details);
    host.append(section);
    const scores = ranked.map((d) => d.finalScore as number);
    const lows = ranked.map((d) => d.uncertainty.scoreInterval?.[0] ?? (d.finalScore as number));
    const min = Math.max(0, Math.floor((Math.min(...lows, 100) - 5) / 5) * 5);
    makeChart(canvas, {
      type: 'bar',
      data: {
        // the full label for the tooltip; the axis fits it to the canvas (rankLabel)
        labels: ranked.map((d) => `${rankPrefix(d)} ${d.name}`),
        datasets: [
          {
            label: '最终得分',
            data: scores,
            backgroundColor: ranked.map((d) => gradeColor(d.grade)),
            borderColor: ranked.map((d) => (d.rectification ? '#000' : gradeColor(d.grade))),
            borderWidth: ranked.map((d) => (d.rectification ? 2 : 0)),
            barPercentage: 0.7,
            // read by the intervalBars plugin
            intervals: ranked.map((d) => d.uncertainty.scoreInterval),
          } as never,
        ],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { min, max: 100, title: { display: true, text: '最终得分（细线：95% 区间）' } },
          y: {
            ticks: {
              autoSkip: false,
              // at most 45% of the canvas (a phone keeps most of its width for the bars), the rank always shown
              callback(this: Scale, _value: unknown, index: number) {
                const d = ranked[index];
                if (!d) return '';
                const font = toFont((this.options as { ticks?: { font?: never } }).ticks?.font ?? {}).string;
                return fitRankLabel(this.ctx, font, rankPrefix(d), d.name, this.chart.width * 0.45);
              },
            },
          },
        },
        plugins: {
          legend: { display: false },
          tiedBands: { runs: tiedRuns(ranked) },
          tooltip: {
            callbacks: {
              afterLabel: (item: { dataIndex: number }) => {
                const d = ranked[item.dataIndex];
                const iv = d.uncertainty.scoreInterval;
                return [
                  iv ? `95% 区间 ${formatInterval(iv)}` : '',
                  d.uncertainty.rankInterval ? `名次区间 ${formatInterval(d.uncertainty.rankInterval, 0)}` : '',
                  `等级 ${d.grade ?? MISSING}，有效评议 ${d.validRaters} 人`,
                  d.rectification ? '重点整改' : '',
                ].filter(Boolean);
              },
            },
          },
        } as never,
        onClick: (_e, elements) => {
          if (elements[0]) location.href = departmentHref(ranked[elements[0].index].code);
        },
      },
      plugins: [tiedBands, intervalBars],
    });
    const link = (d: DepartmentView) => el('a', { href: departmentHref(d.code) }, d.name);
    fillTable(
      `ranking-table-${group.code}`,
      `${slug}-${group.label}-排名`,
      [
        '排名',
        '部门',
        '最终得分',
        '95% 区间',
        '名次区间',
        '末位概率',
        '等级',
        VALID_RATERS_LABEL,
        '测评得分',
        '扣分',
        '满意率',
        ...(unfavourable ? ['差评率'] : []),
        '知晓率',
        '备注',
      ],
      [...ranked, ...unranked].map((d) => [
        d.rank === null ? MISSING : `${d.rank}${d.tied ? ' 并列' : ''}`,
        link(d),
        d.suppressed ? hidden : formatNumber(d.finalScore),
        formatInterval(d.uncertainty.scoreInterval),
        formatInterval(d.uncertainty.rankInterval, 0),
        bottomProbabilityOf(d, ranked.length, bottomCount),
        d.grade ?? MISSING,
        d.validRaters,
        d.suppressed ? hidden : formatNumber(d.surveyScore),
        formatNumber(d.deduction),
        d.suppressed ? hidden : formatRate(d.satisfactionRate),
        ...(unfavourable ? [d.suppressed ? hidden : formatRate(d.unfavourableRate ?? null)] : []),
        d.suppressed ? hidden : formatRate(d.awareness),
        [
          d.rankNote === '并列' ? '' : d.rankNote,
          d.rectification ? '重点整改' : '',
          d.uncertainty.statisticallyTiedWith.length
            ? `与 ${d.uncertainty.statisticallyTiedWith.length} 个部门统计上无差别`
            : '',
        ]
          .filter(Boolean)
          .join('；'),
      ]),
      canvas,
    );
  }
  host.append(el('p', { class: 'note', id: 'ranking-raters-note' }, ratersNote(view.method.minRankedRaters)));
}

function renderHeatmap(view: ResultView) {
  const host = document.getElementById('heatmap')!;
  const problems = view.catalogs.problems;
  const max = Math.max(0.01, ...view.departments.flatMap((d) => d.problems.map((p) => p.share ?? 0)));
  const heatmap = el('table', { class: 'heatmap', id: 'heatmap-table' });
  heatmap.append(
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        el('th', { scope: 'col' }, '部门'),
        el('th', { scope: 'col', title: ratersNote(view.method.minRankedRaters) }, RATERS_LABEL),
        ...problems.map((p) =>
          el(
            'th',
            { scope: 'col', title: p.label },
            el('span', {}, `${p.id}`),
            el('small', {}, p.label.split(/[、：]/)[0]),
          ),
        ),
      ),
    ),
  );
  const body = el('tbody');
  const rows: Cell[][] = [];
  for (const group of groupsOf(view)) {
    body.append(
      el(
        'tr',
        { class: 'group-row' },
        el('th', { colspan: String(problems.length + 2), scope: 'rowgroup' }, el('span', {}, group.label)),
      ),
    );
    for (const d of group.departments) {
      const tr = el(
        'tr',
        {},
        el('th', { scope: 'row' }, el('a', { href: departmentHref(d.code) }, d.name)),
        el('td', { class: 'num' }, d.raters),
      );
      const row: Cell[] = [d.name, d.raters];
      for (const p of problems) {
        const cell = d.problems.find((x) => x.problem === p.id);
        const td = el('td', { class: 'num', title: `${d.name} · ${p.label}` });
        if (!cell || cell.suppressed || cell.mentions === null) {
          td.textContent = WITHHELD;
          td.classList.add('suppressed');
          td.title += `：${hidden}`;
          row.push(hidden);
        } else {
          // the count of ticks, however small: the department has enough evaluators
          const share = cell.share ?? 0;
          td.append(el('span', {}, cell.mentions), share ? el('small', {}, formatShare(share, 0)) : '');
          const a = Math.min(1, share / max);
          td.style.backgroundColor = `rgba(198, 40, 40, ${(0.08 + 0.8 * a).toFixed(3)})`;
          if (a > 0.55) td.style.color = '#fff';
          td.title += `：${cell.mentions} 人（${formatShare(share)}）`;
          row.push(`${cell.mentions}（${formatShare(share)}）`);
        }
        tr.append(td);
      }
      body.append(tr);
      rows.push(row);
    }
  }
  heatmap.append(body);
  host.replaceChildren(heatmap);
  const csv = csvLink(`${slug}-作风问题`, ['部门', RATERS_LABEL, ...problems.map((p) => `${p.id} ${p.label}`)], rows);
  host.append(
    el('p', { class: 'note', id: 'heatmap-raters-note' }, ratersNote(view.method.minRankedRaters)),
    el('p', { class: 'downloads' }, csv),
  );
}

/** Whether the two scores were computed alike: a comparison across a method change says so first. */
function showMethodChanges(cmp: Comparison) {
  const host = document.getElementById('compare-method');
  if (!host) return;
  host.replaceChildren(
    cmp.methodChanges.length
      ? el(
          'div',
          { class: 'method-changes' },
          el('p', {}, '评分方法不同，两次的得分和名次不能直接比较：'),
          el('ul', {}, ...cmp.methodChanges.map((line) => el('li', {}, line))),
        )
      : el('p', { class: 'note' }, '两次的评分方法相同（类别权重、计分等级、评议项目和扣分规则一致）。'),
  );
}

async function renderCompare() {
  const form = document.getElementById('compare-form') as HTMLFormElement | null;
  if (!form) return;
  const canvas = document.getElementById('compare-chart') as HTMLCanvasElement;
  const run = async () => {
    const from = (form.elements.namedItem('from') as HTMLSelectElement).value;
    const to = (form.elements.namedItem('to') as HTMLSelectElement).value;
    if (!from || !to || from === to) return;
    const cmp = await api.json<Comparison>(
      `/api/compare?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    );
    showMethodChanges(cmp);
    const caption = document.getElementById('compare-caption');
    if (caption) caption.textContent = `${cmp.to.campaign.name} 相对 ${cmp.from.campaign.name} 的得分变化（分）`;
    const rows = cmp.departments.filter((d) => d.scoreChange !== null);
    makeChart(canvas, {
      type: 'bar',
      data: {
        // 简称 keep the axis narrow on a phone; the tooltip and the table give the full name
        labels: rows.map((d) => d.shortName ?? d.name),
        datasets: [
          {
            label: '得分变化',
            data: rows.map((d) => d.scoreChange as number),
            backgroundColor: rows.map((d) => ((d.scoreChange as number) >= 0 ? '#2e7d32' : '#c62828')),
          },
        ],
      },
      options: {
        indexAxis: 'y',
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: (items) => (items[0] ? rows[items[0].dataIndex].name : '') } },
        },
        scales: { x: { title: { display: true, text: '得分变化（分）' } } },
      },
    });
    (canvas.parentElement as HTMLElement).style.height = `${Math.max(160, 26 * rows.length + 70)}px`;
    fillTable(
      'compare-table',
      '年度对比',
      [
        '部门',
        '分组',
        `${cmp.from.campaign.name} 得分`,
        '名次',
        '等级',
        `${cmp.to.campaign.name} 得分`,
        '名次',
        '等级',
        '得分变化',
        '名次变化',
      ],
      cmp.departments.map((d) => [
        d.name,
        d.groupLabel,
        formatNumber(d.from?.finalScore),
        d.from?.rank ?? MISSING,
        d.from?.grade ?? MISSING,
        formatNumber(d.to?.finalScore),
        d.to?.rank ?? MISSING,
        d.to?.grade ?? MISSING,
        formatChange(d.scoreChange),
        formatRankChange(d.rankChange),
      ]),
      canvas,
    );
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void run().catch(showFailure);
  });
  await run();
}

function drawOverview(view: ResultView, intervals: string) {
  setMinCell(view);
  renderScreening(view);
  renderRanking(view);
  renderHeatmap(view);
  if (status) status.textContent = `共 ${view.departments.length} 个部门；${intervals}。`;
}

/** Live figures show the rankings first and their intervals when the bootstrap is done (the page preloads the first). */
async function overview() {
  const quick = await api.json<ResultView>(resultsPath({ quick: true }));
  const complete = Boolean(snapshotId || quick.bootstrapSamples);
  const sampled = (view: ResultView) =>
    view.bootstrapSamples ? `区间来自 ${view.bootstrapSamples} 次抽样` : '未计算区间';
  drawOverview(quick, complete ? sampled(quick) : '区间计算中……');
  const full = complete ? quick : await api.json<ResultView>(resultsPath());
  if (full !== quick) drawOverview(full, sampled(full));
  await Promise.all([renderProgress(), renderCompare()]);
}

// ───────────────────────────── department ─────────────────────────────

async function department() {
  const code = root.dataset.code ?? '';
  const [view, trend] = await Promise.all([
    api.json<ResultView>(resultsPath()),
    api.json<Trend>(`/api/departments/${encodeURIComponent(code)}/trend`),
  ]);
  setMinCell(view);
  const d = view.departments.find((x) => x.code === code);
  if (!d) throw new Error('结果中没有这个部门');
  const groupSize = view.departments.filter((x) => x.group === d.group && x.ranked).length;
  const figure = (label: string, value: Cell) =>
    el('div', { class: 'figure' }, el('span', { class: 'value' }, value), el('span', { class: 'label' }, label));
  const iv = d.uncertainty.scoreInterval;
  const tiedNames = d.uncertainty.statisticallyTiedWith.map(
    (c) => view.departments.find((x) => x.code === c)?.name ?? c,
  );
  document
    .getElementById('summary')!
    .replaceChildren(
      figure('最终得分', d.suppressed ? hidden : formatNumber(d.finalScore)),
      figure('95% 区间', formatInterval(iv)),
      figure(
        `${d.groupLabel}排名`,
        d.rank === null ? (d.rankNote ?? MISSING) : `${d.rank}${d.tied ? '（并列）' : ''} / ${groupSize}`,
      ),
      figure('等级', d.grade ?? MISSING),
      figure(VALID_RATERS_LABEL, d.validRaters),
      figure(RATERS_LABEL, d.raters),
      figure('满意率', d.suppressed ? hidden : formatRate(d.satisfactionRate)),
      ...(d.unfavourableRate !== undefined
        ? [figure('差评率', d.suppressed ? hidden : formatRate(d.unfavourableRate))]
        : []),
      figure('知晓率', d.suppressed ? hidden : formatRate(d.awareness)),
      figure('扣分', `${formatNumber(d.deduction)}（核实 ${d.verifiedNegatives} 条）`),
    );
  document
    .getElementById('summary')!
    .after(el('p', { class: 'note', id: 'summary-raters-note' }, ratersNote(view.method.minRankedRaters)));
  const notes = el('p', { class: 'note' });
  if (d.rectification) notes.append(el('strong', { class: 'flag' }, '重点整改'), ' ');
  if (tiedNames.length)
    notes.append(`名次区间 ${d.uncertainty.rankInterval?.join('–')}，与 ${tiedNames.join('、')} 统计上无差别。`);
  document.getElementById('summary')!.after(notes);

  // categories × items
  const cats = view.catalogs.categories;
  const items = view.catalogs.items;
  const catCanvas = document.getElementById('category-chart') as HTMLCanvasElement;
  categoryChart(catCanvas, d, view.catalogs);
  fillTable(
    'category-table',
    `${d.name}-分类别评价`,
    ['评议项目', '代表类别', '有效答复', '平均分', '满意及以上比例', '参与计分'],
    items.flatMap((it) =>
      (d.items[it.code]?.categoryBreakdown ?? []).map((b) => [
        it.label,
        cats.find((c) => c.code === b.category)?.label ?? b.category,
        b.validAnswers,
        b.suppressed ? hidden : formatNumber(b.mean),
        b.suppressed ? hidden : formatShare(b.satisfiedShare),
        b.takesPart ? '是' : '否',
      ]),
    ),
    catCanvas,
  );

  // work-style problems
  const probCanvas = document.getElementById('problem-chart') as HTMLCanvasElement;
  const problems = view.catalogs.problems;
  problemChart(probCanvas, d, view.catalogs);
  fillTable(
    'problem-table',
    `${d.name}-作风问题`,
    ['作风问题', '中梗阻类型', '指出人数', '占评议人比例'],
    problems.map((p) => {
      const c = d.problems.find((x) => x.problem === p.id);
      return [
        p.label,
        p.kind ?? '',
        c?.suppressed ? hidden : (c?.mentions ?? 0),
        c?.suppressed ? hidden : formatShare(c?.share ?? 0),
      ];
    }),
    probCanvas,
  );

  // negative situations
  const negCanvas = document.getElementById('negative-chart') as HTMLCanvasElement;
  const negatives = view.catalogs.negatives;
  const cellOf = (id: number) => d.negatives.find((x) => x.kind === id);
  negativeChart(negCanvas, d, view.catalogs);
  const negativesWithheld = d.negatives.some((n) => n.suppressed);
  if (negativesWithheld || d.negatives.every((n) => !n.reported)) {
    negCanvas
      .closest('.chart-box')
      ?.after(
        el(
          'p',
          { class: 'note' },
          negativesWithheld
            ? `评议人少于 ${minCell} 人，各类情形不予分项显示；核实 ${d.verifiedNegatives} 条计入扣分。`
            : '没有反映负面情形。',
        ),
      );
  }
  fillTable(
    'negative-table',
    `${d.name}-负面情形`,
    ['负面情形', '反映', '核实'],
    negatives.map((n) => {
      const c = cellOf(n.id);
      return [n.label, c?.suppressed ? hidden : (c?.reported ?? 0), c?.suppressed ? hidden : (c?.verified ?? 0)];
    }),
    negCanvas,
  );

  // trend across campaigns
  const trendCanvas = document.getElementById('trend-chart') as HTMLCanvasElement;
  const points = trend.points;
  if (points.length === 0) {
    trendCanvas.closest('.chart-box')?.replaceWith(el('p', { class: 'note' }, '还没有已发布的结果。'));
  } else {
    makeChart(trendCanvas, {
      type: 'line',
      data: {
        labels: points.map((p) => p.campaign.name),
        datasets: [
          {
            label: '最终得分',
            data: points.map((p) => p.finalScore),
            borderColor: '#b3261e',
            backgroundColor: '#b3261e',
            intervals: points.map((p) => p.scoreInterval),
          } as never,
        ],
      },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: false } },
        // each campaign in the middle of its slot: a lone first year sits in the centre, not in the corner
        scales: { x: { offset: true }, y: { suggestedMin: 50, suggestedMax: 100 } },
      },
      plugins: [intervalBars],
    });
    if (points.length === 1)
      trendCanvas
        .closest('.chart-box')
        ?.after(
          el(
            'p',
            { class: 'note', id: 'trend-single' },
            `只有 ${points[0].campaign.name} 一次已发布的结果；有两次以上的结果才能看出趋势。`,
          ),
        );
  }
  fillTable(
    'trend-table',
    `${d.name}-历年趋势`,
    ['评议活动', '最终得分', '95% 区间', '排名', '等级', '满意率', VALID_RATERS_LABEL],
    points.map((p) => [
      p.campaign.name,
      formatNumber(p.finalScore),
      formatInterval(p.scoreInterval),
      p.rank === null ? MISSING : `${p.rank} / ${p.groupSize}`,
      p.grade ?? MISSING,
      formatRate(p.satisfactionRate),
      p.validRaters,
    ]),
    trendCanvas,
  );
  if (status) status.textContent = '';
}

// ───────────────────────────── start ─────────────────────────────

/** The status line says why the figures are missing (the page is not for signed-out people: see sessionApi). */
function showFailure(error: unknown) {
  if (status) {
    status.textContent = `无法显示结果：${messageOf(error)}`;
    status.classList.add('error');
  }
}

for (const s of document.querySelectorAll<HTMLSelectElement>('select[data-autosubmit]')) {
  s.addEventListener('change', () => {
    // a campaign change opens on that campaign's latest published result (or its interim one)
    if (s.name === 'campaign')
      (s.form?.elements.namedItem('snapshot') as HTMLSelectElement | null)?.setAttribute('disabled', '');
    s.form?.submit();
  });
}
(root.dataset.view === 'department' ? department() : overview())
  .then(() => root.setAttribute('data-ready', '1'))
  .catch(showFailure);
