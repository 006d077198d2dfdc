import { describe, expect, it } from 'vitest';
import {
  aggregate,
  assertAggregationMethod,
  createAccumulator,
  formatAggregationMethod,
  parseAggregationMethod,
  percentileOfSorted,
} from './aggregate.js';
import type { AggregationMethod } from './types.js';

// Naive references, written the long way on purpose.
function refMedian(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

function refSampleStddev(values: number[]): number {
  if (values.length === 1) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sq = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  return Math.sqrt(sq / (values.length - 1));
}

describe('aggregate', () => {
  const values = [3, -1.5, 10, 7, 7, 0.25, 2];

  it('computes the simple methods', () => {
    expect(aggregate('count', values)).toBe(7);
    expect(aggregate('sum', values)).toBeCloseTo(27.75, 12);
    expect(aggregate('avg', values)).toBeCloseTo(27.75 / 7, 12);
    expect(aggregate('min', values)).toBe(-1.5);
    expect(aggregate('max', values)).toBe(10);
    expect(aggregate('spread', values)).toBe(11.5);
    expect(aggregate('first', values)).toBe(3);
    expect(aggregate('last', values)).toBe(2);
  });

  it('median matches the middle value, or the mean of the two middle values', () => {
    expect(aggregate('median', values)).toBe(refMedian(values));
    expect(aggregate('median', [4, 1, 3, 2])).toBe(2.5);
    expect(aggregate('median', [5])).toBe(5);
  });

  it('percentile interpolates linearly between closest ranks (numpy "linear")', () => {
    // Values cross-checked with numpy.percentile(..., method="linear").
    expect(aggregate({ percentile: 90 }, [1, 2, 3, 4])).toBeCloseTo(3.7, 12);
    expect(aggregate({ percentile: 40 }, [15, 20, 35, 40, 50])).toBeCloseTo(29, 12);
    expect(aggregate({ percentile: 100 }, [15, 20, 35, 40, 50])).toBe(50);
    expect(aggregate({ percentile: 50 }, [1, 2, 3, 4])).toBe(2.5);
    expect(aggregate({ percentile: 1 }, [7])).toBe(7);
    expect(percentileOfSorted([], 50)).toBeNaN();
  });

  it('stddev is the sample standard deviation, 0 for one value', () => {
    expect(aggregate('stddev', values)).toBeCloseTo(refSampleStddev(values), 12);
    expect(aggregate('stddev', [2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(2.138089935299395, 12);
    expect(aggregate('stddev', [42])).toBe(0);
    // Welford keeps precision where the naive sum-of-squares formula would not.
    expect(aggregate('stddev', [1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16])).toBeCloseTo(refSampleStddev([4, 7, 13, 16]), 9);
  });

  it('first/last follow time when values arrive newest first', () => {
    const first = createAccumulator('first', false);
    const last = createAccumulator('last', false);
    for (const v of [...values].reverse()) {
      first.add(v);
      last.add(v);
    }
    expect(first.result()).toBe(3);
    expect(last.result()).toBe(2);
  });

  it('empty input', () => {
    expect(aggregate('count', [])).toBe(0);
    expect(aggregate('sum', [])).toBe(0);
    expect(aggregate('avg', [])).toBeNaN();
    expect(aggregate('stddev', [])).toBeNaN();
  });

  it('parses and formats the wire names', () => {
    expect(parseAggregationMethod('avg')).toBe('avg');
    expect(parseAggregationMethod(' STDDEV ')).toBe('stddev');
    expect(parseAggregationMethod('percentile(95)')).toEqual({ percentile: 95 });
    expect(parseAggregationMethod('percentile(99.9)')).toEqual({ percentile: 99.9 });
    expect(parseAggregationMethod('percentile(0)')).toBeUndefined();
    expect(parseAggregationMethod('percentile(101)')).toBeUndefined();
    expect(parseAggregationMethod('mode')).toBeUndefined();
    expect(formatAggregationMethod({ percentile: 90 })).toBe('percentile(90)');
    expect(() => assertAggregationMethod({ percentile: 0 })).toThrow(RangeError);
    expect(() => assertAggregationMethod('mean' as AggregationMethod)).toThrow(RangeError);
  });
});
