// Leases against the machine's Redis (LYNX_TEST_REDIS_URL, default redis://127.0.0.1:6379), under a
// key prefix of this run. Short ttls keep it quick; the properties checked do not depend on speed:
// ownership never overlaps, a lost owner is replaced, a release hands over, once-only records hold.
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RedisLeases, singleNodeOwnership } from './leases.js';
import { relayInstanceChanges, type ClusterChannel } from './leases-edge-relay.js';
import { deleteTestKeys, testRedisUnreachable, testRedisUrl } from './leases-redis-test-fixture.js';

const redisUrl = testRedisUrl;
const unreachable = await testRedisUnreachable('the lease specs');

const runPrefix = `lynx-test-${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;
let tests = 0;
/** Per test, so a lease a test leaves behind (until its ttl) does not reach into the next. */
let prefix = runPrefix;
// Short, yet long enough that a busy shared machine does not stall a renewal past it.
const ttlMs = 1000;
const quiet = { info() {}, warn() {} };
const connections: Redis[] = [];
const leases: RedisLeases[] = [];

function connect(opts: { failFast?: boolean; url?: string } = {}): Redis {
  // Fail-fast clients are connected by the caller (`await c.connect()`): before that they refuse commands.
  // Reconnecting quickly relative to the short test ttl, as the server's 100 ms is to its 5 s ttl.
  const redis = new Redis(opts.url ?? redisUrl, { retryStrategy: () => 20, ...(opts.failFast && { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true }) });
  redis.on('error', () => {});
  connections.push(redis);
  return redis;
}

function node(name: string, redis = connect()): RedisLeases {
  const l = new RedisLeases({ redis, nodeId: name, keys: ['schedules', 'edge-apps'], ttlMs, prefix, logger: quiet });
  leases.push(l);
  return l;
}

/** Node a (started first, so the owner) on a connection of its own that fails fast, and node b. */
async function ownerOnFailFastConnection() {
  const aConn = connect({ failFast: true });
  await aConn.connect();
  const a = node('a', aConn);
  const b = node('b');
  await a.start();
  await b.start();
  return { a, aConn, b };
}

/** Resolves when `l` gains or loses `key`. */
function change(l: RedisLeases, key: string, owned: boolean): Promise<number> {
  return new Promise((resolve) => {
    const off = l.onChange((k, o) => {
      if (k === key && o === owned) {
        off();
        resolve(Date.now());
      }
    });
  });
}

/** Samples every node's view until stopped; fails the test if two owned one key at the same moment. */
function watchOverlap(nodes: RedisLeases[], key: string) {
  let overlaps = 0;
  const timer = setInterval(() => {
    if (nodes.filter((n) => n.owns(key)).length > 1) overlaps++;
  }, 2);
  return {
    stop() {
      clearInterval(timer);
      return overlaps;
    },
  };
}

/** A TCP relay to Redis whose traffic can be black-holed: requests then hang, as on a cut network. */
async function relay(): Promise<{ url: string; blackhole(): void; close(): Promise<void> }> {
  const target = new URL(redisUrl);
  let dropping = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection(Number(target.port || 6379), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
    }
    client.on('data', (d) => dropping || upstream.write(d));
    upstream.on('data', (d) => dropping || client.write(d));
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `redis://127.0.0.1:${port}`,
    blackhole: () => (dropping = true),
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

beforeEach(() => {
  prefix = `${runPrefix}${++tests}:`;
});

afterEach(async () => {
  await Promise.all(leases.splice(0).map((l) => l.stop()));
  for (const c of connections.splice(0)) c.disconnect();
});

afterAll(async () => {
  if (!unreachable) await deleteTestKeys(runPrefix);
});

describe('singleNodeOwnership', () => {
  it('owns all work and lets every claim through (SQL keeps once-only on one server)', async () => {
    const o = singleNodeOwnership();
    await o.start();
    expect(o.owns('schedules')).toBe(true);
    expect(await o.claimOnce('schedules', '1:2')).toBe(true);
    await o.stop();
  });
});

describe('relayInstanceChanges', () => {
  it('tells the local runtime and every other node of an instance change', () => {
    // A channel like ClusterCacheBus: a node does not receive its own messages.
    const subscribers: { node: string; handler: (body: unknown, from: string) => void }[] = [];
    const channel = (node: string): ClusterChannel => ({
      publish: (_topic, body) => subscribers.filter((s) => s.node !== node).forEach((s) => s.handler(body, node)),
      subscribe: (_topic, handler) => {
        const entry = { node, handler };
        subscribers.push(entry);
        return () => subscribers.splice(subscribers.indexOf(entry), 1);
      },
    });
    const seen: string[] = [];
    const runtime = (node: string) => ({ instanceChanged: (i: number, id: number) => void seen.push(`${node}:${i}/${id}`) });
    const a = relayInstanceChanges(runtime('a'), channel('a'));
    const b = relayInstanceChanges(runtime('b'), channel('b'));
    a.instanceChanged(1, 2);
    expect(seen.sort()).toEqual(['a:1/2', 'b:1/2']);
    b.close();
    a.instanceChanged(3, 4);
    expect(seen).toContain('a:3/4');
    expect(seen).not.toContain('b:3/4');
    a.close();
  });
});

describe.skipIf(unreachable)('RedisLeases', () => {
  it('gives each lease to one node, with a growing fencing token', async () => {
    const a = node('a');
    const b = node('b');
    await a.start();
    await b.start();
    expect(a.owns('schedules')).toBe(true);
    expect(a.owns('edge-apps')).toBe(true);
    expect(b.owns('schedules')).toBe(false);
    expect(b.token('schedules')).toBeNull();
    const first = a.token('schedules')!;
    expect(first).toBeGreaterThan(0);
    // Renewals keep it: several ttls later it is still a's, with the same token.
    await new Promise((r) => setTimeout(r, ttlMs * 2));
    expect(a.token('schedules')).toBe(first);
    expect(b.owns('schedules')).toBe(false);

    const gained = change(b, 'schedules', true);
    await a.stop();
    // A release hands over at the next pass of the other node (ttl/3), not after the ttl.
    const releasedAt = Date.now();
    const at = await gained;
    expect(at - releasedAt).toBeLessThan(ttlMs);
    expect(b.token('schedules')).toBeGreaterThan(first);
  });

  it('a node cut off from Redis stops owning before another takes over', async () => {
    const link = await relay();
    try {
      // Default client: commands wait (offline queue, unanswered requests), as on a cut network.
      const a = node('a', connect({ url: link.url }));
      const b = node('b');
      await a.start();
      await b.start();
      expect(a.owns('schedules')).toBe(true);
      const overlap = watchOverlap([a, b], 'schedules');
      const lost = change(a, 'schedules', false);
      const gained = change(b, 'schedules', true);
      const cutAt = Date.now();
      link.blackhole();
      const [lostAt, gainedAt] = await Promise.all([lost, gained]);
      expect(overlap.stop()).toBe(0);
      expect(lostAt).toBeLessThanOrEqual(gainedAt);
      // Takeover waits for the lease to expire in Redis: about ttl + ttl/3.
      expect(gainedAt - cutAt).toBeLessThan(ttlMs * 4);
      expect(a.owns('schedules')).toBe(false);
      expect(await a.claimOnce('schedules', '1:1')).toBe(false);
    } finally {
      await link.close();
    }
  });

  it('a node whose connection closed stops owning before another takes over', async () => {
    const { a, aConn, b } = await ownerOnFailFastConnection();
    const overlap = watchOverlap([a, b], 'schedules');
    const gained = change(b, 'schedules', true);
    aConn.disconnect();
    await gained;
    expect(overlap.stop()).toBe(0);
    expect(a.owns('schedules')).toBe(false);
  });

  it('a connection killed by Redis (CLIENT KILL) reconnects and keeps its lease', async () => {
    const { a, aConn, b } = await ownerOnFailFastConnection();
    const token = a.token('edge-apps');
    const overlap = watchOverlap([a, b], 'edge-apps');
    const admin = connect();
    await admin.client('KILL', 'ID', String(await aConn.client('ID')));
    await new Promise((r) => setTimeout(r, ttlMs * 2));
    expect(overlap.stop()).toBe(0);
    // ioredis reconnected within the ttl: a renewal went through, nobody took over.
    expect(a.token('edge-apps')).toBe(token);
    expect(b.owns('edge-apps')).toBe(false);
  });

  it('fences: a node whose lease was taken cannot record work, even before it notices', async () => {
    const a = node('a');
    await a.start();
    expect(await a.claimOnce('schedules', '7:100')).toBe(true);
    expect(await a.claimOnce('schedules', '7:100')).toBe(false);
    // As if a was paused past its ttl: the lease went and b took it; a still counts itself owner.
    const admin = connect();
    await admin.del(`${prefix}lease:schedules`);
    const b = node('b');
    await b.start();
    expect(b.owns('schedules')).toBe(true);
    expect(a.owns('schedules')).toBe(true);
    expect(await a.claimOnce('schedules', '7:101')).toBe(false);
    // The refused claim told a it lost the lease.
    expect(a.owns('schedules')).toBe(false);
    // The new owner neither repeats a's minute nor misses the next one.
    expect(await b.claimOnce('schedules', '7:100')).toBe(false);
    expect(await b.claimOnce('schedules', '7:101')).toBe(true);
    expect(await admin.get(`${prefix}fired:schedules:7:101`)).toBe(String(b.token('schedules')));
  });

  it('a non-owner claims nothing', async () => {
    const a = node('a');
    const b = node('b');
    await a.start();
    await b.start();
    expect(await b.claimOnce('schedules', '9:1')).toBe(false);
    expect(await a.claimOnce('schedules', '9:1')).toBe(true);
  });
});
