// Count index: points per series per UTC 10 s, minute, 10 minutes, hour and day (the count that starts every
// rollup cell, rollup.ts), written in the same batch as the points. LevelDB cannot count a range without
// walking it, and Lynx clients page with `offset >= total`, which would walk the whole range on every
// page. With the index a total reads the day counts of the middle, then finer counts of the partial
// edges down to the points of at most two partial 10 s blocks; a large offset descends the same way.
// Three levels instead of two cut an unaligned 10-series 1 Hz total from ~160 ms to ~10 ms in bench/tsdb.

import { countPoints, HIGH_WATER_BYTES, type RangeScan } from './cursors.js';
import { blockOfCountKey, COUNT_BLOCK_MICROS, countKey, decodeCount } from './keys.js';

const TOP = COUNT_BLOCK_MICROS.length - 1;

/** Blocks of a level lying wholly inside [lo, hi]; first > last when there are none. */
export function wholeBlocks(lo: number, hi: number, level: number): { first: number; last: number } {
  const size = COUNT_BLOCK_MICROS[level];
  return { first: Math.ceil(lo / size), last: Math.floor((hi + 1) / size) - 1 };
}

/** [block, count] of one series at one level for blocks first..last, ascending. */
export async function readBlockCounts(
  scan: RangeScan,
  sid: number,
  level: number,
  first: number,
  last: number,
): Promise<[number, number][]> {
  const it = scan.db.iterator({ gte: countKey(sid, level, first), lte: countKey(sid, level, last), snapshot: scan.snapshot, highWaterMarkBytes: HIGH_WATER_BYTES });
  const out: [number, number][] = [];
  try {
    for (;;) {
      const batch = (await it.nextv(1000)) as [Buffer, Buffer][];
      if (batch.length === 0) return out;
      for (const [k, v] of batch) out.push([blockOfCountKey(k), decodeCount(v)]);
    }
  } finally {
    await it.close();
  }
}

/** Exact number of points of one series in [scan.lo, scan.hi]. */
export async function countSeriesRange(scan: RangeScan, sid: number, level = TOP): Promise<number> {
  if (scan.lo > scan.hi) return 0;
  if (level < 0) return countPoints(scan, sid);
  const size = COUNT_BLOCK_MICROS[level];
  const { first, last } = wholeBlocks(scan.lo, scan.hi, level);
  if (first > last) return countSeriesRange(scan, sid, level - 1);
  const [head, tail, blocks] = await Promise.all([
    countSeriesRange({ ...scan, hi: first * size - 1 }, sid, level - 1),
    countSeriesRange({ ...scan, lo: (last + 1) * size }, sid, level - 1),
    readBlockCounts(scan, sid, level, first, last),
  ]);
  let n = head + tail;
  for (const [, c] of blocks) n += c;
  return n;
}

export interface Skip {
  lo: number;
  hi: number;
  /** Rows of the original range that lie before the narrowed starting bound. */
  skipped: number;
}

/**
 * Moves the starting bound of the scan (lo when ascending, hi when descending) past whole blocks whose
 * rows, over all the series, all come before `offset`. The far bound is never moved.
 */
export async function skipWholeBlocks(
  scan: RangeScan,
  sids: number[],
  offset: number,
  level = TOP,
  /** Points per day over all the series under the snapshot (day-counts.ts), instead of one read per series. */
  dayTotals?: () => Promise<Map<number, number>>,
): Promise<Skip> {
  const unchanged: Skip = { lo: scan.lo, hi: scan.hi, skipped: 0 };
  if (level < 0 || scan.lo > scan.hi || offset === 0) return unchanged;
  const size = COUNT_BLOCK_MICROS[level];
  const { first, last } = wholeBlocks(scan.lo, scan.hi, level);
  if (first > last) return skipWholeBlocks(scan, sids, offset, level - 1);
  const fromMemory = level === TOP ? dayTotals : undefined;

  // Reading order: near edge (partial block), whole blocks, far edge (partial block).
  const nearEdge = scan.desc ? { ...scan, lo: (last + 1) * size } : { ...scan, hi: first * size - 1 };
  const farEdge = scan.desc ? { ...scan, hi: first * size - 1 } : { ...scan, lo: (last + 1) * size };
  const within = (inner: RangeScan, skipped: number) => descend(scan, inner, sids, offset - skipped, level - 1, skipped);

  const nearCount = await sumCounts(nearEdge, sids, level - 1);
  if (nearCount > offset) return within(nearEdge, 0);
  let skipped = nearCount;

  let perBlock = new Map<number, number>();
  if (fromMemory) perBlock = await fromMemory();
  else {
    const all = await Promise.all(sids.map((sid) => readBlockCounts(scan, sid, level, first, last)));
    for (const blocks of all) for (const [b, c] of blocks) perBlock.set(b, (perBlock.get(b) ?? 0) + c);
  }
  const blocks = [...perBlock.keys()].sort((a, b) => (scan.desc ? b - a : a - b));
  for (const b of blocks) {
    const c = perBlock.get(b)!;
    if (skipped + c > offset) return within({ ...scan, lo: b * size, hi: (b + 1) * size - 1 }, skipped);
    skipped += c;
  }
  return within(farEdge, skipped);
}

/** Skips inside `inner` (a sub-range at the current reading position), keeping the outer far bound. */
async function descend(outer: RangeScan, inner: RangeScan, sids: number[], offset: number, level: number, skipped: number): Promise<Skip> {
  const r = await skipWholeBlocks(inner, sids, offset, level);
  return outer.desc
    ? { lo: outer.lo, hi: r.hi, skipped: skipped + r.skipped }
    : { lo: r.lo, hi: outer.hi, skipped: skipped + r.skipped };
}

async function sumCounts(scan: RangeScan, sids: number[], level: number): Promise<number> {
  const counts = await Promise.all(sids.map((sid) => countSeriesRange(scan, sid, level)));
  return counts.reduce((a, b) => a + b, 0);
}
