// The sweep over a real LevelDB store and real settings (SQLite), with an injected clock.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAamFixture, type AamFixture } from '../../aam/services/aam-test-fixture.js';
import { openLevelStore, type LevelTimeSeriesStore } from '../../tsdb/level-store.js';
import { pt, withTempDir } from '../../tsdb/test-helpers.js';
import { RetentionSettingsService } from './retention-settings.js';
import { RetentionSweep } from './retention-sweep.js';

const DAY = 86_400;
const midnight = 1_750_032_000; // a UTC midnight
let f: AamFixture;

beforeEach(async () => {
  f = await createAamFixture();
});
afterEach(async () => {
  await f.close();
});

async function withStore(fn: (store: LevelTimeSeriesStore) => Promise<void>): Promise<void> {
  await withTempDir(async (dir) => {
    const store = await openLevelStore(dir);
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  });
}

const count = async (store: LevelTimeSeriesStore, installationId: number) =>
  (await store.query({ installationId, limit: 0, offset: 0, order: 'asc', includeTotal: true })).total;

describe('RetentionSweep', () => {
  it('applies the server defaults, per-installation overrides, and 0 = forever', async () => {
    const a = await f.installations.create(f.admin, { name: 'A' });
    const b = await f.installations.create(f.admin, { name: 'B' });
    const c = await f.installations.create(f.admin, { name: 'C' });
    const settings = new RetentionSettingsService({ db: f.db, policy: f.policy, defaults: { rawDays: 10, rollupDays: 0 } });
    await settings.set(f.admin, b.id, { rawDays: 3, rollupDays: 0 });
    await settings.set(f.admin, c.id, { rawDays: 0, rollupDays: 0 });
    let now = (midnight + 3600) * 1000;
    await withStore(async (store) => {
      for (const inst of [a, b, c]) {
        // One point a day for 20 days, up to yesterday.
        await store.append(Array.from({ length: 20 }, (_, i) => pt('t', midnight - (20 - i) * DAY + 60, i, '', inst.id)));
      }
      const sweep = new RetentionSweep({ store, settings, now: () => now });
      const first = await sweep.runOnce();
      expect(first).toEqual({ installations: 2, seriesCleared: 2 });
      expect(await count(store, a.id)).toBe(10);
      expect(await count(store, b.id)).toBe(3);
      expect(await count(store, c.id)).toBe(20);
      // An hour later: nothing new to delete (day-aligned horizons).
      now += 3600_000;
      expect((await sweep.runOnce()).seriesCleared).toBe(0);
      // Next day: one more day goes.
      now += DAY * 1000;
      await sweep.runOnce();
      expect(await count(store, a.id)).toBe(9);
      // Removing the override brings B back to the defaults; deleted data does not come back.
      await settings.set(f.admin, b.id, null);
      await sweep.runOnce();
      expect(await count(store, b.id)).toBe(2);
    });
  });

  it('a failing installation does not stop the others', async () => {
    const warnings: object[] = [];
    const store = {
      installationIds: () => [1, 2],
      applyRetention: async (id: number) => {
        if (id === 1) throw new Error('disk on fire');
        return { rawBefore: 0, rollupBefore: null, seriesCleared: 1 };
      },
    };
    const settings = { overrides: async () => new Map(), defaults: { rawDays: 1, rollupDays: 0 } };
    const sweep = new RetentionSweep({ store, settings, logger: { info: () => {}, warn: (o) => warnings.push(o) } });
    expect(await sweep.runOnce()).toEqual({ installations: 1, seriesCleared: 1 });
    expect(warnings).toMatchObject([{ installationId: 1 }]);
    sweep.stop();
    expect(await sweep.runOnce()).toEqual({ installations: 0, seriesCleared: 0 });
  });
});
