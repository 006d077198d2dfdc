// Login throttling on the machine's Redis (LYNX_TEST_REDIS_URL), under a key prefix of this run:
// the same rule cases as the memory store, then two "nodes" (two connections, two throttles)
// counting one account together, and a node without Redis refusing logins (503).
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginGuard, LoginThrottle } from '../aam/services/login-throttle.js';
import { testRules, throttleCases } from '../aam/services/login-throttle-test-fixture.js';
import type { ClusterSettings } from './cluster-config.js';
import { deleteTestKeys, testRedisUnreachable, testRedisUrl } from './leases-redis-test-fixture.js';
import { RedisThrottleStore } from './redis-throttle-store.js';

const unreachable = await testRedisUnreachable('the login throttle specs');
const runPrefix = `lynx-test-${Date.now().toString(36)}${randomBytes(3).toString('hex')}:`;
const settings = (nodeId: string): ClusterSettings => ({ nodeId, redisUrl: testRedisUrl, prefix: runPrefix, db: 0 });
const noSleep = async () => {};

describe.skipIf(unreachable)('RedisThrottleStore', () => {
  let shared: Redis;
  const stores: RedisThrottleStore[] = [];
  async function nodeStore(nodeId: string): Promise<RedisThrottleStore> {
    const store = await RedisThrottleStore.connect(settings(nodeId), () => {});
    stores.push(store);
    return store;
  }
  beforeAll(() => {
    shared = new Redis(testRedisUrl);
  });
  afterAll(async () => {
    shared?.disconnect();
    for (const s of stores) await s.close();
    await deleteTestKeys(runPrefix);
  });

  describe('gives the memory store\'s answers', () => {
    let cases = 0;
    // A prefix per case: the rule cases reuse account names.
    throttleCases(() => new RedisThrottleStore(shared, `${runPrefix}case${++cases}:`));
  });

  it('counts failures made on two nodes together, and both nodes refuse the locked account', async () => {
    const clock = { ms: Date.now() };
    const [a, b] = [new LoginThrottle(testRules, () => clock.ms, await nodeStore('a')), new LoginThrottle(testRules, () => clock.ms, await nodeStore('b'))];
    const [guardA, guardB] = [new LoginGuard({ throttle: a, sleep: noSleep }), new LoginGuard({ throttle: b, sleep: noSleep })];
    const keys = (i: number) => ({ email: 'ida@example.com', ip: `10.1.0.${i}` });
    // Two failures on each node: four together, past the soft limit of three on both.
    for (let i = 0; i < 2; i++) {
      await guardA.failed(keys(i), 'login of ida failed');
      await guardB.failed(keys(i + 10), 'login of ida failed');
    }
    expect(await a.check({ email: 'ida@example.com' })).toEqual({ kind: 'delay', ms: 500 });
    expect(await b.check({ email: 'IDA@example.com' })).toEqual({ kind: 'delay', ms: 500 });
    // The fifth, on either node, locks the account on both.
    expect(await b.fail(keys(20))).toEqual([{ scope: 'account', key: 'ida@example.com', until: clock.ms + 120_000, failures: 5 }]);
    for (const guard of [guardA, guardB]) await expect(guard.before(keys(30))).rejects.toMatchObject({ status: 429, message: expect.stringMatching(/this account: try again in 120 s/) });
    clock.ms += 120_000;
    await expect(guardA.before(keys(30))).resolves.toBeUndefined();
    await expect(guardB.before(keys(30))).resolves.toBeUndefined();
  });

  it('starts exactly one lock when the limit is reached by failures racing on both nodes', async () => {
    const clock = { ms: Date.now() };
    const nodes = [new LoginThrottle(testRules, () => clock.ms, await nodeStore('a')), new LoginThrottle(testRules, () => clock.ms, await nodeStore('b'))];
    const locks = (await Promise.all(Array.from({ length: 9 }, (_, i) => nodes[i % 2].fail({ email: 'jo@example.com' })))).flat();
    // Nine failures: the fifth locks and clears the count; the four after it count towards nothing new.
    expect(locks).toEqual([{ scope: 'account', key: 'jo@example.com', until: clock.ms + 120_000, failures: 5 }]);
    expect((await nodes[0].check({ email: 'jo@example.com' })).kind).toBe('locked');
  });

  it('keeps keys short for very long login names, and lets nothing outlive its window or lock', async () => {
    const store = await nodeStore('c');
    const throttle = new LoginThrottle(testRules, Date.now, store);
    const long = `${'x'.repeat(5000)}@example.com`;
    for (let i = 0; i < 5; i++) await throttle.fail({ email: long });
    expect((await throttle.check({ email: long.toUpperCase() })).kind).toBe('locked');
    const keys = await shared.keys(`${runPrefix}login-*:account:sha256:*`);
    expect(keys).toHaveLength(1);
    expect(keys[0].length).toBeLessThan(200);
    const ttl = await shared.pttl(keys[0]);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120_000);
    await throttle.fail({ email: 'kai@example.com' });
    const window = await shared.pttl(`${runPrefix}login-fail:account:kai@example.com`);
    expect(window).toBeGreaterThan(0);
    expect(window).toBeLessThanOrEqual(60_000);
  });

  it('refuses logins with 503 while the node cannot reach Redis (fail closed)', async () => {
    const store = await nodeStore('d');
    const guard = new LoginGuard({ throttle: new LoginThrottle(testRules, Date.now, store), sleep: noSleep });
    await store.close();
    await expect(guard.before({ email: 'lu@example.com', ip: '10.2.0.1' })).rejects.toMatchObject({
      status: 503,
      message: expect.stringMatching(/^login is unavailable on this node: the login throttle store cannot be reached \(.+\)$/),
    });
  });
});
