import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit.js';
import { AppError } from '../errors.js';
import { LoginGuard, LoginThrottle } from './login-throttle.js';

const rules = {
  account: { windowSeconds: 60, delayAfter: 3, lockAfter: 5, lockSeconds: 120 },
  address: { windowSeconds: 60, delayAfter: 6, lockAfter: 8, lockSeconds: 300 },
};

function setup() {
  const clock = { ms: 1_700_000_000_000 };
  const throttle = new LoginThrottle(rules, () => clock.ms);
  return { clock, throttle };
}

describe('LoginThrottle', () => {
  it('delays past the soft limit, doubling, then locks the account for a while', () => {
    const { clock, throttle } = setup();
    const keys = { email: 'Ann@Example.com ', ip: '10.0.0.1' };
    for (let i = 0; i < 3; i++) {
      expect(throttle.check(keys)).toEqual({ kind: 'ok' });
      expect(throttle.fail(keys)).toEqual([]);
    }
    expect(throttle.check(keys)).toEqual({ kind: 'delay', ms: 250 });
    throttle.fail(keys);
    expect(throttle.check(keys)).toEqual({ kind: 'delay', ms: 500 });
    const locks = throttle.fail(keys);
    expect(locks).toEqual([{ scope: 'account', key: 'ann@example.com', until: clock.ms + 120_000, failures: 5 }]);
    // The same account under another spelling is the same key; another address does not help.
    expect(throttle.check({ email: 'ann@example.com', ip: '10.9.9.9' })).toEqual({ kind: 'locked', scope: 'account', until: clock.ms + 120_000 });
    clock.ms += 119_000;
    expect(throttle.check(keys).kind).toBe('locked');
    clock.ms += 1_000;
    expect(throttle.check(keys)).toEqual({ kind: 'ok' });
  });

  it('forgets failures older than the window', () => {
    const { clock, throttle } = setup();
    const keys = { email: 'bob@example.com' };
    for (let i = 0; i < 4; i++) {
      throttle.fail(keys);
      clock.ms += 20_000;
    }
    // Failures at 0, 20, 40, 60 s: at 80 s only the last two are inside the 60-s window.
    expect(throttle.check(keys)).toEqual({ kind: 'ok' });
    throttle.fail(keys);
    expect(throttle.check(keys)).toEqual({ kind: 'delay', ms: 250 });
    clock.ms += 61_000;
    expect(throttle.check(keys)).toEqual({ kind: 'ok' });
    expect(throttle.size).toBe(0);
  });

  it('resets the account on success but keeps counting the address', () => {
    const { throttle } = setup();
    for (let i = 0; i < 4; i++) throttle.fail({ email: 'cy@example.com', ip: '10.0.0.2' });
    throttle.succeed('CY@example.com');
    expect(throttle.check({ email: 'cy@example.com' })).toEqual({ kind: 'ok' });
    for (let i = 0; i < 3; i++) throttle.fail({ email: `other${i}@example.com`, ip: '10.0.0.2' });
    // Seven failures from one address, spread over accounts: delayed, then locked at eight.
    expect(throttle.check({ ip: '10.0.0.2' })).toEqual({ kind: 'delay', ms: 500 });
    const locks = throttle.fail({ email: 'someone@example.com', ip: '10.0.0.2' });
    expect(locks.map((l) => [l.scope, l.key])).toEqual([['address', '10.0.0.2']]);
    expect(throttle.check({ email: 'fresh@example.com', ip: '10.0.0.2' }).kind).toBe('locked');
    expect(throttle.check({ email: 'fresh@example.com', ip: '10.0.0.3' })).toEqual({ kind: 'ok' });
  });
});

describe('LoginGuard', () => {
  it('waits out delays, answers 429 with the retry time when locked, and traces and logs each lock once', async () => {
    const { clock, throttle } = setup();
    const records: AuditRecord[] = [];
    const warnings: string[] = [];
    const slept: number[] = [];
    const guard = new LoginGuard({
      throttle,
      audit: { record: async (r) => void records.push(r) },
      log: { warn: (_obj, msg) => void warnings.push(msg) },
      sleep: async (ms) => void slept.push(ms),
    });
    const keys = { email: 'dee@example.com', ip: '10.0.0.4' };
    const user = { id: 7, organizationIds: [3] };
    for (let i = 0; i < 5; i++) {
      await guard.before(keys);
      await guard.failed({ ...keys, user }, 'login of dee failed');
    }
    expect(slept).toEqual([250, 500]);
    expect(warnings).toEqual(['login locked for account dee@example.com after 5 failures']);
    expect(records.filter((r) => r.description.startsWith('login of dee failed'))).toHaveLength(5);
    expect(records.every((r) => r.action === 'failed' && r.objectType === 'user' && r.objectId === 7 && r.userId === 7 && r.organizationId === 3)).toBe(true);
    expect(records.at(-1)!.description).toMatch(/^login locked for account dee@example\.com until .* after 5 failures$/);
    expect(records[0].description).toBe('login of dee failed from 10.0.0.4');

    const refused = await guard.before(keys).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect((refused as AppError).status).toBe(429);
    expect((refused as AppError).message).toBe(`too many failed attempts for this account: try again in 120 s (after ${new Date(clock.ms + 120_000).toISOString()})`);
    clock.ms += 120_000;
    await expect(guard.before(keys)).resolves.toBeUndefined();
    guard.succeeded('dee@example.com');
    expect(throttle.check({ email: 'dee@example.com' })).toEqual({ kind: 'ok' });
  });
});
