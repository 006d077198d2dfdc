import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, timeAgo } from './time.js';

describe('time helpers', () => {
  it('says how long ago', () => {
    const now = 1_000_000_000_000;
    expect(timeAgo(null, now)).toBe('never');
    expect(timeAgo(now / 1000 - 2, now)).toBe('just now');
    expect(timeAgo(now / 1000 - 125, now)).toBe('2 min ago');
    expect(timeAgo(now / 1000 - 3 * 86_400, now)).toBe('3 d ago');
  });

  it('formats durations and sizes', () => {
    expect(formatDuration(90_061)).toBe('1 d 1 h');
    expect(formatDuration(61)).toBe('1 min 1 s');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(null)).toBe('—');
  });
});
