// Works the delivery outbox: every pending row is handed to its executor, retried with exponential
// backoff, and marked sent or failed (with the reason). Timer driven and in-process; since rows are
// written before a send is answered, pending ones are picked up again after a restart. A bounded
// number run at once, each under a timeout, so one slow or failing executor never blocks others.
// In a cluster the outbox is worked by the node owning `notification-retries` (cluster/leases.ts),
// so no row is attempted by two nodes at once; sends on other nodes wait for its next poll. A node
// losing the lease cancels its running attempts, which stay pending for the new owner.
import { singleNodeOwnership, type WorkOwnership } from '../../cluster/leases.js';
import type { ExecutorPayload } from './executor-payload.js';
import { deliverToExecutor, PermanentDeliveryError, type ExecutorRunner } from './executors.js';
import type { DeliveryRecord, NotificationsRepository } from './repository.js';

export interface DeliveryWorkerOptions {
  repo: NotificationsRepository;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  /** Executors by type; defaults to webhook/email delivery. */
  runner?: ExecutorRunner;
  /** Attempts before a delivery is marked failed. */
  maxAttempts?: number;
  /** Delay before the second attempt; doubles for each further one. */
  backoffMs?: number;
  /** How often the outbox is checked for due rows (sends also wake the worker at once). */
  pollMs?: number;
  concurrency?: number;
  timeoutMs?: number;
  /** Who works the outbox in a cluster; default: this server. */
  ownership?: WorkOwnership;
}

/** The lease of outbox delivery. */
export const deliveryWork = 'notification-retries';

export class DeliveryWorker {
  private readonly repo: NotificationsRepository;
  private readonly runner: ExecutorRunner;
  private readonly maxAttempts: number;
  private readonly backoffMs: number;
  private readonly pollMs: number;
  private readonly concurrency: number;
  private readonly timeoutMs: number;
  private readonly log: DeliveryWorkerOptions['log'];
  private timer: NodeJS.Timeout | undefined;
  /** Exact retry times of this process; the row's nextAttempt holds the whole second for restarts. */
  private readonly retryAt = new Map<number, number>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /** Cancels running attempts; replaced after a lost lease, aborted for good at close. */
  private abort = new AbortController();
  private readonly ownership: WorkOwnership;
  private readonly unsubscribe: () => void;
  private scanning: Promise<void> | undefined;
  private rescan = false;
  private closed = false;

  constructor(opts: DeliveryWorkerOptions) {
    this.repo = opts.repo;
    this.runner = opts.runner ?? deliverToExecutor;
    this.maxAttempts = opts.maxAttempts ?? 5;
    this.backoffMs = opts.backoffMs ?? 2000;
    this.pollMs = opts.pollMs ?? 1000;
    this.concurrency = opts.concurrency ?? 4;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.log = opts.log;
    this.ownership = opts.ownership ?? singleNodeOwnership();
    this.unsubscribe = this.ownership.onChange((key, owned) => {
      if (key !== deliveryWork) return;
      if (owned) return this.wake();
      // The new owner attempts these rows again; ours must not finish and record after it started.
      this.abort.abort();
      if (!this.closed) this.abort = new AbortController();
      this.retryAt.clear();
    });
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.wake(), this.pollMs);
    this.timer.unref();
    this.wake();
  }

  /** Looks for due rows now (after a send, or when a slot frees up). */
  wake(): void {
    if (this.closed) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = this.scan()
      .catch((err: unknown) => this.log.error({ err }, 'notification outbox scan failed'))
      .finally(() => {
        this.scanning = undefined;
        if (this.rescan) {
          this.rescan = false;
          this.wake();
        }
      });
  }

  /** Stops the timer and cancels running attempts; their rows stay pending for the next start. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe();
    if (this.timer) clearInterval(this.timer);
    this.abort.abort();
    await this.scanning;
    await Promise.allSettled([...this.inFlight.values()]);
  }

  private async scan(): Promise<void> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0 || !this.ownership.owns(deliveryWork)) return;
    const now = Date.now();
    // Retry times of rows that went away meanwhile (output deleted) would otherwise stay forever.
    for (const [rowId, at] of this.retryAt) if (at < now - 60_000) this.retryAt.delete(rowId);
    const due = await this.repo.dueDeliveries(Math.floor(now / 1000), free + this.inFlight.size + this.retryAt.size);
    let started = 0;
    for (const row of due) {
      if (started >= free || this.closed) break;
      if (this.inFlight.has(row.id) || (this.retryAt.get(row.id) ?? 0) > now) continue;
      this.retryAt.delete(row.id);
      started++;
      const run = this.attempt(row).finally(() => {
        this.inFlight.delete(row.id);
        this.wake();
      });
      this.inFlight.set(row.id, run);
    }
  }

  private async attempt(row: DeliveryRecord): Promise<void> {
    const attempts = row.attempts + 1;
    const nowSec = () => Math.floor(Date.now() / 1000);
    const signal = this.abort.signal;
    let error: Error | undefined;
    try {
      await this.deliver(row, signal);
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    // Cancelled by shutdown or a lost lease: not an attempt; the row stays pending as it was.
    if (signal.aborted && error) return;
    try {
      if (!error) {
        await this.repo.updateDelivery(row.id, { status: 'sent', attempts, nextAttempt: 0, lastError: '' }, nowSec());
        return;
      }
      const reason = error.message.slice(0, 1000);
      if (error instanceof PermanentDeliveryError || attempts >= this.maxAttempts) {
        await this.repo.updateDelivery(row.id, { status: 'failed', attempts, nextAttempt: 0, lastError: reason }, nowSec());
        this.log.warn({ delivery: row.id, output: row.outputId, installation: row.installationId, attempts, reason }, 'notification delivery failed');
        return;
      }
      const at = Date.now() + this.backoffMs * 2 ** (attempts - 1);
      this.retryAt.set(row.id, at);
      if (!(await this.repo.updateDelivery(row.id, { status: 'pending', attempts, nextAttempt: Math.floor(at / 1000), lastError: reason }, nowSec()))) {
        this.retryAt.delete(row.id);
        return;
      }
      // The interval may be longer than the backoff: wake for this retry too.
      setTimeout(() => this.wake(), at - Date.now()).unref();
    } catch (err) {
      this.log.error({ err, delivery: row.id }, 'recording a notification delivery failed');
    }
  }

  private async deliver(row: DeliveryRecord, signal: AbortSignal): Promise<void> {
    const output = await this.repo.outputById(row.outputId);
    if (!output) throw new PermanentDeliveryError(`output ${row.outputId} no longer exists`);
    const executor = await this.repo.executor(output.executorId);
    if (!executor) throw new PermanentDeliveryError(`executor ${output.executorId} no longer exists`);
    let payload: ExecutorPayload;
    try {
      payload = JSON.parse(row.request) as ExecutorPayload;
    } catch {
      throw new PermanentDeliveryError('the stored request is not JSON');
    }
    await this.runner(executor, payload, { timeoutMs: this.timeoutMs, signal });
  }
}
