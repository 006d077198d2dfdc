import { describe, expect, it } from 'vitest';
import { mergeLive } from './live-values-tab.js';

const v = (topic: string, value: number, timestamp: number) => ({ topic, value, msg: '', timestamp });

describe('mergeLive', () => {
  it('replaces everything on a snapshot and keeps the newest value per topic on updates', () => {
    const snap = mergeLive(new Map([['old', v('old', 1, 1)]]), [v('a', 1, 10)], true);
    expect([...snap.keys()]).toEqual(['a']);
    const next = mergeLive(snap, [v('a', 2, 12), v('b', 5, 11)], false);
    expect(next.get('a')?.value).toBe(2);
    // A late, older value (QoS 1 redelivery) does not overwrite a newer one.
    expect(mergeLive(next, [v('a', 0, 11)], false).get('a')?.value).toBe(2);
    // The previous map is left as it was (React state).
    expect(snap.get('a')?.value).toBe(1);
  });
});
