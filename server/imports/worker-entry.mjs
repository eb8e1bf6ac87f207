// A worker thread has no TypeScript loader of its own (under vitest nor under tsx): register tsx,
// then run the import task module named by the parent.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.module);
