import { parentPort, Worker, workerData } from 'node:worker_threads';
import { AppError } from '../errors.js';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

/** What a task module answers: a result, or an AppError's parts (any other failure ends the thread). */
type TaskReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: AppError['code']; message: string; details?: AppError['details'] } };

export interface TaskThreadOptions {
  /** heap budget of the thread (MB); none: Node's default */
  memoryMb?: number;
  /** the error a task gets when the thread dies under it (out of memory, a crash) */
  failure(error: Error & { code?: string }): Error;
  /** the error a task gets when it runs past its time */
  timeout?(seconds: number): Error;
}

/**
 * One worker thread running a task module (`siblingModule(import.meta.url, './tasks.ts')`, which calls
 * `serveTasks`): started on the first task and kept for the next ones (starting one costs a fraction
 * of a second to a second), replaced when a task exhausts its heap, its time or crashes. Tasks run one
 * at a time. Idle, it doesn't keep the process alive.
 */
export class TaskThread<Task, Result = unknown> {
  private worker: Worker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private next = 0;

  constructor(
    private readonly module: URL,
    private readonly options: TaskThreadOptions,
  ) {}

  run(task: Task, timeoutSeconds?: number): Promise<Result> {
    const result = this.queue.then(() => this.runNow(task, timeoutSeconds));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private thread(): Worker {
    if (!this.worker) {
      const { memoryMb } = this.options;
      const worker = new Worker(ENTRY, {
        workerData: { module: this.module.href },
        execArgv: [],
        ...(memoryMb ? { resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 } } : {}),
      });
      worker.on('exit', () => {
        if (this.worker === worker) this.worker = undefined;
      });
      this.worker = worker;
    }
    return this.worker;
  }

  private runNow(task: Task, timeoutSeconds: number | undefined): Promise<Result> {
    const worker = this.thread();
    const id = this.next++;
    worker.ref();
    return new Promise<Result>((resolve, reject) => {
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
            ? resolve(reply.result as Result)
            : reject(new AppError(reply.error.code, reply.error.message, reply.error.details)),
        );
      };
      const onError = (error: Error & { code?: string }) => settle(() => reject(this.options.failure(error)), true);
      const onExit = (code: number) =>
        settle(() => reject(this.options.failure(new Error(`the worker thread stopped (exit code ${code})`))), true);
      const { timeout } = this.options;
      const timer =
        timeoutSeconds !== undefined && timeout
          ? setTimeout(() => settle(() => reject(timeout(timeoutSeconds)), true), timeoutSeconds * 1000)
          : undefined;
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id, task });
    });
  }
}

/**
 * The thread side: answer each task posted by a TaskThread with `run`'s result (transferring
 * `transfer(result)`'s buffers, if given); an AppError goes back as one, anything else ends the thread.
 * Does nothing outside a worker thread started by TaskThread.
 */
export function serveTasks<Task>(
  run: (task: Task) => unknown | Promise<unknown>,
  transfer?: (result: unknown) => ArrayBuffer[],
): void {
  if (!parentPort || !workerData?.module) return;
  const port = parentPort;
  port.on('message', ({ id, task }: { id: number; task: Task }) => {
    Promise.resolve()
      .then(() => run(task))
      .then(
        (result) => port.postMessage({ id, reply: { ok: true, result } satisfies TaskReply }, transfer?.(result) ?? []),
        (error: unknown) => {
          if (!(error instanceof AppError)) throw error;
          const reply: TaskReply = {
            ok: false,
            error: { code: error.code, message: error.message, details: error.details },
          };
          port.postMessage({ id, reply });
        },
      );
  });
}
