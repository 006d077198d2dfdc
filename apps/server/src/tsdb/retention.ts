// Retention horizons. Deleting old data is two steps: first the installation's horizon moves forward
// (persisted, synced), then the ranges before it are cleared and compacted. Queries clamp to the
// horizon, so they never see a half-deleted range, and the count index never disagrees with what a raw
// page returns. Horizons are UTC day boundaries (so every rollup cell is wholly before or after them)
// and only move forward: what was deleted cannot come back, and a late point older than the horizon
// stays invisible until the next sweep removes it.
//
// Raw points before `rawMicros` are gone; rollup cells before `rollupMicros` are gone. Rollups are kept
// at least as long as raw points (rollupMicros <= rawMicros): between the two horizons, exact
// aggregations (rollup.ts) still answer from whole cells, while raw pages and median/percentile/stddev
// see nothing.

import type { Db } from './cursors.js';
import { COUNT_BLOCK_MICROS, countKey, MIN_MICROS, pointBound, readI64, SPACE_HORIZON, toMicros, writeI64 } from './keys.js';

export interface Horizon {
  rawMicros: number;
  rollupMicros: number;
}

export interface RetentionCut {
  /** Delete raw points older than this Unix time (seconds); undefined = keep. Rounded down to a UTC day. */
  rawBefore?: number;
  /** Delete rollup cells older than this; never later than rawBefore. Undefined = keep. */
  rollupBefore?: number;
}

export interface RetentionResult {
  /** The horizons in force after the call (Unix seconds; null = nothing deleted ever). */
  rawBefore: number | null;
  rollupBefore: number | null;
  /** Series in which something was cleared and compacted by this call. */
  seriesCleared: number;
}

const DAY = 86_400_000_000;
const TWO_31 = 2 ** 31;
export const NO_HORIZON: Horizon = { rawMicros: MIN_MICROS, rollupMicros: MIN_MICROS };

export function horizonKey(installationId: number): Buffer {
  const b = Buffer.allocUnsafe(9);
  b[0] = SPACE_HORIZON;
  b.writeDoubleBE(installationId, 1);
  return b;
}

export function encodeHorizon(h: Horizon): Buffer {
  const b = Buffer.allocUnsafe(16);
  writeI64(b, 0, h.rawMicros);
  writeI64(b, 8, h.rollupMicros);
  return b;
}

export function decodeHorizon(b: Buffer): Horizon {
  return { rawMicros: readI64(b, 0), rollupMicros: readI64(b, 8) };
}

/** The horizon after applying `cut` on top of `current`: day-aligned, monotonic, rollups <= raw. */
export function nextHorizon(current: Horizon | undefined, cut: RetentionCut): Horizon {
  const day = (s: number | undefined) => (s === undefined || !Number.isFinite(s) ? MIN_MICROS : Math.floor(toMicros(s) / DAY) * DAY);
  const cur = current ?? NO_HORIZON;
  const raw = Math.max(cur.rawMicros, day(cut.rawBefore));
  const rollup = Math.max(cur.rollupMicros, Math.min(raw, day(cut.rollupBefore)));
  return { rawMicros: raw, rollupMicros: rollup };
}

export function horizonSeconds(micros: number): number | null {
  return micros <= MIN_MICROS ? null : micros / 1e6;
}

/**
 * Clears one series' points before h.rawMicros and cells before h.rollupMicros, then compacts those
 * ranges so LevelDB drops the tombstones and rewrites the files (the disk space is actually freed).
 * Returns whether anything was there to delete.
 */
export async function clearSeriesBefore(db: Db, sid: number, h: Horizon): Promise<boolean> {
  const ranges: { gte: Buffer; lt: Buffer }[] = [];
  if (h.rawMicros > MIN_MICROS) ranges.push({ gte: pointBound(sid, MIN_MICROS), lt: pointBound(sid, h.rawMicros) });
  if (h.rollupMicros > MIN_MICROS) {
    for (let level = 0; level < COUNT_BLOCK_MICROS.length; level++) {
      // Day-aligned horizon: block h/size is the first cell wholly after it at every level.
      ranges.push({ gte: countKey(sid, level, -TWO_31), lt: countKey(sid, level, h.rollupMicros / COUNT_BLOCK_MICROS[level]) });
    }
  }
  let any = false;
  for (const range of ranges) {
    const probe = db.keys({ ...range, limit: 1 });
    const first = await probe.next();
    await probe.close();
    if (first === undefined) continue;
    any = true;
    await db.clear(range);
    await compactRange(db, range.gte, range.lt);
  }
  return any;
}

/** `level` resolves to classic-level in Node, whose compactRange its typings do not declare. */
async function compactRange(db: Db, start: Buffer, end: Buffer): Promise<void> {
  const compactable = db as unknown as { compactRange?: (start: Buffer, end: Buffer) => Promise<void> };
  if (typeof compactable.compactRange === 'function') await compactable.compactRange(start, end);
}

