// Redis connections of a cluster node (ioredis). Every connection reconnects on its own for as
// long as the node runs; the first one is awaited at start so an unreachable Redis fails start-up
// with one clear line instead of a node that serves without its cluster.
import { Redis, type RedisOptions } from 'ioredis';
import { redactRedisUrl } from './cluster-config.js';

export class RedisUnavailableError extends Error {
  constructor(url: string, reason: string) {
    super(`cannot reach Redis at ${redactRedisUrl(url)}: ${reason} (check redisUrl / LYNX_REDIS_URL)`);
    this.name = 'RedisUnavailableError';
  }
}

/** Options in plain form, for libraries that build their own ioredis client (aedes-persistence-redis). */
export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions {
  const u = new URL(url);
  const db = Number(u.pathname.replace(/^\//, '') || 0);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port || 6379),
    ...(u.username && { username: decodeURIComponent(u.username) }),
    ...(u.password && { password: decodeURIComponent(u.password) }),
    db: Number.isInteger(db) ? db : 0,
    ...(u.protocol === 'rediss:' && { tls: {} }),
    // Reconnect for ever, at most every 2 s: a Redis restart must not need a node restart.
    retryStrategy: (times: number) => Math.min(times * 100, 2000),
    connectTimeout: 5000,
    ...extra,
  };
}

export interface RedisConnectOptions {
  /** Shown in `CLIENT LIST`, which helps an operator tell the nodes' connections apart. */
  name: string;
  /** Commands fail at once while disconnected instead of queueing (health checks, publishes). */
  failFast?: boolean;
}

export function createRedis(url: string, opts: RedisConnectOptions): Redis {
  return new Redis(
    redisOptions(url, {
      connectionName: opts.name,
      lazyConnect: true,
      ...(opts.failFast && { enableOfflineQueue: false, maxRetriesPerRequest: 0 }),
    }),
  );
}

/** Connects (lazy clients) and checks with a PING; throws RedisUnavailableError within `timeoutMs`. */
export async function connectRedis(client: Redis, url: string, timeoutMs = 5000): Promise<void> {
  let lastError: Error | undefined;
  const onError = (err: Error) => (lastError = err);
  client.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      (async () => {
        if (client.status === 'wait') await client.connect();
        await client.ping();
      })(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(lastError ? describe(lastError) : `no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    client.disconnect();
    throw new RedisUnavailableError(url, describe(lastError ?? (err as Error)));
  } finally {
    clearTimeout(timer);
    client.off('error', onError);
  }
}

function describe(err: Error): string {
  const e = err as NodeJS.ErrnoException & { errors?: Error[] };
  // Node reports a refused dual-stack connect as an AggregateError without a message.
  if (!e.message && e.errors?.length) return describe(e.errors[0]);
  return (e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message).split('\n')[0];
}
