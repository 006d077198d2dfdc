// The storage processor against the real embedded store: what it resolved is there after a reopen.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { openLevelStore } from '../../tsdb/level-store.js';
import type { BusMessage } from '../types.js';
import { createStorageProcessor } from './storage-processor.js';

function message(topic: string, payload: string, receivedAt: number): BusMessage {
  return { installationId: 3, clientId: 34, topic, payload: Buffer.from(payload), qos: 1, retain: false, receivedAt, publisher: 'dev' };
}

describe('storage processor on the LevelDB store', () => {
  it('keeps every resolved point across a reopen and none of the rejected ones', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'lynx-storage-'));
    try {
      const store = await openLevelStore(dir);
      const processor = createStorageProcessor(store, { logger: pino({ level: 'silent' }) });
      const writes = [];
      for (let i = 0; i < 200; i++) writes.push(processor.handle(message('obj/temp', `{"value": ${i}, "timestamp": ${1_700_000_000 + i / 8}}`, 0)));
      processor.handle(message('obj/temp', 'garbage', 1_700_000_100));
      await processor.handle(message('obj/hum', '{"value": 55.5, "msg": "rh"}', 1_700_000_050.123456));
      await Promise.all(writes);
      await processor.close();
      await store.close();

      const reopened = await openLevelStore(dir);
      const page = await reopened.query({ installationId: 3, topics: ['obj/temp'], limit: 1000, offset: 0, order: 'asc', includeTotal: true });
      expect(page.total).toBe(200);
      expect(page.data[199]).toMatchObject({ value: 199, timestamp: 1_700_000_000 + 199 / 8 });
      const latest = await reopened.latest(3);
      expect(latest.map((p) => [p.topic, p.value, p.msg]).sort()).toEqual([
        ['obj/hum', 55.5, 'rh'],
        ['obj/temp', 199, ''],
      ]);
      expect(latest.find((p) => p.topic === 'obj/hum')?.timestamp).toBeCloseTo(1_700_000_050.123456, 6);
      expect(processor.rejected(3)).toBe(1);
      await reopened.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
