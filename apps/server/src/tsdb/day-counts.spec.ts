// Totals come from in-memory day counts plus the on-disk count index for partial edge days: compare
// them with a brute-force count over random ranges, through appends (late points included), a
// restart, retention and an installation's deletion, and while batches keep landing.

import { describe, expect, it } from 'vitest';
import { openLevelStore, type LevelTimeSeriesStore } from './level-store.js';
import { pt, withTempDir } from './test-helpers.js';
import type { Point } from './types.js';

const DAY = 86_400;
const start = 1_699_990_000.25; // not day-aligned

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

const topics = ['a', 'b', 'c/d', 'e', 'f'];

function randomPoints(rnd: () => number, n: number, installationId = 1, dayOffset = 0): Point[] {
  const out: Point[] = [];
  for (let i = 0; i < n; i++) {
    const day = [0, 1, 1, 3, 4, 4, 4, 8][Math.floor(rnd() * 8)] + dayOffset;
    const t = start + day * DAY + Math.floor(rnd() * DAY) + Math.round(rnd() * 1000) / 1000;
    out.push(pt(topics[Math.floor(rnd() * topics.length)], t, i, '', installationId));
  }
  return out;
}

function bruteCount(points: Point[], installationId: number, pick: string[] | undefined, lo: number | undefined, hi: number | undefined, horizon = -Infinity): number {
  const lom = Math.max(lo === undefined ? -Infinity : Math.round(lo * 1e6), horizon);
  const him = hi === undefined ? Infinity : Math.round(hi * 1e6);
  return points.filter((p) => {
    if (p.installationId !== installationId || (pick && !pick.includes(p.topic))) return false;
    const m = Math.round(p.timestamp * 1e6);
    return m >= lom && m <= him;
  }).length;
}

async function checkRandomTotals(store: LevelTimeSeriesStore, points: Point[], rnd: () => number, runs: number, horizonSeconds?: number): Promise<void> {
  for (let i = 0; i < runs; i++) {
    const r = rnd();
    // Unbounded, day-aligned, within one day, straddling a boundary, and arbitrary ranges.
    let from: number | undefined;
    let to: number | undefined;
    if (r < 0.15) {
      from = undefined;
      to = undefined;
    } else if (r < 0.35) {
      from = Math.floor(start / DAY + Math.floor(rnd() * 10)) * DAY;
      to = rnd() < 0.3 ? undefined : from + Math.ceil(rnd() * 4) * DAY - 0.000001;
    } else if (r < 0.5) {
      from = start - DAY + rnd() * 11 * DAY;
      to = from + rnd() * 3600;
    } else {
      from = rnd() < 0.1 ? undefined : start - DAY + rnd() * 11 * DAY;
      to = rnd() < 0.1 ? undefined : (from ?? start) + rnd() * 6 * DAY;
    }
    const pick = topics.filter(() => rnd() < 0.4);
    const page = await store.query({
      installationId: 1,
      topics: pick.length ? pick : undefined,
      from,
      to,
      limit: 3,
      offset: 0,
      order: rnd() < 0.5 ? 'asc' : 'desc',
      includeTotal: true,
    });
    const horizon = horizonSeconds === undefined ? -Infinity : Math.round(horizonSeconds * 1e6);
    expect({ from, to, pick, total: page.total }).toEqual({ from, to, pick, total: bruteCount(points, 1, pick.length ? pick : undefined, from, to, horizon) });
  }
}

describe('exact totals from in-memory day counts', () => {
  it('match a brute-force count over random ranges, across appends, a restart, retention and deletion', async () => {
    const rnd = rng(77);
    await withTempDir(async (dir) => {
      const points = randomPoints(rnd, 3000);
      let store = await openLevelStore(dir, { batchSize: 400 });
      try {
        for (let i = 0; i < 2000; i += 250) await store.append(points.slice(i, i + 250));
        await checkRandomTotals(store, points.slice(0, 2000), rnd, 60);
        // Day counts are now loaded: further appends (late ones too) must keep them exact.
        for (let i = 2000; i < 3000; i += 100) await store.append(points.slice(i, i + 100));
        const late = randomPoints(rnd, 200, 1, -2);
        await store.append(late);
        const all = [...points, ...late];
        await checkRandomTotals(store, all, rnd, 60);
        // A new series after loading, and another installation that must not leak into totals.
        const extra = [pt('new/topic', start + 2 * DAY, 1), pt('a', start + 2 * DAY, 1, '', 2)];
        await store.append(extra);
        all.push(...extra);
        const withNew = store.query({ installationId: 1, topics: ['new/topic'], limit: 0, offset: 0, order: 'asc', includeTotal: true });
        expect((await withNew).total).toBe(1);
        await checkRandomTotals(store, all, rnd, 20);

        await store.close();
        store = await openLevelStore(dir, { batchSize: 400 });
        await checkRandomTotals(store, all, rnd, 40);

        // Retention: raw horizon on a day boundary; totals start there.
        const cut = Math.floor(start / DAY + 3) * DAY;
        await store.applyRetention(1, { rawBefore: cut, rollupBefore: cut });
        await checkRandomTotals(store, all, rnd, 40, cut);
        await store.append([pt('a', cut + 10, 5)]);
        all.push(pt('a', cut + 10, 5));
        await checkRandomTotals(store, all, rnd, 20, cut);

        await store.deleteInstallation(1);
        const empty = await store.query({ installationId: 1, limit: 1, offset: 0, order: 'asc', includeTotal: true });
        expect(empty.total).toBe(0);
        await store.append([pt('a', start, 1)]);
        const again = await store.query({ installationId: 1, limit: 1, offset: 0, order: 'asc', includeTotal: true });
        expect(again.total).toBe(1);
      } finally {
        await store.close();
      }
    });
  });

  it('a total always describes the same data as its page while batches keep landing', async () => {
    const rnd = rng(5);
    await withTempDir(async (dir) => {
      const store = await openLevelStore(dir, { batchSize: 50 });
      try {
        await store.append(randomPoints(rnd, 500));
        // Loads the day counts, so the later totals come from memory plus the batch in flight.
        await store.query({ installationId: 1, limit: 0, offset: 0, order: 'asc', includeTotal: true });
        const writes: Promise<void>[] = [];
        const checks: Promise<void>[] = [];
        for (let i = 0; i < 40; i++) {
          writes.push(store.append(randomPoints(rnd, 30)));
          checks.push(
            store.query({ installationId: 1, limit: 1_000_000, offset: 0, order: 'asc', includeTotal: true }).then((p) => {
              expect(p.total).toBe(p.count);
            }),
          );
          if (i % 4 === 0) await new Promise((r) => setImmediate(r));
        }
        await Promise.all([...writes, ...checks]);
        const final = await store.query({ installationId: 1, limit: 0, offset: 0, order: 'asc', includeTotal: true });
        expect(final.total).toBe(500 + 40 * 30);
      } finally {
        await store.close();
      }
    });
  });
});
