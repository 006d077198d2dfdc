import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { MemoryStore } from './memory-store-test-fixture.js';
import type { BusMessage } from '../types.js';
import { createStorageProcessor } from './storage-processor.js';

function newStore(): MemoryStore {
  const store = new MemoryStore();
  store.delayMs = 5;
  return store;
}

const logger = pino({ level: 'silent' });

function message(topic: string, payload: string, extra: Partial<BusMessage> = {}): BusMessage {
  return {
    installationId: 7,
    clientId: 34,
    topic,
    payload: Buffer.from(payload),
    qos: 1,
    retain: false,
    receivedAt: 1_700_000_000.25,
    publisher: 'device-1',
    ...extra,
  };
}

describe('storage processor', () => {
  it('stores a value payload and resolves only after the store has it', async () => {
    const store = newStore();
    const processor = createStorageProcessor(store, { logger });
    const handled = processor.handle(message('obj/temp', '{"value": 21.5, "timestamp": 1700000001.125, "msg": "ok", "extra": 1}'));
    expect(store.points).toHaveLength(0);
    await handled;
    expect(store.points).toEqual([{ installationId: 7, topic: 'obj/temp', timestamp: 1700000001.125, value: 21.5, msg: 'ok' }]);
    expect(processor.stats()).toMatchObject({ stored: 1, rejected: 0 });
  });

  it('uses the receive time when the timestamp is missing or zero, and reads milliseconds as such', async () => {
    const store = newStore();
    const processor = createStorageProcessor(store, { logger });
    await processor.handle(message('obj/a', '{"value": 1}'));
    await processor.handle(message('set/obj/a', '{"value": 2, "timestamp": 0}'));
    await processor.handle(message('obj/b', '{"value": 3, "timestamp": 1700000002500}'));
    expect(store.points.map((p) => [p.topic, p.timestamp, p.msg])).toEqual([
      ['obj/a', 1_700_000_000.25, ''],
      ['set/obj/a', 1_700_000_000.25, ''],
      ['obj/b', 1_700_000_002.5, ''],
    ]);
  });

  it('counts bad payloads per installation without storing them', async () => {
    const store = newStore();
    const processor = createStorageProcessor(store, { logger, maxPayloadBytes: 100 });
    const bad = ['not json', '[1]', '{"value": "1"}', '{"timestamp": 5}', '{"value": 1, "msg": 3}', `{"value": 1, "msg": "${'x'.repeat(200)}"}`];
    for (const payload of bad) expect(processor.handle(message('obj/x', payload))).toBeUndefined();
    await processor.handle(message('obj/x', '{"value": 1}', { installationId: 8 }));
    processor.handle(message('obj/x', 'nope', { installationId: 8 }));
    expect(store.points).toHaveLength(1);
    expect(processor.rejected(7)).toBe(6);
    expect(processor.rejected(8)).toBe(1);
    expect(processor.rejected(9)).toBe(0);
    expect(processor.rejected()).toBe(7);
    expect(processor.stats().rejectedByInstallation).toEqual({ 7: 6, 8: 1 });
  });

  it('keeps events out of history and ignores the server\'s own non-value messages', async () => {
    const store = newStore();
    const processor = createStorageProcessor(store, { logger });
    await processor.handle(message('evt/devicex/updated', '{}', { publisher: null }));
    await processor.handle(message('evt/custom', '{"value": 5}'));
    await processor.handle(message('obj/status', 'online', { publisher: null }));
    await processor.handle(message('obj/retained', '', { retain: true }));
    expect(store.points).toHaveLength(0);
    expect(processor.rejected()).toBe(0);
    expect(processor.stats().ignored).toBe(4);
  });

  it('passes a store failure on, and flush waits for writes in flight', async () => {
    const store = newStore();
    store.failures = 1;
    const processor = createStorageProcessor(store, { logger });
    await expect(processor.handle(message('obj/a', '{"value": 1}'))).rejects.toThrow('disk full');
    void processor.handle(message('obj/a', '{"value": 2}'));
    void processor.handle(message('obj/a', '{"value": 3}'));
    await processor.flush();
    expect(store.points.map((p) => p.value)).toEqual([2, 3]);
    expect(processor.stats()).toMatchObject({ stored: 2, failed: 1, inFlight: 0 });
  });
});
