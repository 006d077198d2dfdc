// The request context reaches async hooks and handlers over a real socket, also after a request
// body was read from the socket's events.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { currentRequest } from '../../aam/request-context.js';
import { parseEveryBodyAsJson } from './parse-json-body.js';
import { installRequestContext } from './request-context.js';

let app: FastifyInstance | undefined;
type Seen = { context: { method: string; path: string; ip: string; userId?: number } };

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(): Promise<string> {
  app = Fastify();
  parseEveryBodyAsJson(app);
  installRequestContext(app);
  // As authentication does: an async preHandler names the user on the context object.
  app.addHook('preHandler', async (request) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (request.requestContext) request.requestContext.userId = Number(request.headers['x-user'] ?? 0);
  });
  const seen = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    return { context: currentRequest() ?? null };
  };
  app.get('/api/v2/thing', seen);
  app.post('/api/v2/thing/:id', seen);
  return app.listen({ host: '127.0.0.1', port: 0 });
}

describe('REST request context', () => {
  it('is set for every request and carries the user set after authentication', async () => {
    const url = await start();
    const get = (await (await fetch(`${url}/api/v2/thing?from=1&to=2`, { headers: { 'x-user': '7' } })).json()) as Seen;
    expect(get.context).toEqual({ method: 'GET', path: '/api/v2/thing', ip: '127.0.0.1', userId: 7 });
    // A body streamed in several chunks is parsed from socket events.
    const body = JSON.stringify({ name: 'x'.repeat(200_000) });
    const post = (await (await fetch(`${url}/api/v2/thing/5?silent=true`, { method: 'POST', body, headers: { 'x-user': '9' } })).json()) as Seen;
    expect(post.context).toEqual({ method: 'POST', path: '/api/v2/thing/5', ip: '127.0.0.1', userId: 9 });
  });

  it('keeps concurrent requests apart', async () => {
    const url = await start();
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        fetch(`${url}/api/v2/thing/${i}`, { method: 'POST', body: JSON.stringify({ i }), headers: { 'x-user': String(i) } }).then((r) => r.json() as Promise<Seen>),
      ),
    );
    expect(replies.map((r) => [r.context.path, r.context.userId])).toEqual(Array.from({ length: 20 }, (_, i) => [`/api/v2/thing/${i}`, i]));
  });
});
