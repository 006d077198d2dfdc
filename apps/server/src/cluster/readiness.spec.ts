import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { Readiness } from './readiness.js';

describe('Readiness', () => {
  it('names the failing check, refuses while it fails and tells listeners once per change', async () => {
    let redisUp = true;
    const readiness = new Readiness({
      node: 'n1',
      checks: { redis: async () => (redisUp ? 'PONG' : Promise.reject(new Error('Connection is closed.'))), database: async () => 1 },
      logger: pino({ level: 'silent' }),
    });
    const changes: boolean[] = [];
    readiness.onChange((r) => changes.push(r.ready));
    expect(await readiness.check()).toEqual({ ready: true, node: 'n1', checks: { redis: 'ok', database: 'ok' } });
    expect(readiness.refusal()).toBeNull();

    redisUp = false;
    expect(await readiness.check()).toEqual({ ready: false, node: 'n1', checks: { redis: 'Connection is closed.', database: 'ok' } });
    await readiness.check();
    expect(readiness.refusal()).toBe('redis unavailable (Connection is closed.)');

    redisUp = true;
    await readiness.check();
    expect(readiness.refusal()).toBeNull();
    expect(changes).toEqual([false, true]);
  });

  it('counts a probe that does not answer in time as failed', async () => {
    const readiness = new Readiness({ node: 'n1', checks: { database: () => new Promise(() => {}) }, logger: pino({ level: 'silent' }), timeoutMs: 20 });
    expect((await readiness.check()).checks.database).toBe('no answer within 20 ms');
  });
});
