// The audit trace over the real REST API (spec 1.14, 2.12): changes made through REST and tRPC are
// listed with who made them and through which request, and an organization's readers see their
// own subtree only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleSchema, traceListSchema, type TraceList } from '@lynx/shared';
import { z } from 'zod';
import { createInstallation, type InstallationRef } from './helpers/fixtures.js';
import { expectOk, LynxHttp } from './helpers/lynx-http.js';
import { connackCode } from './helpers/mqtt-client.js';
import { removeDataDir, startServerProcess, type ServerProcess } from './helpers/server-process.js';

let server: ServerProcess;
let anon: LynxHttp;
let admin: LynxHttp;
let adminId: number;
let adminA: LynxHttp;
let adminB: LynxHttp;
let inst: InstallationRef;
let deviceId: number;

async function trace(client: LynxHttp, query: string): Promise<TraceList> {
  return traceListSchema.parse(expectOk(await client.get(`/api/v2/trace?${query}`)));
}

async function orgAdmin(name: string, role: number): Promise<LynxHttp> {
  const org = expectOk(await admin.post<{ id: number }>('/api/v2/organization', { name }));
  const email = `${name.toLowerCase()}-admin@example.com`;
  expectOk(await admin.post('/api/v2/user', { email, password: 'org-admin-password', role, organisations: [org.id] }));
  return (await anon.login(email, 'org-admin-password')).client;
}

beforeAll(async () => {
  server = await startServerProcess();
  anon = new LynxHttp(server.httpUrl);
  ({ client: admin } = await anon.login(server.adminEmail, server.adminPassword));
  adminId = expectOk(await admin.get<{ id: number }>('/api/v2/user/me')).id;
  const roles = Object.fromEntries(z.array(roleSchema).parse(expectOk(await admin.get('/api/v2/role'))).map((r) => [r.name, r.id]));
  adminA = await orgAdmin('A', roles['organization admin']);
  adminB = await orgAdmin('B', roles['organization admin']);
  const orgA = expectOk(await adminA.get<{ organisations: number[] }>('/api/v2/user/me')).organisations[0];

  inst = await createInstallation(admin, 'Trace plant', { organization_id: orgA });
  deviceId = expectOk(await admin.post<{ id: number }>(`/api/v2/devicex/${inst.id}`, { type: 'sensor', installation_id: inst.id, meta: { name: 'd' } })).id;
  expectOk(await admin.put(`/api/v2/devicex/${inst.id}/${deviceId}/meta/room?create_missing=true`, { value: 'kitchen', protected: false }));
  expectOk(await admin.delete(`/api/v2/devicex/${inst.id}/${deviceId}`));
});

afterAll(async () => {
  await server?.stop();
  if (server) await removeDataDir(server.dataDir);
});

describe('GET /api/v2/trace', () => {
  it('lists the changes of a device with user, path and method', async () => {
    const page = await trace(admin, `object_type=device&object_id=${deviceId}&order=asc`);
    expect(page.total).toBe(3);
    expect(page.count).toBe(3);
    expect(page.data.map((e) => [e.action, e.object_type, e.object_id, e.user_id, e.method, e.path])).toEqual([
      ['create', 'device', deviceId, adminId, 'POST', `/api/v2/devicex/${inst.id}`],
      ['update', 'device', deviceId, adminId, 'PUT', `/api/v2/devicex/${inst.id}/${deviceId}/meta/room`],
      ['delete', 'device', deviceId, adminId, 'DELETE', `/api/v2/devicex/${inst.id}/${deviceId}`],
    ]);
    // Ids are strings (go-lynx decodes them as such); timestamps are Unix seconds with ms.
    for (const e of page.data) expect(typeof e.id).toBe('string');
    const times = page.data.map((e) => e.timestamp);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(Math.abs(times[0] - Date.now() / 1000)).toBeLessThan(3600);
    expect(page.last).toBe(times[2]);
    const installation = await trace(admin, `object_type=installation&object_id=${inst.id}`);
    expect(installation.data).toEqual([expect.objectContaining({ action: 'create', method: 'POST', path: '/api/v2/installation', user_id: adminId })]);
  });

  it('answers the queries node-lynx and go-lynx send', async () => {
    const now = Date.now() / 1000;
    // node-lynx: float seconds, limit 1000, comma-separated actions.
    const nl = await trace(admin, `from=${now - 86400}&to=${now + 60}&limit=1000&offset=0&order=desc&object_type=device&object_id=${deviceId}&action=create,delete`);
    expect(nl.data.map((e) => e.action)).toEqual(['delete', 'create']);
    // go-lynx without object type: an id (possibly empty), integer seconds.
    const byId = await trace(admin, `from=${Math.floor(now - 3600)}&to=${Math.ceil(now + 60)}&limit=10&offset=0&order=asc&id=${nl.data[0].id}`);
    expect(byId.data).toEqual([nl.data[0]]);
    // go-lynx with an object type sends the id as Go's string(int64): one character of that code point.
    const rune = await trace(admin, `from=-62135596800&to=${Math.ceil(now + 60)}&limit=10&offset=0&order=desc&object_type=device&object_id=${encodeURIComponent(String.fromCodePoint(deviceId))}`);
    expect(rune.data.map((e) => e.id)).toEqual((await trace(admin, `object_type=device&object_id=${deviceId}`)).data.map((e) => e.id));
    expect(rune.count).toBeGreaterThan(0);
    const noId = await trace(admin, `from=0&to=${Math.ceil(now + 60)}&limit=2&offset=1&order=asc&id=`);
    expect(noId.count).toBe(2);
    expect(noId.total).toBeGreaterThan(3);
  });

  it('records a refused MQTT connect once a minute per user name, without the key', async () => {
    const login = { username: 'dead-sensor', password: 'revoked-key-0123456789' };
    expect(await connackCode(server.mqttUrl, login)).toBe(4);
    expect(await connackCode(server.mqttUrl, login)).toBe(4);
    const page = await trace(admin, 'object_type=mqtt&action=failed');
    const mine = page.data.filter((e) => e.description.includes('"dead-sensor"'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ action: 'failed', object_type: 'mqtt', user_id: 0 });
    expect(JSON.stringify(page)).not.toContain(login.password);
  });

  it('shows an organization admin its own subtree only', async () => {
    const query = `object_type=device&object_id=${deviceId}`;
    expect((await trace(adminA, query)).total).toBe(3);
    expect(await trace(adminB, query)).toEqual({ total: 0, last: 0, count: 0, data: [] });
    const everythingB = await trace(adminB, 'limit=10000');
    expect(everythingB.data.filter((e) => ['device', 'installation'].includes(e.object_type))).toEqual([]);
    expect((await trace(admin, 'limit=10000')).total).toBeGreaterThan(everythingB.total);
  });

  it('records tRPC calls under the procedure path', async () => {
    const reply = await admin.post<{ result: { data: { id: number } } }>('/trpc/organizations.create', { name: 'via tRPC' }, { 'Content-Type': 'application/json' });
    expect(reply.status).toBe(200);
    const org = reply.body.result.data.id;
    const page = await trace(admin, `object_type=organization&object_id=${org}`);
    expect(page.data.map((e) => [e.action, e.method, e.path, e.user_id])).toEqual([['create', 'POST', '/trpc/organizations.create', adminId]]);
  });

  it('refuses bad parameters with 400 and readers without a trace key with 403', async () => {
    for (const [query, param] of [
      ['from=yesterday', 'from'],
      ['limit=-5', 'limit'],
      ['order=sideways', 'order'],
      ['object_type=spaceship', 'object_type'],
      ['object_id=4', 'object_id'],
      ['id=abc', 'id'],
      ['action=create,explode', 'action'],
    ]) {
      const reply = await admin.get<{ message: string }>(`/api/v2/trace?${query}`);
      expect(reply.status, query).toBe(400);
      expect(reply.body.message, query).toMatch(new RegExp(`^invalid ${param}:`));
    }
    const user = expectOk(await admin.post<{ id: number }>('/api/v2/user', { email: 'plain@example.com', password: 'plain-password' }));
    expect(user.id).toBeGreaterThan(0);
    const { client } = await anon.login('plain@example.com', 'plain-password');
    const refused = await client.get<{ message: string }>('/api/v2/trace');
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/trace\/list/);
    expect((await anon.get('/api/v2/trace')).status).toBe(401);
  });
});
