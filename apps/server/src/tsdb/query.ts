// Runs one SeriesQuery against a snapshot, so the page and its total describe the same data even while
// batches keep landing.

import { assertAggregationMethod } from './aggregate.js';
import { BucketCursor, mergePage, PointCursor, type Db, type RangeScan, type SeriesRef } from './cursors.js';
import { countSeriesRange, skipWholeBlocks } from './block-counts.js';
import { boundToMicros, fromMicros, MAX_MICROS, MIN_MICROS } from './keys.js';
import type { Horizon } from './retention.js';
import { RollupBucketCursor, rollupsServe } from './rollup-cursor.js';
import type { Point, SeriesPage, SeriesQuery } from './types.js';

export interface QueryTuning {
  /** Offsets from this size up jump over whole days, hours and minutes using the count index. */
  offsetSkipThreshold: number;
  /** The installation's retention horizons: nothing before them is returned. */
  horizon?: Horizon;
  /** False forces aggregations onto raw scans (reference path for specs and the bench). */
  rollups?: boolean;
  onRollupQuery?: () => void;
}

const EMPTY: SeriesPage = { total: 0, last: 0, count: 0, data: [] };

export function assertQuery(q: SeriesQuery): void {
  if (!Number.isSafeInteger(q.limit) || q.limit < 0) throw new RangeError(`limit must be an integer >= 0, got ${q.limit}`);
  if (!Number.isSafeInteger(q.offset) || q.offset < 0) throw new RangeError(`offset must be an integer >= 0, got ${q.offset}`);
  if (q.order !== 'asc' && q.order !== 'desc') throw new RangeError(`order must be asc or desc, got ${String(q.order)}`);
  if (q.aggregation) {
    assertAggregationMethod(q.aggregation.method);
    const i = q.aggregation.intervalSeconds;
    if (!Number.isFinite(i) || Math.round(i * 1e6) < 1) throw new RangeError(`aggregation interval must be >= 1 µs, got ${i}`);
  }
}

export async function runQuery(db: Db, series: SeriesRef[], q: SeriesQuery, tuning: QueryTuning): Promise<SeriesPage> {
  const agg = q.aggregation;
  const interval = agg ? Math.round(agg.intervalSeconds * 1e6) : 0;
  const fromRollups = agg !== undefined && tuning.rollups !== false && rollupsServe(agg.method, interval);
  const rawLo = tuning.horizon?.rawMicros ?? MIN_MICROS;
  // Between the two horizons only rollup cells remain: exact aggregations still see them.
  const lo = Math.max(boundToMicros(q.from, MIN_MICROS), fromRollups ? (tuning.horizon?.rollupMicros ?? MIN_MICROS) : rawLo);
  const hi = boundToMicros(q.to, MAX_MICROS);
  if (series.length === 0 || lo > hi) return { ...EMPTY, data: [] };
  const snapshot = db.snapshot();
  try {
    const scan: RangeScan = { db, snapshot, lo, hi, desc: q.order === 'desc' };
    if (fromRollups) tuning.onRollupQuery?.();
    if (fromRollups) return await aggregatedPage(scan, series, q, (s) => new RollupBucketCursor(s, scan, agg.method, interval, rawLo));
    return agg
      ? await aggregatedPage(scan, series, q, (s) => new BucketCursor(new PointCursor(s, scan), agg.method, interval, !scan.desc))
      : await rawPage(scan, series, q, tuning);
  } finally {
    await snapshot.close();
  }
}

async function rawPage(scan: RangeScan, series: SeriesRef[], q: SeriesQuery, tuning: QueryTuning): Promise<SeriesPage> {
  const rows = async () => {
    let pageScan = scan;
    let skippedByIndex = 0;
    if (q.offset >= tuning.offsetSkipThreshold) {
      const sids = series.map((s) => s.id);
      const r = await skipWholeBlocks(scan, sids, q.offset);
      pageScan = { ...scan, lo: r.lo, hi: r.hi };
      skippedByIndex = r.skipped;
    }
    const offset = q.offset - skippedByIndex;
    // One series: the whole page in one read (one round trip); several: at most 1,000 each, as most
    // of what each cursor reads ahead is not on the page.
    const firstRead = Math.max(1, Math.min(series.length === 1 ? 10_000 : 1000, offset + q.limit + 1));
    const cursors = series.map((s) => new PointCursor(s, pageScan, firstRead));
    const data: Point[] = [];
    const r = await mergePage(cursors, scan.desc, offset, q.limit, (c) => {
      data.push({
        installationId: c.series.installationId,
        topic: c.series.topic,
        timestamp: fromMicros(c.micros),
        value: c.value(),
        msg: c.msg(),
      });
    });
    return { data, seen: skippedByIndex + r.skipped + r.taken + (r.more ? 1 : 0) };
  };
  const [{ data, seen }, total] = await Promise.all([
    rows(),
    q.includeTotal ? sumOver(series, (s) => countSeriesRange(scan, s.id)) : undefined,
  ]);
  return page(data, total ?? seen);
}

type AggregateCursor = BucketCursor | RollupBucketCursor;

async function aggregatedPage(
  scan: RangeScan,
  series: SeriesRef[],
  q: SeriesQuery,
  cursorOf: (s: SeriesRef) => AggregateCursor,
): Promise<SeriesPage> {
  // Empty buckets are not indexed, so the total comes from reading on past the page to the end.
  const cursors = series.map(cursorOf);
  const data: Point[] = [];
  const take = (c: AggregateCursor) => {
    data.push({
      installationId: c.series.installationId,
      topic: c.series.topic,
      timestamp: fromMicros(c.micros),
      value: c.value,
      msg: '',
    });
  };
  const r = await mergePage(cursors, scan.desc, q.offset, q.limit, take, q.includeTotal);
  const total = r.skipped + r.taken + (q.includeTotal ? r.rest : r.more ? 1 : 0);
  return page(data, total);
}

function page(data: Point[], total: number): SeriesPage {
  return { total, last: data.length ? data[data.length - 1].timestamp : 0, count: data.length, data };
}

async function sumOver(series: SeriesRef[], count: (s: SeriesRef) => Promise<number>): Promise<number> {
  const counts = await Promise.all(series.map(count));
  return counts.reduce((a, b) => a + b, 0);
}
