import { describe, expect, it } from 'vitest';
import { CrashPolicy } from './crash-policy.js';

describe('CrashPolicy', () => {
  const policy = () => new CrashPolicy({ maxCrashes: 4, windowMs: 60_000, baseDelayMs: 100, maxDelayMs: 300 });

  it('doubles the delay per crash up to the maximum, then gives up at the limit', () => {
    const p = policy();
    expect(p.record(0)).toEqual({ giveUp: false, crashes: 1, delayMs: 100 });
    expect(p.record(1)).toEqual({ giveUp: false, crashes: 2, delayMs: 200 });
    expect(p.record(2)).toEqual({ giveUp: false, crashes: 3, delayMs: 300 });
    expect(p.record(3)).toEqual({ giveUp: true, crashes: 4 });
  });

  it('forgets crashes older than the window', () => {
    const p = policy();
    p.record(0);
    p.record(1);
    p.record(2);
    expect(p.count(60_001)).toBe(1);
    expect(p.record(70_000)).toEqual({ giveUp: false, crashes: 1, delayMs: 100 });
  });

  it('starts over after a reset', () => {
    const p = policy();
    p.record(0);
    p.record(1);
    p.reset();
    expect(p.count(2)).toBe(0);
  });
});
