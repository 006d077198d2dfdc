import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../processors/types.js';
import { feedRemoteMessagesWhileOwning } from './edge-feed.js';
import { singleNodeOwnership, type OwnershipListener, type WorkOwnership } from './leases.js';

function fakeOwnership(owned: boolean): WorkOwnership & { set(owned: boolean): void } {
  const listeners = new Set<OwnershipListener>();
  return {
    ...singleNodeOwnership(),
    owns: () => owned,
    onChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    set(next) {
      owned = next;
      for (const l of listeners) l('edge-apps', next);
    },
  };
}

function fakeBus() {
  const handlers = new Set<(m: BusMessage) => void>();
  return {
    handlers,
    onRemoteMessage(h: (m: BusMessage) => void) {
      handlers.add(h);
      return () => handlers.delete(h);
    },
  };
}

describe('feedRemoteMessagesWhileOwning', () => {
  it('follows the lease: subscribed while owning (once), unsubscribed on losing it and on close', () => {
    const ownership = fakeOwnership(false);
    const bus = fakeBus();
    const got: BusMessage[] = [];
    const feed = feedRemoteMessagesWhileOwning({ bus, ownership, key: 'edge-apps', handle: (m) => got.push(m) });
    expect(bus.handlers.size).toBe(0);
    ownership.set(true);
    ownership.set(true);
    expect(bus.handlers.size).toBe(1);
    const message = { installationId: 1, clientId: 1, topic: 'obj/x', payload: Buffer.from('{}'), qos: 0, retain: false, receivedAt: 0, publisher: null } as BusMessage;
    for (const h of bus.handlers) h(message);
    expect(got).toEqual([message]);
    ownership.set(false);
    expect(bus.handlers.size).toBe(0);
    ownership.set(true);
    feed.close();
    expect(bus.handlers.size).toBe(0);
    ownership.set(true);
    expect(bus.handlers.size).toBe(0);
  });

  it('subscribes at once when the lease is already held', () => {
    const bus = fakeBus();
    feedRemoteMessagesWhileOwning({ bus, ownership: fakeOwnership(true), key: 'edge-apps', handle: () => {} });
    expect(bus.handlers.size).toBe(1);
  });
});
