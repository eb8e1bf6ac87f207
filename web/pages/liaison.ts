/**
 * The liaison's own results (/my/results): the server renders every figure and table; this script
 * draws the department's charts beside them from /api/my/results, with the dashboard's chart
 * module (web/lib/charts.ts), withheld cells as labelled gaps.
 */
import type { MyResults } from '../../server/contracts.js';
import { categoryChart, negativeChart, problemChart } from '../lib/charts.js';
import { messageOf } from '../lib/errors.js';
import { el } from '../lib/dom.js';
import { sessionApi } from '../lib/session.js';

const DRAW = { category: categoryChart, problem: problemChart, negative: negativeChart } as const;
const root = document.getElementById('liaison-results') as HTMLElement;

async function draw() {
  const { results } = await sessionApi().json<MyResults>('/api/my/results');
  for (const canvas of root.querySelectorAll<HTMLCanvasElement>('canvas[data-chart]')) {
    const result = results.find((r) => r.snapshot.id === canvas.dataset.snapshot);
    const chart = DRAW[canvas.dataset.chart as keyof typeof DRAW];
    if (result && chart) chart(canvas, result.department, result.catalogs);
    else canvas.closest('.chart-box')?.remove();
  }
}

draw()
  .then(() => root.setAttribute('data-ready', '1'))
  .catch((error) => {
    for (const box of root.querySelectorAll('.chart-box')) box.remove();
    root.prepend(el('p', { class: 'note', role: 'status' }, `图表无法显示：${messageOf(error)}（下面的表格不受影响）`));
  });
