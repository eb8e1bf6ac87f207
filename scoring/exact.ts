/**
 * Exact rationals (BigInt) for the official figures that land within floating-point reach of a
 * rounding half. The weighted formula of the BRIEF can produce values such as
 * 84.995 − 9/(200·103·73·107·43·89) ≈ 84.99499999999997: a double cannot tell that value from
 * 84.995 itself, and the 10-decimal pre-rounding of round2 (meant to absorb binary noise) would
 * report 85.00 where half away from zero on the true value gives 84.99. So official figures near
 * a half are recomputed exactly from the counts, with every configured number (points, weights,
 * deductions) taken at the decimal value it is written with (0.1 is 1/10).
 */

export interface Ratio {
  n: bigint;
  /** > 0 */
  d: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function ratio(n: bigint, d: bigint): Ratio {
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const g = gcd(n, d);
  return g > 1n ? { n: n / g, d: d / g } : { n, d };
}

export const R0: Ratio = { n: 0n, d: 1n };
export const radd = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d + b.n * a.d, a.d * b.d);
export const rsub = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d - b.n * a.d, a.d * b.d);
export const rmul = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.n, a.d * b.d);
export const rdiv = (a: Ratio, b: Ratio): Ratio => ratio(a.n * b.d, a.d * b.n);
export const rmin = (a: Ratio, b: Ratio): Ratio => (a.n * b.d <= b.n * a.d ? a : b);
export const rint = (k: number): Ratio => ({ n: BigInt(k), d: 1n });

/** The decimal value a finite number is written with (its shortest round-trip representation). */
export function ratioOf(x: number): Ratio {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (!m) throw new RangeError(`not a finite number: ${x}`);
  const frac = m[3] ?? '';
  let n = BigInt(m[2] + frac);
  let d = 10n ** BigInt(frac.length);
  const e = m[4] ? Number(m[4]) : 0;
  if (e > 0) n *= 10n ** BigInt(e);
  if (e < 0) d *= 10n ** BigInt(-e);
  return ratio(m[1] === '-' ? -n : n, d);
}

/** Half away from zero to `digits` decimals on the exact value; never -0. */
export function roundRatio(x: Ratio, digits: number): number {
  const scale = 10n ** BigInt(digits);
  const neg = x.n < 0n;
  const a = (neg ? -x.n : x.n) * scale;
  const units = (2n * a + x.d) / (2n * x.d);
  if (units === 0n) return 0;
  const v = Number(units) / Number(scale);
  return neg ? -v : v;
}

/**
 * True when the double x may stand for a value whose rounding to `digits` decimals is decided
 * by noise: within 1e-6 of a unit of the last digit from a half (the floating-point error of the
 * official formulas is many orders of magnitude smaller), so the exact value must decide.
 */
export function nearHalf(x: number, digits: number): boolean {
  const y = Math.abs(x) * 10 ** digits;
  return Math.abs(y - Math.floor(y) - 0.5) < 1e-6;
}
