// Whether this node can keep what it accepts: its database (and, in a cluster, Redis) answer. Checked
// every second in the background; the last result gates new connections and HTTP writes without
// any I/O on their path, and GET /api/v2/ready runs the checks afresh for load balancers.
import type { Logger } from 'pino';

export type CheckResult = 'ok' | string;

export interface ReadinessReport {
  ready: boolean;
  node: string;
  checks: Record<string, CheckResult>;
}

export interface ReadinessOptions {
  node: string;
  /** Named probes; each resolves when healthy and rejects (or times out) when not. */
  checks: Record<string, () => Promise<unknown>>;
  logger: Logger;
  intervalMs?: number;
  timeoutMs?: number;
}

export class Readiness {
  private last: ReadinessReport;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReadinessReport> | undefined;
  private readonly listeners = new Set<(report: ReadinessReport) => void>();

  constructor(private readonly opts: ReadinessOptions) {
    this.last = { ready: true, node: opts.node, checks: Object.fromEntries(Object.keys(opts.checks).map((k) => [k, 'ok'])) };
  }

  /** Starts the background checks (after a first one). */
  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.opts.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** Why the node refuses new work right now (e.g. "redis unavailable"), or null when ready. */
  refusal(): string | null {
    if (this.last.ready) return null;
    const failing = Object.entries(this.last.checks).filter(([, v]) => v !== 'ok');
    return failing.map(([name, reason]) => `${name} unavailable (${reason})`).join(', ');
  }

  /** Called on every change of `ready`. */
  onChange(listener: (report: ReadinessReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs every check now (concurrent callers share one run) and records the result. */
  check(): Promise<ReadinessReport> {
    this.running ??= this.runChecks().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runChecks(): Promise<ReadinessReport> {
    const timeoutMs = this.opts.timeoutMs ?? 2000;
    const entries = await Promise.all(
      Object.entries(this.opts.checks).map(async ([name, probe]): Promise<[string, CheckResult]> => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            probe(),
            new Promise((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return [name, 'ok'];
        } catch (err) {
          return [name, ((err as Error)?.message || String(err)).split('\n')[0].slice(0, 200)];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const checks = Object.fromEntries(entries);
    const report: ReadinessReport = { ready: entries.every(([, v]) => v === 'ok'), node: this.opts.node, checks };
    const changed = report.ready !== this.last.ready;
    this.last = report;
    if (changed) {
      if (report.ready) this.opts.logger.info({ checks }, 'node ready again: accepting connections and writes');
      else this.opts.logger.error({ checks }, 'node not ready: refusing new connections and writes until its stores answer');
      for (const listener of this.listeners) listener(report);
    }
    return report;
  }
}
