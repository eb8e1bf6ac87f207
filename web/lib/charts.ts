/**
 * The charts of the results pages, one module for the analyst dashboard (web/pages/dashboard.ts)
 * and the liaison's own results (web/pages/liaison.ts): chart.js registered once, every chart kept
 * in `window.minpingCharts` by canvas id, and a department's charts of categories, work-style
 * problems and negative situations. A figure withheld by the small-cell rule is a gap labelled
 * "人数不足", never an empty bar that would read as zero.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration,
  type Plugin,
} from 'chart.js';
import type { Catalogs, DepartmentView } from '../../server/contracts.js';
import { WITHHELD } from './format.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  Legend,
);
Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
Chart.defaults.font.size = 14;

declare global {
  interface Window {
    Chart: typeof Chart;
    /** every chart of the page by canvas id (for tests and the console) */
    minpingCharts: Record<string, Chart>;
  }
}
window.Chart = Chart;
window.minpingCharts = {};

/**
 * A ranking bar's label that fits `maxWidth` pixels in `font`: the rank (`1.`, `2.（并列）`) is always
 * kept and the name is cut at its end with "…", never the rank lost off the canvas's left edge
 * (chart.js draws a too-long axis label past it, right-aligned to the axis).
 */
export function fitRankLabel(
  ctx: CanvasRenderingContext2D,
  font: string,
  rank: string,
  name: string,
  maxWidth: number,
): string {
  ctx.save();
  ctx.font = font;
  const fits = (text: string) => ctx.measureText(text).width <= maxWidth;
  let label = `${rank} ${name}`;
  if (!fits(label)) {
    const chars = [...name];
    let n = chars.length - 1;
    while (n > 1 && !fits(`${rank} ${chars.slice(0, n).join('')}…`)) n--;
    label = `${rank} ${chars.slice(0, n).join('')}…`;
  }
  ctx.restore();
  return label;
}

/** Draw a chart on a canvas (replacing the one drawn there before); `data-ready` says it is drawn. */
export function makeChart(canvas: HTMLCanvasElement, config: ChartConfiguration) {
  window.minpingCharts[canvas.id]?.destroy();
  const chart = new Chart(canvas, config);
  window.minpingCharts[canvas.id] = chart;
  canvas.dataset.ready = '1';
  return chart;
}

/**
 * A bar withheld by the small-cell rule (its dataset's `withheld[k]`) is a gap labelled "人数不足"
 * from the axis, so it never reads as a zero; one label for the slot when all its bars are withheld.
 */
const withheldGaps: Plugin = {
  id: 'withheldGaps',
  afterDatasetsDraw(chart) {
    const { ctx } = chart;
    const horizontal = chart.options.indexAxis === 'y';
    const indexScale = horizontal ? chart.scales.y : chart.scales.x;
    const sets = chart.data.datasets
      .map((ds, i) => ({
        flags: (ds as unknown as { withheld?: boolean[] }).withheld,
        bars: chart.getDatasetMeta(i).data,
        i,
      }))
      .filter(
        (x): x is { flags: boolean[]; bars: typeof x.bars; i: number } => !!x.flags && chart.isDatasetVisible(x.i),
      );
    if (!sets.length) return;
    const label = (center: number, base: number) => {
      if (horizontal) ctx.fillText(WITHHELD, base + 4, center);
      else {
        ctx.save();
        ctx.translate(center, base - 4);
        ctx.rotate(-Math.PI / 2);
        ctx.fillText(WITHHELD, 0, 0);
        ctx.restore();
      }
    };
    ctx.save();
    ctx.fillStyle = '#757575';
    ctx.font = `12px ${Chart.defaults.font.family}`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    sets[0].bars.forEach((_, k) => {
      const gaps = sets.filter((x) => x.flags[k] && x.bars[k]);
      const props = (x: (typeof gaps)[number]) =>
        x.bars[k].getProps(['x', 'y', 'base'], true) as { x: number; y: number; base: number };
      if (gaps.length && gaps.length === sets.length) label(indexScale.getPixelForValue(k), props(gaps[0]).base);
      else
        for (const gap of gaps) {
          const { x, y, base } = props(gap);
          label(horizontal ? y : x, base);
        }
    });
    ctx.restore();
  },
};

/** Mean points per evaluator category and item; a withheld category is a labelled gap. */
export function categoryChart(canvas: HTMLCanvasElement, d: DepartmentView, catalogs: Catalogs) {
  const cats = catalogs.categories;
  const items = catalogs.items;
  const palette = ['#1565c0', '#ef8f00', '#6a1b9a', '#2e7d32'];
  return makeChart(canvas, {
    type: 'bar',
    data: {
      labels: cats.map((c) => c.label),
      datasets: items.map((it, k) => {
        const cells = cats.map((c) => d.items[it.code]?.categoryBreakdown.find((b) => b.category === c.code));
        return {
          label: it.label,
          data: cells.map((b) => b?.mean ?? null),
          backgroundColor: palette[k % palette.length],
          withheld: cells.map((b) => b?.suppressed ?? false),
        } as never;
      }),
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { min: 0, max: 100, title: { display: true, text: '平均分' } } },
    },
    plugins: [withheldGaps],
  });
}

/** The share of raters naming each work-style problem. */
export function problemChart(canvas: HTMLCanvasElement, d: DepartmentView, catalogs: Catalogs) {
  const problems = catalogs.problems;
  return makeChart(canvas, {
    type: 'bar',
    data: {
      labels: problems.map((p) => `${p.id} ${p.label.split(/[、：]/)[0]}`),
      datasets: [
        {
          label: '指出该问题的评议人比例（%）',
          data: problems.map((p) => {
            const c = d.problems.find((x) => x.problem === p.id);
            return c && c.share !== null ? c.share * 100 : null;
          }),
          backgroundColor: '#c62828',
          withheld: problems.map((p) => d.problems.find((x) => x.problem === p.id)?.suppressed ?? true),
        } as never,
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      // the shares are percentages: the axis runs 0–100%, also when every bar is withheld (chart.js
      // would draw an empty axis 0–1.0)
      scales: {
        x: {
          min: 0,
          max: 100,
          ticks: { callback: (value) => `${value}%` },
          title: { display: true, text: '评议人比例' },
        },
        y: { ticks: { autoSkip: false } },
      },
    },
    plugins: [withheldGaps],
  });
}

/** Negative situations reported and verified, per kind. */
export function negativeChart(canvas: HTMLCanvasElement, d: DepartmentView, catalogs: Catalogs) {
  const negatives = catalogs.negatives;
  const cellOf = (id: number) => d.negatives.find((x) => x.kind === id);
  return makeChart(canvas, {
    type: 'bar',
    data: {
      labels: negatives.map((n) => `${n.id} ${n.label.split(/[、，]/)[0]}`),
      datasets: (['reported', 'verified'] as const).map((key, k) => ({
        label: key === 'reported' ? '反映' : '核实',
        data: negatives.map((n) => cellOf(n.id)?.[key] ?? null),
        backgroundColor: k ? '#c62828' : '#ffb74d',
        withheld: negatives.map((n) => cellOf(n.id)?.suppressed ?? true),
      })) as never,
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { ticks: { autoSkip: false } } },
    },
    plugins: [withheldGaps],
  });
}
