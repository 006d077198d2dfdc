import { describe, expect, it } from 'vitest';
import type { AuditRecord } from '../audit.js';
import { AppError } from '../errors.js';
import { LoginGuard, LoginThrottle } from './login-throttle.js';
import { throttleCases, throttleOn } from './login-throttle-test-fixture.js';
import { MemoryThrottleStore, type ThrottleStore } from './throttle-store.js';

describe('LoginThrottle on the memory store', () => {
  throttleCases(() => new MemoryThrottleStore());

  it('keeps nothing of a key once its failures left the window', async () => {
    const store = new MemoryThrottleStore();
    const { clock, throttle } = throttleOn(store);
    await throttle.fail({ email: 'gus@example.com', ip: '10.0.0.9' });
    expect(store.size).toBe(2);
    clock.ms += 61_000;
    expect(await throttle.check({ email: 'gus@example.com', ip: '10.0.0.9' })).toEqual({ kind: 'ok' });
    expect(store.size).toBe(0);
  });
});

describe('LoginGuard', () => {
  it('waits out delays, answers 429 with the retry time when locked, and traces and logs each lock once', async () => {
    const { clock, throttle } = throttleOn(new MemoryThrottleStore());
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
    expect(await throttle.check({ email: 'dee@example.com' })).toEqual({ kind: 'ok' });
  });

  it('fails closed with 503 when the store cannot be asked, still tracing the failure', async () => {
    const down = new Error('Connection is closed.');
    const store: ThrottleStore = { read: () => Promise.reject(down), fail: () => Promise.reject(down), clear: () => Promise.reject(down) };
    const records: AuditRecord[] = [];
    const warnings: string[] = [];
    const guard = new LoginGuard({ throttle: new LoginThrottle({}, Date.now, store), audit: { record: async (r) => void records.push(r) }, log: { warn: (_obj, msg) => void warnings.push(msg) } });
    const keys = { email: 'eli@example.com', ip: '10.0.0.5' };
    const message = 'login is unavailable on this node: the login throttle store cannot be reached (Connection is closed.)';
    await expect(guard.before(keys)).rejects.toMatchObject({ status: 503, message });
    await expect(guard.failed(keys, 'login of eli failed')).rejects.toMatchObject({ status: 503, message });
    expect(records.map((r) => r.description)).toEqual(['login of eli failed from 10.0.0.5']);
    // A success already happened: clearing its count is best effort, with a warning.
    guard.succeeded('eli@example.com');
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toEqual(['clearing the failed-login count after a success failed']);
  });
});
