// The entry of every worker thread (server/shared/worker-thread.ts): run from the TypeScript
// sources (vitest, tsx) it registers tsx first, since a worker thread has no loader of its own;
// compiled (dist/) it imports the task module as is.
import { workerData } from 'node:worker_threads';

if (workerData.module.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.module);
