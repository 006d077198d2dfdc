// The procedures the admin UI adds (installation, device and function CRUD, API tokens, history,
// live values, tail, publish, system) through createCallerFactory on a real AAM store and a real
// LevelDB time series; "publishing" hands the message to storage and the live feed as the bus does.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveEvent, TailEvent } from '@lynx/shared';
import type { AdminFixture } from '../../aam/services/admin-test-fixture.js';
import type { Principal } from '../../aam/principal.js';
import { LiveFeed } from '../../monitoring/live-feed.js';
import { LiveService } from '../../monitoring/live-service.js';
import { LogRing } from '../../monitoring/log-ring.js';
import { SystemService } from '../../monitoring/system-service.js';
import { DataService } from '../../processors/storage/data-service.js';
import { createStorageProcessor } from '../../processors/storage/storage-processor.js';
import type { BusMessage } from '../../processors/types.js';
import type { AppServices } from '../../services.js';
import { openLevelStore, type LevelTimeSeriesStore } from '../../tsdb/level-store.js';
import { appRouter } from './router.js';
import { adminFixtureServices, useAdminCallers } from './trpc-test-fixture.js';
import { createCallerFactory } from './trpc.js';

const createCaller = createCallerFactory(appRouter);
const { fixture } = useAdminCallers();
let f: AdminFixture;
let dir: string;
let tsdb: LevelTimeSeriesStore;
let feed: LiveFeed;
let logs: LogRing;
let services: AppServices;

beforeEach(async () => {
  f = fixture();
  dir = await mkdtemp(join(tmpdir(), 'ui-procedures-'));
  tsdb = await openLevelStore(join(dir, 'tsdb'));
  feed = new LiveFeed();
  logs = new LogRing(10);
  const storage = createStorageProcessor(tsdb, { logger: pino({ level: 'silent' }) });
  const data = new DataService(tsdb, f.policy);
  // What the bus does with a publish: storage first (durably), then the other processors.
  const publish = async (topic: string, payload: string) => {
    const slash = topic.indexOf('/');
    const inst = f.index.byClientId(Number(topic.slice(0, slash)))!;
    const message: BusMessage = {
      installationId: inst.id,
      clientId: inst.clientId,
      topic: topic.slice(slash + 1),
      payload: Buffer.from(payload),
      qos: 1,
      retain: false,
      receivedAt: Date.now() / 1000,
      publisher: null,
    };
    await storage.handle(message);
    feed.handle(message);
  };
  services = {
    ...adminFixtureServices(f),
    policy: f.policy,
    installations: f.installations,
    devices: f.devices,
    functions: f.functions,
    data,
    live: new LiveService({ feed, data, policy: f.policy, principalForTokenId: (id) => f.auth.principalForTokenId(id), publish, maxPayloadBytes: 65536, nowMs: () => 1_700_000_000_000 }),
    system: new SystemService({ dataDir: dir, databaseUrl: `file:${join(dir, 'none.db')}`, broker: () => ({ connections: 2, received: 5, serverPublished: 1 }), logs }),
  } as AppServices;
});

afterEach(async () => {
  await tsdb.close();
  await rm(dir, { recursive: true, force: true });
});

const caller = (p: Principal | null) => createCaller({ services, principal: p });

/** Reads events until `until` holds for one, then ends the stream (as a closed browser tab does). */
async function collect<T>(stream: AsyncIterable<T>, until: (e: T, all: T[]) => boolean, onEach?: (e: T, all: T[]) => Promise<void> | void): Promise<T[]> {
  const seen: T[] = [];
  for await (const e of stream) {
    seen.push(e);
    if (until(e, seen)) break;
    await onEach?.(e, seen);
  }
  return seen;
}

describe('installation, device and function procedures', () => {
  it('create, read, update and delete through the services, with their validation messages', async () => {
    const admin = caller(f.admin);
    const inst = await admin.installations.create({ name: 'Plant', timezone: 'Europe/Stockholm', meta: { site: 'north' }, protected_meta: { secret: 's' } });
    expect(inst).toMatchObject({ name: 'Plant', meta: { site: 'north' }, protected_meta: { secret: 's' } });
    expect(await admin.installations.get({ id: inst.id })).toEqual(inst);
    expect((await admin.installations.update({ id: inst.id, data: { notes: 'n' } })).notes).toBe('n');
    await expect(admin.installations.create({ name: '' })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'invalid name: must not be empty' });
    await expect(admin.installations.create({ name: 'x', timezone: 'Mars/Olympus' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^invalid timezone: must be an IANA timezone name/),
    });

    const device = await admin.devices.create({ installationId: inst.id, data: { type: 'sensor', meta: { name: 'D1' } } });
    expect(await admin.devices.get({ installationId: inst.id, id: device.id })).toEqual(device);
    expect((await admin.devices.update({ installationId: inst.id, id: device.id, data: { meta: { name: 'D2' } } })).meta).toEqual({ name: 'D2' });
    const fn = await admin.functions.create({ installationId: inst.id, data: { type: 'temperature', meta: { topic_read: 'obj/t' }, protected_meta: { key: 'k' } } });
    expect(fn.protected_meta).toEqual({ key: 'k' });
    expect((await admin.functions.update({ installationId: inst.id, id: fn.id, data: { type: 'humidity' } })).type).toBe('humidity');
    expect(await admin.functions.get({ installationId: inst.id, id: fn.id })).toMatchObject({ type: 'humidity', meta: { topic_read: 'obj/t' } });

    expect((await admin.functions.delete({ installationId: inst.id, id: fn.id })).message).toMatch(/deleted/);
    expect((await admin.devices.delete({ installationId: inst.id, id: device.id })).message).toMatch(/deleted/);
    await expect(admin.devices.get({ installationId: inst.id, id: device.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await admin.installations.delete({ id: inst.id })).message).toMatch(/deleted/);
    await expect(admin.installations.get({ id: inst.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('show protected meta only with the right, as REST does, and keep other organizations apart', async () => {
    const admin = caller(f.admin);
    const inst = await admin.installations.create({ name: 'Shared', organization_id: f.orgs.root, users: [f.user.userId] });
    const fn = await admin.functions.create({ installationId: inst.id, data: { type: 't', meta: { name: 'F' }, protected_meta: { key: 'k' } } });
    const user = caller(f.user);
    expect(await user.functions.get({ installationId: inst.id, id: fn.id })).toMatchObject({ meta: { name: 'F' }, protected_meta: {} });
    expect((await user.installations.get({ id: inst.id })).protected_meta).toEqual({});
    await expect(user.installations.update({ id: inst.id, data: { name: 'mine' } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(f.childAdmin).installations.get({ id: inst.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller(null).installations.get({ id: inst.id })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('token procedures', () => {
  it('create a token shown once, list it with its last use, revoke it', async () => {
    const admin = caller(f.admin);
    const created = await admin.tokens.create({ name: 'grafana', permissions: ['log/read/all'] });
    expect(created.token).toMatch(/\S{16,}/);
    expect(await f.auth.authenticateToken(created.token)).toMatchObject({ userId: f.admin.userId });
    const listed = (await admin.tokens.list()).find((t) => t.id === created.id)!;
    expect(listed).toMatchObject({ name: 'grafana', type: 'api', permissions: ['log/read/all'], current: false });
    expect(listed).not.toHaveProperty('token');
    expect(listed.last_used).toBeGreaterThan(0);
    expect((await admin.tokens.list()).find((t) => t.current)).toBeDefined();
    expect((await admin.tokens.revoke({ id: created.id })).message).toMatch(/deleted/);
    expect(await f.auth.authenticateToken(created.token)).toBeNull();
    await expect(admin.tokens.revoke({ id: created.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuse a token wider than its creator and another user’s token', async () => {
    await expect(caller(f.user).tokens.create({ name: 'x', permissions: ['role/update'] })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const mine = await caller(f.admin).tokens.create({ name: 'mine' });
    await expect(caller(f.user).tokens.revoke({ id: mine.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller(f.admin).tokens.create({ name: 'old', expire: 5 })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /expire/ });
  });
});

describe('data procedures', () => {
  it('publish values, read them back as history, raw and aggregated', async () => {
    const admin = caller(f.admin);
    const inst = await admin.installations.create({ name: 'P' });
    for (const [i, v] of [1, 2, 3, 4].entries()) {
      await admin.data.publish({ installationId: inst.id, topic: 'obj/t', payload: JSON.stringify({ value: v, timestamp: 1_700_000_000 + i * 30 }) });
    }
    const raw = await admin.data.history({ installationId: inst.id, topics: ['obj/t'], order: 'asc' });
    expect(raw.data.map((r) => [r.topic, r.value])).toEqual([1, 2, 3, 4].map((v) => [`${inst.client_id}/obj/t`, v]));
    const avg = await admin.data.history({ installationId: inst.id, topics: [`${inst.client_id}/obj/t`], from: 1_700_000_000, to: 1_700_000_200, order: 'asc', aggregation: { method: 'avg', interval: '1m' } });
    expect(avg.data.map((r) => r.value)).toEqual([1.5, 3.5]);
    await expect(admin.data.history({ installationId: inst.id, aggregation: { method: 'avg', interval: 'soon' } })).rejects.toMatchObject({ code: 'BAD_REQUEST', message: /aggr_interval/ });
    await expect(admin.data.history({ installationId: inst.id, from: 10, to: 1 })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('publish only where the caller may publish over MQTT, on relative topics without wildcards', async () => {
    const admin = caller(f.admin);
    const inst = await admin.installations.create({ name: 'P', users: [f.user.userId] });
    const other = await admin.installations.create({ name: 'Q' });
    expect(await admin.data.publish({ installationId: inst.id, topic: `${inst.client_id}/obj/w`, payload: 'on' })).toEqual({ message: `published on ${inst.client_id}/obj/w`, topic: `${inst.client_id}/obj/w` });
    for (const topic of ['', 'obj/#', 'obj/+/x', '/obj']) {
      await expect(admin.data.publish({ installationId: inst.id, topic, payload: '1' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    expect((await caller(f.user).data.publish({ installationId: inst.id, topic: 'obj/w', payload: '1' })).topic).toBe(`${inst.client_id}/obj/w`);
    await expect(caller(f.user).data.publish({ installationId: other.id, topic: 'obj/w', payload: '1' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('live: a snapshot of the last values first, then each new value without asking again', async () => {
    const admin = caller(f.admin);
    const inst = await admin.installations.create({ name: 'L' });
    await admin.data.publish({ installationId: inst.id, topic: 'obj/a', payload: '{"value": 1, "timestamp": 1700000000}' });
    const stream = await admin.data.live({ installationId: inst.id });
    const events = await collect<LiveEvent>(
      stream,
      (_e, all) => all.length === 3,
      async (e) => {
        if (e.kind === 'snapshot') {
          await admin.data.publish({ installationId: inst.id, topic: 'obj/b', payload: 'not a value' });
          await admin.data.publish({ installationId: inst.id, topic: 'obj/a', payload: '{"value": 2, "timestamp": 1700000100, "msg": "warm"}' });
        } else {
          // Older than what the viewer has: skipped, so the next update is the newer value of b.
          await admin.data.publish({ installationId: inst.id, topic: 'obj/a', payload: '{"value": 0, "timestamp": 1600000000}' });
          await admin.data.publish({ installationId: inst.id, topic: 'obj/b', payload: '{"value": 7, "timestamp": 1700000200}' });
        }
      },
    );
    expect(events).toEqual([
      { kind: 'snapshot', values: [{ topic: 'obj/a', value: 1, msg: '', timestamp: 1700000000 }] },
      { kind: 'update', values: [{ topic: 'obj/a', value: 2, msg: 'warm', timestamp: 1700000100 }] },
      { kind: 'update', values: [{ topic: 'obj/b', value: 7, msg: '', timestamp: 1700000200 }] },
    ]);
    // Ending the stream stopped listening.
    expect(feed.listenerCount()).toBe(0);
  });

  it('live and tail refuse installations the caller cannot read, before streaming', async () => {
    const inst = await caller(f.admin).installations.create({ name: 'X' });
    await expect(caller(f.user).data.live({ installationId: inst.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller(f.user).data.tail({ installationId: inst.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(caller(f.admin).data.tail({ installationId: inst.id, filter: 'obj/#/x' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(feed.listenerCount()).toBe(0);
  });

  it('tail: messages matching the filter, with payload text, and a count of what the cap left out', async () => {
    // The service's clock stands still (see beforeEach), so all five fall in one second of the cap.
    const admin = caller(f.admin);
    const inst = await admin.installations.create({ name: 'T' });
    const abort = new AbortController();
    // The signal stands for the HTTP request: a closed tab aborts it and the stream ends.
    const stream = await createCaller({ services, principal: f.admin }, { signal: abort.signal }).data.tail({ installationId: inst.id, filter: 'obj/+/set', maxPerSecond: 2 });
    const iterator = stream[Symbol.asyncIterator]();
    const first = iterator.next();
    // Listening starts on the first pull; nothing is published before it.
    while (feed.listenerCount() === 0) await new Promise((r) => setImmediate(r));
    for (const topic of ['obj/lamp/set', 'obj/lamp/state', 'obj/fan/set', 'obj/pump/set', 'obj/heater/set']) {
      await admin.data.publish({ installationId: inst.id, topic, payload: `to ${topic}` });
    }
    const events: TailEvent[] = [(await first).value as TailEvent];
    while (events.filter((e) => e.kind === 'message').length < 2 || !events.some((e) => e.kind === 'skipped')) {
      events.push((await iterator.next()).value as TailEvent);
    }
    abort.abort();
    expect(events.filter((e) => e.kind === 'message').map((e) => e.kind === 'message' && [e.message.topic, e.message.payload])).toEqual([
      ['obj/lamp/set', 'to obj/lamp/set'],
      ['obj/fan/set', 'to obj/fan/set'],
    ]);
    expect(events.find((e) => e.kind === 'skipped')).toEqual({ kind: 'skipped', count: 2 });
    expect((await iterator.next()).done).toBe(true);
    expect(feed.listenerCount()).toBe(0);
  });
});

describe('system procedures', () => {
  it('give server administrators version, storage and recent log lines, and nobody else', async () => {
    logs.write('{"level":30,"time":1,"msg":"hello","component":"bus"}\n{"level":50,"time":2,"msg":"bad"}\n');
    const admin = caller(f.admin);
    const info = await admin.system.info();
    expect(info).toMatchObject({ node_version: process.version, broker: { clients: 2, received: 5, server_published: 1 }, storage: { aam_db: 0 } });
    expect(info.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.storage.tsdb).toBeGreaterThan(0);
    expect((await admin.system.logs()).map((l) => [l.level, l.msg, l.component])).toEqual([
      ['info', 'hello', 'bus'],
      ['error', 'bad', null],
    ]);
    expect((await admin.system.logs({ limit: 10, minLevel: 'warn' })).map((l) => l.msg)).toEqual(['bad']);
    await expect(caller(f.childAdmin).system.info()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(caller(f.user).system.logs()).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
