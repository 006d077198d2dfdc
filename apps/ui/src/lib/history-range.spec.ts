import { describe, expect, it } from 'vitest';
import { aggregationInterval, describeInterval, rangeForPreset } from './history-range.js';

describe('aggregationInterval', () => {
  it('keeps a month of second-level data near a thousand points', () => {
    const range = rangeForPreset('month', 1_700_000_000);
    const interval = aggregationInterval(range);
    expect(interval).toBe(3600);
    const points = (range.to - range.from) / interval;
    expect(points).toBeGreaterThan(500);
    expect(points).toBeLessThanOrEqual(1000);
  });

  it('asks for raw values when the range is short', () => {
    expect(aggregationInterval({ from: 0, to: 600 })).toBe(0);
  });

  it('picks the next readable interval', () => {
    expect(aggregationInterval(rangeForPreset('hour', 0))).toBe(5);
    expect(aggregationInterval(rangeForPreset('day', 0))).toBe(120);
    expect(aggregationInterval(rangeForPreset('week', 0))).toBe(900);
  });

  it('never fails on an inverted range', () => {
    expect(aggregationInterval({ from: 10, to: 0 })).toBe(0);
  });
});

describe('describeInterval', () => {
  it('reads as people say it', () => {
    expect(describeInterval(0)).toBe('raw values');
    expect(describeInterval(300)).toBe('5 min');
    expect(describeInterval(7200)).toBe('2 h');
    expect(describeInterval(15)).toBe('15 s');
  });
});
