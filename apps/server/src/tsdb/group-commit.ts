// Group commit: a durable (fsync'd) write costs about the same for 1 or 5,000 records, so callers
// queue items and one writer drains the queue, one capped batch at a time. Items pushed while a batch
// is being written wait for the next one. Exclusive tasks (deletes, flush barriers) run in FIFO order
// between batches, so a task sees every item pushed before it and none pushed after it.

interface ItemsJob<T> {
  kind: 'items';
  items: readonly T[];
  pos: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

interface TaskJob {
  kind: 'task';
  run: () => Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

type Job<T> = ItemsJob<T> | TaskJob;

// Taken at load so a test that installs fake timers later cannot stall every write.
const later = setImmediate;

export interface GroupCommitOptions<T> {
  /** Most items per write; a larger push is split over several batches. */
  maxBatch: number;
  /** Writes one batch; a rejection fails every push that had items in it. */
  write: (items: T[]) => Promise<void>;
}

export class GroupCommitQueue<T> {
  private jobs: Job<T>[] = [];
  private head = 0;
  private scheduled = false;
  private running = false;
  private queuedItems = 0;

  constructor(private readonly opts: GroupCommitOptions<T>) {
    if (!(opts.maxBatch >= 1)) throw new RangeError('maxBatch must be >= 1');
  }

  /** Items waiting for a batch (not counting the batch being written). */
  get pending(): number {
    return this.queuedItems;
  }

  /** Resolves once every item is written, rejects if a batch holding some of them fails. */
  push(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.jobs.push({ kind: 'items', items, pos: 0, resolve, reject });
      this.queuedItems += items.length;
      this.schedule();
    });
  }

  /** Runs `fn` after everything queued so far and before anything queued later. */
  exclusive<R>(fn: () => Promise<R>): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let result: R;
      this.jobs.push({
        kind: 'task',
        run: async () => {
          result = await fn();
        },
        resolve: () => resolve(result),
        reject,
      });
      this.schedule();
    });
  }

  /** Resolves when everything queued before the call has been attempted. */
  flush(): Promise<void> {
    if (!this.running && this.head === this.jobs.length) return Promise.resolve();
    return this.exclusive(async () => {});
  }

  private schedule(): void {
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    // setImmediate rather than a microtask: appends from several I/O callbacks of the same loop turn
    // (e.g. a burst of MQTT packets) then share the first batch too.
    later(() => {
      this.scheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.head < this.jobs.length) {
        const job = this.jobs[this.head];
        if (job.kind === 'task') {
          this.shift();
          try {
            await job.run();
            job.resolve();
          } catch (err) {
            job.reject(err);
          }
          continue;
        }
        await this.writeOneBatch();
      }
    } finally {
      this.running = false;
      if (this.head === this.jobs.length) {
        this.jobs = [];
        this.head = 0;
      } else {
        this.schedule();
      }
    }
  }

  private async writeOneBatch(): Promise<void> {
    const batch: T[] = [];
    const done: ItemsJob<T>[] = [];
    let partial: ItemsJob<T> | undefined;
    while (this.head < this.jobs.length && batch.length < this.opts.maxBatch) {
      const job = this.jobs[this.head];
      if (job.kind !== 'items') break;
      const end = Math.min(job.items.length, job.pos + this.opts.maxBatch - batch.length);
      for (let i = job.pos; i < end; i++) batch.push(job.items[i]);
      this.queuedItems -= end - job.pos;
      job.pos = end;
      if (end === job.items.length) {
        done.push(job);
        this.shift();
      } else {
        partial = job;
      }
    }
    try {
      await this.opts.write(batch);
    } catch (err) {
      for (const job of done) job.reject(err);
      if (partial) {
        // The caller learns of the failure now; the rest of its items are dropped, not written later.
        this.queuedItems -= partial.items.length - partial.pos;
        this.shift();
        partial.reject(err);
      }
      return;
    }
    for (const job of done) job.resolve();
  }

  private shift(): void {
    this.head++;
    // Compact now and then instead of Array#shift on every job.
    if (this.head > 1024 && this.head * 2 > this.jobs.length) {
      this.jobs = this.jobs.slice(this.head);
      this.head = 0;
    }
  }
}
