// Slows down and then stops password and code guessing: failures are counted per account (the
// e-mail tried, known or not, so a lock reveals nothing) and per source address, in a sliding
// window. Past a soft limit each attempt waits a growing delay; past a hard limit the key is
// locked for a while and attempts answer 429. The counts live in a ThrottleStore: memory on a
// single server (a restart forgets them), Redis in a cluster (all nodes count together).
import { AppError } from '../errors.js';
import type { Audit } from '../audit.js';
import { noAudit } from '../audit.js';
import { MemoryThrottleStore, type ThrottleRule, type ThrottleStore } from './throttle-store.js';

export type { ThrottleRule, ThrottleStore } from './throttle-store.js';

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

/**
 * The store could not be asked (Redis away in a cluster). Logins fail closed: without the shared
 * counts a node cannot tell a locked account from a free one, and guessing must not get easier
 * during an outage. 503, so clients and the load balancer retry (another node may reach Redis).
 */
export class ThrottleUnavailableError extends AppError {
  constructor(reason: string) {
    super(503, `login is unavailable on this node: the login throttle store cannot be reached (${reason})`);
  }
}

/** The counting rules, with an injected clock (milliseconds), over a store. */
export class LoginThrottle {
  private readonly rules: ThrottleRules;

  constructor(
    rules: Partial<ThrottleRules> = {},
    /** Milliseconds; injected by specs. */
    readonly now: () => number = () => Date.now(),
    readonly store: ThrottleStore = new MemoryThrottleStore(),
  ) {
    this.rules = { ...defaultThrottleRules, ...rules };
  }

  async check(keys: ThrottleKeys): Promise<ThrottleVerdict> {
    const now = this.now();
    const scoped = this.keysOf(keys);
    const states = await this.ask(Promise.all(scoped.map(([scope, key]) => this.store.read(key, this.rules[scope], now))));
    let delay = 0;
    for (const [i, [scope]] of scoped.entries()) {
      const state = states[i];
      if (state.lockedUntil > now) return { kind: 'locked', scope, until: state.lockedUntil };
      const over = state.failures - this.rules[scope].delayAfter;
      if (over >= 0) delay = Math.max(delay, Math.min(maxDelayMs, baseDelayMs * 2 ** over));
    }
    return delay > 0 ? { kind: 'delay', ms: delay } : { kind: 'ok' };
  }

  /** Counts one failure on every key; returns the locks this failure started. */
  async fail(keys: ThrottleKeys): Promise<NewLock[]> {
    const now = this.now();
    const scoped = this.keysOf(keys);
    const results = await this.ask(Promise.all(scoped.map(([scope, key]) => this.store.fail(key, this.rules[scope], now))));
    const locks: NewLock[] = [];
    for (const [i, [scope, key]] of scoped.entries()) {
      const { locked, lockedUntil } = results[i];
      if (locked) locks.push({ scope, key: key.slice(scope.length + 1), until: lockedUntil, failures: this.rules[scope].lockAfter });
    }
    return locks;
  }

  /** A correct password or code clears the account's count (not the address's). */
  async succeed(email: string): Promise<void> {
    await this.ask(this.store.clear(`account:${normalizeEmail(email)}`));
  }

  private keysOf(keys: ThrottleKeys): [Scope, string][] {
    const out: [Scope, string][] = [];
    if (keys.email !== undefined && keys.email !== '') out.push(['account', `account:${normalizeEmail(keys.email)}`]);
    if (keys.ip) out.push(['address', `address:${keys.ip}`]);
    return out;
  }

  private async ask<T>(pending: Promise<T>): Promise<T> {
    try {
      return await pending;
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new ThrottleUnavailableError((err as Error).message.split('\n')[0] || 'unknown error');
    }
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
    const verdict = await this.throttle.check(keys);
    if (verdict.kind === 'locked') {
      const seconds = Math.max(1, Math.ceil((verdict.until - this.throttle.now()) / 1000));
      const what = verdict.scope === 'account' ? 'this account' : 'this address';
      throw new AppError(429, `too many failed attempts for ${what}: try again in ${seconds} s (after ${new Date(verdict.until).toISOString()})`);
    }
    if (verdict.kind === 'delay') await this.sleep(verdict.ms);
  }

  /** Counts a failure, traces it, and traces and logs any lock it starts. */
  async failed(keys: ThrottleKeys & { user?: { id: number; organizationIds: readonly number[] } | null }, description: string): Promise<void> {
    // Scoped to the user's first organization, so its administrators see attempts on it.
    const who = keys.user ? { userId: keys.user.id, objectId: keys.user.id, organizationId: keys.user.organizationIds[0] ?? null } : {};
    // Traced even when the store is away (the failure then answers 503 instead of 401).
    const counted = this.throttle.fail(keys).then(
      (locks): { locks: NewLock[]; err?: unknown } => ({ locks }),
      (err: unknown) => ({ locks: [], err }),
    );
    await this.audit.record({ action: 'failed', objectType: 'user', ...who, description: `${description}${keys.ip ? ` from ${keys.ip}` : ''}` });
    const { locks, err } = await counted;
    if (err) throw err;
    for (const lock of locks) {
      const target = lock.scope === 'account' ? `account ${lock.key}` : `address ${lock.key}`;
      const until = new Date(lock.until).toISOString();
      this.log.warn({ scope: lock.scope, key: lock.key, until, failures: lock.failures }, `login locked for ${target} after ${lock.failures} failures`);
      await this.audit.record({ action: 'failed', objectType: 'user', ...who, description: `login locked for ${target} until ${until} after ${lock.failures} failures` });
    }
  }

  /**
   * Not awaited by the login paths: the login already succeeded. In a cluster the clearing goes out
   * before any later check on this node's connection; if the store is away the count stays (a
   * warning), which only errs towards more caution.
   */
  succeeded(email: string): void {
    void this.throttle.succeed(email).catch((err: unknown) => this.log.warn({ err }, 'clearing the failed-login count after a success failed'));
  }
}
