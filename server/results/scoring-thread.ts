import { siblingModule } from '../shared/paths.js';
import { TaskThread } from '../shared/worker-thread.js';
import type { Inputs, ScoringTask, Scored } from './scoring-tasks.js';

let thread: TaskThread<ScoringTask, Scored> | undefined;

export type ScoreRequest = Inputs & {
  /** with the bootstrap (false: official scores only) */
  uncertainty: boolean;
  /** the hash of the inputs of a result the caller holds: if unchanged, no result comes back */
  knownHash?: string;
};

/**
 * Reads, screens, scores and bootstraps in a worker thread (scoring-tasks.ts; two threads for the
 * bootstrap on two cores): given a read source, the thread reads the stored rows itself; the
 * server's event loop only posts the task, so evaluators and /healthz are answered while a
 * publish or a live dashboard computes. (An in-memory database can only hand its rows over.)
 */
export function scoreOffThread(request: ScoreRequest): Promise<Scored> {
  thread ??= new TaskThread<ScoringTask, Scored>(siblingModule(import.meta.url, './scoring-tasks.ts'), {
    failure: (error) => error,
  });
  return thread.run({ kind: 'score', split: true, ...request });
}
