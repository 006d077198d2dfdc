import { describe, expect, it } from 'vitest';
import { GroupCommitQueue } from './group-commit.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('GroupCommitQueue', () => {
  it('accumulates pushes made during a write into the next batch', async () => {
    const batches: number[][] = [];
    const gates: ReturnType<typeof deferred>[] = [];
    const queue = new GroupCommitQueue<number>({
      maxBatch: 100,
      write: async (items) => {
        batches.push(items);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
      },
    });
    const first = queue.push([1]);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    const later = [queue.push([2, 3]), queue.push([4]), queue.push([5])];
    expect(queue.pending).toBe(4);
    gates[0].resolve();
    await first;
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
    gates[1].resolve();
    await Promise.all(later);
  });

  it('caps batches and splits a large push, resolving it after its last part', async () => {
    const batches: number[][] = [];
    const queue = new GroupCommitQueue<number>({ maxBatch: 3, write: async (items) => void batches.push(items) });
    const big = queue.push([1, 2, 3, 4, 5]);
    const small = queue.push([6]);
    await Promise.all([big, small]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('rejects only the pushes of a failed batch', async () => {
    let calls = 0;
    const queue = new GroupCommitQueue<number>({
      maxBatch: 2,
      write: async () => {
        if (++calls === 1) throw new Error('io');
      },
    });
    const a = queue.push([1]);
    const b = queue.push([2, 3, 4]); // straddles the failing batch: rejected, its rest dropped
    const c = queue.push([5]);
    await expect(a).rejects.toThrow('io');
    await expect(b).rejects.toThrow('io');
    await expect(c).resolves.toBeUndefined();
    expect(calls).toBe(2);
    expect(queue.pending).toBe(0);
  });

  it('runs exclusive tasks in FIFO order between batches; flush waits for earlier pushes', async () => {
    const log: string[] = [];
    const queue = new GroupCommitQueue<string>({ maxBatch: 10, write: async (items) => void log.push(items.join('')) });
    const p1 = queue.push(['a', 'b']);
    const task = queue.exclusive(async () => {
      log.push('task');
      return 42;
    });
    const p2 = queue.push(['c']);
    const flushed = queue.flush();
    await flushed;
    expect(log).toEqual(['ab', 'task', 'c']);
    await expect(task).resolves.toBe(42);
    await Promise.all([p1, p2]);
    await queue.flush();
    await expect(queue.exclusive(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await queue.push(['d']);
    expect(log).toEqual(['ab', 'task', 'c', 'd']);
  });
});
