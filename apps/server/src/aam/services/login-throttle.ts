// Slows down and then stops password and code guessing: failures are counted per account (the
// e-mail tried, known or not, so a lock reveals nothing) and per source address, in a sliding
// window. Past a soft limit each attempt waits a growing delay; past a hard limit the key is
// locked for a while and attempts answer 429. State is in memory: a restart forgets it, and
// several server processes would each count on their own.
import { AppError } from '../errors.js';
import type { Audit } from '../audit.js';
import { noAudit } from '../audit.js';

export interface ThrottleRule {
  /** Failures older than this (seconds) no longer count. */
  windowSeconds: number;
  /** From this many failures in the window on, each attempt is delayed. */
  delayAfter: number;
  /** At this many failures in the window the key is locked. */
  lockAfter: number;
  lockSeconds: number;
}

export interface ThrottleRules {
  account: ThrottleRule;
  /** Looser: many users may share one address (NAT, a proxy without X-Forwarded-For). */
  address: ThrottleRule;
}

export const defaultThrottleRules: ThrottleRules = {
  account: { windowSeconds: 900, delayAfter: 5, lockAfter: 10, lockSeconds: 900 },
  address: { windowSeconds: 900, delayAfter: 20, lockAfter: 50, lockSeconds: 900 },
};

/** The first delayed attempt waits this long, each further failure doubles it up to the cap. */
const baseDelayMs = 250;
const maxDelayMs = 2000;
/** Bound on remembered keys, so an attacker cycling addresses or names cannot grow memory forever. */
const maxKeys = 100_000;

export interface ThrottleKeys {
  /** The login name tried (trimmed, lower-cased here). */
  email?: string;
  ip?: string;
}

export type ThrottleVerdict = { kind: 'ok' } | { kind: 'delay'; ms: number } | { kind: 'locked'; scope: Scope; until: number };

export interface NewLock {
  scope: Scope;
  key: string;
  until: number;
  failures: number;
}

type Scope = 'account' | 'address';

interface Entry {
  failures: number[];
  lockedUntil: number;
}

/** The counting part, with an injected clock (milliseconds), free of I/O. */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly rules: ThrottleRules;

  constructor(
    rules: Partial<ThrottleRules> = {},
    /** Milliseconds; injected by specs. */
    readonly now: () => number = () => Date.now(),
  ) {
    this.rules = { ...defaultThrottleRules, ...rules };
  }

  check(keys: ThrottleKeys): ThrottleVerdict {
    let delay = 0;
    for (const [scope, key] of this.keysOf(keys)) {
      const entry = this.live(key, this.rules[scope]);
      if (!entry) continue;
      if (entry.lockedUntil > this.now()) return { kind: 'locked', scope, until: entry.lockedUntil };
      const over = entry.failures.length - this.rules[scope].delayAfter;
      if (over >= 0) delay = Math.max(delay, Math.min(maxDelayMs, baseDelayMs * 2 ** over));
    }
    return delay > 0 ? { kind: 'delay', ms: delay } : { kind: 'ok' };
  }

  /** Counts one failure on every key; returns the locks this failure started. */
  fail(keys: ThrottleKeys): NewLock[] {
    const now = this.now();
    const locks: NewLock[] = [];
    for (const [scope, key] of this.keysOf(keys)) {
      const rule = this.rules[scope];
      let entry = this.live(key, rule);
      if (!entry) {
        this.evictIfFull();
        entry = { failures: [], lockedUntil: 0 };
        this.entries.set(key, entry);
      }
      entry.failures.push(now);
      if (entry.failures.length >= rule.lockAfter && entry.lockedUntil <= now) {
        entry.lockedUntil = now + rule.lockSeconds * 1000;
        // The lock is the penalty now; counting starts afresh once it ends.
        entry.failures = [];
        locks.push({ scope, key: key.slice(scope.length + 1), until: entry.lockedUntil, failures: rule.lockAfter });
      }
    }
    return locks;
  }

  /** A correct password or code clears the account's count (not the address's). */
  succeed(email: string): void {
    this.entries.delete(`account:${normalizeEmail(email)}`);
  }

  /** Keys currently remembered (for specs and a bound check). */
  get size(): number {
    return this.entries.size;
  }

  private keysOf(keys: ThrottleKeys): [Scope, string][] {
    const out: [Scope, string][] = [];
    if (keys.email !== undefined && keys.email !== '') out.push(['account', `account:${normalizeEmail(keys.email)}`]);
    if (keys.ip) out.push(['address', `address:${keys.ip}`]);
    return out;
  }

  /** The entry with failures outside the window dropped; undefined when nothing is left of it. */
  private live(key: string, rule: ThrottleRule): Entry | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    const now = this.now();
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

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** What the guard writes to the server log (pino's `warn(obj, msg)` fits). */
export interface WarnLog {
  warn(obj: object, msg: string): void;
}

export const silentLog: WarnLog = { warn: () => {} };

export interface LoginGuardDeps {
  throttle?: LoginThrottle;
  audit?: Audit;
  log?: WarnLog;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The throttle as the login paths use it: refuse or delay before checking a secret, and record
 * each failure (and each lock it causes) in the audit trace and, for locks, in the server log.
 */
export class LoginGuard {
  readonly throttle: LoginThrottle;
  private readonly audit: Audit;
  private readonly log: WarnLog;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(deps: LoginGuardDeps = {}) {
    this.throttle = deps.throttle ?? new LoginThrottle();
    this.audit = deps.audit ?? noAudit;
    this.log = deps.log ?? silentLog;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Throws 429 while a key is locked; waits out the delay when past the soft limit. */
  async before(keys: ThrottleKeys): Promise<void> {
    const verdict = this.throttle.check(keys);
    if (verdict.kind === 'locked') {
      const seconds = Math.max(1, Math.ceil((verdict.until - this.throttle.now()) / 1000));
      const what = verdict.scope === 'account' ? 'this account' : 'this address';
      throw new AppError(429, `too many failed attempts for ${what}: try again in ${seconds} s (after ${new Date(verdict.until).toISOString()})`);
    }
    if (verdict.kind === 'delay') await this.sleep(verdict.ms);
  }

  /** Counts a failure, traces it, and traces and logs any lock it starts. */
  async failed(keys: ThrottleKeys & { user?: { id: number; organizationIds: readonly number[] } | null }, description: string): Promise<void> {
    const locks = this.throttle.fail(keys);
    // Scoped to the user's first organization, so its administrators see attempts on it.
    const who = keys.user ? { userId: keys.user.id, objectId: keys.user.id, organizationId: keys.user.organizationIds[0] ?? null } : {};
    await this.audit.record({ action: 'failed', objectType: 'user', ...who, description: `${description}${keys.ip ? ` from ${keys.ip}` : ''}` });
    for (const lock of locks) {
      const target = lock.scope === 'account' ? `account ${lock.key}` : `address ${lock.key}`;
      const until = new Date(lock.until).toISOString();
      this.log.warn({ scope: lock.scope, key: lock.key, until, failures: lock.failures }, `login locked for ${target} after ${lock.failures} failures`);
      await this.audit.record({ action: 'failed', objectType: 'user', ...who, description: `login locked for ${target} until ${until} after ${lock.failures} failures` });
    }
  }

  succeeded(email: string): void {
    this.throttle.succeed(email);
  }
}
