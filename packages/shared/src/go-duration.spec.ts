import { describe, expect, it } from 'vitest';
import { formatGoDuration, parseGoDuration } from './go-duration.js';

describe('parseGoDuration', () => {
  it.each([
    ['1m0s', 60],
    ['10m0s', 600],
    ['1h0m0s', 3600],
    ['24h0m0s', 86400],
    ['2h', 7200],
    ['1.5h', 5400],
    ['300ms', 0.3],
    ['1h30m', 5400],
    ['0', 0],
  ])('%s is %d seconds', (text, seconds) => {
    expect(parseGoDuration(text)).toBeCloseTo(seconds, 9);
  });

  it.each(['', 'm', '10', '1d', '1m 0s', 'abc', '1hh'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeNull();
  });

  it('round-trips with formatGoDuration', () => {
    for (const s of [1, 59, 60, 61, 600, 3600, 86400, 90061]) expect(parseGoDuration(formatGoDuration(s))).toBe(s);
    expect(formatGoDuration(600)).toBe('10m0s');
  });
});
