import type { AppConfig } from '../config.js';
import { AppError } from '../errors.js';
import { siblingModule } from '../shared/paths.js';
import { TaskThread } from '../shared/worker-thread.js';
import type { ImportResults, ImportTask } from './tasks.js';

const TASKS = siblingModule(import.meta.url, './tasks.ts');

/** the heap and time an import thread's task may take */
export type ImportBudget = Pick<AppConfig, 'importMemoryMb' | 'importTimeoutSeconds'>;

/** one import thread per heap budget, replaced when a task exhausts its heap or its time */
const threads = new Map<number, TaskThread<ImportTask>>();

function importThread(memoryMb: number): TaskThread<ImportTask> {
  return new TaskThread<ImportTask>(TASKS, {
    memoryMb,
    failure: (error) =>
      error.code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? new AppError(
            'PAYLOAD_TOO_LARGE',
            `文件太大：读取时超过了 ${memoryMb} MB 的内存限额，没有导入任何数据：请分批导入`,
          )
        : error,
    timeout: (seconds) =>
      new AppError('PAYLOAD_TOO_LARGE', `文件处理超过 ${seconds} 秒的时限，没有导入任何数据：请分批导入`),
  });
}

/**
 * Run an import task (tasks.ts) in a worker thread with a heap limit and a time limit: a file that
 * would exhaust memory or run for minutes ends its own thread with a 413, while the server's thread
 * keeps answering evaluators.
 */
export function runImportTask<K extends ImportTask['kind']>(
  task: Extract<ImportTask, { kind: K }>,
  budget: ImportBudget,
): Promise<ImportResults[K]> {
  let thread = threads.get(budget.importMemoryMb);
  if (!thread) threads.set(budget.importMemoryMb, (thread = importThread(budget.importMemoryMb)));
  return thread.run(task, budget.importTimeoutSeconds) as Promise<ImportResults[K]>;
}
