// Where LoginThrottle keeps its failure counts and locks: in this process's memory on a single
// server, in Redis in a cluster (cluster/redis-throttle-store.ts) so that every node counts the
// same failures and honours the same locks. The rules stay in LoginThrottle; a store only keeps
// timestamps and lock ends per key ("account:<email>" or "address:<ip>").

export interface ThrottleRule {
  /** Failures older than this (seconds) no longer count. */
  windowSeconds: number;
  /** From this many failures in the window on, each attempt is delayed. */
  delayAfter: number;
  /** At this many failures in the window the key is locked. */
  lockAfter: number;
  lockSeconds: number;
}

export interface KeyState {
  /** Failures inside the window. */
  failures: number;
  /** Milliseconds; 0 (or a past time) when not locked. */
  lockedUntil: number;
}

export interface ThrottleStore {
  /** The key's state as of `now` (milliseconds). */
  read(key: string, rule: ThrottleRule, now: number): Promise<KeyState>;
  /**
   * Counts one failure at `now`. When the failures in the window reach `rule.lockAfter` and no lock
   * is on, locks the key until now + lockSeconds and forgets its failures (the lock is the penalty;
   * counting starts afresh after it); `locked` tells whether this failure did that.
   */
  fail(key: string, rule: ThrottleRule, now: number): Promise<{ locked: boolean; lockedUntil: number }>;
  /** Forgets the key's failures and lock. */
  clear(key: string): Promise<void>;
  close?(): Promise<void>;
}

/** Bound on remembered keys, so an attacker cycling addresses or names cannot grow memory forever. */
const maxKeys = 100_000;

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/** A single server's store: a restart forgets it. Synchronous inside, promises only for the interface. */
export class MemoryThrottleStore implements ThrottleStore {
  private readonly entries = new Map<string, Entry>();

  async read(key: string, rule: ThrottleRule, now: number): Promise<KeyState> {
    const entry = this.live(key, rule, now);
    return entry ? { failures: entry.failures.length, lockedUntil: entry.lockedUntil } : { failures: 0, lockedUntil: 0 };
  }

  async fail(key: string, rule: ThrottleRule, now: number): Promise<{ locked: boolean; lockedUntil: number }> {
    let entry = this.live(key, rule, now);
    if (!entry) {
      this.evictIfFull();
      entry = { failures: [], lockedUntil: 0 };
      this.entries.set(key, entry);
    }
    entry.failures.push(now);
    if (entry.failures.length >= rule.lockAfter && entry.lockedUntil <= now) {
      entry.lockedUntil = now + rule.lockSeconds * 1000;
      entry.failures = [];
      return { locked: true, lockedUntil: entry.lockedUntil };
    }
    return { locked: false, lockedUntil: entry.lockedUntil };
  }

  async clear(key: string): Promise<void> {
    this.entries.delete(key);
  }

  /** Keys currently remembered (for specs and a bound check). */
  get size(): number {
    return this.entries.size;
  }

  /** The entry with failures outside the window dropped; undefined when nothing is left of it. */
  private live(key: string, rule: ThrottleRule, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const since = now - rule.windowSeconds * 1000;
    entry.failures = entry.failures.filter((t) => t > since);
    if (entry.failures.length === 0 && entry.lockedUntil <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private evictIfFull(): void {
    if (this.entries.size < maxKeys) return;
    // Map order is insertion order: the oldest keys go first.
    const drop = Math.ceil(maxKeys / 10);
    for (const key of [...this.entries.keys()].slice(0, drop)) this.entries.delete(key);
  }
}
