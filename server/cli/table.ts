/** Display width: CJK and full-width characters take two columns in a terminal. */
export function width(text: string): number {
  let w = 0;
  for (const ch of text)
    w += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch)
      ? 2
      : 1;
  return w;
}

export const pad = (text: string, n: number, right = false) => {
  const fill = ' '.repeat(Math.max(0, n - width(text)));
  return right ? fill + text : text + fill;
};

/** A table as terminal lines: columns as wide as their widest cell, `right` columns right-aligned. */
export function tableLines(header: string[], rows: string[][], right: ReadonlySet<number> = new Set()): string[] {
  const widths = header.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]))));
  return [header, ...rows].map((r) =>
    r
      .map((cell, i) => pad(cell, widths[i], right.has(i)))
      .join('  ')
      .trimEnd(),
  );
}
