// The time-series contract. The embedded backend is LevelDB (level-store.ts); cluster mode brings a
// second backend behind the same interface, so nothing outside tsdb/ may depend on LevelDB.

import type { RetentionCut, RetentionResult } from './retention.js';

export type { RetentionCut, RetentionResult };

/**
 * Largest timestamp (Unix seconds, year 2255) every backend must store; callers reject later ones
 * as bad input instead of letting the write fail.
 */
export const maxStoredTimestamp = 9_000_000_000;

/** One stored data point. `topic` is relative to the installation (no client id). */
export interface Point {
  installationId: number;
  topic: string;
  /** Unix seconds, float (sub-second precision kept to the microsecond). */
  timestamp: number;
  value: number;
  msg: string;
}

export const aggregationMethods = ['avg', 'count', 'first', 'last', 'max', 'median', 'min', 'spread', 'stddev', 'sum'] as const;
export type AggregationMethod = (typeof aggregationMethods)[number] | { percentile: number };

export interface SeriesQuery {
  installationId: number;
  /** Relative topics; undefined or empty = every topic of the installation. */
  topics?: string[];
  /** Inclusive bounds in Unix seconds; undefined = unbounded. */
  from?: number;
  to?: number;
  limit: number;
  offset: number;
  order: 'asc' | 'desc';
  /** With an aggregation, each row is one (topic, bucket) with `timestamp` = bucket start. */
  aggregation?: { method: AggregationMethod; intervalSeconds: number };
  /** When false the store may skip counting and report total = -1... never: it reports the rows it saw. */
  includeTotal: boolean;
}

export interface SeriesPage {
  /** Number of rows (points, or buckets when aggregating) matching the query, before limit/offset. */
  total: number;
  /** Timestamp of the last row of this page, 0 when empty. */
  last: number;
  count: number;
  data: Point[];
}

export interface TimeSeriesStore {
  /** Appends points; resolves once they are durably written (group commit). Also updates last values. */
  append(points: Point[]): Promise<void>;
  /** Last known value per topic of an installation, optionally limited to some topics. */
  latest(installationId: number, topics?: string[]): Promise<Point[]>;
  query(query: SeriesQuery): Promise<SeriesPage>;
  /** Removes every point and last value of an installation (installation deleted). */
  deleteInstallation(installationId: number): Promise<void>;
  /** Writes everything pending. */
  flush(): Promise<void>;
  /** Flushes, then closes the underlying storage. */
  close(): Promise<void>;
}

/** What the retention sweep needs from a store (kept apart so test doubles need not implement it). */
export interface RetentionCapableStore {
  /** Installations that have at least one series. */
  installationIds(): number[];
  /**
   * Deletes raw points (and separately rollups) older than the cut, frees the disk space, keeps last
   * values. Horizons are UTC days and only move forward; queries never see data before them.
   */
  applyRetention(installationId: number, cut: RetentionCut): Promise<RetentionResult>;
}
