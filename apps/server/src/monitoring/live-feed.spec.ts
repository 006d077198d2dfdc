import { describe, expect, it } from 'vitest';
import type { BusMessage } from '../processors/types.js';
import { LiveFeed } from './live-feed.js';

const message = (installationId: number, publisher: string | null, receivedAt = 1000): BusMessage => ({
  installationId,
  clientId: 10_000 + installationId,
  topic: 'obj/t',
  payload: Buffer.from('{"value":1}'),
  qos: 0,
  retain: false,
  receivedAt,
  publisher,
});

describe('LiveFeed', () => {
  it('counts messages per second over the last ten whole seconds, per installation and in total', () => {
    const clock = { now: 1000.5 };
    const feed = new LiveFeed(() => clock.now);
    for (let i = 0; i < 30; i++) feed.handle(message(1, 'a'));
    feed.handle(message(2, 'b'));
    // The second still filling does not count yet.
    expect(feed.activityOf(1).messagesPerSecond).toBe(0);
    clock.now = 1001.5;
    expect(feed.activityOf(1).messagesPerSecond).toBe(3);
    expect(feed.totalRate()).toBeCloseTo(3.1);
    clock.now = 1011.5;
    expect(feed.activityOf(1).messagesPerSecond).toBe(0);
    expect(feed.activityOf(3)).toEqual({ messagesPerSecond: 0, lastActivity: null, activeClients: [] });
  });

  it('lists recent publishers, most recent first, and forgets them after five minutes', () => {
    const clock = { now: 1000 };
    const feed = new LiveFeed(() => clock.now);
    feed.handle(message(1, 'gw-1', 990));
    clock.now = 1100;
    feed.handle(message(1, 'sensor-2', 1100));
    feed.handle(message(1, null, 1050));
    expect(feed.activityOf(1)).toMatchObject({ lastActivity: 1100, activeClients: ['sensor-2', 'gw-1'] });
    clock.now = 1350;
    expect(feed.activityOf(1).activeClients).toEqual(['sensor-2']);
  });

  it('hands messages to the installation’s listeners only, and a failing listener harms no one', () => {
    const feed = new LiveFeed();
    const seen: number[] = [];
    const stop = feed.subscribe(1, (m) => seen.push(m.installationId));
    feed.subscribe(1, () => {
      throw new Error('broken viewer');
    });
    feed.handle(message(1, 'a'));
    feed.handle(message(2, 'a'));
    expect(seen).toEqual([1]);
    expect(feed.stats()).toMatchObject({ listeners: 2, delivered: 1, listenerErrors: 1 });
    stop();
    feed.handle(message(1, 'a'));
    expect(seen).toEqual([1]);
    expect(feed.listenerCount()).toBe(1);
  });
});
