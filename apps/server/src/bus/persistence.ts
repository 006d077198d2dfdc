// Broker state on disk (LevelDB in <dataDir>/mqtt): persistent sessions, their offline QoS 1/2
// queues, retained messages and wills survive a restart.
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Level } from 'level';

/** The slice of aedes' persistence interface this module touches itself; aedes uses the rest. */
export interface BrokerPersistence {
  destroy(): Promise<void>;
  incomingDelPacket(client: unknown, packet: unknown): Promise<void>;
}

// aedes-persistence-level is CommonJS without types.
const require = createRequire(import.meta.url);
const levelPersistence = require('aedes-persistence-level') as (db: Level<string, Buffer>) => BrokerPersistence;

/** Broker databases open in this process, by data folder, for snapshots (backups). */
const openDatabases = new Map<string, Level<string, Buffer>>();

export async function openBrokerPersistence(dataDir: string): Promise<BrokerPersistence> {
  const location = path.join(dataDir, 'mqtt');
  await mkdir(location, { recursive: true });
  const db = new Level<string, Buffer>(location);
  // Opening here surfaces a locked or corrupt database at startup rather than on the first CONNECT.
  await db.open();
  const key = path.resolve(dataDir);
  openDatabases.set(key, db);
  db.once('closing', () => openDatabases.get(key) === db && openDatabases.delete(key));
  return levelPersistence(db);
}

/**
 * Every key and value of the broker database of `dataDir` open in this process, as of now (a
 * LevelDB snapshot: sessions, queues and retained messages together); null when it is not open.
 */
export function brokerSnapshot(dataDir: string): { entries(): AsyncIterable<[Buffer, Buffer]>; close(): Promise<void> } | null {
  const db = openDatabases.get(path.resolve(dataDir));
  if (!db || db.status !== 'open') return null;
  const snap = db.snapshot();
  return {
    async *entries() {
      const it = db.iterator<Buffer, Buffer>({ snapshot: snap, keyEncoding: 'buffer', valueEncoding: 'buffer' });
      try {
        for (let rows = await it.nextv(1000); rows.length > 0; rows = await it.nextv(1000)) yield* rows;
      } finally {
        await it.close();
      }
    },
    close: () => snap.close(),
  };
}
