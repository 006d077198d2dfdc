// Micro bench of the LevelDB time-series store: durable append throughput (group commit) and reads.
// Run: cd /work/main && npx tsx bench/tsdb/bench.ts [points=1000000]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { openLevelStore } from '../../apps/server/src/tsdb/level-store.js';
import type { Point } from '../../apps/server/src/tsdb/types.js';

const total = Number(process.argv[2] ?? 1_000_000);
const seriesCount = 10;
const t0 = 1_700_000_000;

function rate(n: number, ms: number): string {
  return `${Math.round((n / ms) * 1000).toLocaleString('en')}/s`;
}

async function time<T>(label: string, n: number, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const out = await fn();
  const ms = performance.now() - start;
  console.log(`${label.padEnd(58)} ${String(Math.round(ms)).padStart(6)} ms  ${rate(n, ms)}`);
  return out;
}

/** The same machine's ceiling: plain classic-level, 21-byte keys, 8-byte values, no store logic. */
async function rawBaseline(dir: string, n: number): Promise<void> {
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
  await db.open();
  const key = (i: number) => {
    const b = Buffer.alloc(21);
    b[0] = 4;
    b.writeUInt32BE(i % seriesCount, 1);
    b.writeUInt32BE(i, 9);
    return b;
  };
  await time(`baseline: raw db.batch([1000 ops], sync) x ${n / 2000}`, n / 2, async () => {
    for (let i = 0; i < n / 2; i += 1000) {
      const ops = Array.from({ length: 1000 }, (_, k) => ({ type: 'put' as const, key: key(i + k), value: Buffer.alloc(8) }));
      await db.batch(ops, { sync: true });
    }
  });
  await time(`baseline: raw chained batch of 1000, sync x ${n / 2000}`, n / 2, async () => {
    for (let i = n / 2; i < n; i += 1000) {
      const batch = db.batch();
      for (let k = 0; k < 1000; k++) batch.put(key(i + k), Buffer.alloc(8));
      await batch.write({ sync: true });
    }
  });
  await time(`baseline: raw iterator.nextv(1000) over ${n.toLocaleString('en')}`, n, async () => {
    const it = db.iterator();
    while ((await it.nextv(1000)).length > 0);
    await it.close();
  });
  await db.close();
}

const dir = await mkdtemp(join(tmpdir(), 'tsdb-bench-'));
try {
  await rawBaseline(join(dir, 'raw'), 200_000);
  const store = await openLevelStore(join(dir, 'store'));
  const point = (i: number): Point => ({
    installationId: 1,
    topic: `obj/dev${i % seriesCount}/temp`,
    timestamp: t0 + Math.floor(i / seriesCount) + 0.125,
    value: 20 + (i % 97) / 10,
    msg: '',
  });

  // Many small concurrent appends, like one per MQTT message: group commit has to batch them.
  const live = 200_000;
  await time(`append ${live.toLocaleString('en')} points, 1 per call, 1000 in flight`, live, async () => {
    let next = 0;
    const worker = async () => {
      while (next < live) await store.append([point(next++)]);
    };
    await Promise.all(Array.from({ length: 1000 }, worker));
  });
  const afterLive = store.stats();
  console.log(`  -> ${afterLive.batches} durable batches, ${Math.round(afterLive.points / afterLive.batches)} points per batch`);

  // Same, spread over 1,000 topics: each batch then also rewrites ~1,000 last values and count cells.
  await time(`append ${live.toLocaleString('en')} points, 1 per call, 1000 in flight, 1000 topics`, live, async () => {
    let next = 0;
    const worker = async () => {
      while (next < live) {
        const i = next++;
        await store.append([{ installationId: 2, topic: `obj/dev${i % 1000}/temp`, timestamp: t0 + Math.floor(i / 1000), value: i, msg: '' }]);
      }
    };
    await Promise.all(Array.from({ length: 1000 }, worker));
  });

  await time(`append ${(total - live).toLocaleString('en')} points, 1000 per call, 8 in flight`, total - live, async () => {
    let next = live;
    const worker = async () => {
      while (next < total) {
        const from = next;
        next = Math.min(total, next + 1000);
        await store.append(Array.from({ length: next - from }, (_, k) => point(from + k)));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  });

  const perSeries = total / seriesCount;
  await time(`read one series (${perSeries.toLocaleString('en')}) in pages of 10,000 until offset >= total`, perSeries, async () => {
    for (let offset = 0, total = 1; offset < total; ) {
      const page = await store.query({ installationId: 1, topics: ['obj/dev3/temp'], limit: 10_000, offset, order: 'asc', includeTotal: true });
      total = page.total;
      offset += page.count;
    }
  });
  await time(`merge all ${seriesCount} series, one page of ${total.toLocaleString('en')}`, total, () =>
    store.query({ installationId: 1, limit: total, offset: 0, order: 'desc', includeTotal: false }),
  );
  console.log('(below, /s counts the points covered by each query, not points read)');
  await time('exact total over all series, unaligned from/to (count index) x100', 100 * total, async () => {
    for (let i = 0; i < 100; i++) await store.query({ installationId: 1, limit: 10, offset: 0, from: t0 + 1234.5, to: t0 + 99_000.25, order: 'asc', includeTotal: true });
  });
  await time('page of 100 at offset 900,000+ of the 10-series merge x100', 100 * total, async () => {
    for (let i = 0; i < 100; i++) await store.query({ installationId: 1, limit: 100, offset: 900_000 + i, order: 'asc', includeTotal: true });
  });
  await time(`avg per 1 min over all series (${total.toLocaleString('en')} points)`, total, () =>
    store.query({ installationId: 1, limit: 100_000, offset: 0, order: 'asc', includeTotal: true, aggregation: { method: 'avg', intervalSeconds: 60 } }),
  );
  await time(`percentile(95) per 1 h over all series`, total, () =>
    store.query({ installationId: 1, limit: 100_000, offset: 0, order: 'asc', includeTotal: true, aggregation: { method: { percentile: 95 }, intervalSeconds: 3600 } }),
  );
  await store.close();
  const { execSync } = await import('node:child_process');
  console.log(`disk: ${execSync(`du -sh ${dir}`).toString().split('\t')[0]} for ${total.toLocaleString('en')} points`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
