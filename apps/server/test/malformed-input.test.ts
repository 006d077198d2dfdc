// Every documented REST endpoint, fed malformed ids, bodies and query values, answers a 4xx with a
// {message} (or 200), never a 500, and the server keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInstallation } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let admin: LynxHttp;

beforeAll(async () => {
  server = await startServerProcess();
  ({ client: admin } = await new LynxHttp(server.httpUrl).login(server.adminEmail, server.adminPassword));
});

afterAll(async () => {
  expect(await server?.stop()).toBe(0);
  await removeDataDir(server.dataDir);
});

const bodies = [undefined, 'null', '[]', '"text"', '{}', '{"meta":{"a":{"b":1}}}', '{"meta":"x","users":["a"],"organization_id":"x"}', '{"Value":null}', '{"installation_id":999,"type":5}', '{"expire":-1,"permissions":"all"}', '{"name":"' + 'x'.repeat(20000) + '"}'];
const queries = ['', '?silent=maybe&create_missing=perhaps', '?topics=a,b&from=x&aggr_method=avg&aggr_interval=0s&limit=99999999999&offset=-5&order=up'];

describe('malformed input', () => {
  it('never gets a 500', async () => {
    const inst = await createInstallation(admin, 'target');
    const fn = expectOk(await admin.post(`/api/v2/functionx/${inst.id}`, { type: 't', meta: { a: 'b' } }));
    const doc = expectOk(await admin.get('/docs/json'));
    // Unknown ids (404 paths) are left to the generated fuzz test.
    const ids = [String(inst.id), String(fn.id), 'abc', '99999999999999999999'];
    const problems: string[] = [];
    const work: { method: string; url: string; body: string | undefined }[] = [];
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'delete'].includes(m))) {
        // Keep the caller's own session and the target alive for the rest of the sweep.
        if (method === 'delete' && (path === '/api/v2/auth' || path.includes('token') || path === '/api/v2/installation/{id}')) continue;
        for (const id of ids) {
          const url = path.replace(/\{[^}]+\}/g, (m) => (m === '{key}' ? 'a' : id));
          // Every body without a query, and every query with an empty body: the query parsers and the
          // body parsers are separate code, so their cross product would only repeat requests.
          const withBody = method === 'get' || method === 'delete' ? [] : bodies.map((body) => ({ body, q: '' }));
          const withQuery = queries.map((q) => ({ body: method === 'get' || method === 'delete' ? undefined : '{}', q }));
          for (const { body, q } of [...withBody, ...withQuery]) work.push({ method: method.toUpperCase(), url: url + q, body });
        }
      }
    }
    // A few requests in flight, as real clients send them; deletes last so they cannot pull the
    // target from under a request still running.
    const order = [...work.filter((w) => w.method !== 'DELETE'), ...work.filter((w) => w.method === 'DELETE')];
    let requests = 0;
    const runQueue = async (queue: typeof work) => {
      let next = 0;
      const lane = async () => {
        while (next < queue.length) {
          const { method, url, body } = queue[next++];
          const res = await admin.request(method, url, body);
          requests++;
          const ok = res.status < 400 || (res.status < 500 && typeof (res.body as { message?: unknown })?.message === 'string');
          if (!ok) problems.push(`${res.status} ${method} ${url} ${String(body).slice(0, 30)}: ${JSON.stringify(res.body).slice(0, 100)}`);
        }
      };
      await Promise.all(Array.from({ length: 4 }, lane));
    };
    await runQueue(order.filter((w) => w.method !== 'DELETE'));
    await runQueue(order.filter((w) => w.method === 'DELETE'));
    expect(requests).toBeGreaterThan(1000);
    expect(problems).toEqual([]);
    expect((await admin.get('/api/v2/user/me')).status).toBe(200);
  }, 180_000);
});
