// Principals of full tokens (login, API), kept so a REST request does not cost three SQL queries.
// Keyed by the token's SHA-256 hash, never the secret. Correctness does not rest on the TTL: every
// AccessEvent drops what it concerns at once, and the caller still checks the token's expiry, session
// timeout and the user's expiry on every hit. The TTL only bounds changes made behind the services'
// back (another process writing the database).
import type { AccessEvent } from '../access.js';
import type { Principal } from '../principal.js';
import type { TokenRecord } from '../repositories/tokens.js';

export interface CachedCredential {
  /** The token row as last read; `lastUsed` is kept current by the auth service's throttled touch. */
  token: TokenRecord;
  /** The user's `expireAt` (0: never), checked on every hit. */
  userExpireAt: number;
  principal: Principal;
}

/** Drops every entry: for changes no single event describes (a cluster peer reconnecting, tests). */
export type CacheFlush = { type: 'all' };

interface Entry extends CachedCredential {
  cachedAt: number;
}

export interface PrincipalCacheOptions {
  maxEntries?: number;
  ttlSeconds?: number;
  /** Seconds, like the auth service's clock. */
  now?: () => number;
}

export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private readonly ttlSeconds: number;
  private readonly now: () => number;
  private invalidations = 0;

  constructor(opts: PrincipalCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.ttlSeconds = opts.ttlSeconds ?? 30;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  get size(): number {
    return this.entries.size;
  }

  /**
   * Taken before reading the database; {@link set} refuses the result when an invalidation came in
   * meanwhile, or a revocation racing a cache miss would be undone by the miss's stale read.
   */
  get generation(): number {
    return this.invalidations;
  }

  get(tokenHash: string): CachedCredential | undefined {
    const entry = this.entries.get(tokenHash);
    if (!entry) return undefined;
    if (this.now() - entry.cachedAt >= this.ttlSeconds) {
      this.entries.delete(tokenHash);
      return undefined;
    }
    // Map order is insertion order: re-inserting marks it most recently used.
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, entry);
    return entry;
  }

  set(tokenHash: string, credential: CachedCredential, generation: number): void {
    if (generation !== this.invalidations || this.maxEntries <= 0) return;
    this.entries.delete(tokenHash);
    this.entries.set(tokenHash, { ...credential, cachedAt: this.now() });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(tokenHash: string): void {
    this.entries.delete(tokenHash);
  }

  /**
   * The single way access changes reach the cache: the local AccessEventHub today, a cluster's
   * message bus later. Events are rare next to requests, so a scan of the entries is cheap enough.
   */
  invalidate(event: AccessEvent | CacheFlush): void {
    this.invalidations++;
    if (event.type === 'all' || (event.type === 'access-changed' && event.userId === null)) {
      this.entries.clear();
      return;
    }
    if (event.type === 'gateway-revoked') return; // gateway principals are not cached here
    for (const [hash, entry] of this.entries) {
      const hit = event.type === 'token-revoked' ? entry.token.id === event.tokenId : entry.principal.userId === event.userId;
      if (hit) this.entries.delete(hash);
    }
  }
}
