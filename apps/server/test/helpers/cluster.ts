// Cluster test fixtures: a throwaway PostgreSQL database and a Redis namespace (prefix + database
// index) per run, nodes as real server processes, and a TCP proxy that can cut a node off Redis.
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { newRunId, postgresAdminUrl } from '../../src/aam/store/test-helpers.js';
import { startServerProcess, makeDataDir, removeDataDir, type ServerProcess } from './server-process.js';

import { testRedisUrl } from '../../src/cluster/leases-redis-test-fixture.js';

export { probeRedis, testRedisUrl } from '../../src/cluster/leases-redis-test-fixture.js';

export interface ClusterEnv {
  redisUrl: string;
  redisDb: number;
  prefix: string;
  databaseUrl: string;
  /** Drops the database and this run's Redis keys. */
  cleanup(): Promise<void>;
}

function withPath(url: string, path: string): string {
  const u = new URL(url);
  u.pathname = path;
  return u.toString();
}

export async function createClusterEnv(): Promise<ClusterEnv> {
  const run = `${newRunId()}${randomBytes(2).toString('hex')}`;
  // Databases 1-15 by hash: concurrent runs rarely share one, and the prefix separates them anyway.
  const redisDb = 1 + (createHash('sha256').update(run).digest()[0] % 15);
  const prefix = `lynx-test-${run}:`;
  // Same naming as aam/store/test-helpers, so the postgres project's sweep removes what a killed run left.
  const dbName = `lynx_test_${process.env.LYNX_TEST_RUN_ID || run}_cluster${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresAdminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${dbName}"`);
  } finally {
    await admin.end();
  }
  const redisUrl = withPath(testRedisUrl, `/${redisDb}`);
  return {
    redisUrl,
    redisDb,
    prefix,
    databaseUrl: withPath(postgresAdminUrl(), `/${dbName}`),
    async cleanup() {
      const redis = new Redis(redisUrl);
      try {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length) await redis.del(...keys);
        } while (cursor !== '0');
      } finally {
        redis.disconnect();
      }
      const c = new pg.Client({ connectionString: postgresAdminUrl() });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

export async function startNode(env: ClusterEnv, nodeId: string, opts: { redisUrl?: string } = {}): Promise<ServerProcess> {
  const dataDir = await makeDataDir();
  return startServerProcess({
    dataDir,
    env: {
      LYNX_CLUSTER: '1',
      LYNX_NODE_ID: nodeId,
      LYNX_REDIS_URL: opts.redisUrl ?? env.redisUrl,
      LYNX_REDIS_PREFIX: env.prefix,
      LYNX_DATABASE_URL: env.databaseUrl,
    },
  });
}

export async function stopNode(node: ServerProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  await node.stop(signal);
  await removeDataDir(node.dataDir);
}

/** Forwards TCP to `target`; `cut()` drops every connection and refuses new ones until `restore()`. */
export interface CuttableProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startCuttableProxy(targetHost: string, targetPort: number): Promise<CuttableProxy> {
  const pairs = new Set<[net.Socket, net.Socket]>();
  let open = true;
  const server = net.createServer((inbound) => {
    if (!open) {
      inbound.destroy();
      return;
    }
    const outbound = net.connect(targetPort, targetHost);
    const pair: [net.Socket, net.Socket] = [inbound, outbound];
    pairs.add(pair);
    const end = () => {
      inbound.destroy();
      outbound.destroy();
      pairs.delete(pair);
    };
    inbound.on('error', end).on('close', end);
    outbound.on('error', end).on('close', end);
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cut = () => {
    open = false;
    for (const [a, b] of pairs) {
      a.destroy();
      b.destroy();
    }
    pairs.clear();
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cut,
    restore() {
      open = true;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
