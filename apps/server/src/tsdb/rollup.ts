// Rollup cells: per series and UTC 10 s / minute / 10 minutes / hour / day, the exact summary of the points in that block
// (count, exact-sum partials, min, max, first and last by time). They replace the plain count index
// (same keys, the count stays the first 6 bytes of the value) and are written in the same atomic batch
// as the points, so after a crash they still agree with the raw data.
//
// Value: <count u48> <min f64> <max f64> <firstMicros i64*> <first f64> <lastMicros i64*> <last f64> <sum partials f64...>
//
// first / last follow the raw definition: by time, ties in arrival order (= key order). A point added
// later always arrived later, so "strictly earlier replaces first" and "not earlier replaces last" keep
// them exact for out-of-order and tied points without re-reading the block.

import { summaryValue } from './aggregate.js';
import { addToPartials } from './exact-sum.js';
import { readI64, writeI64 } from './keys.js';
import type { AggregationMethod } from './types.js';

export interface Rollup {
  count: number;
  min: number;
  max: number;
  firstMicros: number;
  first: number;
  lastMicros: number;
  last: number;
  /** Exact-sum partials (exact-sum.ts). */
  sum: number[];
}

/** Methods a rollup answers exactly; the others (median, percentiles, stddev) need the raw values. */
const EXACT = new Set<AggregationMethod>(['avg', 'count', 'first', 'last', 'max', 'min', 'spread', 'sum']);

export function rollupAnswers(method: AggregationMethod): boolean {
  return typeof method === 'string' && EXACT.has(method);
}

export function emptyRollup(): Rollup {
  return { count: 0, min: Infinity, max: -Infinity, firstMicros: 0, first: NaN, lastMicros: 0, last: NaN, sum: [] };
}

export function cloneRollup(r: Rollup): Rollup {
  return {
    count: r.count,
    min: r.min,
    max: r.max,
    firstMicros: r.firstMicros,
    first: r.first,
    lastMicros: r.lastMicros,
    last: r.last,
    sum: r.sum.slice(),
  };
}

/** Adds one point; points must be added in arrival (or key) order. */
export function addPoint(r: Rollup, micros: number, value: number): void {
  if (r.count === 0 || micros < r.firstMicros) {
    r.firstMicros = micros;
    r.first = value;
  }
  if (r.count === 0 || micros >= r.lastMicros) {
    r.lastMicros = micros;
    r.last = value;
  }
  if (value < r.min) r.min = value;
  if (value > r.max) r.max = value;
  addToPartials(r.sum, value);
  r.count++;
}

/** Merges `later` into `r`: its points arrived after r's, or lie in a disjoint later or earlier span. */
export function mergeRollup(r: Rollup, later: Rollup): void {
  if (later.count === 0) return;
  if (r.count === 0 || later.firstMicros < r.firstMicros) {
    r.firstMicros = later.firstMicros;
    r.first = later.first;
  }
  if (r.count === 0 || later.lastMicros >= r.lastMicros) {
    r.lastMicros = later.lastMicros;
    r.last = later.last;
  }
  if (later.min < r.min) r.min = later.min;
  if (later.max > r.max) r.max = later.max;
  for (const p of later.sum) addToPartials(r.sum, p);
  r.count += later.count;
}

/** mergeRollup(r, decodeRollup(b)) without building the cell object: the query path's inner loop. */
export function mergeEncoded(r: Rollup, b: Buffer): void {
  const count = b.readUIntBE(0, 6);
  if (count === 0) return;
  const firstMicros = readI64(b, 22);
  const lastMicros = readI64(b, 38);
  if (r.count === 0 || firstMicros < r.firstMicros) {
    r.firstMicros = firstMicros;
    r.first = b.readDoubleBE(30);
  }
  if (r.count === 0 || lastMicros >= r.lastMicros) {
    r.lastMicros = lastMicros;
    r.last = b.readDoubleBE(46);
  }
  const min = b.readDoubleBE(6);
  const max = b.readDoubleBE(14);
  if (min < r.min) r.min = min;
  if (max > r.max) r.max = max;
  for (let off = FIXED; off + 8 <= b.length; off += 8) addToPartials(r.sum, b.readDoubleBE(off));
  r.count += count;
}

/** The aggregate of the summarised points; same definitions and results as aggregate.ts. */
export function rollupResult(r: Rollup, method: AggregationMethod): number {
  switch (method) {
    case 'count':
    case 'sum':
    case 'avg':
    case 'min':
    case 'max':
    case 'spread':
      return summaryValue(method, r);
    case 'first':
      return r.first;
    case 'last':
      return r.last;
    default:
      throw new RangeError(`rollups cannot answer ${JSON.stringify(method)}`);
  }
}

const FIXED = 6 + 8 * 6;

export function encodeRollup(r: Rollup): Buffer {
  const b = Buffer.allocUnsafe(FIXED + 8 * r.sum.length);
  b.writeUIntBE(r.count, 0, 6);
  b.writeDoubleBE(r.min, 6);
  b.writeDoubleBE(r.max, 14);
  writeI64(b, 22, r.firstMicros);
  b.writeDoubleBE(r.first, 30);
  writeI64(b, 38, r.lastMicros);
  b.writeDoubleBE(r.last, 46);
  for (let i = 0; i < r.sum.length; i++) b.writeDoubleBE(r.sum[i], FIXED + 8 * i);
  return b;
}

export function decodeRollup(b: Buffer): Rollup {
  if (b.length < FIXED) throw new Error(`tsdb: rollup cell of ${b.length} bytes (store not upgraded?)`);
  const sum: number[] = [];
  for (let off = FIXED; off + 8 <= b.length; off += 8) sum.push(b.readDoubleBE(off));
  return {
    count: b.readUIntBE(0, 6),
    min: b.readDoubleBE(6),
    max: b.readDoubleBE(14),
    firstMicros: readI64(b, 22),
    first: b.readDoubleBE(30),
    lastMicros: readI64(b, 38),
    last: b.readDoubleBE(46),
    sum,
  };
}

