/**
 * Seeded, deterministic random numbers: xoshiro128** seeded through splitmix32.
 * No global state, no clock: the same seed always gives the same stream on every platform
 * (only 32-bit integer arithmetic via Math.imul and >>> is used).
 */

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;
const INV_TWO_32 = 1 / 4294967296;

function mix32(x: number): number {
  // splitmix32 finaliser (a bijection on 32-bit integers)
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return (x ^ (x >>> 15)) >>> 0;
}

/** Split any finite number seed into two 32-bit words (integers up to 2^53 keep all their bits). */
function seedWords(seed: number): [number, number] {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const int = Math.trunc(seed);
  const neg = int < 0 ? 1 : 0;
  const abs = Math.abs(int);
  const lo = (abs % TWO_32) >>> 0;
  const hi = ((Math.floor(abs / TWO_32) % TWO_32) >>> 0) ^ (neg ? 0x80000000 : 0);
  return [lo, hi >>> 0];
}

/**
 * The seed of stream `index` derived from a master seed: replicate b of a bootstrap uses
 * deriveSeed(seed, b), so results do not depend on how replicates are split across threads.
 */
export function deriveSeed(seed: number, index: number): number {
  const [lo, hi] = seedWords(seed);
  let h = mix32(lo ^ 0x6a09e667);
  h = mix32(h ^ hi);
  h = mix32(h ^ (index >>> 0));
  h = mix32(h ^ (Math.floor(index / TWO_32) >>> 0));
  return h;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    const [lo, hi] = seedWords(seed);
    let x = lo ^ Math.imul(hi, 0x85ebca6b);
    const next = () => {
      x = (x + 0x9e3779b9) | 0;
      return mix32(x);
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is forbidden
  }

  /** next uniform 32-bit unsigned integer (xoshiro128**) */
  nextUint32(): number {
    const s1 = this.s1;
    const r = Math.imul(s1, 5);
    const result = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** uniform float in [0, 1) with 32 bits of randomness */
  next(): number {
    return this.nextUint32() / TWO_32;
  }

  /**
   * `draws` calls of nextInt(counts.length), each adding 1 to counts[drawn]: the same stream and
   * values as that loop, with the state in locals and the rejection threshold computed once (a
   * bootstrap replicate makes one draw per response, so this loop is a large part of its cost).
   */
  countDraws(draws: number, counts: Int32Array): void {
    const n = counts.length;
    if (n > 0x200000 || n === 0) {
      for (let k = 0; k < draws; k++) counts[this.nextInt(n)]++;
      return;
    }
    const threshold = TWO_32 % n;
    let { s0, s1, s2, s3 } = this;
    for (let k = 0; k < draws; k++) {
      for (;;) {
        const r = Math.imul(s1, 5);
        const x = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
        const t = s1 << 9;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = (s3 << 11) | (s3 >>> 21);
        const m = x * n;
        const hi = Math.floor(m * INV_TWO_32);
        if (m - hi * TWO_32 >= threshold) {
          counts[hi]++;
          break;
        }
      }
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.s3 = s3;
  }

  /** exactly uniform integer in [0, n), 1 ≤ n ≤ 2^53 (Lemire's multiply-shift with rejection) */
  nextInt(n: number): number {
    if (n <= 0x200000) {
      const threshold = TWO_32 % n;
      for (;;) {
        const m = this.nextUint32() * n; // < 2^53: exact
        const hi = Math.floor(m * INV_TWO_32); // exact: scaling by a power of two
        if (m - hi * TWO_32 >= threshold) return hi;
      }
    }
    // large n: 53 random bits and plain rejection
    const limit = TWO_53 - (TWO_53 % n);
    for (;;) {
      const x = this.nextUint32() * 0x200000 + (this.nextUint32() >>> 11);
      if (x < limit) return x % n;
    }
  }
}

/** convenience: a fresh generator for stream `index` of `seed` */
export function rngFor(seed: number, index: number): Rng {
  return new Rng(deriveSeed(seed, index));
}
