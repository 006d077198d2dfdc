import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.js';

describe('EventQueue', () => {
  it('hands over everything queued at once, counting what did not fit', async () => {
    const q = new EventQueue<number>(2);
    q.push(1);
    q.push(2);
    q.push(3);
    expect(await q.takeAll()).toEqual({ items: [1, 2], overflowed: 1 });
    const next = q.takeAll();
    q.push(4);
    expect(await next).toEqual({ items: [4], overflowed: 0 });
  });

  it('wakes a waiting consumer on poke, and ends it on abort', async () => {
    const abort = new AbortController();
    const q = new EventQueue<number>(10, abort.signal);
    const poked = q.takeAll();
    q.poke();
    expect(await poked).toEqual({ items: [], overflowed: 0 });
    const ended = q.takeAll();
    abort.abort();
    expect(await ended).toBeNull();
    q.push(1);
    expect(await q.takeAll()).toBeNull();
  });
});
