// LevelDB folders as key/value streams: read a stopped server's store (offline backup), rebuild a
// store from a stream (restore), and count time-series points per installation on the way.
import { stat } from 'node:fs/promises';
import { Level } from 'level';
import { SPACE_POINT, SPACE_SERIES, decodeSeries, sidOfKey } from '../tsdb/keys.js';
import type { KvEntry, KvSnapshot } from './kv-stream.js';

export class DataFolderInUseError extends Error {}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

function isLocked(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e.code === 'LEVEL_LOCKED' || e.cause?.code === 'LEVEL_LOCKED';
}

/**
 * Opens the LevelDB at `dir` of a stopped server for reading (it takes LevelDB's lock, so a server
 * holding it makes this fail with DataFolderInUseError). A missing folder reads as empty.
 */
export async function openLevelSnapshot(dir: string): Promise<KvSnapshot> {
  if (!(await exists(dir))) {
    return {
      async *entries() {},
      close: async () => {},
    };
  }
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer', createIfMissing: false });
  try {
    await db.open();
  } catch (err) {
    if (isLocked(err)) throw new DataFolderInUseError(`${dir} is in use by a running server`);
    throw new Error(`cannot open ${dir}: ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`);
  }
  return {
    async *entries() {
      const it = db.iterator();
      try {
        for (let rows = await it.nextv(1000); rows.length > 0; rows = await it.nextv(1000)) yield* rows;
      } finally {
        await it.close();
      }
    },
    close: () => db.close(),
  };
}

/** Throws DataFolderInUseError when a process holds the LevelDB lock of `dir`. */
export async function assertLevelUnlocked(dir: string): Promise<void> {
  const snap = await openLevelSnapshot(dir);
  await snap.close();
}

/** Writes every entry into a new LevelDB at `dir` (which must not exist yet); returns the count. */
export async function restoreLevel(dir: string, entries: AsyncIterable<KvEntry>, onEntry?: (key: Buffer, value: Buffer) => void): Promise<number> {
  const db = new Level<Buffer, Buffer>(dir, { keyEncoding: 'buffer', valueEncoding: 'buffer', errorIfExists: true });
  await db.open();
  let count = 0;
  try {
    let batch = db.batch();
    for await (const [key, value] of entries) {
      onEntry?.(key, value);
      batch.put(key, value);
      count++;
      if (batch.length >= 1000) {
        await batch.write();
        batch = db.batch();
      }
    }
    // Synced last write: LevelDB's log holds every batch before it in order.
    await batch.write({ sync: true });
  } finally {
    await db.close();
  }
  return count;
}

/**
 * Counts series and points per installation from the time-series keys (layout in tsdb/keys.ts).
 * Series entries (keyspace 01) come before points (04) in key order, so one pass suffices.
 */
export class TimeSeriesCounter {
  private readonly installationOf = new Map<number, number>();
  readonly pointsByInstallation: Record<string, number> = {};
  points = 0;

  add(key: Buffer, value: Buffer): void {
    if (key[0] === SPACE_SERIES && key.length === 5) {
      this.installationOf.set(sidOfKey(key), decodeSeries(value).installationId);
    } else if (key[0] === SPACE_POINT && key.length > 5) {
      // Points of a deleted installation whose range is not cleared yet count nowhere: REST cannot see them.
      const installation = this.installationOf.get(sidOfKey(key));
      if (installation === undefined) return;
      this.points++;
      this.pointsByInstallation[installation] = (this.pointsByInstallation[installation] ?? 0) + 1;
    }
  }

  get series(): number {
    return this.installationOf.size;
  }
}
