import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Level } from 'level';
import { describe, expect, it } from 'vitest';
import { blockOfCountKey, COUNT_BLOCK_MICROS, SPACE_COUNT, spaceRange } from './keys.js';
import { openLevelStore } from './level-store.js';
import { nextHorizon } from './retention.js';
import { pt, withTempDir } from './test-helpers.js';
import type { AggregationMethod, SeriesQuery } from './types.js';

const DAY = 86_400;
const now = 1_750_000_000; // "today"; 1_749_945_600 is its UTC midnight
const midnight = Math.floor(now / DAY) * DAY;

function q(over: Partial<SeriesQuery> = {}): SeriesQuery {
  return { installationId: 1, limit: 100_000, offset: 0, order: 'asc', includeTotal: true, ...over };
}

function perDay(method: AggregationMethod): Partial<SeriesQuery> {
  return { aggregation: { method, intervalSeconds: DAY } };
}

async function folderBytes(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir)) n += (await stat(join(dir, e))).size;
  return n;
}

/** Random-looking values, so the old data does not compress away and the size drop is real. */
function noisy(i: number): number {
  return Math.sin(i * 12.9898) * 43758.5453;
}

describe('retention', () => {
  it('horizons are UTC days, only move forward, and rollups never go before raw data', () => {
    const h = nextHorizon(undefined, { rawBefore: midnight + 5000, rollupBefore: midnight - 10 * DAY + 1 });
    expect(h).toEqual({ rawMicros: midnight * 1e6, rollupMicros: (midnight - 10 * DAY) * 1e6 });
    // A longer period later does not bring deleted data back.
    expect(nextHorizon(h, { rawBefore: midnight - 30 * DAY })).toEqual(h);
    // Rollups kept at least as long as raw points.
    expect(nextHorizon(undefined, { rollupBefore: midnight }).rollupMicros).toBeLessThan(0);
    expect(nextHorizon(undefined, { rawBefore: midnight - DAY, rollupBefore: midnight }).rollupMicros).toBe((midnight - DAY) * 1e6);
  });

  it('deletes old raw points and, on their own period, old rollups; frees the disk; keeps last values', async () => {
    await withTempDir(async (dir) => {
      let store = await openLevelStore(dir);
      // 20 days of old data (one point a minute per topic, 3 topics) and 2 recent days.
      const old = [];
      for (let i = 0; i < 20 * 1440; i++) {
        for (const topic of ['a', 'b', 'c']) old.push(pt(topic, midnight - 30 * DAY + i * 60 + 7, noisy(i), `old message ${i}`));
      }
      for (let i = 0; i < old.length; i += 5000) await store.append(old.slice(i, i + 5000));
      const recent = Array.from({ length: 2 * 1440 }, (_, i) => pt('a', midnight - 2 * DAY + i * 60 + 7, i));
      await store.append(recent);
      // A topic whose only value is old: its last value must survive.
      await store.append([pt('only-old', midnight - 25 * DAY, 42, 'kept')]);
      await store.close();
      const before = await folderBytes(dir);

      store = await openLevelStore(dir);
      const oldDailyAvg = await store.query(q({ topics: ['a'], to: midnight - 5 * DAY, ...perDay('avg') }));
      expect(oldDailyAvg.total).toBe(20);

      // Raw older than 5 days, rollups older than 15 days.
      const r = await store.applyRetention(1, { rawBefore: now - 5 * DAY, rollupBefore: now - 15 * DAY });
      expect(r).toEqual({ rawBefore: midnight - 5 * DAY, rollupBefore: midnight - 15 * DAY, seriesCleared: 4 });

      // Raw pages and non-exact aggregations see only the recent data.
      const raw = await store.query(q());
      expect(raw.total).toBe(recent.length);
      expect(raw.data.every((p) => p.timestamp >= midnight - 5 * DAY)).toBe(true);
      expect((await store.query(q({ ...perDay('median') }))).total).toBe(2);
      expect((await store.query(q({ limit: 0, from: midnight - 40 * DAY, to: midnight - 6 * DAY }))).total).toBe(0);
      // Exact aggregations still answer from rollups between the two horizons (days -15 .. -10 of data).
      const daily = await store.query(q({ topics: ['a'], to: midnight - 5 * DAY, ...perDay('avg') }));
      expect(daily.data.map((p) => p.timestamp)).toEqual(
        oldDailyAvg.data.filter((p) => p.timestamp >= midnight - 15 * DAY).map((p) => p.timestamp),
      );
      expect(daily.data).toEqual(oldDailyAvg.data.filter((p) => p.timestamp >= midnight - 15 * DAY));
      // Last values stay.
      expect(await store.latest(1, ['only-old'])).toMatchObject([{ value: 42, msg: 'kept' }]);
      await store.close();

      const after = await folderBytes(dir);
      // 60k of 66k points were old: the folder must shrink to well under half.
      expect(after).toBeLessThan(before * 0.4);
      // Every tier (the 10 s one included) starts at the rollup horizon.
      const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
      await db.open();
      const firstCell = new Map<number, number>();
      for await (const k of db.keys(spaceRange(SPACE_COUNT))) {
        const start = blockOfCountKey(k) * (COUNT_BLOCK_MICROS[k[5]] / 1e6);
        firstCell.set(k[5], Math.min(firstCell.get(k[5]) ?? Infinity, start));
      }
      await db.close();
      expect([...firstCell.keys()].sort()).toEqual(COUNT_BLOCK_MICROS.map((_, level) => level));
      for (const start of firstCell.values()) expect(start).toBeGreaterThanOrEqual(midnight - 15 * DAY);

      // Horizons persist: after a restart the old data stays invisible and a second sweep finds nothing.
      store = await openLevelStore(dir);
      try {
        expect((await store.query(q({ limit: 0 }))).total).toBe(recent.length);
        expect((await store.applyRetention(1, { rawBefore: now - 5 * DAY, rollupBefore: now - 15 * DAY })).seriesCleared).toBe(0);
        // Rollups then follow their own, shorter, period.
        await store.applyRetention(1, { rawBefore: now - 5 * DAY, rollupBefore: now - 5 * DAY });
        expect((await store.query(q({ topics: ['a'], to: midnight - 5 * DAY, ...perDay('avg') }))).total).toBe(0);
      } finally {
        await store.close();
      }
    });
  });

  it('leaves other installations alone', async () => {
    await withTempDir(async (dir) => {
      const store = await openLevelStore(dir);
      try {
        await store.append([pt('t', midnight - 10 * DAY, 1, '', 1), pt('t', midnight - 10 * DAY, 2, '', 2)]);
        await store.applyRetention(1, { rawBefore: now - DAY });
        expect((await store.query(q({ installationId: 1 }))).total).toBe(0);
        expect((await store.query(q({ installationId: 2 }))).total).toBe(1);
        expect(store.installationIds().sort()).toEqual([1, 2]);
      } finally {
        await store.close();
      }
    });
  });
});
