import { describe, expect, it } from 'vitest';
import { Housekeeping } from './housekeeping.js';

describe('Housekeeping', () => {
  it('runs every task, logs what was removed, and a failing task does not stop the next', async () => {
    const ran: string[] = [];
    const info: object[] = [];
    const warn: object[] = [];
    const h = new Housekeeping(
      [
        { name: 'a', run: async () => (ran.push('a'), 3) },
        { name: 'b', run: async () => (ran.push('b'), Promise.reject(new Error('db gone'))) },
        { name: 'c', run: async () => (ran.push('c'), 0) },
      ],
      { info: (o) => info.push(o), warn: (o) => warn.push(o) },
    );
    await h.runOnce();
    expect(ran).toEqual(['a', 'b', 'c']);
    expect(info).toEqual([{ task: 'a', removed: 3 }]);
    expect(warn).toEqual([expect.objectContaining({ task: 'b' })]);
  });

  it('does not start a second pass while one runs', async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const h = new Housekeeping([{ name: 'slow', run: async () => (calls++, await gate, 0) }], { info: () => {}, warn: () => {} });
    const first = h.runOnce();
    const second = h.runOnce();
    release();
    await Promise.all([first, second]);
    expect(calls).toBe(1);
  });
});
