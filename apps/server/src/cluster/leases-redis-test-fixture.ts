// The Redis the lease specs and the cluster-schedules test use: LYNX_TEST_REDIS_URL, default the
// machine's. Unreachable: those tests are skipped with one message, or fail when CI is set.
import { Redis } from 'ioredis';

export const testRedisUrl = process.env.LYNX_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Null when the test Redis answers a PING, else why not. */
export async function probeRedis(timeoutMs = 2000): Promise<string | null> {
  const probe = new Redis(testRedisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: timeoutMs });
  probe.on('error', () => {});
  try {
    await probe.connect();
    await probe.ping();
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0] || 'connection failed';
  } finally {
    probe.disconnect();
  }
}

/** Null when Redis answers, else why not; throws under CI, where Redis must be there. */
export async function testRedisUnreachable(what: string): Promise<string | null> {
  const reason = await probeRedis();
  if (reason && process.env.CI) throw new Error(`Redis at ${testRedisUrl} is unreachable (${reason}); CI runs ${what} on it`);
  if (reason) console.warn(`${what} skipped: Redis at ${testRedisUrl} is unreachable (${reason}); set LYNX_TEST_REDIS_URL or start Redis`);
  return reason;
}

/** Deletes every key under `prefix` (a test run's). */
export async function deleteTestKeys(prefix: string): Promise<void> {
  const redis = new Redis(testRedisUrl);
  try {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  } finally {
    redis.disconnect();
  }
}
