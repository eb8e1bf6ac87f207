import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { AppConfig } from '../config.js';
import { sha256 } from '../shared/ids.js';

/**
 * The client's address: behind a trusted proxy the last X-Forwarded-For hop (the one our proxy
 * appended; earlier hops are whatever the client sent, so a rotating fake first hop can't dodge
 * the per-network login lock), else the socket's.
 */
export function clientAddress(c: Context, config: Pick<AppConfig, 'trustProxy'>): string {
  if (config.trustProxy) {
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter(Boolean);
    const forwarded = hops[hops.length - 1] || c.req.header('x-real-ip')?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket
    return 'unknown';
  }
}

/** IPv4 as is, IPv6 by its /64 network (one household or phone), IPv4-mapped IPv6 unwrapped. */
export function addressNetwork(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1];
  if (address.includes(':')) return address.toLowerCase().split(':').slice(0, 4).join(':');
  return address;
}

/** A salted hash of the client's network, for throttling: the address itself is never stored. */
export function loginNetworkKey(c: Context, config: Pick<AppConfig, 'trustProxy' | 'networkSalt'>): string {
  return sha256(`${config.networkSalt}|${addressNetwork(clientAddress(c, config))}`).slice(0, 32);
}
