/**
 * A text cell that a spreadsheet would run as a formula (CSV injection) gets a leading
 * apostrophe: one starting with = @ tab CR LF, with + or - unless it is plainly a number or a
 * phone number ("-12.5", "+86 138-0000-0000"; "-2+3+cmd|…" is not), or with spaces before any
 * of those. Numbers and everything else pass unchanged.
 */
export function spreadsheetSafe(value: string): string {
  const v = value.replace(/^[ \u00a0]+/, '');
  if (/^[=@\t\r\n]/.test(v)) return `'${value}`;
  if (/^[+-]/.test(v) && !/^[+-][\d ().-]*$/.test(v)) return `'${value}`;
  if (v !== value && /^[+-]/.test(v)) return `'${value}`;
  return value;
}

/** The same for a cell of any type: only text can turn into a formula. */
export function safeCell<T>(value: T): T | string {
  return typeof value === 'string' ? spreadsheetSafe(value) : value;
}
