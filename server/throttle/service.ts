import type { Kysely } from 'kysely';
import type { AppDeps } from '../context.js';
import type { Database } from '../db/schema.js';
import { TooManyRequests } from '../errors.js';
import { throttleRepository, type Attempts } from './repository.js';

export interface ThrottleRule {
  /** attempts allowed per key within the window */
  maxFailures: number;
  windowMinutes: number;
  /** the refusal people read, given the minutes to wait */
  message(minutes: number): string;
}

const loginMessage = (minutes: number) => `登录失败次数过多，请 ${minutes} 分钟后再试`;

/** Passwords, per username from one network: 5 failures lock that pair for 15 minutes. */
export const LOGIN_THROTTLE: ThrottleRule = { maxFailures: 5, windowMinutes: 15, message: loginMessage };

/**
 * Passwords, per username from every network together: higher than the pair's allowance, so one
 * guesser's address can't lock the account for everyone, while guessing it from many addresses
 * stays bounded.
 */
export const LOGIN_USERNAME_THROTTLE: ThrottleRule = { maxFailures: 20, windowMinutes: 15, message: loginMessage };

/**
 * Passwords, per network across all usernames: a ceiling against spraying, not a lock. Past it
 * each username gets one attempt from that network per window instead of five, so a guesser making
 * up usernames can't keep the office's people (all behind one address) out, and gets one guess per
 * account.
 */
export const LOGIN_NETWORK_CEILING: ThrottleCeiling = { maxFailures: 100, windowMinutes: 15, thenAllow: 1 };

/** A key that refuses nobody itself; past its `maxFailures` the keys reserved after it allow `thenAllow` each. */
export interface ThrottleCeiling {
  maxFailures: number;
  windowMinutes: number;
  thenAllow: number;
}

/** One throttled key and the rule it is counted under. */
export interface Throttled {
  key: string;
  rule: ThrottleRule;
}

/**
 * Unknown evaluator links from one network. Generous: the evaluators behind one office's address
 * mistype a few links, a guesser makes thousands; valid links are never counted or refused.
 */
export const UNKNOWN_LINK_THROTTLE: ThrottleRule = {
  maxFailures: 30,
  windowMinutes: 15,
  message: (minutes) => `无效链接的访问次数过多，请 ${minutes} 分钟后再试（有效的评议链接不受影响）`,
};

/**
 * Keys derived from a client's network (salted hashes, never the address): the login's per-network
 * lock and the unknown-link counter. A purge forgets them (server/privacy/).
 */
export const NETWORK_KEY_PREFIX = { login: 'net:', link: 'link:' } as const;

/**
 * Attempt throttling counted in the database. An attempt is reserved, in one statement per key,
 * before the work it guards (a password hash), so concurrent requests can't all get their guess
 * while the count is still low: only `maxFailures` of them see a count within the allowance.
 */
export function throttleService({ db, clock }: Pick<AppDeps, 'db' | 'clock'>) {
  const repo = throttleRepository(db.kysely);

  const windowMs = (rule: { windowMinutes: number }) => rule.windowMinutes * 60_000;
  const windowStartOf = (rule: { windowMinutes: number }, now: Date) =>
    new Date(now.getTime() - windowMs(rule)).toISOString();

  function refusal(rule: ThrottleRule, attempts: Attempts, now: number): TooManyRequests {
    const until = attempts.lockedUntil
      ? Date.parse(attempts.lockedUntil)
      : Date.parse(attempts.windowStartedAt) + windowMs(rule);
    const retryAfter = Math.max(1, Math.ceil((until - now) / 1000));
    return new TooManyRequests(rule.message(Math.ceil(retryAfter / 60)), retryAfter);
  }

  return {
    /**
     * Reserve one attempt under every key, in order; throws 429 (giving every reservation back)
     * when any key is over its allowance or locked. A reserved attempt counts as a failure until
     * `succeeded` gives it back. A `ceiling` key is reserved first: once it is past its ceiling,
     * every key's allowance is `thenAllow` (the answer's wait is the ceiling window's).
     */
    async reserve(keys: readonly Throttled[], ceiling?: { key: string; rule: ThrottleCeiling }): Promise<void> {
      const now = clock.now();
      const reserved: string[] = [];
      const giveBack = async () => {
        for (const k of reserved) await repo.release(k);
      };
      let over: Attempts | undefined;
      if (ceiling) {
        const attempts = await repo.reserve(ceiling.key, now.toISOString(), windowStartOf(ceiling.rule, now));
        reserved.push(ceiling.key);
        if (attempts.failures > ceiling.rule.maxFailures) over = attempts;
      }
      for (const { key, rule } of keys) {
        const attempts = await repo.reserve(key, now.toISOString(), windowStartOf(rule, now));
        reserved.push(key);
        const locked = attempts.lockedUntil !== null && Date.parse(attempts.lockedUntil) > now.getTime();
        if (locked || attempts.failures > rule.maxFailures) {
          await giveBack();
          throw refusal(rule, attempts, now.getTime());
        }
        if (over && ceiling && attempts.failures > ceiling.rule.thenAllow) {
          await giveBack();
          throw refusal({ ...rule, windowMinutes: ceiling.rule.windowMinutes }, over, now.getTime());
        }
      }
    },

    /** The reserved attempts failed: a key that reached its allowance is locked for its window from now. */
    async failed(trx: Kysely<Database>, keys: readonly Throttled[]): Promise<void> {
      const tx = throttleRepository(trx);
      const now = clock.now();
      const longest = Math.max(...keys.map(({ rule }) => rule.windowMinutes));
      await tx.prune(windowStartOf({ windowMinutes: longest }, now), now.toISOString());
      for (const { key, rule } of keys)
        await tx.lockIfReached(key, rule.maxFailures, new Date(now.getTime() + windowMs(rule)).toISOString());
    },

    /** The reserved attempts succeeded: `forget` clears a key's failures, `release` gives back this attempt only. */
    async succeeded(trx: Kysely<Database>, keys: { forget?: readonly string[]; release?: readonly string[] }) {
      const tx = throttleRepository(trx);
      for (const key of keys.forget ?? []) await tx.forget(key);
      for (const key of keys.release ?? []) await tx.release(key);
    },

    /** Forget every network key but the locks in force (they run out within their window); `dryRun` only counts. */
    forgetNetworks: (trx: Kysely<Database>, dryRun: boolean): Promise<number> =>
      throttleRepository(trx).forgetPrefixed(Object.values(NETWORK_KEY_PREFIX), clock.now().toISOString(), dryRun),
  };
}

export type ThrottleService = ReturnType<typeof throttleService>;
