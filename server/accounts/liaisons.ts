import { stringify } from 'csv-stringify/sync';
import type { LiaisonAccounts } from '../contracts.js';
import { spreadsheetSafe } from '../../web/lib/csv-guard.js';

/** The columns of the liaisons' first-password file (admin.js downloads the same from the import answer). */
const LIAISON_PASSWORD_HEADERS = ['部门代码', '部门', '联络员', '用户名', '初始密码'];

/** The first passwords of new liaison accounts as a CSV file for Excel (BOM, CRLF, no formulas). */
export function liaisonPasswordsCsv(created: LiaisonAccounts['created']): string {
  const rows = created.map((c) => [c.departmentCode, c.departmentName, c.displayName, c.username, c.password]);
  return `\uFEFF${stringify([LIAISON_PASSWORD_HEADERS, ...rows.map((r) => r.map(spreadsheetSafe))], { record_delimiter: '\r\n' })}`;
}
