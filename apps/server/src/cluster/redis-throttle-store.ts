// Login throttling shared by every node of a cluster: a guesser spreading attempts over the nodes
// behind the load balancer is counted once, and a lock set on one node holds on all of them.
// Per key (`account:<email>` / `address:<ip>`): `<prefix>login-fail:<key>`, a sorted set of failure
// times (a sliding window, as on a single server), and `<prefix>login-lock:<key>` = lock end in ms.
// Both expire on their own (window / lock length), so Redis keeps nothing past its use. Times come
// from the nodes' clocks (kept in step by NTP): a second of skew moves a window edge by a second.
import { randomBytes, createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import type { KeyState, ThrottleRule, ThrottleStore } from '../aam/services/throttle-store.js';
import type { ClusterSettings } from './cluster-config.js';
import { connectRedis, redisOptions } from './redis.js';

// Counting, window pruning and locking in one step, so two nodes failing the same key at once
// cannot both see "one short of the limit" and miss the lock, nor both lock it.
// KEYS: failures, lock. ARGV: now, window ms, lockAfter, lock ms, member.
const failScript = `
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[5])
local count = redis.call('ZCARD', KEYS[1])
local lockedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
if count >= tonumber(ARGV[3]) and lockedUntil <= now then
  lockedUntil = now + tonumber(ARGV[4])
  redis.call('SET', KEYS[2], tostring(lockedUntil), 'PX', ARGV[4])
  redis.call('DEL', KEYS[1])
  return {1, tostring(lockedUntil)}
end
redis.call('PEXPIRE', KEYS[1], window)
return {0, tostring(lockedUntil)}
`;

/** Login names are attacker-chosen; very long ones are hashed so keys stay small. */
const maxKeyLength = 200;

export class RedisThrottleStore implements ThrottleStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ownsConnection = false,
  ) {
    redis.defineCommand('lynxThrottleFail', { numberOfKeys: 2, lua: failScript });
  }

  /**
   * Its own connection that fails commands at once while Redis is away and gives up on a hung one
   * after 2 s: a login must answer 503 then, not wait in a queue.
   */
  static async connect(settings: ClusterSettings, onError: (err: Error) => void): Promise<RedisThrottleStore> {
    const redis = new Redis(
      redisOptions(settings.redisUrl, {
        connectionName: `${settings.prefix}${settings.nodeId}:login-throttle`,
        lazyConnect: true,
        enableOfflineQueue: false,
        maxRetriesPerRequest: 0,
        commandTimeout: 2000,
      }),
    );
    redis.on('error', onError);
    await connectRedis(redis, settings.redisUrl);
    return new RedisThrottleStore(redis, settings.prefix, true);
  }

  async read(key: string, rule: ThrottleRule, now: number): Promise<KeyState> {
    const [failures, lock] = await Promise.all([
      this.redis.zcount(this.failKey(key), `(${now - rule.windowSeconds * 1000}`, '+inf'),
      this.redis.get(this.lockKey(key)),
    ]);
    return { failures, lockedUntil: Number(lock ?? 0) || 0 };
  }

  async fail(key: string, rule: ThrottleRule, now: number): Promise<{ locked: boolean; lockedUntil: number }> {
    // Unique per failure: two nodes failing the same key in the same millisecond count twice.
    const member = `${now}:${randomBytes(6).toString('base64url')}`;
    const fail = (this.redis as unknown as { lynxThrottleFail(...args: (string | number)[]): Promise<[number, string]> }).lynxThrottleFail;
    const [locked, until] = await fail.call(this.redis, this.failKey(key), this.lockKey(key), now, rule.windowSeconds * 1000, rule.lockAfter, rule.lockSeconds * 1000, member);
    return { locked: locked === 1, lockedUntil: Number(until) || 0 };
  }

  async clear(key: string): Promise<void> {
    await this.redis.del(this.failKey(key), this.lockKey(key));
  }

  async close(): Promise<void> {
    if (this.ownsConnection) this.redis.disconnect();
  }

  private failKey(key: string): string {
    return `${this.prefix}login-fail:${shorten(key)}`;
  }

  private lockKey(key: string): string {
    return `${this.prefix}login-lock:${shorten(key)}`;
  }
}

function shorten(key: string): string {
  if (key.length <= maxKeyLength) return key;
  const colon = key.indexOf(':');
  return `${key.slice(0, colon + 1)}sha256:${createHash('sha256').update(key.slice(colon + 1)).digest('hex')}`;
}
