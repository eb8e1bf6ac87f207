/**
 * The reading and checking of an import file, run inside a worker thread with a memory and time
 * budget (see worker.ts): parsing spreadsheets and validating records costs memory and CPU in
 * proportion to the file, which must never block or exhaust the server's own thread. So does
 * survey-core's reading of an uploaded questionnaire (it builds every question, choice and matrix
 * cell as an object: seconds for one at the size caps).
 */
import { answerPlace, compileRecordValidator, type RecordRules } from '../../surveys/record.js';
import { serveTasks } from '../shared/worker-thread.js';
import { checkJsonl, type CheckedJsonl } from '../responses/jsonl.js';
import type { CampaignConfig } from '../../surveys/campaign-config.js';
import { checkRosterFile, type CheckedRoster } from '../roster/rows.js';
import { surveyCoreIssues, type SurveyCoreIssue } from '../../surveys/survey-core-check.js';

type RosterFile = { file: { bytes: Uint8Array; filename?: string }; config: CampaignConfig };

export type ImportTask =
  | ({ kind: 'departments' } & RosterFile)
  | ({ kind: 'evaluators' } & RosterFile)
  /** `departmentNames`: code → name, to name a refused answer's department as the office knows it */
  | { kind: 'jsonl'; text: string; rules: RecordRules; departmentNames: [string, string][] }
  | { kind: 'questionnaire'; definition: unknown };

export interface ImportResults {
  departments: CheckedRoster<'departments'>;
  evaluators: CheckedRoster<'evaluators'>;
  jsonl: CheckedJsonl;
  questionnaire: SurveyCoreIssue[];
}

async function run(task: ImportTask): Promise<unknown> {
  if (task.kind === 'jsonl') {
    const names = new Map(task.departmentNames);
    return checkJsonl(task.text, compileRecordValidator(task.rules), (path, input) =>
      answerPlace(path, task.rules, input, (code) => names.get(code)),
    );
  }
  if (task.kind === 'questionnaire') return surveyCoreIssues(task.definition);
  return checkRosterFile(task.kind, task.file, task.config);
}

serveTasks(run);
