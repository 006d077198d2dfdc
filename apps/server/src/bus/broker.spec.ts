import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import type { AccessEvent, InstallationRef, MqttAccessService, MqttPrincipal } from '../aam/access.js';
import { createStorageProcessor, type StorageProcessor } from '../processors/storage/storage-processor.js';
import { MemoryStore } from '../processors/storage/memory-store-test-fixture.js';
import type { Point } from '../tsdb/types.js';
import { startBus, type Bus } from './broker.js';

const logger = pino({ level: 'silent' });

/** Installation 1 has client id 34, installation 2 has client id 35. */
const installations = new Map<number, InstallationRef>([
  [34, { id: 1, clientId: 34 }],
  [35, { id: 2, clientId: 35 }],
]);

function some(...clientIds: number[]) {
  return { kind: 'some' as const, clientIds: new Set(clientIds) };
}

function basePrincipals(): Record<string, MqttPrincipal> {
  return {
    alice: { userId: 1, tokenId: 11, email: 'alice@example.com', publish: some(34), subscribe: some(34), broad: false },
    admin: { userId: 2, tokenId: 12, email: 'admin@example.com', publish: { kind: 'all' }, subscribe: { kind: 'all' }, broad: true },
    wide: { userId: 3, tokenId: 13, email: 'wide@example.com', publish: some(34), subscribe: some(34), broad: true },
    bob: { userId: 4, tokenId: 14, email: 'bob@example.com', publish: some(35), subscribe: some(35), broad: false },
  };
}

class FakeAccess implements MqttAccessService {
  /** Token string = principal key. */
  principals = basePrincipals();
  private readonly listeners = new Set<(event: AccessEvent) => void>();

  async authenticateMqtt(_username: string | undefined, password: string | undefined): Promise<MqttPrincipal | null> {
    return (password && this.principals[password]) || null;
  }
  async refreshPrincipal(principal: MqttPrincipal): Promise<MqttPrincipal | null> {
    return Object.values(this.principals).find((p) => p.tokenId === principal.tokenId) ?? null;
  }
  installationByClientId(clientId: number): InstallationRef | undefined {
    return installations.get(clientId);
  }
  onAccessEvent(listener: (event: AccessEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(event: AccessEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(check: () => boolean, what: string, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** SUBACK return codes, in filter order; mqtt.js rejects a SUBACK holding 0x80 but keeps the packet. */
async function grantedCodes(client: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await client.subscribeAsync(filters, { qos: 1 })).map((g) => g.qos);
  } catch (err) {
    const suback = (err as { packet?: { granted?: number[] } }).packet;
    if (suback?.granted) return suback.granted;
    throw err;
  }
}

/** Collects messages so tests can assert both arrival and absence. */
function inbox(client: MqttClient): { topic: string; payload: string; retain: boolean }[] {
  const received: { topic: string; payload: string; retain: boolean }[] = [];
  client.on('message', (topic, payload, packet) => received.push({ topic, payload: payload.toString(), retain: packet.retain }));
  return received;
}

describe('MQTT bus', () => {
  let dataDir: string;
  let access: FakeAccess;
  let store: MemoryStore;
  let storage: StorageProcessor;
  let bus: Bus | undefined;
  const clients: MqttClient[] = [];

  async function start(): Promise<Bus> {
    storage = createStorageProcessor(store, { logger });
    bus = await startBus({ host: '127.0.0.1', mqttPort: 0, dataDir, access, processors: [storage], logger });
    return bus;
  }

  async function connect(token: string | undefined, options: IClientOptions = {}): Promise<MqttClient> {
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${bus!.mqttPort}`, {
      username: 'apikey',
      password: token,
      reconnectPeriod: 0,
      connectTimeout: 3000,
      ...options,
    });
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'lynx-bus-'));
    access = new FakeAccess();
    store = new MemoryStore();
    await start();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
    await bus?.close();
    bus = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses bad or missing credentials in CONNACK', async () => {
    await expect(connect('wrong-token')).rejects.toMatchObject({ code: 4 });
    await expect(connect(undefined, { username: undefined })).rejects.toMatchObject({ code: 5 });
    expect(bus!.stats().authFailures).toBe(2);
  });

  it('lets a client publish to and subscribe on its own installation, and stores the value', async () => {
    const alice = await connect('alice');
    const received = inbox(alice);
    const granted = await alice.subscribeAsync('34/obj/#', { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);
    await alice.publishAsync('34/obj/lora/abc/temperature', '{"value": 21.5, "timestamp": 1700000000.5}', { qos: 1 });
    await waitFor(() => received.length === 1, 'delivery');
    expect(received[0]).toMatchObject({ topic: '34/obj/lora/abc/temperature', payload: '{"value": 21.5, "timestamp": 1700000000.5}' });
    expect(store.points).toEqual([{ installationId: 1, topic: 'obj/lora/abc/temperature', timestamp: 1700000000.5, value: 21.5, msg: '' }]);
    expect(bus!.stats()).toMatchObject({ received: 1, receivedByInstallation: { 1: 1 }, processors: { storage: { stored: 1 } } });
  });

  it('drops a publish into another installation without disconnecting', async () => {
    const admin = await connect('admin');
    const adminInbox = inbox(admin);
    await admin.subscribeAsync('35/#', { qos: 1 });
    const alice = await connect('alice');
    let closed = false;
    alice.on('close', () => (closed = true));
    await alice.publishAsync('35/obj/x', '{"value": 1}', { qos: 1 });
    await alice.publishAsync('35/obj/x', '{"value": 2}', { qos: 0 });
    await alice.publishAsync('$SYS/fake/heartbeat', 'x', { qos: 1 });
    await alice.publishAsync('lost/topic', '{"value": 3}', { qos: 1 });
    await alice.publishAsync('35/obj/x', '{"value": 5}', { qos: 2 });
    await alice.publishAsync('34/obj/huge', `{"value": 6, "msg": "${'x'.repeat(300 * 1024)}"}`, { qos: 1 });
    // The connection still works: this one is stored.
    await alice.publishAsync('34/obj/x', '{"value": 4}', { qos: 1 });
    await sleep(100);
    expect(closed).toBe(false);
    expect(adminInbox).toEqual([]);
    expect(store.points.map((p) => [p.installationId, p.value])).toEqual([[1, 4]]);
    expect(bus!.stats()).toMatchObject({ deniedPublish: 5, droppedOversize: 1, droppedOversizeByInstallation: { 1: 1 } });
  });

  it('answers 0x80 for filters outside the subscribe scope and for broad filters without broad', async () => {
    const alice = await connect('alice');
    expect(await grantedCodes(alice, ['35/#', '#', '+/obj/#', '$SYS/#', '34/#'])).toEqual([128, 128, 128, 128, 1]);
    expect(bus!.stats().deniedSubscribe).toBe(4);
    // Still connected and subscribed to what was granted.
    const received = inbox(alice);
    await alice.publishAsync('34/obj/ok', '{"value": 1}', { qos: 1 });
    await waitFor(() => received.length === 1, 'delivery after a partly denied SUBSCRIBE');
  });

  it('lets an admin subscribe to everything, while broad alone does not widen the scope', async () => {
    const admin = await connect('admin');
    const adminInbox = inbox(admin);
    expect(await grantedCodes(admin, ['#'])).toEqual([1]);
    const wide = await connect('wide');
    const wideInbox = inbox(wide);
    expect(await grantedCodes(wide, ['+/obj/#'])).toEqual([1]);
    const bob = await connect('bob');
    const alice = await connect('alice');
    await bob.publishAsync('35/obj/b', '{"value": 35}', { qos: 1 });
    await alice.publishAsync('34/obj/a', '{"value": 34}', { qos: 1 });
    await waitFor(() => adminInbox.length === 2, 'admin deliveries');
    await sleep(50);
    expect(adminInbox.map((m) => m.topic).sort()).toEqual(['34/obj/a', '35/obj/b']);
    expect(wideInbox.map((m) => m.topic)).toEqual(['34/obj/a']);
    // aedes' own $SYS traffic never reaches a `#` subscriber.
    expect(adminInbox.some((m) => m.topic.startsWith('$'))).toBe(false);
  });

  it('counts bad payloads and keeps the connection working', async () => {
    const alice = await connect('alice');
    let closed = false;
    alice.on('close', () => (closed = true));
    await alice.publishAsync('34/obj/t', 'not json', { qos: 1 });
    await alice.publishAsync('34/obj/t', '{"value": "21"}', { qos: 1 });
    await alice.publishAsync('34/obj/t', 'on', { qos: 0 });
    await alice.publishAsync('34/obj/t', '{"value": 21}', { qos: 1 });
    await waitFor(() => storage.rejected(1) === 3, 'rejections');
    expect(closed).toBe(false);
    expect(store.points.map((p) => p.value)).toEqual([21]);
    expect(storage.rejected(2)).toBe(0);
    expect(bus!.stats().processors.storage).toMatchObject({ stored: 1, rejected: 3, rejectedByInstallation: { 1: 3 } });
  });

  it('sends PUBACK only after the store resolved the write', async () => {
    const alice = await connect('alice');
    let release!: () => void;
    store.gate = new Promise<void>((r) => (release = r));
    let acked = false;
    const publishing = alice.publishAsync('34/obj/slow', '{"value": 1}', { qos: 1 }).then(() => (acked = true));
    try {
      await alice.publishAsync('34/obj/fast', '{"value": 2}', { qos: 0 });
      await sleep(300);
      expect(acked).toBe(false);
      expect(store.points).toHaveLength(0);
    } finally {
      release();
    }
    await publishing;
    expect(store.points.map((p) => p.topic)).toEqual(['obj/slow', 'obj/fast']);
  });

  it('acknowledges PUBACKs in arrival order when writes finish out of order', async () => {
    const alice = await connect('alice');
    const gates: (() => void)[] = [];
    store.append = async function (points: Point[]) {
      await new Promise<void>((r) => gates.push(r));
      this.points.push(...points);
    };
    const acks: number[] = [];
    const all = [1, 2, 3].map((n) => alice.publishAsync(`34/obj/${n}`, `{"value": ${n}}`, { qos: 1 }).then(() => acks.push(n)));
    await waitFor(() => gates.length === 3, 'three writes in flight');
    gates[2]();
    gates[1]();
    try {
      await sleep(100);
      expect(acks).toEqual([]);
    } finally {
      gates[0]();
    }
    await Promise.all(all);
    expect(acks).toEqual([1, 2, 3]);
  });

  it('stores a QoS 2 publish once', async () => {
    const alice = await connect('alice');
    const received = inbox(alice);
    await alice.subscribeAsync('34/#', { qos: 2 });
    await alice.publishAsync('34/obj/q2', '{"value": 2}', { qos: 2 });
    await waitFor(() => received.length === 1, 'QoS 2 delivery');
    await sleep(50);
    expect(store.points.map((p) => p.topic)).toEqual(['obj/q2']);
  });

  it('withholds the PUBACK and disconnects when storage fails, so the client resends', async () => {
    store.failures = 1;
    const alice = await connect('alice', { reconnectPeriod: 100, clean: false, clientId: 'resender' });
    let closes = 0;
    alice.on('close', () => closes++);
    await alice.publishAsync('34/obj/important', '{"value": 42}', { qos: 1 });
    expect(closes).toBeGreaterThanOrEqual(1);
    expect(store.points.map((p) => p.value)).toEqual([42]);
    expect(bus!.stats().notAcknowledged).toBe(1);
  });

  it('disconnects every connection of a revoked token at once', async () => {
    const alice1 = await connect('alice');
    const alice2 = await connect('alice');
    const bob = await connect('bob');
    const closed = new Set<MqttClient>();
    for (const c of [alice1, alice2, bob]) c.on('close', () => closed.add(c));
    access.emit({ type: 'token-revoked', tokenId: 11 });
    await waitFor(() => closed.size === 2, 'revoked clients to close');
    expect(closed.has(bob)).toBe(false);
    await bob.publishAsync('35/obj/still', '{"value": 1}', { qos: 1 });
    expect(bus!.stats().connections).toBe(1);
  });

  it('applies narrowed access to open connections', async () => {
    const wide = await connect('wide');
    const received = inbox(wide);
    await wide.subscribeAsync('#', { qos: 1 });
    const alice = await connect('alice');
    await alice.publishAsync('34/obj/before', '{"value": 1}', { qos: 1 });
    await waitFor(() => received.length === 1, 'delivery through the broad filter');

    access.principals.wide = { ...access.principals.wide, broad: false, publish: some() };
    access.emit({ type: 'access-changed', userId: 3 });
    await sleep(100);
    // `#` needs broad, so it was withdrawn although 34 is still in the subscribe scope.
    await alice.publishAsync('34/obj/after', '{"value": 2}', { qos: 1 });
    // The publish scope is now empty.
    await wide.publishAsync('34/obj/mine', '{"value": 3}', { qos: 1 });
    await sleep(100);
    expect(received.map((m) => m.topic)).toEqual(['34/obj/before']);
    expect(store.points.map((p) => p.topic)).toEqual(['obj/before', 'obj/after']);

    delete access.principals.wide;
    let closed = false;
    wide.on('close', () => (closed = true));
    access.emit({ type: 'access-changed', userId: null });
    await waitFor(() => closed, 'withdrawn principal to be disconnected');
    expect(alice.connected).toBe(true);
  });

  it('publishes server events to subscribers without storing them', async () => {
    const alice = await connect('alice');
    const received = inbox(alice);
    await alice.subscribeAsync('34/evt/#', { qos: 0 });
    await bus!.publish('34/evt/devicex/updated', '{}');
    await bus!.publish('34/obj/from-server', '{"value": 7}', { qos: 1 });
    await waitFor(() => received.length === 1, 'event delivery');
    expect(received[0]).toMatchObject({ topic: '34/evt/devicex/updated', payload: '{}' });
    expect(store.points.map((p) => [p.topic, p.value])).toEqual([['obj/from-server', 7]]);
    expect(storage.rejected()).toBe(0);
    await expect(bus!.publish('$SYS/x', '{}')).rejects.toThrow('reserved');
    await bus!.close();
    // Fire-and-forget callers must not get a rejection while the server shuts down.
    await expect(bus!.publish('34/evt/devicex/updated', '{}')).resolves.toBeUndefined();
  });

  it('serves MQTT over WebSocket at /mqtt and leaves other upgrade paths alone', async () => {
    const server = http.createServer();
    const detach = bus!.attachWebSocket(server);
    const others: string[] = [];
    server.on('upgrade', (req, socket) => {
      if (req.url !== '/mqtt') {
        others.push(req.url ?? '');
        socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const ws = await mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`, { username: 'apikey', password: 'alice', reconnectPeriod: 0 });
      clients.push(ws);
      const received = inbox(ws);
      await ws.subscribeAsync('34/obj/#', { qos: 1 });
      await ws.publishAsync('34/obj/ws', '{"value": 3}', { qos: 1 });
      await waitFor(() => received.length === 1, 'delivery over WebSocket');
      expect(store.points.map((p) => p.topic)).toEqual(['obj/ws']);
      await expect(mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`, { username: 'u', password: 'nobody', reconnectPeriod: 0 })).rejects.toMatchObject({
        code: 4,
      });
      // mqtt.js reports a failed WebSocket handshake only as a close.
      const elsewhere = mqtt.connect(`ws://127.0.0.1:${port}/other`, { username: 'u', password: 'alice', reconnectPeriod: 0 });
      let connected = false;
      elsewhere.on('connect', () => (connected = true));
      await new Promise<void>((r) => elsewhere.once('close', () => r()));
      elsewhere.end(true);
      expect(connected).toBe(false);
      expect(others).toEqual(['/other']);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
      detach();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('keeps retained messages and offline QoS 1 queues across a restart', async () => {
    const sleeper = await connect('alice', { clientId: 'sleeper', clean: false });
    await sleeper.subscribeAsync('34/obj/queue/#', { qos: 1 });
    await sleeper.endAsync();

    const alice = await connect('alice');
    await alice.publishAsync('34/obj/retained', '{"value": 9}', { qos: 1, retain: true });
    await alice.publishAsync('34/obj/queue/1', '{"value": 1}', { qos: 1 });
    await alice.publishAsync('34/obj/queue/2', '{"value": 2}', { qos: 1 });
    await alice.endAsync();

    await bus!.close();
    await start();

    const back = mqtt.connect(`mqtt://127.0.0.1:${bus!.mqttPort}`, {
      username: 'apikey',
      password: 'alice',
      clientId: 'sleeper',
      clean: false,
      reconnectPeriod: 0,
    });
    clients.push(back);
    const queued = inbox(back);
    const connack = await new Promise<{ sessionPresent: boolean }>((resolve, reject) => {
      back.once('connect', resolve);
      back.once('error', reject);
    });
    expect(connack.sessionPresent).toBe(true);
    await waitFor(() => queued.length === 2, 'queued messages after restart');
    expect(queued.map((m) => m.topic)).toEqual(['34/obj/queue/1', '34/obj/queue/2']);

    const fresh = await connect('alice');
    const retained = inbox(fresh);
    await fresh.subscribeAsync('34/obj/retained', { qos: 1 });
    await waitFor(() => retained.length === 1, 'retained message after restart');
    expect(retained[0]).toMatchObject({ payload: '{"value": 9}', retain: true });
  });

  it('refuses a will aimed at another installation but publishes an allowed one', async () => {
    const admin = await connect('admin');
    const received = inbox(admin);
    await admin.subscribeAsync('#', { qos: 1 });
    const bad = await connect('alice', { will: { topic: '35/box/event/status', payload: Buffer.from('0'), qos: 1, retain: false } });
    const good = await connect('alice', { will: { topic: '34/box/event/status', payload: Buffer.from('0'), qos: 1, retain: false } });
    // Not a clean DISCONNECT, so the broker publishes the wills.
    bad.stream.destroy();
    good.stream.destroy();
    await waitFor(() => received.length === 1, 'will delivery');
    await sleep(100);
    expect(received.map((m) => m.topic)).toEqual(['34/box/event/status']);
  });
});
