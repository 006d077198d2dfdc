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
    const ids = [String(inst.id), String(fn.id), '424242', 'abc', '99999999999999999999'];
    const problems: string[] = [];
    let requests = 0;
    for (const [path, ops] of Object.entries<Record<string, unknown>>(doc.paths)) {
      for (const method of Object.keys(ops).filter((m) => ['get', 'post', 'put', 'delete'].includes(m))) {
        // Keep the caller's own session and the target alive for the rest of the sweep.
        if (method === 'delete' && (path === '/api/v2/auth' || path.includes('token') || path === '/api/v2/installation/{id}')) continue;
        for (const id of ids) {
          const url = path.replace(/\{[^}]+\}/g, (m) => (m === '{key}' ? 'a' : id));
          for (const body of method === 'get' || method === 'delete' ? [undefined] : bodies) {
            for (const q of queries) {
              const res = await admin.request(method.toUpperCase(), url + q, body);
              requests++;
              const ok = res.status < 400 || (res.status < 500 && typeof (res.body as { message?: unknown })?.message === 'string');
              if (!ok) problems.push(`${res.status} ${method} ${url}${q} ${String(body).slice(0, 30)}: ${JSON.stringify(res.body).slice(0, 100)}`);
            }
          }
        }
      }
    }
    expect(requests).toBeGreaterThan(1000);
    expect(problems).toEqual([]);
    expect((await admin.get('/api/v2/user/me')).status).toBe(200);
  }, 180_000);
});
