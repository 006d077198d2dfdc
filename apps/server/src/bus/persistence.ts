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

export async function openBrokerPersistence(dataDir: string): Promise<BrokerPersistence> {
  const location = path.join(dataDir, 'mqtt');
  await mkdir(location, { recursive: true });
  const db = new Level<string, Buffer>(location);
  // Opening here surfaces a locked or corrupt database at startup rather than on the first CONNECT.
  await db.open();
  return levelPersistence(db);
}
