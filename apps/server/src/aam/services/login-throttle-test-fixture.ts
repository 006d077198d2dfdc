// The throttle's rules, run by login-throttle.spec.ts on the memory store and by
// cluster/redis-throttle-store.spec.ts on Redis: both stores must give the same answers.
import { expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle.js';
import type { ThrottleStore } from './throttle-store.js';

export const testRules = {
  account: { windowSeconds: 60, delayAfter: 3, lockAfter: 5, lockSeconds: 120 },
  address: { windowSeconds: 60, delayAfter: 6, lockAfter: 8, lockSeconds: 300 },
};

export function throttleOn(store: ThrottleStore) {
  const clock = { ms: 1_700_000_000_000 };
  const throttle = new LoginThrottle(testRules, () => clock.ms, store);
  return { clock, throttle };
}

/** Registers the rule cases; `newStore` gives each case an empty store. */
export function throttleCases(newStore: () => ThrottleStore): void {
  it('delays past the soft limit, doubling, then locks the account for a while', async () => {
    const { clock, throttle } = throttleOn(newStore());
    const keys = { email: 'Ann@Example.com ', ip: '10.0.0.1' };
    for (let i = 0; i < 3; i++) {
      expect(await throttle.check(keys)).toEqual({ kind: 'ok' });
      expect(await throttle.fail(keys)).toEqual([]);
    }
    expect(await throttle.check(keys)).toEqual({ kind: 'delay', ms: 250 });
    await throttle.fail(keys);
    expect(await throttle.check(keys)).toEqual({ kind: 'delay', ms: 500 });
    const locks = await throttle.fail(keys);
    expect(locks).toEqual([{ scope: 'account', key: 'ann@example.com', until: clock.ms + 120_000, failures: 5 }]);
    // The same account under another spelling is the same key; another address does not help.
    expect(await throttle.check({ email: 'ann@example.com', ip: '10.9.9.9' })).toEqual({ kind: 'locked', scope: 'account', until: clock.ms + 120_000 });
    clock.ms += 119_000;
    expect((await throttle.check(keys)).kind).toBe('locked');
    clock.ms += 1_000;
    expect(await throttle.check(keys)).toEqual({ kind: 'ok' });
  });

  it('forgets failures older than the window', async () => {
    const { clock, throttle } = throttleOn(newStore());
    const keys = { email: 'bob@example.com' };
    for (let i = 0; i < 4; i++) {
      await throttle.fail(keys);
      clock.ms += 20_000;
    }
    // Failures at 0, 20, 40, 60 s: at 80 s only the last two are inside the 60-s window.
    expect(await throttle.check(keys)).toEqual({ kind: 'ok' });
    await throttle.fail(keys);
    expect(await throttle.check(keys)).toEqual({ kind: 'delay', ms: 250 });
    clock.ms += 61_000;
    expect(await throttle.check(keys)).toEqual({ kind: 'ok' });
  });

  it('resets the account on success but keeps counting the address', async () => {
    const { throttle } = throttleOn(newStore());
    for (let i = 0; i < 4; i++) await throttle.fail({ email: 'cy@example.com', ip: '10.0.0.2' });
    await throttle.succeed('CY@example.com');
    expect(await throttle.check({ email: 'cy@example.com' })).toEqual({ kind: 'ok' });
    for (let i = 0; i < 3; i++) await throttle.fail({ email: `other${i}@example.com`, ip: '10.0.0.2' });
    // Seven failures from one address, spread over accounts: delayed, then locked at eight.
    expect(await throttle.check({ ip: '10.0.0.2' })).toEqual({ kind: 'delay', ms: 500 });
    const locks = await throttle.fail({ email: 'someone@example.com', ip: '10.0.0.2' });
    expect(locks.map((l) => [l.scope, l.key])).toEqual([['address', '10.0.0.2']]);
    expect((await throttle.check({ email: 'fresh@example.com', ip: '10.0.0.2' })).kind).toBe('locked');
    expect(await throttle.check({ email: 'fresh@example.com', ip: '10.0.0.3' })).toEqual({ kind: 'ok' });
  });
}
