import { stringify } from 'csv-stringify/sync';
import { spreadsheetSafe } from '../../web/lib/csv-guard.js';
import {
  type LiaisonPassword,
  type PasswordFileKind,
  passwordFileHeaders,
  passwordFileRows,
} from '../../web/lib/password-file.js';

/** Liaisons' passwords as the one-time CSV file for Excel (BOM, CRLF, no formulas), with what to do when one is lost. */
export function liaisonPasswordsCsv(entries: readonly LiaisonPassword[], kind: PasswordFileKind = 'first'): string {
  const rows = [passwordFileHeaders(kind), ...passwordFileRows(entries)];
  return `\uFEFF${stringify(
    rows.map((r) => r.map(spreadsheetSafe)),
    { record_delimiter: '\r\n' },
  )}`;
}
