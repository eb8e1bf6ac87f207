/**
 * Reporting roundings. Half away from zero on the decimal value the number stands for:
 * the binary double is first written with 10 decimals (which absorbs floating-point noise such as
 * 84.995 being stored as 84.99499999999999744…), then rounded half away from zero on those digits.
 * round2/round4 throw on non-finite numbers (results must stay JSON-safe).
 */

function roundDecimal(x: number, digits: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round a non-finite number: ${x}`);
  if (x === 0) return 0;
  if (Math.abs(x) >= 1e15) return x; // beyond double precision for decimals anyway (and toFixed would switch to exponents)
  const neg = x < 0;
  const s = Math.abs(x).toFixed(10);
  const dot = s.indexOf('.');
  const intPart = s.slice(0, dot);
  const frac = s.slice(dot + 1);
  const scale = 10 ** digits;
  let units = Number(intPart) * scale + (digits > 0 ? Number(frac.slice(0, digits)) : 0);
  if (frac.charCodeAt(digits) >= 53 /* '5' */) units += 1;
  if (units === 0) return 0; // never -0
  const v = units / scale;
  return neg ? -v : v;
}

/** scores and percentages: 2 decimals, half away from zero */
export function round2(x: number): number {
  return roundDecimal(x, 2);
}

/** probabilities and shares: 4 decimals, half away from zero */
export function round4(x: number): number {
  return roundDecimal(x, 4);
}

/**
 * Integer key of round2(x) (= round2(x) × 100, exactly), used to rank and compare without
 * re-parsing. Equal keys ⇔ equal rounded scores.
 */
export function cents(x: number): number {
  if (!Number.isFinite(x)) throw new RangeError(`cannot round a non-finite number: ${x}`);
  if (x === 0) return 0;
  if (Math.abs(x) >= 1e13) return Math.round(x * 100);
  const neg = x < 0;
  const s = Math.abs(x).toFixed(10);
  const dot = s.indexOf('.');
  let units = Number(s.slice(0, dot)) * 100 + Number(s.slice(dot + 1, dot + 3));
  if (s.charCodeAt(dot + 3) >= 53) units += 1;
  return neg ? -units : units;
}
