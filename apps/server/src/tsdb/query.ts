// Runs one SeriesQuery against a snapshot, so the page and its total describe the same data even while
// batches keep landing.

import { assertAggregationMethod } from './aggregate.js';
import { BucketCursor, mergePage, PointCursor, type Db, type RangeScan, type SeriesRef } from './cursors.js';
import { countSeriesRange, skipWholeBlocks, wholeBlocks } from './block-counts.js';
import { snapshotHolds, type DayCounts } from './day-counts.js';
import { boundToMicros, COUNT_BLOCK_MICROS, fromMicros, MAX_MICROS, MIN_MICROS } from './keys.js';
import type { Horizon } from './retention.js';
import { RollupBucketCursor, rollupsServe } from './rollup-cursor.js';
import type { Point, SeriesPage, SeriesQuery } from './types.js';

export interface QueryTuning {
  /** Offsets from this size up jump over whole days, hours and minutes using the count index. */
  offsetSkipThreshold: number;
  /**
   * Newest timestamp a series can have in a snapshot taken now (its last value, or the batch in flight):
   * lets a descending raw page open only the cursors that can reach it.
   */
  headBound?: (s: SeriesRef) => number;
  /** In-memory day counts: totals read only the partial edge days from disk. */
  dayCounts?: DayCounts;
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
    // Right after the snapshot, before any await: memory and snapshot differ at most by the batch in flight.
    const total = !agg && q.includeTotal ? totalOf(scan, series, tuning.dayCounts) : undefined;
    const days = !agg && q.offset >= skipThreshold(tuning, series.length) ? dayTotalsOf(scan, series, tuning.dayCounts) : undefined;
    const bounds = !agg && scan.desc && series.length > 1 && tuning.headBound ? series.map(tuning.headBound) : undefined;
    if (fromRollups) tuning.onRollupQuery?.();
    if (fromRollups) return await aggregatedPage(scan, series, q, (s) => new RollupBucketCursor(s, scan, agg.method, interval, rawLo));
    return agg
      ? await aggregatedPage(scan, series, q, (s) => new BucketCursor(new PointCursor(s, scan), agg.method, interval, !scan.desc))
      : await rawPage(scan, series, q, tuning, total, bounds, days);
  } finally {
    await snapshot.close();
  }
}

async function rawPage(scan: RangeScan, series: SeriesRef[], q: SeriesQuery, tuning: QueryTuning, totalP?: Promise<number>, bounds?: number[], days?: () => Promise<Map<number, number>>): Promise<SeriesPage> {
  const rows = async () => {
    let pageScan = scan;
    let skippedByIndex = 0;
    if (q.offset >= skipThreshold(tuning, series.length)) {
      const sids = series.map((s) => s.id);
      const r = await skipWholeBlocks(scan, sids, q.offset, undefined, days);
      pageScan = { ...scan, lo: r.lo, hi: r.hi };
      skippedByIndex = r.skipped;
    }
    const offset = q.offset - skippedByIndex;
    // One series: the whole page in one read (one round trip); several: a few times each one's share
    // of the page, as most of what each cursor reads ahead is not on the page (1,000 topics and a page
    // of 100 read 101,000 rows before); a cursor that runs short refills.
    const wanted = offset + q.limit + 1;
    const share = series.length === 1 ? wanted : Math.max(8, 4 * Math.ceil(wanted / series.length));
    const firstRead = Math.max(1, Math.min(series.length === 1 ? 10_000 : 1000, wanted, share));
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
    }, false, bounds);
    return { data, seen: skippedByIndex + r.skipped + r.taken + (r.more ? 1 : 0) };
  };
  const [{ data, seen }, total] = await Promise.all([rows(), totalP]);
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

/**
 * The offset jump descends the count index with reads per series and level (a few hundred µs per
 * series), while walking costs about a µs per row: with 1,000 topics, an offset of 10,000 walked costs
 * ~40 ms and jumped ~1 s (bench rest). So the threshold grows with the number of series.
 */
function skipThreshold(tuning: QueryTuning, seriesCount: number): number {
  return tuning.offsetSkipThreshold * Math.max(1, seriesCount / 10);
}

/** Per-day points over the series for the offset jump (block-counts.ts); same capture rule as totalOf. */
function dayTotalsOf(scan: RangeScan, series: SeriesRef[], dayCounts: DayCounts | undefined): (() => Promise<Map<number, number>>) | undefined {
  const { first, last } = wholeBlocks(scan.lo, scan.hi, COUNT_BLOCK_MICROS.length - 1);
  if (!dayCounts || first > last) return undefined;
  const captured = dayCounts.captureDays(series.map((s) => s.id), first, last);
  if (!captured) return undefined;
  const batchNo = captured.inFlight.size > 0 ? dayCounts.inFlightNo() : undefined;
  return async () => {
    if (batchNo !== undefined && (await snapshotHolds(scan, batchNo))) {
      for (const [day, n] of captured.inFlight) captured.days.set(day, (captured.days.get(day) ?? 0) + n);
    }
    return captured.days;
  };
}

/**
 * Exact number of points of the series in [scan.lo, scan.hi] under the snapshot. Must be called
 * synchronously after the snapshot was taken (day-counts.ts explains why).
 */
function totalOf(scan: RangeScan, series: SeriesRef[], dayCounts: DayCounts | undefined): Promise<number> {
  let memory = 0;
  let inFlight = 0;
  // Series not in memory are counted whole on disk, like the partial edge days of the others.
  const onDisk: { sid: number; lo: number; hi: number }[] = [];
  for (const s of series) {
    const c = dayCounts?.capture(s.id, scan.lo, scan.hi);
    if (!c) {
      onDisk.push({ sid: s.id, lo: scan.lo, hi: scan.hi });
      continue;
    }
    memory += c.whole;
    inFlight += c.inFlightWhole;
    for (const e of c.edges) onDisk.push({ sid: s.id, ...e });
  }
  const batchNo = inFlight > 0 ? dayCounts?.inFlightNo() : undefined;
  return (async () => {
    // One bounded iterator per range: tried one iterator seeking from range to range, and it cost
    // 2-6 times more CPU (each nextv after a seek reads on past the range, with no upper bound).
    const [fromDisk, held] = await Promise.all([
      Promise.all(onDisk.map((r) => countSeriesRange({ ...scan, lo: r.lo, hi: r.hi }, r.sid))).then((cs) => cs.reduce((a, b) => a + b, 0)),
      batchNo === undefined ? false : snapshotHolds(scan, batchNo),
    ]);
    return memory + (held ? inFlight : 0) + fromDisk;
  })();
}
