// The time-series snapshot a live backup takes (LevelTimeSeriesStore.snapshot) never holds half a
// write batch: in every snapshot, the raw points equal the counts of the day cells written with them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SPACE_COUNT, SPACE_POINT } from '../tsdb/keys.js';
import { openLevelStore } from '../tsdb/level-store.js';

const DAY_LEVEL = 3;
let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('time-series snapshot', () => {
  it('is taken between batches while appends are in flight, and stays as of its instant', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lynx-tsdb-snap-'));
    const store = await openLevelStore(join(dir, 'tsdb'), { batchSize: 300 });
    // Snapshots requested between appends (batches of 300 cut across the appends of 250).
    const writes: Promise<void>[] = [];
    const snapshots: { queuedPoints: number; snap: ReturnType<typeof store.snapshot> }[] = [];
    for (let b = 0; b < 20; b++) {
      writes.push(store.append(Array.from({ length: 250 }, (_, i) => ({ installationId: 1 + (i % 3), topic: `t${i % 5}`, timestamp: 1_700_000_000 + b * 1000 + i, value: i, msg: '' }))));
      if (b % 6 === 2) snapshots.push({ queuedPoints: (b + 1) * 250, snap: store.snapshot() });
    }
    await Promise.all(writes);
    for (const { queuedPoints, snap: pending } of snapshots) {
      const snap = await pending;
      let points = 0;
      let cellCounts = 0;
      for await (const [key, value] of snap.entries()) {
        if (key[0] === SPACE_POINT) points++;
        else if (key[0] === SPACE_COUNT && key[5] === DAY_LEVEL) cellCounts += value.readUIntBE(0, 6);
      }
      await snap.close();
      // Every point appended before the request, none after it, and the cells agree with them.
      expect(points).toBe(queuedPoints);
      expect(cellCounts).toBe(points);
    }
    await store.close();
    await expect(store.snapshot()).rejects.toThrow(/closed/);
  });
});
