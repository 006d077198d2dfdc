// Per-series cursors over LevelDB ranges and the k-way merge that interleaves them by time.
// The hot loops avoid a promise per row: advance() returns a promise only when it must refill.

import type { Level } from 'level';
import { createAccumulator } from './aggregate.js';
import { microsOfPointKey, msgOfPoint, pointBound, valueOfPoint } from './keys.js';
import type { AggregationMethod } from './types.js';

export type Db = Level<Buffer, Buffer>;
type Snapshot = ReturnType<Db['snapshot']>;

export interface SeriesRef {
  id: number;
  installationId: number;
  topic: string;
}

export interface RangeScan {
  db: Db;
  snapshot: Snapshot;
  /** Inclusive bounds in microseconds. */
  lo: number;
  hi: number;
  desc: boolean;
}

/** Anything the merge can interleave: a head row (micros, topic) that moves forward on advance(). */
export interface MergeCursor {
  readonly topic: string;
  micros: number;
  done: boolean;
  advance(): Promise<void> | undefined;
  /** Rows left, the head included, counted without materialising them. */
  countRemaining(): Promise<number>;
  close(): Promise<void>;
}

const READ_BATCH = 1000;
/**
 * classic-level stops a nextv() once 16 KB are read (its default), about 560 points: a read of 1,000
 * then takes two round trips to the thread pool. 1 MB lets the asked size through (measured 4.1 -> 2.6
 * µs per point on a loaded 2-core machine); it is a cap, not an allocation.
 */
export const HIGH_WATER_BYTES = 1 << 20;

type EntryIterator = ReturnType<Db['iterator']>;

export function openPointIterator(scan: RangeScan, sid: number, keysOnly = false): EntryIterator {
  return scan.db.iterator({
    gte: pointBound(sid, scan.lo),
    lt: pointBound(sid, scan.hi + 1),
    reverse: scan.desc,
    values: !keysOnly,
    snapshot: scan.snapshot,
    highWaterMarkBytes: HIGH_WATER_BYTES,
  });
}

export class PointCursor implements MergeCursor {
  micros = 0;
  done = false;
  private entries: [Buffer, Buffer][] = [];
  private i = -1;
  private exhausted = false;
  private reads = 0;
  /** The next nextv() already running on the thread pool while this batch is consumed. */
  private ahead?: Promise<[Buffer, Buffer][]>;
  /** Opened at the first read: a merge may never need a cursor whose rows all come after the page. */
  private it?: EntryIterator;

  /** `firstRead` sizes the first nextv() so a small page does not read 1,000 rows per series. */
  constructor(
    readonly series: SeriesRef,
    private readonly scan: RangeScan,
    private firstRead = READ_BATCH,
  ) {}

  get topic(): string {
    return this.series.topic;
  }

  advance(): Promise<void> | undefined {
    if (++this.i < this.entries.length) {
      this.micros = microsOfPointKey(this.entries[this.i][0]);
      return undefined;
    }
    if (this.exhausted) {
      this.done = true;
      return undefined;
    }
    return this.refill();
  }

  private async refill(): Promise<void> {
    this.entries = await this.read();
    this.i = 0;
    // From the second read on the caller is clearly streaming, so fetch ahead: LevelDB iterates on a
    // worker thread, and without this the main thread idles through every read.
    if (this.entries.length > 0 && ++this.reads >= 2) this.ahead = this.read();
    // Only an empty read means the end: nextv may return fewer rows than asked (byte high-water mark).
    if (this.entries.length === 0) {
      this.exhausted = true;
      this.done = true;
      return;
    }
    this.micros = microsOfPointKey(this.entries[0][0]);
  }

  private read(): Promise<[Buffer, Buffer][]> {
    const ahead = this.ahead;
    if (ahead) {
      this.ahead = undefined;
      return ahead;
    }
    const size = this.firstRead;
    this.firstRead = READ_BATCH;
    this.it ??= openPointIterator(this.scan, this.series.id);
    return this.it.nextv(size) as Promise<[Buffer, Buffer][]>;
  }

  value(): number {
    return valueOfPoint(this.entries[this.i][1]);
  }

  async countRemaining(): Promise<number> {
    if (this.done) return 0;
    let n = this.entries.length - this.i;
    for (;;) {
      const batch = await this.read();
      if (batch.length === 0) break;
      n += batch.length;
    }
    this.entries = [];
    this.i = 0;
    this.exhausted = true;
    this.done = true;
    return n;
  }

  msg(): string {
    return msgOfPoint(this.entries[this.i][1]);
  }

  close(): Promise<void> {
    // abstract-level delays close() until a running read ends; an unused read-ahead may still fail.
    this.ahead?.catch(() => {});
    this.ahead = undefined;
    return this.it ? this.it.close() : Promise.resolve();
  }
}

/** One row per non-empty bucket of a series; micros = bucket start, aligned on the Unix epoch. */
export class BucketCursor implements MergeCursor {
  micros = 0;
  done = false;
  value = NaN;
  private started = false;
  private readonly needsValues: boolean;

  constructor(
    private readonly inner: PointCursor,
    private readonly method: AggregationMethod,
    private readonly intervalMicros: number,
    private readonly chronological: boolean,
  ) {
    this.needsValues = method !== 'count';
  }

  get topic(): string {
    return this.inner.topic;
  }

  get series(): SeriesRef {
    return this.inner.series;
  }

  async advance(): Promise<void> {
    const inner = this.inner;
    if (!this.started) {
      this.started = true;
      await inner.advance();
    }
    if (inner.done) {
      this.done = true;
      return;
    }
    const size = this.intervalMicros;
    const bucket = Math.floor(inner.micros / size);
    const acc = createAccumulator(this.method, this.chronological);
    do {
      acc.add(this.needsValues ? inner.value() : 0);
      const p = inner.advance();
      if (p) await p;
    } while (!inner.done && Math.floor(inner.micros / size) === bucket);
    this.micros = bucket * size;
    this.value = acc.result();
  }

  async countRemaining(): Promise<number> {
    if (this.done) return 0;
    const inner = this.inner;
    const size = this.intervalMicros;
    let n = 1;
    let bucket = Math.floor(this.micros / size);
    while (!inner.done) {
      const b = Math.floor(inner.micros / size);
      if (b !== bucket) {
        n++;
        bucket = b;
      }
      const p = inner.advance();
      if (p) await p;
    }
    this.done = true;
    return n;
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** Counts stored points of one series in [lo, hi] by walking keys only. */
export async function countPoints(scan: RangeScan, sid: number): Promise<number> {
  if (scan.lo > scan.hi) return 0;
  const it = openPointIterator({ ...scan, desc: false }, sid, true);
  try {
    let n = 0;
    for (;;) {
      const batch = await it.nextv(READ_BATCH);
      if (batch.length === 0) return n;
      n += batch.length;
    }
  } finally {
    await it.close();
  }
}

export interface MergeResult {
  /** Rows passed over for the offset. */
  skipped: number;
  taken: number;
  /** True when at least one more row follows the page. */
  more: boolean;
  /** Rows after the page, when asked for (countRest), else 0. */
  rest: number;
}

/**
 * Interleaves the cursors by (micros, topic), ascending or descending; rows of one cursor keep their
 * own order. Skips `offset` rows, hands the next `limit` to `take`, then peeks one row for `more`;
 * with `countRest`, counts the rows after the page (order no longer matters, so no merging).
 * The cursors must not have been advanced yet; they are all closed on return.
 */
export async function mergePage<C extends MergeCursor>(
  cursors: C[],
  desc: boolean,
  offset: number,
  limit: number,
  take: (cursor: C) => void,
  countRest = false,
  headBounds?: number[],
): Promise<MergeResult> {
  const before = desc ? (a: C, b: C) => a.micros > b.micros || (a.micros === b.micros && a.topic > b.topic)
    : (a: C, b: C) => a.micros < b.micros || (a.micros === b.micros && a.topic < b.topic);
  const heap: C[] = [];
  let skipped = 0;
  let taken = 0;
  let more = false;
  let rest = 0;
  // With head bounds (descending only: the newest timestamp each cursor can have), cursors are opened
  // newest bound first and only once the merge reaches their bound: a page of 100 over 1,000 topics
  // opens about the 100 newest instead of 1,000 LevelDB iterators.
  const lazy = headBounds !== undefined && desc && !countRest;
  const order = lazy ? cursors.map((c, i) => ({ c, b: headBounds[i] })).sort((x, y) => y.b - x.b) : cursors.map((c) => ({ c, b: Infinity }));
  let opened = 0;
  const open = async (count: number, atLeast: number) => {
    const group: C[] = [];
    while (opened < order.length && (group.length < count || order[opened].b >= atLeast)) group.push(order[opened++].c);
    await Promise.all(group.map((c) => c.advance()));
    for (const c of group) if (!c.done) heapPush(heap, c, before);
  };
  try {
    await open(lazy ? Math.max(1, offset + limit + 1) : order.length, Infinity);
    while (heap.length > 0 || opened < order.length) {
      if (heap.length === 0) {
        await open(Math.max(16, limit + 1), Infinity);
        continue;
      }
      // Ties on micros go by topic, so an unopened cursor whose bound equals the head must join first.
      if (opened < order.length && order[opened].b >= heap[0].micros) {
        await open(0, heap[0].micros);
        continue;
      }
      const c = heap[0];
      if (skipped < offset) skipped++;
      else if (taken < limit) {
        take(c);
        taken++;
      } else {
        more = true;
        break;
      }
      const p = c.advance();
      if (p) await p;
      if (c.done) heapPop(heap, before);
      else siftDown(heap, 0, before);
    }
    if (more && countRest) {
      const counts = await Promise.all(heap.map((c) => c.countRemaining()));
      rest = counts.reduce((a, b) => a + b, 0);
    }
  } finally {
    await Promise.all(cursors.map((c) => c.close()));
  }
  return { skipped, taken, more, rest };
}

function heapPush<C>(heap: C[], c: C, before: (a: C, b: C) => boolean): void {
  heap.push(c);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!before(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function heapPop<C>(heap: C[], before: (a: C, b: C) => boolean): void {
  const last = heap.pop()!;
  if (heap.length === 0) return;
  heap[0] = last;
  siftDown(heap, 0, before);
}

function siftDown<C>(heap: C[], i: number, before: (a: C, b: C) => boolean): void {
  const n = heap.length;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let best = i;
    if (l < n && before(heap[l], heap[best])) best = l;
    if (r < n && before(heap[r], heap[best])) best = r;
    if (best === i) return;
    [heap[i], heap[best]] = [heap[best], heap[i]];
    i = best;
  }
}
