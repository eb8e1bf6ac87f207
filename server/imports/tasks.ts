/**
 * The reading and checking of an import file, run inside a worker thread with a memory and time
 * budget (see worker.ts): parsing spreadsheets and validating records costs memory and CPU in
 * proportion to the file, which must never block or exhaust the server's own thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileRecordValidator, type RecordRules } from '../../surveys/record.js';
import { AppError } from '../errors.js';
import { checkJsonl, type CheckedJsonl } from '../responses/jsonl.js';
import type { CampaignConfig } from '../../surveys/campaign-config.js';
import { checkRosterFile, type CheckedRoster } from '../roster/rows.js';

type RosterFile = { file: { bytes: Uint8Array; filename?: string }; config: CampaignConfig };

export type ImportTask =
  | ({ kind: 'departments' } & RosterFile)
  | ({ kind: 'evaluators' } & RosterFile)
  | { kind: 'jsonl'; text: string; rules: RecordRules };

export interface ImportResults {
  departments: CheckedRoster<'departments'>;
  evaluators: CheckedRoster<'evaluators'>;
  jsonl: CheckedJsonl;
}

export type TaskReply =
  | { ok: true; result: unknown }
  | { ok: false; error: { code: AppError['code']; message: string; details?: AppError['details'] } };

async function run(task: ImportTask): Promise<unknown> {
  if (task.kind === 'jsonl') return checkJsonl(task.text, compileRecordValidator(task.rules));
  return checkRosterFile(task.kind, task.file, task.config);
}

if (parentPort && workerData?.module) {
  const port = parentPort;
  port.on('message', ({ id, task }: { id: number; task: ImportTask }) => {
    run(task).then(
      (result) => port.postMessage({ id, reply: { ok: true, result } satisfies TaskReply }),
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
