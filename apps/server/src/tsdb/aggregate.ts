// Aggregation maths, kept free of storage so it can be tested against naive references.
//
// Definitions (Lynx is InfluxDB-backed, so InfluxQL is the yardstick where it is unambiguous):
// - stddev is the *sample* standard deviation (divide by n-1), like InfluxQL STDDEV(); one value gives 0.
// - percentile(N), N in (0, 100], interpolates linearly between the closest ranks: rank = N/100 * (n-1)
//   over the ascending values (numpy's default "linear", Excel PERCENTILE.INC, R type 7). InfluxQL's
//   PERCENTILE() picks the nearest rank instead; interpolation was chosen so median == percentile(50).
// - median is percentile(50): the mean of the two middle values when n is even, like InfluxQL MEDIAN().
// - sum and avg use the exact sum correctly rounded once (exact-sum.ts): independent of order and
//   grouping, so the rollup path (rollup.ts) gives the same bits as summing the raw points.
// - first / last are by time (ties keep insertion order), not by value.
// - an empty input gives 0 for count and sum, NaN for everything else (the store never emits empty buckets).

import { addToPartials, partialsValue } from './exact-sum.js';
import { aggregationMethods, type AggregationMethod } from './types.js';

export interface Accumulator {
  add(value: number): void;
  result(): number;
  readonly count: number;
}

/** Throws a RangeError for anything that is not a known method or a percentile outside (0, 100]. */
export function assertAggregationMethod(method: AggregationMethod): void {
  if (typeof method === 'string') {
    if (!(aggregationMethods as readonly string[]).includes(method)) {
      throw new RangeError(`unknown aggregation method: ${method}`);
    }
    return;
  }
  const n = method?.percentile;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0 || n > 100) {
    throw new RangeError(`percentile must be in (0, 100], got ${String(n)}`);
  }
}

/** Parses the wire form (`avg`, `percentile(90)`); undefined when it is not a valid method. */
export function parseAggregationMethod(text: string): AggregationMethod | undefined {
  const s = text.trim().toLowerCase();
  const m = /^percentile\(\s*([0-9]+(?:\.[0-9]+)?)\s*\)$/.exec(s);
  if (m) {
    const n = Number(m[1]);
    return n > 0 && n <= 100 ? { percentile: n } : undefined;
  }
  return (aggregationMethods as readonly string[]).includes(s) ? (s as AggregationMethod) : undefined;
}

export function formatAggregationMethod(method: AggregationMethod): string {
  return typeof method === 'string' ? method : `percentile(${method.percentile})`;
}

/** `sorted` must be ascending. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const rank = (p / 100) * (n - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(lo + 1, n - 1);
  const frac = rank - lo;
  return frac === 0 ? sorted[lo] : sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}

/** Aggregates values given in chronological order. */
export function aggregate(method: AggregationMethod, values: readonly number[]): number {
  const acc = createAccumulator(method, true);
  for (const v of values) acc.add(v);
  return acc.result();
}

/**
 * Streaming form used per bucket. `chronological` is false when values arrive newest first
 * (descending scans), which only matters for first/last.
 */
export function createAccumulator(method: AggregationMethod, chronological = true): Accumulator {
  assertAggregationMethod(method);
  if (typeof method !== 'string') return new SortedAccumulator(method.percentile);
  switch (method) {
    case 'median':
      return new SortedAccumulator(50);
    case 'stddev':
      return new StddevAccumulator();
    case 'first':
      return new PickAccumulator(chronological);
    case 'last':
      return new PickAccumulator(!chronological);
    default:
      return new SimpleAccumulator(method);
  }
}

/** Methods answered from count, exact sum, min and max alone (raw accumulators and rollups alike). */
export type SummaryMethod = 'avg' | 'count' | 'max' | 'min' | 'spread' | 'sum';

export interface Summary {
  count: number;
  /** Exact-sum partials (exact-sum.ts). */
  sum: readonly number[];
  min: number;
  max: number;
}

/** The one definition of these methods, so rollups answer bit for bit what raw points do. */
export function summaryValue(method: SummaryMethod, s: Summary): number {
  switch (method) {
    case 'count':
      return s.count;
    case 'sum':
      return partialsValue(s.sum as number[]);
    case 'avg':
      return s.count ? partialsValue(s.sum as number[]) / s.count : NaN;
    case 'min':
      return s.count ? s.min : NaN;
    case 'max':
      return s.count ? s.max : NaN;
    case 'spread':
      return s.count ? s.max - s.min : NaN;
  }
}

class SimpleAccumulator implements Accumulator {
  count = 0;
  readonly sum: number[] = [];
  private readonly sums: boolean;
  min = Infinity;
  max = -Infinity;
  constructor(private readonly method: SummaryMethod) {
    this.sums = method === 'sum' || method === 'avg';
  }
  add(v: number): void {
    this.count++;
    if (this.sums) addToPartials(this.sum, v);
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
  result(): number {
    return summaryValue(this.method, this);
  }
}

/** Keeps the first value added (keepFirst) or the last one. */
class PickAccumulator implements Accumulator {
  count = 0;
  private value = NaN;
  constructor(private readonly keepFirst: boolean) {}
  add(v: number): void {
    if (this.count === 0 || !this.keepFirst) this.value = v;
    this.count++;
  }
  result(): number {
    return this.value;
  }
}

/** Welford's update: one pass, no catastrophic cancellation on large offsets (e.g. temperatures in K). */
class StddevAccumulator implements Accumulator {
  count = 0;
  private mean = 0;
  private m2 = 0;
  add(v: number): void {
    this.count++;
    const d = v - this.mean;
    this.mean += d / this.count;
    this.m2 += d * (v - this.mean);
  }
  result(): number {
    if (this.count === 0) return NaN;
    if (this.count === 1) return 0;
    return Math.sqrt(Math.max(0, this.m2) / (this.count - 1));
  }
}

/** Order statistics need every value of the bucket. */
class SortedAccumulator implements Accumulator {
  private values: number[] = [];
  constructor(private readonly p: number) {}
  get count(): number {
    return this.values.length;
  }
  add(v: number): void {
    this.values.push(v);
  }
  result(): number {
    // Float64Array sorts numerically and much faster than Array#sort with a comparator.
    return percentileOfSorted(Float64Array.from(this.values).sort(), this.p);
  }
}
