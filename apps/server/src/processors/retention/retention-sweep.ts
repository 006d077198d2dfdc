// The periodic retention pass over the time series: for each installation that has series, the
// effective periods (retention-settings.ts) become cut-off times from the injected clock, and the store
// deletes what lies before them and compacts (tsdb/retention.ts). Registered as a housekeeping task,
// so it runs at start and hourly; the store's horizons are day-aligned, so most passes find nothing.

import type { RetentionCapableStore } from '../../tsdb/types.js';
import type { RetentionPeriod } from './retention-settings.js';

const DAY = 86_400;

export interface RetentionSweepDeps {
  store: RetentionCapableStore;
  settings: { overrides(): Promise<Map<number, RetentionPeriod>>; readonly defaults: RetentionPeriod };
  /** Milliseconds since the epoch; tests move it. */
  now?: () => number;
  logger?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

export interface SweepReport {
  installations: number;
  /** Series in which something was deleted. */
  seriesCleared: number;
}

export class RetentionSweep {
  private stopped = false;

  constructor(private readonly deps: RetentionSweepDeps) {}

  /** Shutdown: a running pass ends after the installation in progress, instead of deleting on. */
  stop(): void {
    this.stopped = true;
  }

  async runOnce(): Promise<SweepReport> {
    const now = (this.deps.now ?? Date.now)() / 1000;
    const overrides = await this.deps.settings.overrides();
    const report: SweepReport = { installations: 0, seriesCleared: 0 };
    for (const id of this.deps.store.installationIds()) {
      if (this.stopped) break;
      const period = overrides.get(id) ?? this.deps.settings.defaults;
      if (period.rawDays === 0 && period.rollupDays === 0) continue;
      try {
        const r = await this.deps.store.applyRetention(id, {
          rawBefore: period.rawDays > 0 ? now - period.rawDays * DAY : undefined,
          rollupBefore: period.rollupDays > 0 ? now - period.rollupDays * DAY : undefined,
        });
        report.installations++;
        report.seriesCleared += r.seriesCleared;
        if (r.seriesCleared > 0) this.deps.logger?.info({ installationId: id, ...r }, 'time-series retention deleted old data');
      } catch (err) {
        // One installation failing (store closing, disk error) must not stop the others.
        this.deps.logger?.warn({ err, installationId: id }, 'time-series retention failed');
      }
    }
    return report;
  }
}
