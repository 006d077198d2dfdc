// The `server` executor (spec 1.13): at each minute, every active server schedule whose cron fields
// match that minute's wall clock in its installation's timezone publishes
// `{"value": <value>, "timestamp": <minute start, Unix seconds>}` on `<client_id>/<topic>`, through
// the bus like any server publish (so storage keeps it as a value).
//
// Which minutes run, precisely:
// - The runner walks UTC minutes. A local time skipped by a spring-forward change has no UTC
//   minute and never runs; a local time repeated by a fall-back change runs at its first
//   occurrence only (`isRepeatedLocalMinute`).
// - Each minute from the one the runner starts in up to the one it is closed in is processed once,
//   in order, including minutes a late timer or a busy event loop delayed (at most
//   `maxCatchUpMinutes` back: beyond that, as after a suspended machine, older minutes are skipped
//   with a warning). `close()` processes the current minute if its tick has not fired yet.
// - Minutes before the start are not caught up: the server was down for them, or the previous
//   process ran them before it stopped (its close processed the minute it stopped in).
// - `Schedule.lastRun` is claimed with a conditional UPDATE before publishing, so a minute never
//   runs twice, also across a restart within the same minute. A crash between claim and publish
//   loses that one run rather than repeating it.
// - In a cluster only the node owning the `schedules` work (cluster/leases.ts) runs minutes; the
//   others follow the clock without running. Each run is also claimed through the lease (fenced),
//   so a node that lost the lease cannot run a minute. A node that gains the lease catches up the
//   current minute (its previous owner may have died before running it), not earlier ones.
import { singleNodeOwnership, type WorkOwnership } from '../../cluster/leases.js';
import type { AamDb } from '../../aam/store/open-store.js';
import { cronMatches, parseCron, type CronSpec } from './cron.js';
import { isRepeatedLocalMinute, localMinute, type LocalMinute } from './local-time.js';
import { SchedulesRepository, type DueCandidate } from './schedules-repository.js';

/** Time source and timers, injectable so specs drive minutes without waiting. */
export interface SchedulerClock {
  /** Unix milliseconds. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: SchedulerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Publishes as the server; bound to `Bus.publish` in server.ts. */
export type SchedulePublish = (topic: string, payload: string) => Promise<void>;

export interface ScheduleRunnerOptions {
  db: AamDb;
  publish: SchedulePublish;
  logger: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  clock?: SchedulerClock;
  /** Minutes a delayed tick still processes; default 5. */
  maxCatchUpMinutes?: number;
  /** Who runs schedules in a cluster; default: this server. */
  ownership?: WorkOwnership;
}

/** The lease of schedule runs. */
export const schedulesWork = 'schedules';

export interface ScheduleRunnerStats {
  /** Publishes done. */
  runs: number;
  /** Publishes that failed after the minute was claimed (lost, not retried). */
  failures: number;
  /** Minutes skipped because the process was held up for longer than maxCatchUpMinutes. */
  skippedMinutes: number;
}

export class ScheduleRunner {
  private readonly repo: SchedulesRepository;
  private readonly clock: SchedulerClock;
  private readonly maxCatchUp: number;
  /** Last UTC minute processed (Unix minutes); null before start. */
  private cursor: number | null = null;
  private timer: unknown = null;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly parsed = new Map<number, { updated: number; spec: CronSpec | null }>();
  private readonly badZones = new Set<string>();
  private readonly counters: ScheduleRunnerStats = { runs: 0, failures: 0, skippedMinutes: 0 };
  private readonly ownership: WorkOwnership;
  private readonly unsubscribe: () => void;

  constructor(private readonly opts: ScheduleRunnerOptions) {
    this.repo = new SchedulesRepository(opts.db);
    this.clock = opts.clock ?? systemClock;
    this.maxCatchUp = opts.maxCatchUpMinutes ?? 5;
    this.ownership = opts.ownership ?? singleNodeOwnership();
    this.unsubscribe = this.ownership.onChange((key, owned) => {
      if (key === schedulesWork && owned) this.gained();
    });
  }

  /** Processes the minute the server starts in, then ticks at every minute boundary. */
  async start(): Promise<void> {
    this.cursor = this.currentMinute() - 1;
    await this.runDue();
    this.arm();
  }

  /**
   * Processes every minute after the last one processed up to the clock's current minute, and
   * resolves with the number of publishes. Calls are serialized. Specs call it after moving the clock.
   */
  runDue(): Promise<number> {
    const run = this.chain.then(() => this.process());
    this.chain = run.catch(() => undefined);
    return run;
  }

  stats(): ScheduleRunnerStats {
    return { ...this.counters };
  }

  /** Stops ticking; processes the current minute if its tick has not run yet (the bus must still be open). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.cursor !== null) await this.runDue().catch((err: unknown) => this.opts.logger.error({ err }, 'schedules: final minute failed'));
  }

  private currentMinute(): number {
    return Math.floor(this.clock.now() / 60_000);
  }

  private arm(): void {
    if (this.closed) return;
    // Just past the next boundary; a tick that fires early finds no new minute and re-arms.
    const delay = 60_000 - (this.clock.now() % 60_000) + 5;
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.runDue()
        .catch((err: unknown) => this.opts.logger.error({ err }, 'schedules: tick failed'))
        .finally(() => this.arm());
    }, delay);
  }

  private async process(): Promise<number> {
    const current = this.currentMinute();
    if (this.cursor === null) this.cursor = current - 1;
    // The clock went back (or the same minute again): nothing new until it passes the cursor.
    if (current <= this.cursor) return 0;
    // Another node runs them; on gaining the lease this one starts from the then current minute.
    if (!this.ownership.owns(schedulesWork)) {
      this.cursor = current;
      return 0;
    }
    let first = this.cursor + 1;
    if (current - first + 1 > this.maxCatchUp) {
      const skipped = current - this.maxCatchUp + 1 - first;
      this.counters.skippedMinutes += skipped;
      this.opts.logger.warn({ skipped }, 'schedules: the process was held up; minutes older than the catch-up window not run');
      first = current - this.maxCatchUp + 1;
    }
    const candidates = await this.repo.activeServerSchedules();
    this.forgetDeleted(candidates);
    let published = 0;
    for (let minute = first; minute <= current; minute++) {
      published += await this.runMinute(minute, candidates);
      this.cursor = minute;
    }
    return published;
  }

  private async runMinute(minute: number, candidates: DueCandidate[]): Promise<number> {
    const zones = new Map<string, { local: LocalMinute; repeated: boolean } | null>();
    let published = 0;
    for (const s of candidates) {
      const spec = this.spec(s);
      if (!spec) continue;
      let zone = zones.get(s.timezone);
      if (zone === undefined) {
        zone = this.zoneMinute(minute, s.timezone);
        zones.set(s.timezone, zone);
      }
      if (!zone || zone.repeated || !cronMatches(spec, zone.local)) continue;
      const minuteStart = minute * 60;
      if (!(await this.claimInCluster(s.id, minute))) continue;
      if (!(await this.repo.claimRun(s.id, minuteStart))) continue;
      try {
        await this.opts.publish(`${s.clientId}/${s.topic}`, JSON.stringify({ value: s.value, timestamp: minuteStart }));
        this.counters.runs++;
        published++;
      } catch (err) {
        this.counters.failures++;
        this.opts.logger.error({ err, scheduleId: s.id, installationId: s.installationId }, 'schedules: publish failed; this run is lost');
      }
    }
    return published;
  }

  /** The lease's fenced once-only record (always granted on a single server). */
  private async claimInCluster(scheduleId: number, minute: number): Promise<boolean> {
    try {
      return await this.ownership.claimOnce(schedulesWork, `${scheduleId}:${minute}`);
    } catch (err) {
      // Redis unreachable: the lease runs out too, and the next owner runs the current minute.
      this.opts.logger.warn({ err, scheduleId }, 'schedules: claiming a run in the cluster failed; not run here');
      return false;
    }
  }

  /** This node now runs schedules: the current minute too, in case the previous owner died before it. */
  private gained(): void {
    if (this.closed) return;
    const run = this.chain.then(() => {
      if (this.cursor !== null) this.cursor = Math.min(this.cursor, this.currentMinute() - 1);
      return this.process();
    });
    this.chain = run.catch(() => undefined);
    run.catch((err: unknown) => this.opts.logger.error({ err }, 'schedules: catching up after gaining the lease failed'));
  }

  private zoneMinute(minute: number, timeZone: string): { local: LocalMinute; repeated: boolean } | null {
    try {
      const local = localMinute(minute, timeZone);
      return { local, repeated: isRepeatedLocalMinute(minute, timeZone, local) };
    } catch (err) {
      // Installations validate their zone; one the runtime's Intl lacks is reported once, not run.
      if (!this.badZones.has(timeZone)) {
        this.badZones.add(timeZone);
        this.opts.logger.warn({ err, timeZone }, 'schedules: unknown timezone; its schedules do not run');
      }
      return null;
    }
  }

  /** Cron fields parsed once per schedule version; rows that fail (written past the service) are skipped. */
  private spec(s: DueCandidate): CronSpec | null {
    const cached = this.parsed.get(s.id);
    if (cached && cached.updated === s.updated) return cached.spec;
    let spec: CronSpec | null = null;
    try {
      spec = parseCron({ minute: s.minute, hour: s.hour, day_of_month: s.dayOfMonth, month: s.month, day_of_week: s.dayOfWeek });
    } catch (err) {
      this.opts.logger.warn({ err, scheduleId: s.id }, 'schedules: stored cron fields are invalid; schedule skipped');
    }
    this.parsed.set(s.id, { updated: s.updated, spec });
    return spec;
  }

  private forgetDeleted(candidates: DueCandidate[]): void {
    if (this.parsed.size <= candidates.length) return;
    const live = new Set(candidates.map((c) => c.id));
    for (const id of this.parsed.keys()) if (!live.has(id)) this.parsed.delete(id);
  }
}
