// Aggregates answered from rollup cells must equal the raw computation bit for bit: the same store
// queried with rollups off (raw scans, aggregate.ts) and an independent grouping over the appended
// points, on random series with ties, out-of-order arrival, several batches and a restart.

import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import { aggregate } from './aggregate.js';
import { openLevelStore, type LevelTimeSeriesStore } from './level-store.js';
import { blockOfCountKey, COUNT_BLOCK_MICROS, countKey, encodeCount, metaKey, encodeU32, sidOfKey, SPACE_COUNT, spaceRange } from './keys.js';
import { addPoint, cloneRollup, decodeRollup, emptyRollup, encodeRollup, mergeEncoded, mergeRollup, rollupResult } from './rollup.js';
import { pt, withTempDir } from './test-helpers.js';
import type { AggregationMethod, Point, SeriesPage, SeriesQuery } from './types.js';

const DAY = 86_400;
const start = 1_699_990_123; // not aligned to a day, hour or minute
const DENSE = start + DAY + 4321.5;
const EXACT: AggregationMethod[] = ['avg', 'count', 'first', 'last', 'max', 'min', 'spread', 'sum'];

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** Values of very different magnitudes, so a grouped float sum would differ from the raw one. */
function randomValue(rnd: () => number): number {
  const r = rnd();
  if (r < 0.1) return Math.round(rnd() * 10);
  if (r < 0.2) return (rnd() - 0.5) * 1e12;
  if (r < 0.3) return (rnd() - 0.5) * 1e-9;
  return Math.round((rnd() - 0.5) * 1e6) / 1000 + 0.1;
}

function randomPoints(rnd: () => number, topics: string[], n: number): Point[] {
  const points: Point[] = [];
  for (let i = 0; i < n; i++) {
    const day = [0, 0, 1, 2, 2, 4][Math.floor(rnd() * 6)];
    const t = start + day * DAY + Math.floor(rnd() * DAY) + Math.round(rnd() * 1000) / 1000;
    points.push(pt(topics[Math.floor(rnd() * topics.length)], t, randomValue(rnd)));
    // Ties: same topic and timestamp, later arrival.
    if (rnd() < 0.05) points.push({ ...points[points.length - 1], value: randomValue(rnd) });
  }
  // A burst: many points per second around a minute boundary.
  const burst = Math.floor((start + 2 * DAY) / 60) * 60 - 5;
  for (let i = 0; i < 300; i++) points.push(pt(topics[i % topics.length], burst + i / 30, randomValue(rnd)));
  // 40 minutes of sensor-like data (a point every ~1.5 s): 10 s cells hold several points, edges cut them.
  for (let i = 0; i < 1600; i++) points.push(pt(topics[i % topics.length], DENSE + i * 1.5 + Math.round(rnd() * 1000) / 1000, randomValue(rnd)));
  // Shuffle in chunks: arrival order differs from time order.
  for (let i = points.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [points[i], points[j]] = [points[j], points[i]];
  }
  return points;
}

/** Independent reference: points grouped per (topic, bucket) in time then arrival order, aggregate.ts maths. */
function reference(all: Point[], q: SeriesQuery): SeriesPage {
  const us = (t: number) => Math.round(t * 1e6);
  const lo = q.from === undefined ? -Infinity : us(q.from);
  const hi = q.to === undefined ? Infinity : us(q.to);
  const size = Math.round(q.aggregation!.intervalSeconds * 1e6);
  const topics = q.topics?.length ? new Set(q.topics) : undefined;
  const rows = all
    .map((p, arrival) => ({ p, arrival, t: us(p.timestamp) }))
    .filter(({ p, t }) => p.installationId === q.installationId && (!topics || topics.has(p.topic)) && t >= lo && t <= hi)
    .sort((a, b) => a.t - b.t || a.arrival - b.arrival);
  const groups = new Map<string, { topic: string; start: number; values: number[] }>();
  for (const { p, t } of rows) {
    const s = Math.floor(t / size) * size;
    const key = `${p.topic}\u0000${s}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { topic: p.topic, start: s, values: [] }));
    g.values.push(p.value);
  }
  const data = [...groups.values()]
    .sort((a, b) => a.start - b.start || (a.topic < b.topic ? -1 : 1))
    .map((g) => ({ installationId: q.installationId, topic: g.topic, timestamp: g.start / 1e6, value: aggregate(q.aggregation!.method, g.values), msg: '' }));
  if (q.order === 'desc') data.reverse();
  const page = data.slice(q.offset, q.offset + q.limit);
  return { total: data.length, last: page.length ? page[page.length - 1].timestamp : 0, count: page.length, data: page };
}

function randomQuery(rnd: () => number, topics: string[]): SeriesQuery {
  // Intervals: 10 s multiples (no raw reads inside: 10, 20, 1000 s and the minute multiples), unaligned
  // ones (raw partial 10 s blocks: 35 s up), short ones answered raw (7 s), huge.
  const intervals = [10, 20, 60, 120, 300, 900, 3600, 7200, DAY, 3 * DAY, 7, 35, 617.25, 1000, 1000.5, 4321.5, 40_000, 100 * DAY];
  const from = rnd() < 0.15 ? undefined : start - DAY / 2 + rnd() * 6 * DAY;
  const to = rnd() < 0.15 ? undefined : (from ?? start) + rnd() * 4 * DAY;
  const pick = topics.filter(() => rnd() < 0.5);
  return {
    installationId: 1,
    topics: pick.length ? pick : undefined,
    from: from === undefined ? undefined : Math.round(from * 1000) / 1000,
    to: to === undefined ? undefined : Math.round(to * 1000) / 1000,
    order: rnd() < 0.5 ? 'asc' : 'desc',
    limit: 1 + Math.floor(rnd() * 400),
    offset: rnd() < 0.6 ? 0 : Math.floor(rnd() * 100),
    includeTotal: rnd() < 0.7,
    aggregation: { method: EXACT[Math.floor(rnd() * EXACT.length)], intervalSeconds: intervals[Math.floor(rnd() * intervals.length)] },
  };
}

async function expectSameAsRaw(rollups: LevelTimeSeriesStore, raw: LevelTimeSeriesStore, points: Point[], q: SeriesQuery): Promise<void> {
  const label = JSON.stringify(q);
  const got = await rollups.query(q);
  const viaRaw = await raw.query(q);
  // toEqual compares numbers with Object.is: bit-identical results, NaN included.
  expect(got, label).toEqual(viaRaw);
  const want = reference(points, q);
  expect(got.data, label).toEqual(want.data);
  if (q.includeTotal) expect(got.total, label).toBe(want.total);
}

describe('rollup cells', () => {
  it('merge and add give the same summary whatever the grouping', () => {
    const rnd = rng(5);
    for (let round = 0; round < 100; round++) {
      const pts = Array.from({ length: 1 + Math.floor(rnd() * 40) }, () => [Math.floor(rnd() * 20), randomValue(rnd)] as const);
      const whole = emptyRollup();
      for (const [t, v] of pts) addPoint(whole, t, v);
      const cut = Math.floor(rnd() * pts.length);
      const a = emptyRollup();
      const b = emptyRollup();
      pts.slice(0, cut).forEach(([t, v]) => addPoint(a, t, v));
      pts.slice(cut).forEach(([t, v]) => addPoint(b, t, v));
      const viaBuffer = cloneRollup(a);
      mergeEncoded(viaBuffer, encodeRollup(b));
      mergeRollup(a, b);
      const back = decodeRollup(encodeRollup(a));
      for (const m of EXACT) {
        expect(rollupResult(back, m)).toBe(rollupResult(whole, m));
        expect(rollupResult(viaBuffer, m)).toBe(rollupResult(whole, m));
      }
    }
  });

  it('aggregates from rollups equal aggregates from raw data on random series', async () => {
    const rnd = rng(77);
    const topics = ['a', 'b/c', 'd'];
    const points = randomPoints(rnd, topics, 3000);
    await withTempDir(async (dir) => {
      const fill = async (store: LevelTimeSeriesStore, upTo: number) => {
        for (let i = 0; i < upTo; i += 250) await store.append(points.slice(i, Math.min(i + 250, upTo)));
      };
      let store = await openLevelStore(dir, { batchSize: 400 });
      await fill(store, 2000);
      // Reopen: later batches read cells from disk instead of the in-memory newest-cell cache.
      await store.close();
      store = await openLevelStore(dir, { batchSize: 400 });
      for (let i = 2000; i < points.length; i += 250) await store.append(points.slice(i, i + 250));
      const raw = await openReadOnlyTwin(store);
      try {
        const before = store.stats().rollupQueries;
        for (let i = 0; i < 200; i++) await expectSameAsRaw(store, raw.store, points, randomQuery(rnd, topics));
        // Over the dense hour: buckets cutting 10 s blocks that hold several points.
        for (const intervalSeconds of [7, 10, 35, 1000, 1000.5, 123.4]) {
          for (const method of EXACT) {
            const from = Math.round((DENSE - 100 + rnd() * 600) * 1000) / 1000;
            const q: SeriesQuery = { installationId: 1, from, to: from + 1000 + rnd() * 1500, order: rnd() < 0.5 ? 'asc' : 'desc', limit: 1000, offset: 0, includeTotal: true, aggregation: { method, intervalSeconds } };
            await expectSameAsRaw(store, raw.store, points, q);
          }
        }
        // The comparison is only worth something if the rollup path really answered.
        expect(store.stats().rollupQueries - before).toBeGreaterThan(150);
      } finally {
        await raw.close();
        await store.close();
      }
    });
  });

  // What older formats wrote, derived from a current store's cells: 1 = 6-byte counts; 3 = full cells
  // without the 10 s tier, every other level one lower.
  const olderFormats: [number, (k: Buffer, v: Buffer) => [Buffer, Buffer] | undefined][] = [
    [1, (k, v) => [k, encodeCount(decodeRollup(v).count)]],
    [3, (k, v) => (k[5] === 0 ? undefined : [countKey(sidOfKey(k), k[5] - 1, blockOfCountKey(k)), v])],
  ];
  it.each(olderFormats)('upgrades a format-%i store by rebuilding its rollups at open', async (version, convert) => {
    const rnd = rng(9);
    const topics = ['x', 'y'];
    const points = randomPoints(rnd, topics, 1500);
    await withTempDir(async (dir) => {
      const store = await openLevelStore(dir);
      for (let i = 0; i < points.length; i += 500) await store.append(points.slice(i, i + 500));
      await store.close();
      const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      await db.open();
      const cells: [Buffer, Buffer][] = [];
      for await (const [k, v] of db.iterator(spaceRange(SPACE_COUNT))) {
        const old = convert(k, v);
        if (old) cells.push(old);
      }
      expect(cells.length).toBeGreaterThan(0);
      await db.clear(spaceRange(SPACE_COUNT));
      await db.batch([...cells.map(([key, value]) => ({ type: 'put' as const, key, value })), { type: 'put', key: metaKey('version'), value: encodeU32(version) }]);
      await db.close();

      const upgraded = await openLevelStore(dir);
      try {
        expect((await upgraded.query({ installationId: 1, limit: 0, offset: 0, order: 'asc', includeTotal: true })).total).toBe(points.length);
        for (let i = 0; i < 40; i++) {
          const q = randomQuery(rnd, topics);
          expect((await upgraded.query(q)).data, JSON.stringify(q)).toEqual(reference(points, q).data);
        }
      } finally {
        await upgraded.close();
      }
      // Upgraded once: the version is now current, every tier is there, and reopening does not rebuild again.
      const db2 = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      await db2.open();
      expect((await db2.get(metaKey('version')))?.readUInt32BE(0)).toBe(4);
      const levels = new Set<number>();
      for await (const k of db2.keys(spaceRange(SPACE_COUNT))) levels.add(k[5]);
      expect([...levels].sort()).toEqual(COUNT_BLOCK_MICROS.map((_, level) => level));
      await db2.close();
    });
  });
});

/**
 * The raw reference path over the same data: a second store can't open the same LevelDB directory, so
 * the rollup store is closed and reopened twice... instead, copy the directory and open it with rollups off.
 */
async function openReadOnlyTwin(store: LevelTimeSeriesStore): Promise<{ store: LevelTimeSeriesStore; close: () => Promise<void> }> {
  const { cp, mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  await store.flush();
  const dir = (store as unknown as { db: { location: string } }).db.location;
  const copy = join(await mkdtemp(join(tmpdir(), 'tsdb-twin-')), 'db');
  await cp(dir, copy, { recursive: true, filter: (src) => !src.endsWith('LOCK') });
  const twin = await openLevelStore(copy, { rollupQueries: false });
  return {
    store: twin,
    close: async () => {
      await twin.close();
      await rm(copy, { recursive: true, force: true });
    },
  };
}
