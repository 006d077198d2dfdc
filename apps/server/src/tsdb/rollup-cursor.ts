// Aggregated rows from rollup cells. Each query bucket (clipped to [lo, hi]) is split like the count
// index splits a range: whole days, then whole hours, 10 minutes, minutes and 10 seconds at its edges,
// and raw points only for the partial 10 s blocks at the very edges. So a bucket costs a handful of
// cells instead of all its points, and the result is exactly the raw computation (rollup.ts, exact-sum.ts).
// Buckets are computed a window at a time, in query order, skipping days without data.

import { blockOfCountKey, COUNT_BLOCK_MICROS, countKey, decodeCount, microsOfPointKey, pointBound, valueOfPoint } from './keys.js';
import { HIGH_WATER_BYTES, type MergeCursor, type RangeScan, type SeriesRef } from './cursors.js';
import { addPoint, emptyRollup, mergeEncoded, rollupAnswers, rollupResult, type Rollup } from './rollup.js';
import type { AggregationMethod } from './types.js';

const TOP = COUNT_BLOCK_MICROS.length - 1;
const DAY = COUNT_BLOCK_MICROS[TOP];
/** The finest cell (10 s): raw points are read only inside blocks of this size cut by a bucket edge. */
const FINEST = COUNT_BLOCK_MICROS[0];
/** Buckets computed per window. */
const WINDOW = 1000;
/** Raw reads in flight at once per series (libuv's pool has 4 threads by default). */
const RAW_LANES = 4;

/**
 * Whether the rollup path pays off: buckets on 10 s blocks read cells only; otherwise every boundary
 * costs a raw read of one 10 s block, worth it once a bucket is a few blocks long (a 35 s bucket of
 * 1 Hz data: about 10 raw points and 3 cells instead of 35 points).
 */
export function rollupsServe(method: AggregationMethod, intervalMicros: number): boolean {
  return rollupAnswers(method) && (intervalMicros % FINEST === 0 || intervalMicros >= 3 * FINEST);
}

interface CellPiece {
  first: number;
  last: number;
  bucket: number;
}

interface RawPiece {
  lo: number;
  hi: number;
  bucket: number;
}

type Row = { micros: number; value: number };

export class RollupBucketCursor implements MergeCursor {
  micros = 0;
  done = false;
  value = NaN;
  private rows: Row[] = [];
  private i = 0;
  /** Next position to compute from (asc: lowest micros not yet covered; desc: highest). */
  private cursor: number;
  private finished = false;

  /** `rawLo`: raw points before it are not read (retention horizon); cells are. */
  constructor(
    readonly series: SeriesRef,
    private readonly scan: RangeScan,
    private readonly method: AggregationMethod,
    private readonly interval: number,
    private readonly rawLo: number,
  ) {
    this.cursor = scan.desc ? scan.hi : scan.lo;
  }

  get topic(): string {
    return this.series.topic;
  }

  advance(): Promise<void> | undefined {
    if (this.i < this.rows.length) {
      const r = this.rows[this.i++];
      this.micros = r.micros;
      this.value = r.value;
      return undefined;
    }
    return this.fill();
  }

  private async fill(): Promise<void> {
    while (!this.finished) {
      this.rows = await this.nextWindow();
      this.i = 0;
      if (this.rows.length > 0) {
        this.advance();
        return;
      }
    }
    this.done = true;
  }

  async countRemaining(): Promise<number> {
    if (this.done) return 0;
    let n = this.rows.length - this.i + 1;
    while (!this.finished) n += (await this.nextWindow()).length;
    this.done = true;
    return n;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Computes the next window of buckets in query order (rows in query order too). */
  private async nextWindow(): Promise<Row[]> {
    const { lo, hi, desc } = this.scan;
    const I = this.interval;
    if (desc ? this.cursor < lo : this.cursor > hi) {
      this.finished = true;
      return [];
    }
    const day = await this.nearestDataDay(this.cursor, desc);
    if (day === undefined || (desc ? (day + 1) * DAY - 1 < lo : day * DAY > hi)) {
      this.finished = true;
      return [];
    }
    let wlo: number;
    let whi: number;
    if (!desc) {
      const start = Math.max(this.cursor, day * DAY);
      const b0 = Math.floor(start / I);
      const b1 = Math.min(b0 + WINDOW - 1, Math.floor(hi / I));
      wlo = start;
      whi = Math.min(hi, (b1 + 1) * I - 1);
      this.cursor = whi + 1;
    } else {
      const end = Math.min(this.cursor, (day + 1) * DAY - 1);
      const b1 = Math.floor(end / I);
      const b0 = Math.max(b1 - WINDOW + 1, Math.floor(lo / I));
      whi = end;
      wlo = Math.max(lo, b0 * I);
      this.cursor = wlo - 1;
    }
    const rows = await this.computeWindow(wlo, whi);
    return desc ? rows.reverse() : rows;
  }

  /** Points of the series in the days overlapping [lo, hi]: bounds the cells of any tier there. */
  private async pointsOfDays(lo: number, hi: number): Promise<number> {
    const sid = this.series.id;
    const it = this.scan.db.iterator({ gte: countKey(sid, TOP, Math.floor(lo / DAY)), lte: countKey(sid, TOP, Math.floor(hi / DAY)), snapshot: this.scan.snapshot });
    try {
      let n = 0;
      for (const [, value] of (await it.all()) as [Buffer, Buffer][]) n += decodeCount(value);
      return n;
    } finally {
      await it.close();
    }
  }

  /** The day block holding data nearest to `from` in the reading direction (inclusive). */
  private async nearestDataDay(from: number, desc: boolean): Promise<number | undefined> {
    const sid = this.series.id;
    const block = Math.floor(from / DAY);
    const it = this.scan.db.keys(
      desc
        ? { gte: countKey(sid, TOP, -(2 ** 31)), lte: countKey(sid, TOP, block), reverse: true, limit: 1, snapshot: this.scan.snapshot }
        : { gte: countKey(sid, TOP, block), lte: countKey(sid, TOP, 2 ** 31 - 1), limit: 1, snapshot: this.scan.snapshot },
    );
    try {
      const key = await it.next();
      return key === undefined ? undefined : blockOfCountKey(key);
    } finally {
      await it.close();
    }
  }

  private async computeWindow(wlo: number, whi: number): Promise<Row[]> {
    const I = this.interval;
    const b0 = Math.floor(wlo / I);
    const b1 = Math.floor(whi / I);
    const cells: CellPiece[][] = COUNT_BLOCK_MICROS.map(() => []);
    const raw: RawPiece[] = [];
    for (let b = b0; b <= b1; b++) {
      decompose(Math.max(b * I, wlo), Math.min((b + 1) * I - 1, whi), TOP, b - b0, cells, raw, this.rawLo);
    }
    const acc: (Rollup | undefined)[] = new Array(b1 - b0 + 1);
    const at = (i: number) => (acc[i] ??= emptyRollup());
    const groups = groupRaw(raw);
    // The finest pass also reports the point counts of the 10 s blocks raw reads fall in: a raw read
    // then asks for exactly that many rows (or is skipped when the block is empty) instead of a guess.
    const probe = groups.flatMap((g) => g.blocks);
    const points = await this.pointsOfDays(wlo, whi);
    const [blockCounts] = await Promise.all([
      this.readCells(0, cells[0], at, points, probe),
      ...cells.slice(1).map((pieces, i) => this.readCells(i + 1, pieces, at, points)),
    ]);
    await this.readRaw(groups, at, blockCounts);
    const rows: Row[] = [];
    for (let i = 0; i < acc.length; i++) {
      const r = acc[i];
      if (r && r.count > 0) rows.push({ micros: (b0 + i) * I, value: rollupResult(r, this.method) });
    }
    return rows;
  }

  /**
   * Merges the cells of `pieces` (one level, ascending) into their buckets and returns the counts of the
   * `probe` blocks (same level, sorted; absent cells count 0). Pieces that leave gaps are fetched by
   * key in one getMany: a single round trip to LevelDB's thread pool (a seek per piece cost one each:
   * 2,000 for the 10 s edges of 1,000 buckets), and cheaper than one pass stepping over the gaps' cells
   * (16 instead of 27 ms of CPU for 1,000 buckets of 1,000 s). But a key costs as much whether its cell
   * exists or not, so when the window holds fewer `points` than
   * there are keys (sparse data) one pass, which only meets existing cells, is cheaper: 3-6 times for
   * 737.5 s buckets over 3,000 points in a week. Gapless pieces and mostly-covered day pieces are read in
   * one pass too.
   */
  private async readCells(level: number, pieces: CellPiece[], at: (i: number) => Rollup, points: number, probe: number[] = []): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const b of probe) counts.set(b, 0);
    if (pieces.length > 0) {
      let covered = 0;
      for (const p of pieces) covered += p.last - p.first + 1;
      const span = pieces[pieces.length - 1].last - pieces[0].first + 1;
      if (covered === span || (level === TOP && covered * 4 >= span) || points < covered + probe.length) {
        await this.scanCells(level, pieces, at, probe, counts);
        return counts;
      }
    }
    if (pieces.length === 0 && probe.length === 0) return counts;
    const sid = this.series.id;
    const keys: Buffer[] = [];
    const buckets: number[] = [];
    for (const p of pieces) {
      for (let b = p.first; b <= p.last; b++) {
        keys.push(countKey(sid, level, b));
        buckets.push(p.bucket);
      }
    }
    for (const b of probe) keys.push(countKey(sid, level, b));
    const values = await this.scan.db.getMany(keys, { snapshot: this.scan.snapshot });
    for (let i = 0; i < buckets.length; i++) {
      const v = values[i];
      if (v) mergeEncoded(at(buckets[i]), v);
    }
    for (let i = 0; i < probe.length; i++) {
      const v = values[buckets.length + i];
      if (v) counts.set(probe[i], decodeCount(v));
    }
    return counts;
  }

  /** One pass over the span of `pieces` and `probe`, skipping the cells between pieces. */
  private async scanCells(level: number, pieces: CellPiece[], at: (i: number) => Rollup, probe: number[], counts: Map<number, number>): Promise<void> {
    const sid = this.series.id;
    const lo = probe.length ? Math.min(pieces[0].first, probe[0]) : pieces[0].first;
    const hi = probe.length ? Math.max(pieces[pieces.length - 1].last, probe[probe.length - 1]) : pieces[pieces.length - 1].last;
    const it = this.scan.db.iterator({ gte: countKey(sid, level, lo), lte: countKey(sid, level, hi), snapshot: this.scan.snapshot, highWaterMarkBytes: HIGH_WATER_BYTES });
    try {
      let k = 0;
      for (;;) {
        const batch = (await it.nextv(4000)) as [Buffer, Buffer][];
        if (batch.length === 0) return;
        for (const [key, value] of batch) {
          const b = blockOfCountKey(key);
          if (counts.has(b)) counts.set(b, decodeCount(value));
          while (k < pieces.length && pieces[k].last < b) k++;
          if (k < pieces.length && b >= pieces[k].first) mergeEncoded(at(pieces[k].bucket), value);
        }
      }
    } finally {
      await it.close();
    }
  }

  /** Reads the raw groups on a few iterators at once: each read is a round trip to LevelDB's thread pool. */
  private async readRaw(groups: RawGroup[], at: (i: number) => Rollup, blockCounts: Map<number, number>): Promise<void> {
    const sized = groups
      .map((g) => ({ g, rows: sumCounts(g.blocks, blockCounts) }))
      .filter((x) => x.rows !== 0);
    if (sized.length === 0) return;
    const lanes = Math.min(RAW_LANES, sized.length);
    const per = Math.ceil(sized.length / lanes);
    await Promise.all(Array.from({ length: lanes }, (_, lane) => this.readRawLane(sized.slice(lane * per, (lane + 1) * per), at)));
  }

  private async readRawLane(work: { g: RawGroup; rows: number | undefined }[], at: (i: number) => Rollup): Promise<void> {
    if (work.length === 0) return;
    const sid = this.series.id;
    const it = this.scan.db.iterator({
      gte: pointBound(sid, work[0].g.lo),
      lt: pointBound(sid, work[work.length - 1].g.hi + 1),
      snapshot: this.scan.snapshot,
      highWaterMarkBytes: HIGH_WATER_BYTES,
    });
    try {
      for (const { g, rows } of work) {
        it.seek(pointBound(sid, g.lo));
        let k = 0;
        for (;;) {
          // rows bounds the points of the whole 10 s blocks around the group: one read normally suffices.
          const batch = (await it.nextv(rows !== undefined ? rows + 1 : 256)) as [Buffer, Buffer][];
          if (batch.length === 0) break;
          let past = false;
          for (const [key, value] of batch) {
            const micros = microsOfPointKey(key);
            while (k < g.pieces.length && micros > g.pieces[k].hi) k++;
            if (k === g.pieces.length) {
              past = true;
              break;
            }
            if (micros >= g.pieces[k].lo) addPoint(at(g.pieces[k].bucket), micros, valueOfPoint(value));
          }
          if (past) break;
        }
      }
    } finally {
      await it.close();
    }
  }
}

interface RawGroup {
  lo: number;
  hi: number;
  pieces: RawPiece[];
  /** Finest-level (10 s) blocks the group overlaps. */
  blocks: number[];
}

/** Joins adjacent raw pieces (the two sides of a bucket boundary inside a 10 s block) into one read. */
function groupRaw(pieces: RawPiece[]): RawGroup[] {
  const groups: RawGroup[] = [];
  for (const p of pieces) {
    const g = groups[groups.length - 1];
    if (g && g.hi + 1 === p.lo) {
      g.hi = p.hi;
      g.pieces.push(p);
    } else groups.push({ lo: p.lo, hi: p.hi, pieces: [p], blocks: [] });
  }
  for (const g of groups) {
    for (let b = Math.floor(g.lo / FINEST); b <= Math.floor(g.hi / FINEST); b++) g.blocks.push(b);
  }
  return groups;
}

/** Points in those blocks, or undefined when one of them was not counted. */
function sumCounts(blocks: number[], counts: Map<number, number>): number | undefined {
  let n = 0;
  for (const b of blocks) {
    const c = counts.get(b);
    if (c === undefined) return undefined;
    n += c;
  }
  return n;
}

/** Splits [lo, hi] (inside one bucket) into whole cells, coarsest first, and raw partial 10 s blocks. */
function decompose(lo: number, hi: number, level: number, bucket: number, cells: CellPiece[][], raw: RawPiece[], rawLo: number): void {
  if (lo > hi) return;
  if (level < 0) {
    const from = Math.max(lo, rawLo);
    if (from <= hi) raw.push({ lo: from, hi, bucket });
    return;
  }
  const size = COUNT_BLOCK_MICROS[level];
  const first = Math.ceil(lo / size);
  const last = Math.floor((hi + 1) / size) - 1;
  if (first > last) {
    decompose(lo, hi, level - 1, bucket, cells, raw, rawLo);
    return;
  }
  decompose(lo, first * size - 1, level - 1, bucket, cells, raw, rawLo);
  cells[level].push({ first, last, bucket });
  decompose((last + 1) * size, hi, level - 1, bucket, cells, raw, rawLo);
}
