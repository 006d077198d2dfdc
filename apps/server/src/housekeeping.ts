// Periodic clean-up of what grows without bound otherwise: ended tokens (every login makes one),
// the audit trace and finished notification deliveries. Runs at start and hourly; a failing task
// is logged and tried again next hour, never stopping the others.
export interface HousekeepingTask {
  name: string;
  /** Returns how many rows it removed. */
  run(): Promise<number>;
}

export interface HousekeepingLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly tasks: HousekeepingTask[],
    private readonly logger: HousekeepingLogger,
    private readonly intervalMs = 3600_000,
  ) {}

  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass over every task; overlapping passes are skipped. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      for (const task of this.tasks) {
        try {
          const removed = await task.run();
          if (removed > 0) this.logger.info({ task: task.name, removed }, 'housekeeping removed old rows');
        } catch (err) {
          this.logger.warn({ err, task: task.name }, 'housekeeping task failed');
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
