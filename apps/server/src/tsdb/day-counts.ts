// Points per series per UTC day, kept in memory so an exact total is a sum without I/O: a log page over
// 1,000 topics used to open one count-index iterator per series (about 1 s of CPU per request).
// Loaded per series on first use (one iterator seeking from series to series), then maintained by
// the writer. Only the partial days at the edges of a range still come from the on-disk count index.
//
// Consistency with snapshots: a query reads the page from a LevelDB snapshot, and the writer updates
// this memory only after its batch is durable, so a snapshot taken in between already holds a batch
// that the memory does not. Every batch therefore also writes its number (meta `batch`); a query that
// sees a batch in flight reads that number from its snapshot and adds the batch's day deltas only if
// the snapshot holds it. One batch at a time is in flight (group-commit.ts).

import type { Db, RangeScan } from './cursors.js';
import { COUNT_BLOCK_MICROS, countKey, metaKey, sidOfKey } from './keys.js';

const DAY_LEVEL = COUNT_BLOCK_MICROS.length - 1;
const DAY = COUNT_BLOCK_MICROS[DAY_LEVEL];
const TWO_31 = 2 ** 31;
export const KEY_BATCH = metaKey('batch');

/** Days ascending with their counts; appends nearly always hit the last day. */
interface SeriesDays {
  days: number[];
  counts: number[];
  total: number;
}

/** Per series: day block -> points added by the batch. */
type Deltas = Map<number, Map<number, number>>;

interface InFlight {
  no: number;
  deltas: Deltas;
}

/** What a query needs to finish a total once it has read the edges: see DayCounts.capture(). */
export interface CapturedTotal {
  /** Points in the whole days of the range, memory only (in-flight batch not included). */
  whole: number;
  /** What the in-flight batch adds to those whole days, if the snapshot holds it. */
  inFlightWhole: number;
  /** Partial days to count on disk under the snapshot (lo..hi inclusive), at most two. */
  edges: { lo: number; hi: number }[];
}

export class DayCounts {
  private readonly bySid = new Map<number, SeriesDays>();
  private inFlight?: InFlight;
  private batchNo = 0;

  /** Last batch number written to disk (read at open), so numbers keep increasing across restarts. */
  setBatchNo(n: number): void {
    this.batchNo = n;
  }

  has(sid: number): boolean {
    return this.bySid.has(sid);
  }

  /** Registers the batch about to be written; returns its number, to persist in the batch. */
  begin(deltas: Deltas): number {
    this.inFlight = { no: this.batchNo + 1, deltas };
    return this.inFlight.no;
  }

  /** The batch is durable: fold its deltas into the loaded series; `created` are new series (complete). */
  commit(created: Iterable<number>): void {
    const f = this.inFlight;
    if (!f) return;
    for (const sid of created) if (!this.bySid.has(sid)) this.bySid.set(sid, { days: [], counts: [], total: 0 });
    for (const [sid, days] of f.deltas) {
      const s = this.bySid.get(sid);
      if (s) for (const [day, n] of days) add(s, day, n);
    }
    this.batchNo = f.no;
    this.inFlight = undefined;
  }

  /** The batch failed: nothing of it was written. */
  abort(): void {
    this.inFlight = undefined;
  }

  forget(sid: number): void {
    this.bySid.delete(sid);
  }

  /** Drops days before `micros` (a day boundary): their cells are being deleted by retention. */
  dropBefore(sid: number, micros: number): void {
    const s = this.bySid.get(sid);
    if (!s) return;
    const first = lowerBound(s.days, Math.floor(micros / DAY));
    if (first === 0) return;
    for (let i = 0; i < first; i++) s.total -= s.counts[i];
    s.days.splice(0, first);
    s.counts.splice(0, first);
  }

  /**
   * Loads the day counts of series not yet in memory. Must run with no batch in flight (in the write
   * queue); `lo` drops days before the retention horizon.
   */
  async load(db: Db, sids: { sid: number; lo: number }[]): Promise<void> {
    const todo = sids.filter((s) => !this.bySid.has(s.sid)).sort((a, b) => a.sid - b.sid);
    if (todo.length === 0) return;
    const it = db.iterator({ gte: countKey(todo[0].sid, DAY_LEVEL, -TWO_31), highWaterMarkBytes: 1 << 16 });
    try {
      for (const { sid, lo } of todo) {
        const s: SeriesDays = { days: [], counts: [], total: 0 };
        const firstDay = Math.max(-TWO_31, Math.floor(lo / DAY));
        it.seek(countKey(sid, DAY_LEVEL, firstDay));
        for (;;) {
          const batch = (await it.nextv(400)) as [Buffer, Buffer][];
          let done = batch.length === 0;
          for (const [k, v] of batch) {
            if (sidOfKey(k) !== sid || k[5] !== DAY_LEVEL) {
              done = true;
              break;
            }
            const n = v.readUIntBE(0, 6);
            s.days.push(k.readUInt32BE(6) - TWO_31);
            s.counts.push(n);
            s.total += n;
          }
          if (done) break;
        }
        this.bySid.set(sid, s);
      }
    } finally {
      await it.close();
    }
  }

  /**
   * Called synchronously right after the query's snapshot is taken, so memory and snapshot agree up to
   * the in-flight batch. Undefined when the series is not loaded.
   */
  capture(sid: number, lo: number, hi: number): CapturedTotal | undefined {
    const s = this.bySid.get(sid);
    if (!s) return undefined;
    const firstWhole = Math.ceil(lo / DAY);
    const lastWhole = Math.floor((hi + 1) / DAY) - 1;
    const pending = this.inFlight?.deltas.get(sid);
    const out: CapturedTotal = { whole: 0, inFlightWhole: 0, edges: [] };
    const hasData = (day: number) => countOf(s, day) > 0 || (pending?.get(day) ?? 0) > 0;
    if (firstWhole > lastWhole) {
      // The range lies within one day or straddles one boundary: no whole day, read what has data.
      const d0 = Math.floor(lo / DAY);
      const d1 = Math.floor(hi / DAY);
      for (let d = d0; d <= d1; d++) if (hasData(d)) out.edges.push({ lo: Math.max(lo, d * DAY), hi: Math.min(hi, (d + 1) * DAY - 1) });
      return out;
    }
    if (lo < firstWhole * DAY && hasData(firstWhole - 1)) out.edges.push({ lo, hi: firstWhole * DAY - 1 });
    if (hi > (lastWhole + 1) * DAY - 1 && hasData(lastWhole + 1)) out.edges.push({ lo: (lastWhole + 1) * DAY, hi });
    out.whole = sumDays(s, firstWhole, lastWhole);
    if (pending) for (const [day, n] of pending) if (day >= firstWhole && day <= lastWhole) out.inFlightWhole += n;
    return out;
  }

  /**
   * Points per day over all the series for days first..last (memory), and what the batch in flight adds;
   * undefined when a series is not loaded. Same synchronous-capture rule as capture().
   */
  captureDays(sids: number[], first: number, last: number): { days: Map<number, number>; inFlight: Map<number, number> } | undefined {
    const days = new Map<number, number>();
    const inFlight = new Map<number, number>();
    for (const sid of sids) {
      const s = this.bySid.get(sid);
      if (!s) return undefined;
      for (let i = lowerBound(s.days, first); i < s.days.length && s.days[i] <= last; i++) days.set(s.days[i], (days.get(s.days[i]) ?? 0) + s.counts[i]);
      for (const [day, n] of this.inFlight?.deltas.get(sid) ?? []) if (day >= first && day <= last) inFlight.set(day, (inFlight.get(day) ?? 0) + n);
    }
    return { days, inFlight };
  }

  /** The number of the in-flight batch at capture time, to probe the snapshot for. */
  inFlightNo(): number | undefined {
    return this.inFlight?.no;
  }
}

/** Whether the snapshot holds batch `no` (batch numbers only grow, and every batch writes its own). */
export async function snapshotHolds(scan: RangeScan, no: number): Promise<boolean> {
  const v = await scan.db.get(KEY_BATCH, { snapshot: scan.snapshot });
  return v !== undefined && v.readDoubleBE(0) >= no;
}

export function encodeBatchNo(no: number): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeDoubleBE(no, 0);
  return b;
}

export function decodeBatchNo(b: Buffer | undefined): number {
  return b ? b.readDoubleBE(0) : 0;
}

function add(s: SeriesDays, day: number, n: number): void {
  const last = s.days.length - 1;
  s.total += n;
  if (last >= 0 && s.days[last] === day) {
    s.counts[last] += n;
    return;
  }
  if (last < 0 || s.days[last] < day) {
    s.days.push(day);
    s.counts.push(n);
    return;
  }
  const i = lowerBound(s.days, day);
  if (s.days[i] === day) s.counts[i] += n;
  else {
    s.days.splice(i, 0, day);
    s.counts.splice(i, 0, n);
  }
}

function countOf(s: SeriesDays, day: number): number {
  const i = lowerBound(s.days, day);
  return s.days[i] === day ? s.counts[i] : 0;
}

function sumDays(s: SeriesDays, first: number, last: number): number {
  const n = s.days.length;
  if (n === 0) return 0;
  if (first <= s.days[0] && last >= s.days[n - 1]) return s.total;
  let sum = 0;
  for (let i = lowerBound(s.days, first); i < n && s.days[i] <= last; i++) sum += s.counts[i];
  return sum;
}

/** First index whose day is >= `day`. */
function lowerBound(days: number[], day: number): number {
  let a = 0;
  let b = days.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (days[m] < day) a = m + 1;
    else b = m;
  }
  return a;
}
