/**
 * `npm run bench`: runs every benchmark in its own process (so memory figures are its own) and
 * writes BENCHMARKS.md with the machine and each section's date and load; `npm run bench -- NAME --write`
 * re-measures the matching sections only. Each bench prints one JSON object on its last line.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

interface Bench {
  title: string;
  script: string;
  args: string[];
  env?: Record<string, string>;
  target: string;
  verdict(result: Record<string, unknown>): string;
}

const PG_URL = process.env.PG_BENCH_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const num = (v: unknown) => Number(v);

const benches: Bench[] = [
  {
    title: 'CLI start: `minping --help`, compiled (dist/) against tsx',
    script: 'bench/cli-start.bench.ts',
    args: ['11'],
    target: '`minping --help` < 0.5 s (median of 11)',
    verdict: (r) => (num((r.helpCompiled as { medianMs: number }).medianMs) < 500 ? 'met' : 'NOT met'),
  },
  {
    title: 'Scoring: 10,000 evaluators × 100 departments, ~20 each, 1,000 bootstrap samples',
    script: 'bench/scoring.bench.ts',
    args: ['10000', '100', '20', '1000'],
    target: 'full result with 1,000 bootstrap samples < 5 s',
    verdict: (r) => (Math.max(...(r.fullMs as number[])) < 5000 ? 'met' : 'NOT met'),
  },
  {
    title:
      'Scoring: 100,000 evaluators × 100 departments, ~20 each, 1,000 bootstrap samples, the records compiled as they arrive',
    script: 'bench/scoring.bench.ts',
    args: ['100000', '100', '20', '1000'],
    target: 'full result (`streamed.fullMs`, the server’s path) < 4 s and peak RSS (`streamed.peakRssMB`) < 400 MB',
    verdict: (r) => {
      const s = r.streamed as { fullMs: number[]; peakRssMB: number };
      return Math.max(...s.fullMs) < 4000 && s.peakRssMB < 400 ? 'met' : 'NOT met';
    },
  },
  {
    title: 'Publishing at 10,000 responses × 100 departments while /healthz is polled every 50 ms',
    script: 'bench/publish-stall.bench.ts',
    args: ['10000', '100'],
    target: 'no gap over 100 ms between two /healthz answers during a publish',
    verdict: (r) => (num((r.publish as { maxGapMs: number }).maxGapMs) <= 100 ? 'met' : 'NOT met'),
  },
  {
    title: 'Pages on slow 4G in Chromium: the evaluator page (4× CPU throttling) and the rankings of 100 departments',
    script: 'bench/pages.bench.ts',
    args: ['3000'],
    target:
      'evaluator: first question answerable < 3 s, first visit ≤ 350 KB, repeat visit only the page and its API call; rankings ≤ 150 KB and < 2 s',
    verdict: (r) => {
      const e = r.evaluator as { firstVisit: { usableMs: number; kb: number } };
      const k = r.rankings as { shownMs: number; kb: number };
      return e.firstVisit.usableMs < 3000 && e.firstVisit.kb <= 350 && k.kb <= 150 && k.shownMs < 2000
        ? 'met'
        : 'NOT met';
    },
  },
  {
    title: 'Official scores from the database vs one bare SQLite GROUP BY over the same answers',
    script: 'bench/results.bench.ts',
    args: ['10000', '100', '20'],
    target: 'official scores (read + screen + score, no bootstrap) within 3× the bare GROUP BY',
    verdict: (r) => (num(r.ratio) <= 3 ? 'met' : 'NOT met'),
  },
  {
    title:
      'Deadline rush: the two-step submission, the one-step submit and the draft autosave on SQLite and PostgreSQL at 50 and 200 connections, against a no-op route and a one-row insert measured in the same run',
    script: 'bench/submit.bench.ts',
    args: ['2000', '50,200', 'sqlite,postgres'],
    target:
      'on SQLite, each flow at 50 and 200 connections: ≥ 20% of the no-op ceiling, p99 < 100 ms, zero errors, every acknowledged submission stored once, ≤ 1 ms of server CPU and ≤ 30 KB written per submission (`sqliteMisses` says what misses, by how much)',
    verdict: (r) =>
      Object.values(r.sqliteMisses as Record<string, string[]>).every((m) => m.length === 0) ? 'met' : 'NOT met',
  },
  {
    title:
      'Memory over a deadline rush: RSS at the start, after 10,000 and after 100,000 submissions in one process (SQLite, direct service calls)',
    script: 'bench/memory.bench.ts',
    args: ['10000,100000', '600'],
    target: 'RSS levels off below 300 MB through 100,000 submissions (its peak over the second half of the run)',
    verdict: (r) => (r.submitted === r.planned && num(r.peakRssSecondHalfMB) < 300 ? 'met' : 'NOT met'),
  },
  {
    title:
      'Scale-out on PostgreSQL: `minping serve --workers N` with 1, 2 and 4 workers, the two-step submission at 50 connections',
    script: 'bench/workers.bench.ts',
    args: ['2000', '50', '1,2,4'],
    target:
      'every acknowledged submission stored once, no errors, at each N; the scaling factor against one worker stated',
    verdict: (r) =>
      (r.runs as { storedExactlyOnce: boolean; errors: number }[]).every((x) => x.storedExactlyOnce && x.errors === 0)
        ? 'met'
        : 'NOT met',
  },
  ...(['sqlite', 'postgres'] as const).map(
    (database): Bench => ({
      title: `Verification queue on ${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: 3,000 reports over 100 departments, read by the office over HTTP`,
      script: 'bench/negatives.bench.ts',
      args: ['3000'],
      ...(database === 'postgres' ? { env: { DATABASE_URL: PG_URL } } : {}),
      target:
        'every kind of queue request (first page, filters, text search, a late page, one report) answers in < 300 ms (median of 20)',
      verdict: (r) =>
        Math.max(
          ...Object.values(r).flatMap((v) =>
            v && typeof v === 'object' ? [num((v as { medianMs: number }).medianMs)] : [],
          ),
        ) < 300
          ? 'met'
          : 'NOT met',
    }),
  ),
  ...(['sqlite', 'postgres'] as const).map(
    (database): Bench => ({
      title: `Ledger on ${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'}: 1,000 tracked items over 100 departments (~4,750 history rows), read by the office over HTTP`,
      script: 'bench/ledger.bench.ts',
      args: ['1000'],
      ...(database === 'postgres' ? { env: { DATABASE_URL: PG_URL } } : {}),
      target:
        'the ledger with its reconciliation statement (current quarter, a past quarter, a year) and the page answer in < 300 ms (median of 20); .xlsx/.docx measured',
      verdict: (r) =>
        Math.max(
          ...(['currentQuarter', 'firstQuarterStatement', 'wholeYear', 'page'] as const).map((k) =>
            num((r[k] as { medianMs: number }).medianMs),
          ),
        ) < 300
          ? 'met'
          : 'NOT met',
    }),
  ),
];

const args = process.argv.slice(2);
const write = args.includes('--write');
const only = args.find((a) => !a.startsWith('--'));
const FILE = 'BENCHMARKS.md';
const NOTES = '### Notes';

/**
 * The sections of the file written before, by title. A section's own `### Notes` (why a target is
 * missed, what would close it) is written by hand and survives a re-measurement of that section.
 */
function previousSections(): Map<string, { text: string; notes: string }> {
  const sections = new Map<string, { text: string; notes: string }>();
  if (!existsSync(FILE)) return sections;
  for (const text of readFileSync(FILE, 'utf8')
    .split(/^(?=## )/m)
    .slice(1)) {
    const title = text.slice(3, text.indexOf('\n')).trim();
    const at = text.indexOf(`\n${NOTES}\n`);
    sections.set(title, { text, notes: at < 0 ? '' : text.slice(at + 1).trimEnd() });
  }
  return sections;
}

const previous = previousSections();
const measured = new Map<string, string>();
let failed = false;
for (const bench of benches) {
  if (only && !bench.script.includes(only)) continue;
  process.stderr.write(`▶ ${bench.title}\n`);
  const loadAtStart = os.loadavg()[0].toFixed(1);
  const startedAt = new Date().toISOString().slice(0, 16);
  let body: string;
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', bench.script, ...bench.args], {
      env: { ...process.env, ...bench.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: 15 * 60_000,
    });
    // the last top-level JSON object printed, compact or pretty
    const text = out.trim();
    const result = JSON.parse(text.slice(text.lastIndexOf('\n{') + 1)) as Record<string, unknown>;
    const verdict = bench.verdict(result);
    if (verdict === 'NOT met') failed = true;
    body = `Target: ${bench.target} — **${verdict}**\n\n\`\`\`json\n${JSON.stringify(result, null, 2)}\n\`\`\``;
  } catch (error) {
    failed = true;
    body = `**failed to run**: ${(error as Error).message.split('\n')[0]}`;
  }
  const notes = previous.get(bench.title)?.notes;
  measured.set(
    bench.title,
    `## ${bench.title}\n\n\`${bench.script} ${bench.args.join(' ')}\`${bench.env?.DATABASE_URL ? ' (PostgreSQL)' : ''}, ` +
      `measured ${startedAt}Z, load average ${loadAtStart} at its start\n\n${body}\n${notes ? `\n${notes}\n` : ''}`,
  );
}

const cpus = os.cpus();
const header = `# Benchmarks

Last written ${new Date().toISOString().slice(0, 16)}Z by \`npm run bench\` (a section alone: \`npm run bench -- NAME --write\`); each section says when it was measured
and the load average then: this machine has 2 cores, and times measured beside other work are inflated (bytes are not).

Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB memory, ${os.type()} ${os.release()}, Node ${process.version}.
Each benchmark runs in its own process; memory figures are that process's. Load tests target 127.0.0.1 only.
`;
if (only && !write) {
  // a partial run (`npm run bench -- submit`) is for looking; `--write` puts its sections in the file
  process.stdout.write([...measured.values()].join('\n'));
} else {
  // sections not measured now keep their last measurement; a bench no longer listed drops out
  const sections = benches.flatMap((b) => {
    const text = measured.get(b.title) ?? previous.get(b.title)?.text;
    return text ? [`${text.trimEnd()}\n`] : [];
  });
  writeFileSync(FILE, [header, ...sections].join('\n'));
  // the file is checked by `npm run lint` like the rest: written in the formatter's layout
  execFileSync('node_modules/.bin/biome', ['format', '--write', FILE], { stdio: 'ignore' });
  process.stderr.write(`wrote ${FILE}${failed ? ' (some targets not met or failed)' : ''}\n`);
}
