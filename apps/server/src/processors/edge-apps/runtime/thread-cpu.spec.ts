import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { currentThreadId, threadCpuMs } from './thread-cpu.js';

const linux = process.platform === 'linux';

// A worker that reports its thread id, then spins for `spinMs` of wall time and sleeps for `sleepMs`.
const source = `
const { parentPort, workerData } = require('node:worker_threads');
const { readlinkSync } = require('node:fs');
parentPort.postMessage(Number(readlinkSync('/proc/thread-self').split('/').pop()));
parentPort.once('message', () => {
  const end = Date.now() + workerData.spinMs;
  while (Date.now() < end);
  parentPort.postMessage('spun');
  setTimeout(() => parentPort.postMessage('slept'), workerData.sleepMs);
});
`;

describe.runIf(linux)('thread CPU clock', () => {
  it('knows the calling thread', () => {
    expect(currentThreadId()).toBeGreaterThan(0);
    expect(threadCpuMs(currentThreadId())).toBeGreaterThanOrEqual(0);
  });

  it('counts a spinning worker thread and not a sleeping one', async () => {
    const worker = new Worker(source, { eval: true, workerData: { spinMs: 400, sleepMs: 400 } });
    const next = () => new Promise<unknown>((resolve) => worker.once('message', resolve));
    try {
      const tid = (await next()) as number;
      const before = threadCpuMs(tid)!;
      const spun = next();
      worker.postMessage('go');
      await spun;
      const afterSpin = threadCpuMs(tid)!;
      await next();
      const afterSleep = threadCpuMs(tid)!;
      // Spinning used CPU (the scheduler may have given it less than the wall time, never nothing)...
      expect(afterSpin - before).toBeGreaterThan(0);
      // ...sleeping used (almost) none: far less than the 400 ms it lasted.
      expect(afterSleep - afterSpin).toBeLessThan(100);
    } finally {
      await worker.terminate();
    }
    // A finished thread is no longer readable.
    expect(threadCpuMs(999_999_999)).toBeNull();
  });
});
