// Builds every rollup cell from the raw points: the upgrade of an older format (1: plain counts; 3: no
// 10-second tier, other level numbers), run at open. Cells are cleared first and rebuilt series by
// series in key order, so a crash half-way only means the next open (still the old version) starts again.

import { HIGH_WATER_BYTES, type Db } from './cursors.js';
import { COUNT_BLOCK_MICROS, countKey, microsOfPointKey, seriesRange, SPACE_COUNT, SPACE_POINT, spaceRange, valueOfPoint } from './keys.js';
import { addPoint, emptyRollup, encodeRollup, type Rollup } from './rollup.js';

const LEVELS = COUNT_BLOCK_MICROS.length;
const WRITE_EVERY = 10_000;

/** Returns the number of cells written. */
export async function rebuildRollups(db: Db, sids: number[]): Promise<number> {
  await db.clear(spaceRange(SPACE_COUNT));
  let batch = db.batch();
  let cells = 0;
  const put = async (sid: number, level: number, block: number, r: Rollup) => {
    batch.put(countKey(sid, level, block), encodeRollup(r));
    if (++cells % WRITE_EVERY === 0) {
      await batch.write();
      batch = db.batch();
    }
  };
  for (const sid of [...sids].sort((a, b) => a - b)) {
    const open: ({ block: number; r: Rollup } | undefined)[] = new Array(LEVELS);
    const it = db.iterator({ ...seriesRange(SPACE_POINT, sid), highWaterMarkBytes: HIGH_WATER_BYTES });
    try {
      for (;;) {
        const entries = (await it.nextv(1000)) as [Buffer, Buffer][];
        if (entries.length === 0) break;
        for (const [k, v] of entries) {
          const micros = microsOfPointKey(k);
          const value = valueOfPoint(v);
          for (let level = 0; level < LEVELS; level++) {
            const block = Math.floor(micros / COUNT_BLOCK_MICROS[level]);
            let cur = open[level];
            if (cur && cur.block !== block) {
              await put(sid, level, cur.block, cur.r);
              cur = undefined;
            }
            if (!cur) open[level] = cur = { block, r: emptyRollup() };
            addPoint(cur.r, micros, value);
          }
        }
      }
    } finally {
      await it.close();
    }
    for (let level = 0; level < LEVELS; level++) {
      const cur = open[level];
      if (cur) await put(sid, level, cur.block, cur.r);
    }
  }
  await batch.write({ sync: true });
  return cells;
}
