import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../aam/principal.js';
import { createInternalCaller, internalPrincipal } from './internal-call.js';

const principal: Principal = { userId: 0, email: '', roleId: null, tokenId: 0, permissions: new Set(['x']), organizationIds: [], installationIds: new Set([4]) };
let app: FastifyInstance;
let seenHeader: string | undefined;

beforeAll(async () => {
  app = Fastify();
  app.post('/api/who', async (request) => {
    seenHeader = request.headers['x-lynx-internal-call'] as string | undefined;
    const p = internalPrincipal(request);
    return { principal: p ? [...(p.installationIds ?? [])] : null, body: request.body ?? null };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
});

describe('internal REST calls', () => {
  it('reach the handler as the given principal, with a JSON body', async () => {
    const call = createInternalCaller(app);
    const res = await call(principal, { method: 'POST', url: '/api/who', body: '{"a":1}' });
    expect(res.status).toBe(200);
    expect(res.contentType).toMatch(/json/);
    expect(JSON.parse(res.body)).toEqual({ principal: [4], body: { a: 1 } });
  });

  it('honours an id only while its call is in flight and never from the network', async () => {
    await createInternalCaller(app)(principal, { method: 'POST', url: '/api/who' });
    const used = seenHeader!;
    expect(used).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // Replayed through inject after the call ended.
    const replay = await app.inject({ method: 'POST', url: '/api/who', headers: { 'x-lynx-internal-call': used } });
    expect(replay.json().principal).toBeNull();
    // Sent over a socket while a call with that id is in flight.
    let network: unknown;
    const slow = Fastify();
    slow.post('/api/slow', async (request) => {
      const id = request.headers['x-lynx-internal-call'] as string;
      const address = app.server.address() as { port: number };
      const res = await fetch(`http://127.0.0.1:${address.port}/api/who`, { method: 'POST', headers: { 'x-lynx-internal-call': id } });
      network = await res.json();
      return {};
    });
    await createInternalCaller(slow)(principal, { method: 'POST', url: '/api/slow' });
    await slow.close();
    expect(network).toEqual({ principal: null, body: null });
  });
});
