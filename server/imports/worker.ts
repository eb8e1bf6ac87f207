import { Worker } from 'node:worker_threads';
import type { AppConfig } from '../config.js';
import { AppError } from '../errors.js';
import type { ImportResults, ImportTask, TaskReply } from './tasks.js';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);
const TASKS = new URL('./tasks.ts', import.meta.url).href;

type Budget = Pick<AppConfig, 'importMemoryMb' | 'importTimeoutSeconds'>;

/**
 * The import thread of a heap budget: started on the first import and kept for the next ones
 * (starting one costs about a second), replaced when a task exhausts its heap or its time.
 * Idle, it doesn't keep the process alive.
 */
class ImportThread {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private next = 0;

  constructor(private readonly memoryMb: number) {}

  /** Tasks run one at a time, each with the whole budget. */
  run(task: ImportTask, timeoutSeconds: number): Promise<unknown> {
    const result = this.queue.then(() => this.runNow(task, timeoutSeconds));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private thread(): Worker {
    if (!this.worker) {
      const worker = new Worker(ENTRY, {
        workerData: { module: TASKS },
        execArgv: [],
        resourceLimits: { maxOldGenerationSizeMb: this.memoryMb, maxYoungGenerationSizeMb: 32 },
      });
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = undefined;
      });
      this.worker = worker;
    }
    return this.worker;
  }

  private runNow(task: ImportTask, timeoutSeconds: number): Promise<unknown> {
    const worker = this.thread();
    const id = this.next++;
    worker.ref();
    return new Promise<unknown>((resolve, reject) => {
      const settle = (done: () => void, replace = false) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (replace) {
          this.worker = undefined;
          void worker.terminate();
        } else worker.unref();
        done();
      };
      const onMessage = (message: { id: number; reply: TaskReply }) => {
        if (message.id !== id) return;
        const { reply } = message;
        settle(() =>
          reply.ok
            ? resolve(reply.result)
            : reject(new AppError(reply.error.code, reply.error.message, reply.error.details)),
        );
      };
      const onError = (error: Error & { code?: string }) =>
        settle(
          () =>
            reject(
              error.code === 'ERR_WORKER_OUT_OF_MEMORY'
                ? new AppError(
                    'PAYLOAD_TOO_LARGE',
                    `文件太大：读取时超过了 ${this.memoryMb} MB 的内存限额，没有导入任何数据：请分批导入`,
                  )
                : error,
            ),
          true,
        );
      const onExit = (code: number) =>
        settle(() => reject(new Error(`the import worker stopped (exit code ${code})`)), true);
      const timer = setTimeout(
        () =>
          settle(
            () =>
              reject(
                new AppError(
                  'PAYLOAD_TOO_LARGE',
                  `文件处理超过 ${timeoutSeconds} 秒的时限，没有导入任何数据：请分批导入`,
                ),
              ),
            true,
          ),
        timeoutSeconds * 1000,
      );
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id, task });
    });
  }
}

const threads = new Map<number, ImportThread>();

/**
 * Run an import task (tasks.ts) in a worker thread with a heap limit and a time limit: a file that
 * would exhaust memory or run for minutes ends its own thread with a 413, while the server's thread
 * keeps answering evaluators.
 */
export function runImportTask<K extends ImportTask['kind']>(
  task: Extract<ImportTask, { kind: K }>,
  budget: Budget,
): Promise<ImportResults[K]> {
  let thread = threads.get(budget.importMemoryMb);
  if (!thread) threads.set(budget.importMemoryMb, (thread = new ImportThread(budget.importMemoryMb)));
  return thread.run(task, budget.importTimeoutSeconds) as Promise<ImportResults[K]>;
}
