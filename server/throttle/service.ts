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

/** Passwords: 5 failures lock the username (and, separately, the network) for 15 minutes. */
export const LOGIN_THROTTLE: ThrottleRule = {
  maxFailures: 5,
  windowMinutes: 15,
  message: (minutes) => `登录失败次数过多，请 ${minutes} 分钟后再试`,
};

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

  const windowMs = (rule: ThrottleRule) => rule.windowMinutes * 60_000;

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
     * `succeeded` gives it back.
     */
    async reserve(keys: readonly string[], rule: ThrottleRule): Promise<void> {
      const now = clock.now();
      const windowStart = new Date(now.getTime() - windowMs(rule)).toISOString();
      const reserved: string[] = [];
      for (const key of keys) {
        const attempts = await repo.reserve(key, now.toISOString(), windowStart);
        reserved.push(key);
        const locked = attempts.lockedUntil !== null && Date.parse(attempts.lockedUntil) > now.getTime();
        if (locked || attempts.failures > rule.maxFailures) {
          for (const k of reserved) await repo.release(k);
          throw refusal(rule, attempts, now.getTime());
        }
      }
    },

    /** The reserved attempts failed: a key that reached its allowance is locked for the window from now. */
    async failed(trx: Kysely<Database>, keys: readonly string[], rule: ThrottleRule): Promise<void> {
      const tx = throttleRepository(trx);
      const now = clock.now();
      await tx.prune(new Date(now.getTime() - windowMs(rule)).toISOString(), now.toISOString());
      const until = new Date(now.getTime() + windowMs(rule)).toISOString();
      for (const key of keys) await tx.lockIfReached(key, rule.maxFailures, until);
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
