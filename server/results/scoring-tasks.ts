/**
 * The scoring, run in a worker thread (scoring-thread.ts) so that reading, screening, scoring and
 * the bootstrap of 10,000 responses never hold the server's event loop: the thread reads the
 * stored responses over a read-only connection of its own when the database has one to give
 * (a SQLite file, PostgreSQL), or is handed them. With two cores the thread
 * hands the second half of the bootstrap replicates to a helper thread of its own: replicate b
 * depends only on the inputs and deriveSeed(seed, b), so the result is the same to the byte.
 */
import { availableParallelism } from 'node:os';
import {
  type CampaignResult,
  type CompiledInputs,
  compileInputs,
  inputsCompiler,
  type DepartmentInfo,
  type Method,
  prepareInputs,
  type Replicable,
  type ResponseRecord,
  replicable,
  replicateScores,
  resultsFrom,
  ScoringInputError,
} from '../../scoring/index.js';
import type { QuestionnaireVersionCount } from '../contracts.js';
import { type ReadSource, readOnce } from '../db/reader.js';
import { AppError } from '../errors.js';
import { negativesRepository } from '../negatives/repository.js';
import { siblingModule } from '../shared/paths.js';
import { serveTasks, TaskThread } from '../shared/worker-thread.js';
import {
  type InputRow,
  type InputRows,
  inputRow,
  negativesByResponse,
  questionnaireVersionCounts,
  resultsRepository,
  type ScoringNegative,
  scoringRecord,
} from './repository.js';

/**
 * Parsed inputs; the stored rows (cheaper to copy between threads than parsed ones), parsed in
 * the thread; or a campaign whose rows the thread reads itself, in one snapshot, from `source`.
 */
export type Inputs = { method: Method } & (
  | { departments: DepartmentInfo[]; responses: Iterable<ResponseRecord> }
  | StoredInputs
  | ReadInputs
);

export interface StoredInputs {
  rows: InputRows;
  negatives: readonly ScoringNegative[];
}

export interface ReadInputs {
  source: ReadSource;
  campaignId: string;
}

/** Compiles stored rows added one at a time: each record is parsed, packed and dropped. */
function rowsCompiler(method: Method, departments: DepartmentInfo[], negatives: readonly ScoringNegative[]) {
  const c = inputsCompiler(method, departments);
  const byResponse = negativesByResponse(negatives);
  const versions: number[] = [];
  return {
    add(row: InputRow) {
      c.add(scoringRecord(row, byResponse));
      versions.push(row.version);
    },
    finish: () => ({ compiled: c.finish(), questionnaireVersions: questionnaireVersionCounts(versions) }),
  };
}

/** The inputs compiled; from stored rows, with how many responses answered each questionnaire version. */
async function compiled(
  inputs: Inputs,
): Promise<{ compiled: CompiledInputs; questionnaireVersions?: QuestionnaireVersionCount[] }> {
  const { method } = inputs;
  if ('responses' in inputs) return { compiled: compileInputs(method, inputs.departments, inputs.responses) };
  if ('rows' in inputs) {
    const { rows } = inputs;
    const c = rowsCompiler(method, rows.departments, inputs.negatives);
    for (let i = 0; i < rows.ids.length; i++) c.add(inputRow(rows, i));
    return c.finish();
  }
  // read here, in one snapshot, on a read-only connection of this thread
  const { campaignId } = inputs;
  const c = await readOnce(inputs.source, async (trx) => {
    const repo = resultsRepository(trx);
    const reading = rowsCompiler(
      method,
      await repo.departments(campaignId),
      await negativesRepository(trx).scoringEntries(campaignId),
    );
    for await (const batch of repo.inputRowBatches(campaignId)) for (const row of batch) reading.add(row);
    return reading;
  });
  return c.finish();
}

export type ScoringTask =
  /** the inputs' hash, and the result unless the hash is `knownHash` (then null) */
  | ({ kind: 'score'; uncertainty: boolean; knownHash?: string; split?: boolean } & Inputs)
  /**
   * replicates [from, to) of the screened, packed inputs (typed arrays: copied as bytes, nothing
   * parsed or compiled again) written into `scores` (row b at (b - from)·D); `done` set to 1 (or 2 on failure)
   */
  | {
      kind: 'replicates';
      prep: Replicable;
      from: number;
      to: number;
      scores: SharedArrayBuffer;
      done: SharedArrayBuffer;
    };

export interface Scored {
  hash: string;
  result: CampaignResult | null;
  /** inputs from stored rows: how many responses answered each questionnaire version */
  questionnaireVersions?: QuestionnaireVersionCount[];
}

/** the longest the scoring thread waits for its helper's half of the replicates */
const HELPER_WAIT_MS = 10 * 60_000;

let helper: TaskThread<ScoringTask> | undefined;

/** A score task (the scoring thread's; exported for bench/scoring.bench.ts, which runs it on its main thread). */
export async function score(task: Extract<ScoringTask, { kind: 'score' }>): Promise<Scored> {
  const { method } = task;
  // compiled once: the hash, the official figures and both halves of the bootstrap read it
  const { compiled: cx, questionnaireVersions } = await compiled(task);
  const versions = questionnaireVersions ? { questionnaireVersions } : {};
  const { hash } = cx;
  if (hash === task.knownHash) return { hash, result: null, ...versions };
  const inputs = prepareInputs(cx);
  if (!task.uncertainty) return { hash, result: resultsFrom(inputs, false), ...versions };
  const B = method.bootstrap.samples;
  const { D } = inputs.cx;
  if (!task.split || B < 2 || availableParallelism() < 2)
    return { hash, result: resultsFrom(inputs, true), ...versions };

  const half = Math.ceil(B / 2);
  const scores = new SharedArrayBuffer(B * D * 8);
  const done = new Int32Array(new SharedArrayBuffer(4));
  helper ??= new TaskThread<ScoringTask>(siblingModule(import.meta.url, './scoring-tasks.ts'), {
    failure: (error) => error,
  });
  const helping = helper.run({
    kind: 'replicates',
    prep: replicable(inputs.prep),
    from: half,
    to: B,
    scores,
    done: done.buffer as SharedArrayBuffer,
  });
  helping.catch(() => undefined); // awaited below
  // let the helper's task be posted before this thread blocks in the computation
  await new Promise((resolve) => setImmediate(resolve));
  const result = resultsFrom(inputs, true, (prep, samples, seed) => {
    const out = new Float64Array(scores);
    if (samples !== B) throw new Error('scoring: replicate layout differs from the helper’s');
    replicateScores(prep, seed, 0, half, out);
    const deadline = Date.now() + HELPER_WAIT_MS;
    while (Atomics.load(done, 0) === 0 && Date.now() < deadline) Atomics.wait(done, 0, 0, 1000);
    if (Atomics.load(done, 0) !== 1) throw new Error('scoring: the bootstrap helper thread failed');
    return out;
  });
  await helping;
  return { hash, result, ...versions };
}

function replicates(task: Extract<ScoringTask, { kind: 'replicates' }>): null {
  const done = new Int32Array(task.done);
  try {
    const { prep } = task;
    const { D } = prep.cx;
    const out = new Float64Array(task.scores, task.from * D * 8, (task.to - task.from) * D);
    replicateScores(prep, prep.cx.method.bootstrap.seed, task.from, task.to, out);
    Atomics.store(done, 0, 1);
  } catch (error) {
    Atomics.store(done, 0, 2);
    throw error;
  } finally {
    Atomics.notify(done, 0);
  }
  return null;
}

/** Inputs the scoring refuses are the office's to fix (409 with the first issues), not a crash. */
export const scoringConflict = (error: ScoringInputError) =>
  new AppError(
    'CONFLICT',
    '答卷数据无法计分，请检查导入的数据',
    error.issues.slice(0, 20).map((message) => ({ message })),
  );

serveTasks((task: ScoringTask) =>
  Promise.resolve()
    .then(() => (task.kind === 'score' ? score(task) : replicates(task)))
    .catch((error: unknown) => {
      throw error instanceof ScoringInputError ? scoringConflict(error) : error;
    }),
);
