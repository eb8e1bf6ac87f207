import {
  type CanonicalRecord,
  type RecordRules,
  type RecordValidator,
  recordFieldLabel,
} from '../../surveys/record.js';
import type { ErrorDetail } from '../contracts.js';
import { AppError, MAX_ERROR_DETAILS, zodDetails } from '../errors.js';
import { sha256 } from '../shared/ids.js';
import { parseJson } from '../shared/json.js';

export interface CheckedJsonl {
  records: CanonicalRecord[];
  /** the first MAX_ERROR_DETAILS errors, each naming its line and field */
  details: ErrorDetail[];
  /** the last line checked: checking stops once MAX_ERROR_DETAILS errors are found */
  lastLine: number;
  complete: boolean;
  /** sha256 of the records' lines (BOM, blank lines and line endings aside): the same file can't be imported twice */
  contentHash: string;
}

/**
 * Check every line of a JSONL file of canonical records: each line read like any JSON input
 * (depth, NUL, lone surrogates), then by the campaign's record validator, each refused field
 * named by `place` from the line as written (its department by name). Stops at the first
 * MAX_ERROR_DETAILS errors, so a file of 60,000 bad lines costs no more than one of 100.
 */
export function checkJsonl(
  text: string,
  validate: RecordValidator,
  place: (path: string, input: unknown) => string,
): CheckedJsonl {
  const records: CanonicalRecord[] = [];
  const details: ErrorDetail[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    if (details.length >= MAX_ERROR_DETAILS) return { records, details, lastLine: i, complete: false, contentHash: '' };
    const line = i + 1;
    if (!lines[i].trim()) continue;
    let value: unknown;
    try {
      value = parseJson(lines[i], `第 ${line} 行`, line);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      details.push(...(error.details ?? [{ line, message: error.message }]));
      continue;
    }
    const result = validate(value);
    if (result.ok) records.push(result.record);
    else
      details.push(...zodDetails(result.error, line).map((d) => (d.path ? { ...d, field: place(d.path, value) } : d)));
  }
  const contentHash = sha256(
    lines
      .map((l) => l.trim())
      .filter(Boolean)
      .join('\n'),
  );
  return { records, details, lastLine: lines.length, complete: true, contentHash };
}

/**
 * The refusal of a file with errors: nothing is imported, the message says how far it was checked,
 * and each error names its field in the office's words beside the key written in the file (a line
 * that is no JSON, whose departments can't be read, by recordFieldLabel's).
 */
export function jsonlRefusal(checked: CheckedJsonl, rules: RecordRules): AppError {
  const shown = checked.details
    .slice(0, MAX_ERROR_DETAILS)
    .map((d) => (d.path && !d.field ? { ...d, field: recordFieldLabel(d.path, rules) } : d));
  const message = checked.complete
    ? `文件有 ${checked.details.length} 处错误，没有导入任何答卷`
    : `文件的前 ${checked.lastLine} 行已有 ${checked.details.length} 处错误（后面的行没有再检查），没有导入任何答卷`;
  return new AppError('VALIDATION_FAILED', message, shown);
}
