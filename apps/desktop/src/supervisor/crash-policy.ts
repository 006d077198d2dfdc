// When the server dies on its own: restart after a growing delay, and give up once it has crashed
// too often within a window (a crash loop helps nobody and fills the log).

export interface CrashPolicyOptions {
  /** Crashes within `windowMs` after which the supervisor gives up. */
  maxCrashes: number;
  windowMs: number;
  /** Delay before the first restart; doubled for each further crash in the window. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultCrashPolicy: CrashPolicyOptions = { maxCrashes: 5, windowMs: 5 * 60_000, baseDelayMs: 1_000, maxDelayMs: 30_000 };

export type CrashDecision = { giveUp: true; crashes: number } | { giveUp: false; crashes: number; delayMs: number };

export class CrashPolicy {
  private crashes: number[] = [];

  constructor(readonly options: CrashPolicyOptions = defaultCrashPolicy) {}

  /** Crashes still inside the window. */
  count(now = Date.now()): number {
    this.crashes = this.crashes.filter((t) => now - t < this.options.windowMs);
    return this.crashes.length;
  }

  record(now = Date.now()): CrashDecision {
    this.crashes.push(now);
    const crashes = this.count(now);
    if (crashes >= this.options.maxCrashes) return { giveUp: true, crashes };
    const delayMs = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (crashes - 1));
    return { giveUp: false, crashes, delayMs };
  }

  /** A start the user asked for begins with a clean slate. */
  reset(): void {
    this.crashes = [];
  }
}
