import { describe, expect, it } from 'vitest';
import { LogRing } from './log-ring.js';

describe('LogRing', () => {
  it('keeps the newest lines up to its capacity, oldest first, filtered by level', () => {
    const ring = new LogRing(3);
    for (let i = 1; i <= 5; i++) ring.write(`{"level":${i % 2 ? 30 : 50},"time":${i},"msg":"m${i}","component":"c"}\n`);
    expect(ring.recent().map((l) => l.msg)).toEqual(['m3', 'm4', 'm5']);
    expect(ring.recent(2).map((l) => l.msg)).toEqual(['m4', 'm5']);
    expect(ring.recent(10, 'error').map((l) => [l.msg, l.level])).toEqual([['m4', 'error']]);
  });

  it('keeps lines that are not JSON as text, and cuts huge ones', () => {
    const ring = new LogRing(5);
    ring.write('plain text line\n\n');
    ring.write(`{"level":40,"msg":"${'x'.repeat(10_000)}"}\n`);
    const [plain, huge] = ring.recent();
    expect(plain).toMatchObject({ level: 'info', msg: 'plain text line', component: null });
    expect(huge.level).toBe('warn');
    expect(huge.line.length).toBeLessThanOrEqual(8193);
  });
});
