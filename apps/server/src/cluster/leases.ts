// Work that must run on one node of a cluster at a time (schedules, server-side edge-app instances,
// notification retries) is owned through leases. A single server owns everything; cluster nodes
// hold Redis leases that expire unless renewed, so when the owner dies another node takes over
// within about ttl + ttl/3. Safety does not rest on timing alone: a node stops owning a little
// before its lease can expire (so two owners never overlap, even while Redis is unreachable), and
// `claimOnce` re-checks the lease inside Redis (fencing), so a node that was paused past its lease
// cannot record work the new owner already did.
import type { Redis } from 'ioredis';
import { claimFencedOnceResult } from './fired-once.js';

/** The kinds of work owned cluster-wide; one lease each. */
export const workKinds = ['schedules', 'edge-apps', 'notification-retries'] as const;
export type WorkKind = (typeof workKinds)[number];

export type OwnershipListener = (key: string, owned: boolean) => void;

export interface WorkOwnership {
  /** Whether this node does `key`'s work now; from local state, cheap. */
  owns(key: string): boolean;
  /** The fencing token of this node's current lease on `key` (grows with every acquisition), or null. */
  token(key: string): number | null;
  /** Called when this node gains or loses `key`; returns the unsubscribe function. */
  onChange(listener: OwnershipListener): () => void;
  /**
   * True once per (key, name) cluster-wide, and only while this node still holds `key`: the unit
   * of work `name` (a schedule's minute) may then be done. False: another owner did or will do it.
   */
  claimOnce(key: string, name: string): Promise<boolean>;
  start(): Promise<void>;
  /** Gives up every lease at once, so another node takes over without waiting for it to expire. */
  stop(): Promise<void>;
}

/** A server on its own owns all work; its once-only guarantees come from SQL (e.g. `Schedule.lastRun`). */
export function singleNodeOwnership(): WorkOwnership {
  return {
    owns: () => true,
    token: () => 0,
    onChange: () => () => {},
    claimOnce: async () => true,
    start: async () => {},
    stop: async () => {},
  };
}

export interface RedisLeasesOptions {
  redis: Redis;
  /** This node's name; leases hold `<nodeId>:<token>`. */
  nodeId: string;
  keys: readonly string[];
  /** Lease lifetime; renewed every ttl/3. Default 5000. */
  ttlMs?: number;
  /** Prefix of every Redis key; default `lynx:`. */
  prefix?: string;
  /** How long a `claimOnce` record stays; only needs to outlive a takeover. Default 10 minutes. */
  claimKeepMs?: number;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** The connection is this object's own: `stop()` closes it after releasing. */
  ownsConnection?: boolean;
}

// Take the lease if free and number the acquisition: the token only grows, across all nodes.
const acquireScript = `
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. token, 'PX', ARGV[2])
return token`;

// Extend only our own acquisition: after an expiry and someone else's SET, the value differs.
const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

interface Held {
  value: string;
  token: number;
  /** Local time after which this node no longer counts itself owner. */
  validUntil: number;
  expiry: NodeJS.Timeout;
}

class CommandTimeout extends Error {}

/** Lease arithmetic must not follow wall-clock steps (NTP, an operator): a monotonic clock. */
const monotonicNow = () => performance.now();

export class RedisLeases implements WorkOwnership {
  private readonly redis: Redis;
  private readonly ttl: number;
  /** Room for clock rate differences and for work begun just before the end: we stop this early. */
  private readonly margin: number;
  private readonly prefix: string;
  private readonly claimKeepMs: number;
  private readonly held = new Map<string, Held>();
  private readonly listeners = new Set<OwnershipListener>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: RedisLeasesOptions) {
    this.redis = opts.redis;
    this.ttl = opts.ttlMs ?? 5000;
    if (!(this.ttl >= 100)) throw new Error('lease ttl must be at least 100 ms');
    this.margin = Math.max(20, Math.round(this.ttl / 5));
    this.prefix = opts.prefix ?? 'lynx:';
    this.claimKeepMs = opts.claimKeepMs ?? 600_000;
  }

  owns(key: string): boolean {
    const h = this.held.get(key);
    return h !== undefined && monotonicNow() < h.validUntil;
  }

  token(key: string): number | null {
    return this.owns(key) ? this.held.get(key)!.token : null;
  }

  onChange(listener: OwnershipListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async claimOnce(key: string, name: string): Promise<boolean> {
    const h = this.held.get(key);
    if (!h || !this.owns(key)) return false;
    const result = await this.command(
      claimFencedOnceResult(this.redis, {
        leaseKey: this.leaseKey(key),
        leaseValue: h.value,
        recordKey: `${this.prefix}fired:${key}:${name}`,
        token: h.token,
        keepMs: this.claimKeepMs,
      }),
    );
    // Redis says another node holds the lease now: stop at once rather than at validUntil.
    if (result === -1 && this.held.get(key) === h) this.drop(key, 'lease taken over');
    return result === 1;
  }

  /** Tries to take every lease once (so a lone node owns its work when start resolves), then keeps at it. */
  async start(): Promise<void> {
    if (this.timer || this.stopped) return;
    await this.tick();
    this.timer = setInterval(() => void this.tick(), Math.max(10, Math.floor(this.ttl / 3)));
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    await this.ticking;
    const releases = [...this.held.entries()].map(([key, h]) => {
      this.drop(key, 'node stopping');
      return this.command(this.redis.eval(releaseScript, 1, this.leaseKey(key), h.value)).catch((err: unknown) =>
        this.opts.logger.warn({ err, lease: key }, 'releasing a lease failed; it expires on its own'),
      );
    });
    await Promise.all(releases);
    if (this.opts.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }

  /** One pass: renew what we hold, try to take what we do not. Passes never overlap. */
  private tick(): Promise<void> {
    this.ticking ??= Promise.all(this.opts.keys.map((key) => (this.held.has(key) ? this.renew(key) : this.acquire(key))))
      .then(() => undefined)
      .catch((err: unknown) => this.opts.logger.warn({ err }, 'a lease pass failed'))
      .finally(() => {
        this.ticking = undefined;
      });
    return this.ticking;
  }

  private async acquire(key: string): Promise<void> {
    const sentAt = monotonicNow();
    let token: unknown;
    try {
      token = await this.command(this.redis.eval(acquireScript, 2, this.leaseKey(key), `${this.leaseKey(key)}:fence`, `${this.opts.nodeId}:`, this.ttl));
    } catch {
      // Redis unreachable: nothing held, nothing to give up; the next pass tries again.
      return;
    }
    if (token === null || token === undefined) return;
    const value = `${this.opts.nodeId}:${String(token)}`;
    const validUntil = sentAt + this.ttl - this.margin;
    // Stopping, or the answer came too late to use (a stalled process): hand it back at once.
    if (this.stopped || monotonicNow() >= validUntil) {
      await this.command(this.redis.eval(releaseScript, 1, this.leaseKey(key), value)).catch(() => undefined);
      return;
    }
    this.hold(key, value, Number(token), validUntil);
    this.opts.logger.info({ lease: key, token: Number(token) }, 'this node now does this work for the cluster');
    this.emit(key, true);
  }

  private async renew(key: string): Promise<void> {
    const h = this.held.get(key)!;
    // Counted from before sending: Redis extends at the earliest when it receives the command.
    const sentAt = monotonicNow();
    let renewed: unknown;
    try {
      renewed = await this.command(this.redis.eval(renewScript, 1, this.leaseKey(key), h.value, this.ttl));
    } catch (err) {
      // Keep working until validUntil; the expiry timer ends it if no later renewal gets through.
      this.opts.logger.warn({ err, lease: key }, 'renewing a lease failed');
      return;
    }
    if (this.held.get(key) !== h) return;
    if (renewed === 1) this.hold(key, h.value, h.token, sentAt + this.ttl - this.margin);
    else this.drop(key, 'lease expired or taken over');
  }

  private hold(key: string, value: string, token: number, validUntil: number): void {
    const previous = this.held.get(key);
    if (previous) clearTimeout(previous.expiry);
    const expiry = setTimeout(() => {
      if (this.held.get(key)?.expiry === expiry) this.drop(key, 'lease not renewed in time');
    }, Math.max(0, validUntil - monotonicNow()));
    expiry.unref();
    this.held.set(key, { value, token, validUntil, expiry });
  }

  private drop(key: string, reason: string): void {
    const h = this.held.get(key);
    if (!h) return;
    clearTimeout(h.expiry);
    this.held.delete(key);
    this.opts.logger[this.stopped ? 'info' : 'warn']({ lease: key, token: h.token, reason }, 'this node no longer does this work');
    this.emit(key, false);
  }

  private emit(key: string, owned: boolean): void {
    for (const listener of this.listeners) {
      try {
        listener(key, owned);
      } catch (err) {
        this.opts.logger.warn({ err, lease: key }, 'a lease listener failed');
      }
    }
  }

  private leaseKey(key: string): string {
    return `${this.prefix}lease:${key}`;
  }

  /** A Redis command that gives up after ttl/3, so a hung connection never holds up a pass. */
  private command<T>(pending: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new CommandTimeout('redis command timed out')), Math.max(10, Math.floor(this.ttl / 3)));
    });
    pending.catch(() => undefined);
    return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
  }
}
