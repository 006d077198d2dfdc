import { describe, expect, it } from 'vitest';
import type { MqttPrincipal } from '../aam/access.js';
import { authorizePublishTopic, authorizeSubscribeFilter, leadingClientId, mayForward } from './authorize.js';
import { completeInOrder, type OrderGate } from './dispatch.js';

const index = {
  installationByClientId: (clientId: number) => (clientId === 34 || clientId === 35 ? { id: clientId - 30, clientId } : undefined),
};

function principal(overrides: Partial<MqttPrincipal> = {}): MqttPrincipal {
  return {
    userId: 1,
    tokenId: 1,
    email: 'a@example.com',
    publish: { kind: 'some', clientIds: new Set([34]) },
    subscribe: { kind: 'some', clientIds: new Set([34]) },
    broad: false,
    ...overrides,
  };
}

describe('topic ACL', () => {
  it('reads the client id only from a canonical first level', () => {
    expect(leadingClientId('34/obj/x')).toBe(34);
    expect(leadingClientId('0/x')).toBe(0);
    expect(leadingClientId('034/obj/x')).toBeUndefined();
    expect(leadingClientId('34')).toBeUndefined();
    expect(leadingClientId('34/')).toBeUndefined();
    expect(leadingClientId('3a/x')).toBeUndefined();
    expect(leadingClientId('/34/x')).toBeUndefined();
    expect(leadingClientId('$SYS/x')).toBeUndefined();
  });

  it('allows publishing only into installations of the publish scope', () => {
    const p = principal();
    expect(authorizePublishTopic(p, '34/obj/a/b', index)).toEqual({ ok: true, installation: { id: 4, clientId: 34 }, relativeTopic: 'obj/a/b' });
    expect(authorizePublishTopic(p, '35/obj/a', index).ok).toBe(false);
    expect(authorizePublishTopic(p, '36/obj/a', index).ok).toBe(false);
    expect(authorizePublishTopic(p, 'obj/a', index).ok).toBe(false);
    expect(authorizePublishTopic(principal({ publish: { kind: 'all' } }), '$SYS/x/heartbeat', index).ok).toBe(false);
    expect(authorizePublishTopic(principal({ publish: { kind: 'all' } }), '35/obj/a', index).ok).toBe(true);
  });

  it('needs broad for filters spanning installations, and forwards only the subscribe scope', () => {
    const p = principal();
    expect(authorizeSubscribeFilter(p, '34/#', index).ok).toBe(true);
    expect(authorizeSubscribeFilter(p, '34/+/lora/#', index).ok).toBe(true);
    expect(authorizeSubscribeFilter(p, '35/#', index).ok).toBe(false);
    expect(authorizeSubscribeFilter(p, '#', index).ok).toBe(false);
    expect(authorizeSubscribeFilter(p, '+/obj/#', index).ok).toBe(false);
    expect(authorizeSubscribeFilter(p, '$SYS/#', index).ok).toBe(false);
    const wide = principal({ broad: true });
    expect(authorizeSubscribeFilter(wide, '#', index).ok).toBe(true);
    expect(mayForward(wide, '34/obj/x')).toBe(true);
    expect(mayForward(wide, '35/obj/x')).toBe(false);
    expect(mayForward(principal({ subscribe: { kind: 'all' } }), '35/obj/x')).toBe(true);
    expect(mayForward(principal({ subscribe: { kind: 'all' } }), '$SYS/x')).toBe(false);
  });
});

describe('completeInOrder', () => {
  it('completes in arrival order even when later work finishes first', async () => {
    const gate: OrderGate = { tail: null };
    const order: string[] = [];
    let releaseSlow!: () => void;
    const slow = new Promise<void>((r) => (releaseSlow = r));
    completeInOrder(gate, slow, () => order.push('slow'));
    completeInOrder(gate, Promise.resolve(), () => order.push('fast'));
    completeInOrder(gate, undefined, () => order.push('qos0'));
    completeInOrder(gate, Promise.reject(new Error('x')), (err) => order.push(`failed:${err?.message}`));
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([]);
    releaseSlow();
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual(['slow', 'fast', 'qos0', 'failed:x']);
    expect(gate.tail).toBeNull();
    completeInOrder(gate, undefined, () => order.push('sync'));
    expect(order.at(-1)).toBe('sync');
  });
});
